// Arithmetic on dates, timestamps and intervals, with PostgreSQL's operator
// signatures: date +/- integer -> date, date - date -> integer,
// timestamp/date +/- interval -> timestamp, timestamp - timestamp ->
// interval, interval +/- interval, interval * / number -> interval.
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "planner/binder/expression_binder.h"

namespace cairn::planner {
namespace {

bool IsTimestamp(TypeId t) { return t == TypeId::kTimestamp || t == TypeId::kTimestampTz; }

BoundExprPtr ArithNode(ArithOp op, SqlType type, BoundExprPtr l, BoundExprPtr r, int position) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExprKind::kArith;
  e->type = type;
  e->position = position;
  e->arith_op = op;
  e->children.push_back(std::move(l));
  e->children.push_back(std::move(r));
  return e;
}

}  // namespace

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindDatetimeArith(ArithOp op, BoundExprPtr& l,
                                                                 BoundExprPtr& r, int position,
                                                                 const std::string& op_text) {
  const TypeId a0 = l->type.id, b0 = r->type.id;
  const bool involved =
      a0 == TypeId::kInterval || b0 == TypeId::kInterval || IsTimeType(a0) || IsTimeType(b0);
  if (!involved) return BoundExprPtr();
  const SqlType interval = SqlType::Of(TypeId::kInterval);
  const SqlType float8 = SqlType::Of(TypeId::kFloat64);
  const bool additive = op == ArithOp::kAdd || op == ArithOp::kSub;

  // An untyped literal takes the type the other side's operator calls for:
  // an interval beside an interval or added to a timestamp, a timestamp
  // subtracted from one, a number scaling an interval.
  if (a0 == TypeId::kUnknown || b0 == TypeId::kUnknown) {
    BoundExprPtr& untyped = a0 == TypeId::kUnknown ? l : r;
    const TypeId other = a0 == TypeId::kUnknown ? b0 : a0;
    SqlType to = SqlType::Of(TypeId::kUnknown);
    if (other == TypeId::kInterval) {
      to = additive ? interval : float8;
    } else if (IsTimestamp(other) && additive) {
      to = op == ArithOp::kAdd || a0 == TypeId::kUnknown ? interval : SqlType::Of(other);
    } else if (other == TypeId::kDate && additive) {
      // date - 'literal' is date - date; date + 'literal' adds days.
      to = SqlType::Of(op == ArithOp::kSub ? TypeId::kDate : TypeId::kInt32);
    }
    if (to.id != TypeId::kUnknown) {
      CAIRN_ASSIGN_OR_RETURN(untyped, Coerce(std::move(untyped), to));
    }
  }
  const TypeId a = l->type.id, b = r->type.id;
  auto timestamp_of = [](TypeId t) {
    return SqlType::Of(t == TypeId::kTimestampTz ? TypeId::kTimestampTz : TypeId::kTimestamp);
  };

  // date +/- integer, date - date.
  if (a == TypeId::kDate && IsIntegerType(b) && additive) {
    CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::Of(TypeId::kInt32)));
    return ArithNode(op, SqlType::Of(TypeId::kDate), std::move(l), std::move(r), position);
  }
  if (IsIntegerType(a) && b == TypeId::kDate && op == ArithOp::kAdd) {
    CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), SqlType::Of(TypeId::kInt32)));
    return ArithNode(op, SqlType::Of(TypeId::kDate), std::move(r), std::move(l), position);
  }
  if (a == TypeId::kDate && b == TypeId::kDate && op == ArithOp::kSub) {
    return ArithNode(op, SqlType::Of(TypeId::kInt32), std::move(l), std::move(r), position);
  }
  // interval +/- interval.
  if (a == TypeId::kInterval && b == TypeId::kInterval && additive) {
    return ArithNode(op, interval, std::move(l), std::move(r), position);
  }
  // interval * number, number * interval, interval / number.
  if (a == TypeId::kInterval && IsNumericType(b) && (op == ArithOp::kMul || op == ArithOp::kDiv)) {
    CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), float8));
    return ArithNode(op, interval, std::move(l), std::move(r), position);
  }
  if (IsNumericType(a) && b == TypeId::kInterval && op == ArithOp::kMul) {
    CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), float8));
    return ArithNode(op, interval, std::move(r), std::move(l), position);
  }
  // timestamp or date +/- interval, interval + timestamp or date: the
  // timestamp goes first.
  if (IsTimeType(a) && b == TypeId::kInterval && additive) {
    const SqlType result = timestamp_of(a);
    CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), result));
    return ArithNode(op, result, std::move(l), std::move(r), position);
  }
  if (a == TypeId::kInterval && IsTimeType(b) && op == ArithOp::kAdd) {
    const SqlType result = timestamp_of(b);
    CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), result));
    return ArithNode(op, result, std::move(r), std::move(l), position);
  }
  // timestamp - timestamp (a date taken as its midnight).
  if (IsTimeType(a) && IsTimeType(b) && op == ArithOp::kSub) {
    const SqlType common =
        timestamp_of(a == TypeId::kTimestampTz || b == TypeId::kTimestampTz ? TypeId::kTimestampTz
                                                                            : TypeId::kTimestamp);
    CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), common));
    CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), common));
    return ArithNode(op, interval, std::move(l), std::move(r), position);
  }
  return MakeError(ErrorCode::kUndefinedFunction,
                   absl::StrFormat("operator does not exist: %s %s %s", TypeName(l->type), op_text,
                                   TypeName(r->type)),
                   position);
}

}  // namespace cairn::planner
