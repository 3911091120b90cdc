#include "executor/historical_read.h"

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/scope.h"

namespace cairn::executor {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000 * 1000;

absl::Status BadTime() {
  return MakeError(ErrorCode::kInvalidParameterValue,
                   "AS OF SYSTEM TIME takes a timestamp or a negative interval such as '-10s'");
}

// Unix microseconds of the time `value` names, relative to `now_micros`.
absl::StatusOr<int64_t> MicrosOf(const Value& value, int64_t now_micros) {
  switch (value.type()) {
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return value.micros_value();
    case TypeId::kInterval: {
      const Interval& i = value.interval_value();
      return now_micros + (int64_t{i.months} * 30 + i.days) * kMicrosPerDay + i.micros;
    }
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kUnknown: {
      // A string: an interval ('-10s') if it reads as one, else a timestamp.
      for (TypeId as : {TypeId::kInterval, TypeId::kTimestampTz}) {
        absl::StatusOr<Value> cast = CastValue(value, SqlType::Of(as), CastContext::kExplicit);
        if (cast.ok()) return MicrosOf(*cast, now_micros);
      }
      return BadTime();
    }
    default:
      return BadTime();
  }
}

}  // namespace

absl::StatusOr<Timestamp> AsOfSystemTime(const ast::Expr& expr, Timestamp now, ExecContext* ctx) {
  planner::Scope empty;
  planner::ExpressionBinder binder(&empty);
  CAIRN_ASSIGN_OR_RETURN(auto bound, binder.Bind(expr));
  CAIRN_ASSIGN_OR_RETURN(Value value, Evaluate(*bound, Row{}, ctx));
  if (value.is_null()) return BadTime();
  const int64_t now_micros = static_cast<int64_t>(PhysicalMs(now)) * 1000;
  CAIRN_ASSIGN_OR_RETURN(int64_t micros, MicrosOf(value, now_micros));
  if (micros > now_micros) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "AS OF SYSTEM TIME is in the future: only the past can be read");
  }
  if (micros < 0) {
    return MakeError(ErrorCode::kInvalidParameterValue, "AS OF SYSTEM TIME is before 1970");
  }
  // The last timestamp of that millisecond: everything committed in it.
  return ComposeTimestamp(static_cast<uint64_t>(micros / 1000), (1u << kLogicalBits) - 1);
}

}  // namespace cairn::executor
