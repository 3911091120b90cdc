#include "executor/datetime_arith.h"

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/interval.h"

namespace cairn::executor {

using planner::ArithOp;

namespace {

bool IsTimestamp(TypeId t) { return t == TypeId::kTimestamp || t == TypeId::kTimestampTz; }

double AsDouble(const Value& v) {
  if (IsIntegerType(v.type())) return static_cast<double>(v.int_value());
  if (v.type() == TypeId::kNumeric) return v.numeric_value().ToDouble();
  return v.float_value();
}

}  // namespace

bool IsDatetimeArith(const Value& a, const Value& b) {
  return a.type() == TypeId::kDate || IsTimestamp(a.type()) || a.type() == TypeId::kInterval;
}

absl::StatusOr<Value> EvalDatetimeArith(ArithOp op, TypeId result, const Value& a, const Value& b) {
  const TypeId ta = a.type(), tb = b.type();
  if (ta == TypeId::kDate) {
    if (tb == TypeId::kDate) return Value::Int32(a.date_value() - b.date_value());
    const int64_t days = op == ArithOp::kAdd ? int64_t{a.date_value()} + b.int_value()
                                             : int64_t{a.date_value()} - b.int_value();
    if (days > INT32_MAX || days < INT32_MIN) {
      return MakeError(ErrorCode::kDatetimeFieldOverflow, "date out of range");
    }
    return Value::Date(static_cast<int32_t>(days));
  }
  if (IsTimestamp(ta)) {
    if (IsTimestamp(tb)) {
      return Value::FromInterval(SubtractTimestamps(a.micros_value(), b.micros_value()));
    }
    Interval span = b.interval_value();
    if (op == ArithOp::kSub) {
      CAIRN_ASSIGN_OR_RETURN(span, NegateInterval(span));
    }
    CAIRN_ASSIGN_OR_RETURN(int64_t micros, AddIntervalToTimestamp(a.micros_value(), span));
    return Value::Timestamp(result, micros);
  }
  // An interval with an interval or a number.
  const Interval& x = a.interval_value();
  switch (op) {
    case ArithOp::kAdd: {
      CAIRN_ASSIGN_OR_RETURN(Interval r, AddIntervals(x, b.interval_value()));
      return Value::FromInterval(r);
    }
    case ArithOp::kSub: {
      CAIRN_ASSIGN_OR_RETURN(Interval negated, NegateInterval(b.interval_value()));
      CAIRN_ASSIGN_OR_RETURN(Interval r, AddIntervals(x, negated));
      return Value::FromInterval(r);
    }
    case ArithOp::kMul: {
      CAIRN_ASSIGN_OR_RETURN(Interval r, MultiplyInterval(x, AsDouble(b)));
      return Value::FromInterval(r);
    }
    case ArithOp::kDiv: {
      CAIRN_ASSIGN_OR_RETURN(Interval r, DivideInterval(x, AsDouble(b)));
      return Value::FromInterval(r);
    }
    case ArithOp::kMod:
      break;
  }
  return MakeError(
      ErrorCode::kUndefinedFunction,
      absl::StrFormat("operator does not exist: interval %% %s", TypeName(SqlType::Of(tb))));
}

}  // namespace cairn::executor
