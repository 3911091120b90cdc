// The json and jsonb operators, bound to the functions that evaluate them
// (executor/json_functions.cc): -> ->> (a member or an element), #> #>> (a
// path), @> <@ (containment, for arrays too), ? ?| ?& (keys).
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "planner/binder/expression_binder.h"

namespace cairn::planner {

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindJsonOperator(ast::BinaryOp op, BoundExprPtr l,
                                                                BoundExprPtr r, int position) {
  using Op = ast::BinaryOp;
  const std::string op_text = ast::BinaryOpText(op);
  auto no_operator = [&]() -> absl::Status {
    return MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrFormat("operator does not exist: %s %s %s", TypeName(l->type),
                                     op_text, TypeName(r->type)),
                     position);
  };
  auto node = [&](const char* name, SqlType type) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExprKind::kFunction;
    e->type = type;
    e->position = position;
    e->name = name;
    e->children.push_back(std::move(l));
    e->children.push_back(std::move(r));
    return e;
  };
  const SqlType kBoolType = SqlType::Of(TypeId::kBool);
  // Containment of arrays: every element of the right one is in the left.
  if ((op == Op::kJsonContains || op == Op::kJsonContainedBy) &&
      (l->type.id == TypeId::kArray || r->type.id == TypeId::kArray)) {
    CAIRN_ASSIGN_OR_RETURN(SqlType common, CommonType(l->type, r->type, op_text, position));
    if (common.id != TypeId::kArray) return no_operator();
    CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), common));
    CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), common));
    if (op == Op::kJsonContainedBy) std::swap(l, r);
    return node("cairn_array_contains", kBoolType);
  }
  // The left side is the document; an untyped literal there is jsonb.
  if (l->type.id == TypeId::kUnknown) {
    CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), SqlType::Of(TypeId::kJsonb)));
  }
  if (!IsJsonType(l->type.id)) return no_operator();
  const SqlType doc = l->type;
  switch (op) {
    case Op::kJsonGet:
    case Op::kJsonGetText: {
      // A key (text) or an element's index (integer).
      if (r->type.id == TypeId::kUnknown || IsStringType(r->type.id)) {
        CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::Of(TypeId::kText)));
      } else if (IsIntegerType(r->type.id)) {
        CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::Of(TypeId::kInt64)));
      } else {
        return no_operator();
      }
      return op == Op::kJsonGet ? node("cairn_json_get", doc)
                                : node("cairn_json_get_text", SqlType::Of(TypeId::kText));
    }
    case Op::kJsonPath:
    case Op::kJsonPathText: {
      if (r->type.id == TypeId::kUnknown ||
          (r->type.id == TypeId::kArray && IsStringType(r->type.element))) {
        CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::ArrayOf(TypeId::kText)));
      } else {
        return no_operator();
      }
      return op == Op::kJsonPath ? node("cairn_json_path", doc)
                                 : node("cairn_json_path_text", SqlType::Of(TypeId::kText));
    }
    case Op::kJsonContains:
    case Op::kJsonContainedBy: {
      if (doc.id != TypeId::kJsonb) return no_operator();
      if (r->type.id == TypeId::kUnknown) {
        CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::Of(TypeId::kJsonb)));
      }
      if (r->type.id != TypeId::kJsonb) return no_operator();
      if (op == Op::kJsonContainedBy) std::swap(l, r);
      return node("cairn_jsonb_contains", kBoolType);
    }
    case Op::kJsonHasKey: {
      if (doc.id != TypeId::kJsonb) return no_operator();
      if (r->type.id != TypeId::kUnknown && !IsStringType(r->type.id)) return no_operator();
      CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::Of(TypeId::kText)));
      return node("cairn_jsonb_has_key", kBoolType);
    }
    case Op::kJsonHasAnyKey:
    case Op::kJsonHasAllKeys: {
      if (doc.id != TypeId::kJsonb) return no_operator();
      if (r->type.id == TypeId::kUnknown ||
          (r->type.id == TypeId::kArray && IsStringType(r->type.element))) {
        CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), SqlType::ArrayOf(TypeId::kText)));
      } else {
        return no_operator();
      }
      return node(op == Op::kJsonHasAnyKey ? "cairn_jsonb_has_any_key" : "cairn_jsonb_has_all_keys",
                  kBoolType);
    }
    default: return no_operator();
  }
}

}  // namespace cairn::planner
