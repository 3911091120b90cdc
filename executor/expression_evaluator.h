#pragma once

#include "absl/status/statusor.h"
#include "common/value.h"
#include "executor/exec_context.h"
#include "planner/bound_expr.h"

namespace cairn::executor {

// Evaluates a bound expression over one input row with SQL's three-valued
// logic: NULL in, NULL out, except where SQL says otherwise (AND/OR, IS,
// COALESCE-like constructs). Errors carry PostgreSQL's SQLSTATEs: 22003 for
// overflow, 22012 for division by zero, 22P02 for bad casts from text.
absl::StatusOr<Value> Evaluate(const planner::BoundExpr& expr, const Row& row, ExecContext* ctx);

// Evaluates a predicate: true only for a non-NULL true.
absl::StatusOr<bool> EvaluatePredicate(const planner::BoundExpr& expr, const Row& row,
                                       ExecContext* ctx);

// LIKE matching with % and _ and backslash escapes.
bool LikeMatch(std::string_view text, std::string_view pattern, bool case_insensitive);

}  // namespace cairn::executor
