#pragma once

#include <vector>

#include "common/sql_type.h"
#include "planner/plan.h"

namespace cairn::planner {

// The types a plan's parameters ($1 is index 0) take where it uses them:
// the binder types a parameter like an untyped literal, from its context
// (`id = $1`, `LIMIT $1`, an INSERT column), or leaves it kUnknown
// (`SELECT $1`). For each index up to the highest used, the first typed use
// wins (a cast over an untyped use counts as its type); kUnknown where no
// use gave one. A parameter used with two types is converted at each use.
std::vector<SqlType> InferParameterTypes(const PlanNode& plan);

}  // namespace cairn::planner
