#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "planner/bound_expr.h"

// PostgreSQL's functions of intervals: extract, date_part and date_trunc of
// an interval, justify_hours, justify_days, justify_interval,
// make_interval, and age of two timestamps (or of one and today's midnight).
namespace cairn::executor {

// `e.name` applied to `args` (none NULL), or nullopt when it is none of
// these. `today_micros`: the current date's midnight, for age(timestamp).
absl::StatusOr<std::optional<Value>> EvalIntervalFunction(const planner::BoundExpr& e,
                                                          const std::vector<Value>& args,
                                                          int64_t today_micros);

}  // namespace cairn::executor
