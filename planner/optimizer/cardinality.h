#pragma once

#include <cstdint>
#include <optional>

#include "planner/plan.h"

namespace cairn::planner {

// At most how many rows `node` gives, when the plan alone tells: a point
// get, a unique index lookup, VALUES, a LIMIT, an aggregate without GROUP
// BY. nullopt when it does not.
std::optional<uint64_t> KnownMaxRows(const PlanNode& node);

// About how many rows `node` gives, from the tables' statistics (ANALYZE,
// or its automatic refresh) and textbook selectivities: an equality on a
// column keeps 1/distinct of the rows, any other condition a third, a join
// on keys the larger side. nullopt when a table it reads was never
// analyzed.
std::optional<double> EstimateRows(const PlanNode& node);

}  // namespace cairn::planner
