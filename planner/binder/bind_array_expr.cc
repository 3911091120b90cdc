// Array expressions: ARRAY[...] constructors, subscripts, and comparisons
// of a value with each element of an array (x op ANY|ALL (array)).
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "planner/functions.h"
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
    absl::StatusOr<SqlType> t = CommonType(common, b->type, "ARRAY", item->position);
    if (!t.ok()) {
      return MakeError(ErrorCode::kDatatypeMismatch,
                       absl::StrFormat("ARRAY types %s and %s cannot be matched",
                                       TypeName(common), TypeName(b->type)),
                       item->position);
    }
    common = *t;
    elements.push_back(std::move(b));
  }
  // ARRAY[] has no element type of its own: only a cast gives it one.
  if (elements.empty()) {
    return MakeError(ErrorCode::kIndeterminateDatatype, "cannot determine type of empty array",
                     expr.position);
  }
  const TypeId element = common.id;
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
    return MakeError(ErrorCode::kWrongObjectType, "op ANY/ALL (array) requires array on right side",
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

bool ExpressionBinder::IsArrayFunction(const std::string& name) {
  return name == "array_append" || name == "array_prepend" || name == "array_cat" ||
         name == "array_position" || name == "array_remove";
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindArrayFunction(const std::string& name,
                                                                 std::vector<BoundExprPtr> args,
                                                                 int position) {
  auto no_such = [&]() -> absl::Status {
    std::vector<std::string> names;
    for (const auto& a : args) names.push_back(TypeName(a->type));
    return MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrFormat("function %s(%s) does not exist", name,
                                     absl::StrJoin(names, ", ")),
                     position);
  };
  if (args.size() < 2) return no_such();
  // Which argument is the array; the other (first two) is an element, or
  // for array_cat another array.
  const size_t array_at = name == "array_prepend" ? 1 : 0;
  const size_t other_at = 1 - array_at;
  BoundExprPtr& array = args[array_at];
  BoundExprPtr& other = args[other_at];
  if (array->type.id == TypeId::kUnknown && other->type.id == TypeId::kArray &&
      name == "array_cat") {
    CAIRN_ASSIGN_OR_RETURN(array, Coerce(std::move(array), other->type));
  }
  if (array->type.id != TypeId::kArray) return no_such();
  const SqlType element = SqlType::Of(array->type.element);
  const SqlType wanted = name == "array_cat" ? array->type : element;
  if (other->type.id == TypeId::kUnknown ||
      (other->type != wanted && wanted.id != TypeId::kArray &&
       CanCast(other->type.id, wanted.id, CastContext::kImplicit) &&
       other->type.id != TypeId::kArray)) {
    CAIRN_ASSIGN_OR_RETURN(other, Coerce(std::move(other), wanted));
  }
  if (other->type.id != wanted.id || (wanted.id == TypeId::kArray && other->type != wanted)) {
    return no_such();
  }
  for (size_t i = 2; i < args.size(); ++i) {
    if (args[i]->type.id == TypeId::kUnknown) {
      CAIRN_ASSIGN_OR_RETURN(args[i], Coerce(std::move(args[i]), SqlType::Of(TypeId::kInt32)));
    }
  }
  std::vector<SqlType> types;
  for (const auto& a : args) types.push_back(a->type);
  CAIRN_ASSIGN_OR_RETURN(SqlType type, ScalarResultType(name, types, position));
  auto e = Node(BoundExprKind::kFunction, type, position);
  e->name = name;
  e->children = std::move(args);
  return e;
}

}  // namespace cairn::planner
