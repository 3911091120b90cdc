#pragma once

#include <functional>

#include "planner/plan.h"

namespace cairn::planner {

// Calls `f` on every expression `node` itself holds (scan bounds,
// predicate, projections, keys, aggregates' and windows' parts, limits,
// checks, RETURNING), not on its children's: for passes that ask what a
// node reads.
void ForEachNodeExpression(const PlanNode& node, const std::function<void(const BoundExpr&)>& f);

}  // namespace cairn::planner
