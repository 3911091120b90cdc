#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "planner/bound_expr.h"

// PostgreSQL's string (substring, replace, lpad, regexp_replace, ...), math
// (round, mod, power, ...) and date/time (extract, date_part, date_trunc)
// functions that take plain values, as the expression evaluator calls them.
namespace cairn::executor {

// A value as text, the way PostgreSQL casts it for string functions:
// CHAR(n) loses its padding.
std::string TextOf(const Value& v);

// `e.name` applied to `args`, or nullopt when it is none of these
// functions. REQUIRES: no NULL argument (they are all strict).
absl::StatusOr<std::optional<Value>> EvalBuiltinFunction(const planner::BoundExpr& e,
                                                         const std::vector<Value>& args);

}  // namespace cairn::executor
