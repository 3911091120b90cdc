#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "planner/bound_expr.h"

// PostgreSQL's functions over one-dimensional arrays (array_to_string,
// array_length, cardinality, array_append, array_cat, array_position,
// string_to_array, ...) and the subscript a[i], as the expression
// evaluator calls them.
namespace cairn::executor {

// `e.name` applied to `args`, or nullopt when it is none of these
// functions. They handle NULL arguments themselves, as PostgreSQL's do
// (array_append(NULL, 1) is {1}).
absl::StatusOr<std::optional<Value>> EvalArrayFunction(const planner::BoundExpr& e,
                                                       const std::vector<Value>& args);

}  // namespace cairn::executor
