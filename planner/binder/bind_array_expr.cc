// Array expressions: ARRAY[...] constructors, subscripts, and comparisons
// of a value with each element of an array (x op ANY|ALL (array)).
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "planner/binder/expression_binder.h"

namespace cairn::planner {
namespace {

BoundExprPtr Node(BoundExprKind kind, SqlType type, int position) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->position = position;
  return e;
}

absl::StatusOr<CompareOp> ComparisonOf(ast::BinaryOp op, int position) {
  switch (op) {
    case ast::BinaryOp::kEq: return CompareOp::kEq;
    case ast::BinaryOp::kNe: return CompareOp::kNe;
    case ast::BinaryOp::kLt: return CompareOp::kLt;
    case ast::BinaryOp::kLe: return CompareOp::kLe;
    case ast::BinaryOp::kGt: return CompareOp::kGt;
    case ast::BinaryOp::kGe: return CompareOp::kGe;
    default:
      return MakeError(ErrorCode::kFeatureNotSupported,
                       "only comparison operators are supported with ANY and ALL", position);
  }
}

}  // namespace

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindArray(const ast::ArrayExpr& expr) {
  std::vector<BoundExprPtr> elements;
  SqlType common = SqlType::Of(TypeId::kUnknown);
  for (const auto& item : expr.elements) {
    CAIRN_ASSIGN_OR_RETURN(auto b, Bind(*item));
    if (b->type.id == TypeId::kArray) {
      return MakeError(ErrorCode::kFeatureNotSupported, "multidimensional arrays are not supported",
                       item->position);
    }
    CAIRN_ASSIGN_OR_RETURN(common, CommonType(common, b->type, "ARRAY", item->position));
    elements.push_back(std::move(b));
  }
  // ARRAY[] has no element type of its own: a cast gives it one.
  const TypeId element = elements.empty() ? TypeId::kUnknown : common.id;
  bool constant = true;
  for (auto& e : elements) {
    CAIRN_ASSIGN_OR_RETURN(e, Coerce(std::move(e), SqlType::Of(element)));
    constant = constant && e->IsConstant();
  }
  if (constant) {
    std::vector<Value> values;
    for (const auto& e : elements) values.push_back(e->value);
    auto out = BoundExpr::Constant(Value::Array(element, std::move(values)),
                                   SqlType::ArrayOf(element));
    out->position = expr.position;
    return out;
  }
  auto e = Node(BoundExprKind::kArray, SqlType::ArrayOf(element), expr.position);
  e->children = std::move(elements);
  return e;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindSubscript(const ast::SubscriptExpr& expr) {
  CAIRN_ASSIGN_OR_RETURN(auto array, Bind(*expr.array));
  if (array->type.id != TypeId::kArray) {
    return MakeError(ErrorCode::kDatatypeMismatch,
                     absl::StrFormat("cannot subscript type %s because it does not support "
                                     "subscripting",
                                     TypeName(array->type)),
                     expr.position);
  }
  CAIRN_ASSIGN_OR_RETURN(auto index, Bind(*expr.index));
  if (!IsIntegerType(index->type.id) && index->type.id != TypeId::kUnknown) {
    return MakeError(ErrorCode::kDatatypeMismatch, "array subscript must have type integer",
                     expr.index->position);
  }
  CAIRN_ASSIGN_OR_RETURN(index, Coerce(std::move(index), SqlType::Of(TypeId::kInt64)));
  auto e = Node(BoundExprKind::kFunction, SqlType::Of(array->type.element), expr.position);
  e->name = "cairn_array_subscript";
  e->children.push_back(std::move(array));
  e->children.push_back(std::move(index));
  return e;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindArrayComparison(
    const ast::ArrayComparisonExpr& expr) {
  CAIRN_ASSIGN_OR_RETURN(CompareOp op, ComparisonOf(expr.op, expr.position));
  CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*expr.operand));
  CAIRN_ASSIGN_OR_RETURN(auto array, Bind(*expr.array));
  if (array->type.id == TypeId::kUnknown) {
    // A string literal or an untyped parameter: an array of the operand's
    // type, as PostgreSQL resolves `x = ANY ('{1,2}')` and `= ANY ($1)`.
    const TypeId element = operand->type.id == TypeId::kUnknown ? TypeId::kText : operand->type.id;
    CAIRN_ASSIGN_OR_RETURN(array, Coerce(std::move(array), SqlType::ArrayOf(element)));
  }
  if (array->type.id != TypeId::kArray) {
    return MakeError(ErrorCode::kDatatypeMismatch, "op ANY/ALL (array) requires array on right side",
                     expr.position);
  }
  CAIRN_ASSIGN_OR_RETURN(SqlType common, CommonType(operand->type, SqlType::Of(array->type.element),
                                                    ast::BinaryOpText(expr.op), expr.position));
  CAIRN_ASSIGN_OR_RETURN(operand, Coerce(std::move(operand), common));
  CAIRN_ASSIGN_OR_RETURN(array, Coerce(std::move(array), SqlType::ArrayOf(common.id)));
  auto e = Node(BoundExprKind::kArrayCompare, SqlType::Of(TypeId::kBool), expr.position);
  e->compare_op = op;
  e->negated = expr.all;
  e->children.push_back(std::move(operand));
  e->children.push_back(std::move(array));
  return e;
}

}  // namespace cairn::planner
