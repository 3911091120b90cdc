#include "executor/expression_codec.h"

#include "common/error_code.h"
#include "executor/expression_evaluator.h"
#include "executor/row_format.h"

namespace cairn::executor {
namespace {

using planner::BoundExpr;
using planner::BoundExprKind;

bool Shippable(BoundExprKind kind) {
  return kind != BoundExprKind::kSubquery && kind != BoundExprKind::kOuterColumn;
}

}  // namespace

proto::SqlTypeProto SqlTypeToProto(const SqlType& type) {
  proto::SqlTypeProto p;
  p.set_id(static_cast<uint32_t>(type.id));
  p.set_precision(type.precision);
  p.set_scale(type.scale);
  p.set_element(static_cast<uint32_t>(type.element));
  return p;
}

SqlType SqlTypeFromProto(const proto::SqlTypeProto& p) {
  SqlType type;
  type.id = static_cast<TypeId>(p.id());
  type.precision = p.precision();
  type.scale = p.scale();
  type.element = static_cast<TypeId>(p.element());
  return type;
}

absl::StatusOr<proto::ExprProto> ExprToProto(const BoundExpr& e, ExecContext* ctx) {
  if (!Shippable(e.kind)) {
    return MakeError(ErrorCode::kInternal, "expression cannot be evaluated at a leaseholder");
  }
  proto::ExprProto p;
  *p.mutable_type() = SqlTypeToProto(e.type);
  p.set_position(e.position);
  if (e.kind == BoundExprKind::kParameter) {
    static const Row kNoRow;
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(e, kNoRow, ctx));
    p.set_kind(static_cast<uint32_t>(BoundExprKind::kConstant));
    AppendRow(Row{std::move(v)}, p.mutable_value());
    return p;
  }
  p.set_kind(static_cast<uint32_t>(e.kind));
  if (e.kind == BoundExprKind::kConstant) AppendRow(Row{e.value}, p.mutable_value());
  p.set_column_index(e.column_index);
  p.set_arith_op(static_cast<uint32_t>(e.arith_op));
  p.set_compare_op(static_cast<uint32_t>(e.compare_op));
  p.set_negated(e.negated);
  p.set_case_insensitive(e.case_insensitive);
  p.set_has_operand(e.has_operand);
  p.set_has_else(e.has_else);
  p.set_explicit_cast(e.explicit_cast);
  p.set_bool_test(e.bool_test);
  p.set_name(e.name);
  for (const auto& child : e.children) {
    CAIRN_ASSIGN_OR_RETURN(*p.add_children(), ExprToProto(*child, ctx));
  }
  return p;
}

absl::StatusOr<planner::BoundExprPtr> ExprFromProto(const proto::ExprProto& p) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = static_cast<BoundExprKind>(p.kind());
  if (!Shippable(e->kind) || e->kind == BoundExprKind::kParameter ||
      p.kind() > static_cast<uint32_t>(BoundExprKind::kArrayCompare)) {
    return MakeError(ErrorCode::kInternal, "plan fragment holds an expression it may not");
  }
  e->type = SqlTypeFromProto(p.type());
  e->position = p.position();
  if (e->kind == BoundExprKind::kConstant) {
    std::string_view in = p.value();
    Row row;
    CAIRN_RETURN_IF_ERROR(ReadRow(&in, &row));
    if (row.size() != 1) return MakeError(ErrorCode::kInternal, "plan fragment constant");
    e->value = std::move(row[0]);
  }
  e->column_index = p.column_index();
  e->arith_op = static_cast<planner::ArithOp>(p.arith_op());
  e->compare_op = static_cast<planner::CompareOp>(p.compare_op());
  e->negated = p.negated();
  e->case_insensitive = p.case_insensitive();
  e->has_operand = p.has_operand();
  e->has_else = p.has_else();
  e->explicit_cast = p.explicit_cast();
  e->bool_test = p.bool_test();
  e->name = p.name();
  for (const auto& child : p.children()) {
    CAIRN_ASSIGN_OR_RETURN(planner::BoundExprPtr c, ExprFromProto(child));
    e->children.push_back(std::move(c));
  }
  return e;
}

}  // namespace cairn::executor
