#pragma once

#include "absl/status/statusor.h"
#include "common/value.h"
#include "planner/bound_expr.h"

// Arithmetic on dates, timestamps and intervals, for the operators that
// planner/binder/bind_datetime_arith.cc binds: the date, timestamp or
// interval operand comes first, the other already of the operator's type.
namespace cairn::executor {

// True when `a op b` is one of those operators (neither side NULL).
bool IsDatetimeArith(const Value& a, const Value& b);

absl::StatusOr<Value> EvalDatetimeArith(planner::ArithOp op, TypeId result, const Value& a,
                                        const Value& b);

}  // namespace cairn::executor
