#include "planner/binder/expression_binder.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "planner/functions.h"

namespace cairn::planner {
namespace {

int NumericRank(TypeId t) {
  switch (t) {
    case TypeId::kInt16: return 1;
    case TypeId::kInt32: return 2;
    case TypeId::kInt64: return 3;
    case TypeId::kNumeric: return 4;
    case TypeId::kFloat32: return 5;
    case TypeId::kFloat64: return 6;
    default: return 0;
  }
}

BoundExprPtr MakeNode(BoundExprKind kind, SqlType type, int position) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->position = position;
  return e;
}

const SqlType kBool = SqlType::Of(TypeId::kBool);

absl::Status TypeMismatch(const std::string& message, int position) {
  return MakeError(ErrorCode::kDatatypeMismatch, message, position);
}

}  // namespace

absl::StatusOr<SqlType> ExpressionBinder::CommonType(const SqlType& a, const SqlType& b,
                                                     const std::string& op, int position) {
  if (a.id == TypeId::kUnknown && b.id == TypeId::kUnknown) return SqlType::Of(TypeId::kText);
  // Array types have no implicit casts between them: only ARRAY[] (of
  // unknown elements) takes the other's type.
  if (a.id == TypeId::kArray && b.id == TypeId::kArray &&
      (a.element == b.element || a.element == TypeId::kUnknown ||
       b.element == TypeId::kUnknown)) {
    return a.element == TypeId::kUnknown ? b : a;
  }
  const bool arrays = a.id == TypeId::kArray || b.id == TypeId::kArray;
  if (arrays && a.id != TypeId::kUnknown && b.id != TypeId::kUnknown) {
    return MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrFormat("operator does not exist: %s %s %s", TypeName(a), op,
                                     TypeName(b)),
                     position);
  }
  if (a.id == TypeId::kArray && b.id == TypeId::kUnknown) return a;
  if (b.id == TypeId::kArray && a.id == TypeId::kUnknown) return b;
  if (a.id == TypeId::kUnknown) return SqlType::Of(b.id);
  if (b.id == TypeId::kUnknown) return SqlType::Of(a.id);
  if (a.id == b.id) return SqlType::Of(a.id);
  if (IsNumericType(a.id) && IsNumericType(b.id)) {
    // real meets only real; with anything else PostgreSQL resolves to
    // double precision.
    if ((a.id == TypeId::kFloat32) != (b.id == TypeId::kFloat32)) return SqlType::Of(TypeId::kFloat64);
    return SqlType::Of(NumericRank(a.id) >= NumericRank(b.id) ? a.id : b.id);
  }
  if (IsStringType(a.id) && IsStringType(b.id)) return SqlType::Of(TypeId::kText);
  if (IsTimeType(a.id) && IsTimeType(b.id)) {
    if (a.id == TypeId::kTimestampTz || b.id == TypeId::kTimestampTz) {
      return SqlType::Of(TypeId::kTimestampTz);
    }
    return SqlType::Of(TypeId::kTimestamp);
  }
  return MakeError(ErrorCode::kUndefinedFunction,
                   absl::StrFormat("operator does not exist: %s %s %s", TypeName(a), op,
                                   TypeName(b)),
                   position);
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::Coerce(BoundExprPtr e, const SqlType& type) {
  if (e->type.id == type.id && e->type.element == type.element &&
      (type.precision < 0 || e->type == type)) {
    return e;
  }
  if (e->IsConstant()) {
    auto v = CastValue(e->value, type, CastContext::kAssignment);
    if (!v.ok()) return WithPosition(v.status(), e->position);
    int position = e->position;
    auto out = BoundExpr::Constant(std::move(*v), type);
    out->position = position;
    return out;
  }
  if (e->type.id == TypeId::kUnknown && e->kind == BoundExprKind::kParameter) {
    e->type = type;
    return e;
  }
  auto cast = MakeNode(BoundExprKind::kCast, type, e->position);
  cast->children.push_back(std::move(e));
  return cast;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::CoerceForAssignment(BoundExprPtr e,
                                                                   const SqlType& type,
                                                                   const std::string& column) {
  if (!CanCast(e->type.id, type.id, CastContext::kAssignment)) {
    return TypeMismatch(absl::StrFormat("column \"%s\" is of type %s but expression is of type %s",
                                        column, TypeName(type), TypeName(e->type)),
                        e->position);
  }
  if (e->type == type) return e;
  if (e->IsConstant()) {
    auto v = CastValue(e->value, type, CastContext::kAssignment);
    if (!v.ok()) return WithPosition(v.status(), e->position);
    return BoundExpr::Constant(std::move(*v), type);
  }
  auto cast = MakeNode(BoundExprKind::kCast, type, e->position);
  cast->children.push_back(std::move(e));
  return cast;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::Bind(const ast::Expr& expr) {
  if (agg_ != nullptr && !in_aggregate_) {
    std::string text = expr.ToString();
    for (size_t i = 0; i < agg_->group_texts.size(); ++i) {
      if (agg_->group_texts[i] == text) {
        return BoundExpr::Column(static_cast<int>(i), agg_->group_types[i], text);
      }
    }
  }
  return BindInner(expr);
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindCondition(const ast::Expr& expr,
                                                             const char* clause) {
  CAIRN_ASSIGN_OR_RETURN(BoundExprPtr e, Bind(expr));
  if (e->type.id == TypeId::kUnknown) return Coerce(std::move(e), kBool);
  if (e->type.id != TypeId::kBool) {
    return TypeMismatch(absl::StrFormat("argument of %s must be type boolean, not type %s", clause,
                                        TypeName(e->type)),
                        expr.position);
  }
  return e;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindInner(const ast::Expr& expr) {
  switch (expr.kind) {
    case ast::ExprKind::kConstant: {
      const auto& c = expr.As<ast::ConstantExpr>();
      BoundExprPtr out;
      switch (c.constant_kind) {
        case ast::ConstantKind::kNull:
          out = BoundExpr::Constant(Value::Null(), SqlType::Of(TypeId::kUnknown));
          break;
        case ast::ConstantKind::kBool:
          out = BoundExpr::Constant(Value::Bool(c.bool_value), kBool);
          break;
        case ast::ConstantKind::kInteger: {
          TypeId t = c.int_value >= INT32_MIN && c.int_value <= INT32_MAX ? TypeId::kInt32
                                                                          : TypeId::kInt64;
          out = BoundExpr::Constant(Value::Int(t, c.int_value), SqlType::Of(t));
          break;
        }
        case ast::ConstantKind::kNumeric: {
          // NUMERIC keeps 38 digits; a literal beyond that (1e300, 1e-200)
          // can still be a float, so it becomes a double precision constant.
          auto n = Numeric::Parse(c.str_value);
          double d = std::strtod(c.str_value.c_str(), nullptr);
          bool lost = !n.ok() || (n->unscaled == 0 && d != 0);
          if (lost && std::isfinite(d)) {
            out = BoundExpr::Constant(Value::Float64(d), SqlType::Of(TypeId::kFloat64));
            break;
          }
          if (!n.ok()) return WithPosition(n.status(), c.position);
          out = BoundExpr::Constant(Value::Num(*n), SqlType::Of(TypeId::kNumeric));
          break;
        }
        case ast::ConstantKind::kString:
          out = BoundExpr::Constant(Value::String(TypeId::kUnknown, c.str_value),
                                    SqlType::Of(TypeId::kUnknown));
          break;
      }
      out->position = c.position;
      return out;
    }
    case ast::ExprKind::kParameter: {
      auto e = MakeNode(BoundExprKind::kParameter, SqlType::Of(TypeId::kUnknown), expr.position);
      e->parameter_index = expr.As<ast::ParameterExpr>().index - 1;
      return e;
    }
    case ast::ExprKind::kColumnRef: {
      const auto& ref = expr.As<ast::ColumnRefExpr>();
      std::vector<std::string> qual = ref.qualifier();
      std::string table = qual.empty() ? "" : qual.back();
      if (agg_ != nullptr && !in_aggregate_) {
        // Resolve against the input to tell an unknown column (42703) from
        // one that is not grouped (42803).
        CAIRN_RETURN_IF_ERROR(agg_->input->Resolve(table, ref.column(), ref.position).status());
        return MakeError(ErrorCode::kGroupingError,
                         absl::StrFormat("column \"%s\" must appear in the GROUP BY clause or be "
                                         "used in an aggregate function",
                                         ref.ToString()),
                         ref.position);
      }
      absl::StatusOr<int> index = scope_->Resolve(table, ref.column(), ref.position);
      if (!index.ok()) return BindOuterColumn(ref, index.status());
      auto e = BoundExpr::Column(*index, scope_->columns()[*index].type, ref.ToString());
      e->position = ref.position;
      return e;
    }
    case ast::ExprKind::kStar:
      return MakeError(ErrorCode::kSyntaxError, "\"*\" is not allowed here", expr.position);
    case ast::ExprKind::kUnary: {
      const auto& u = expr.As<ast::UnaryExpr>();
      if (u.op == ast::UnaryOp::kNot) {
        CAIRN_ASSIGN_OR_RETURN(auto operand, BindCondition(*u.operand, "NOT"));
        auto e = MakeNode(BoundExprKind::kNot, kBool, u.position);
        e->children.push_back(std::move(operand));
        return e;
      }
      CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*u.operand));
      if (operand->type.id == TypeId::kUnknown) {
        CAIRN_ASSIGN_OR_RETURN(operand, Coerce(std::move(operand), SqlType::Of(TypeId::kFloat64)));
      }
      if (!IsNumericType(operand->type.id) && operand->type.id != TypeId::kInterval) {
        return MakeError(ErrorCode::kUndefinedFunction,
                         absl::StrFormat("operator does not exist: %s %s",
                                         u.op == ast::UnaryOp::kMinus ? "-" : "+",
                                         TypeName(operand->type)),
                         u.position);
      }
      if (u.op == ast::UnaryOp::kPlus) return operand;
      auto e = MakeNode(BoundExprKind::kNegate, SqlType::Of(operand->type.id), u.position);
      e->children.push_back(std::move(operand));
      return e;
    }
    case ast::ExprKind::kBinary: return BindBinary(expr.As<ast::BinaryExpr>());
    case ast::ExprKind::kIs: {
      const auto& is = expr.As<ast::IsExpr>();
      CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*is.operand));
      if (is.test == ast::IsTest::kNull) {
        auto e = MakeNode(BoundExprKind::kIsNull, kBool, is.position);
        e->negated = is.negated;
        e->children.push_back(std::move(operand));
        return e;
      }
      CAIRN_ASSIGN_OR_RETURN(operand, Coerce(std::move(operand), kBool));
      if (operand->type.id != TypeId::kBool) {
        return TypeMismatch(absl::StrFormat("argument of IS %s must be type boolean",
                                            is.test == ast::IsTest::kTrue ? "TRUE" : "FALSE"),
                            is.position);
      }
      auto e = MakeNode(BoundExprKind::kIsBool, kBool, is.position);
      e->negated = is.negated;
      e->bool_test = is.test == ast::IsTest::kTrue ? 0 : is.test == ast::IsTest::kFalse ? 1 : 2;
      e->children.push_back(std::move(operand));
      return e;
    }
    case ast::ExprKind::kBetween: {
      const auto& b = expr.As<ast::BetweenExpr>();
      CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*b.operand));
      CAIRN_ASSIGN_OR_RETURN(auto low, Bind(*b.low));
      CAIRN_ASSIGN_OR_RETURN(auto high, Bind(*b.high));
      CAIRN_ASSIGN_OR_RETURN(auto ge, BindCompare(CompareOp::kGe, operand->Clone(), std::move(low),
                                                  b.position, ">="));
      CAIRN_ASSIGN_OR_RETURN(auto le, BindCompare(CompareOp::kLe, std::move(operand),
                                                  std::move(high), b.position, "<="));
      auto both = MakeNode(BoundExprKind::kAnd, kBool, b.position);
      both->children.push_back(std::move(ge));
      both->children.push_back(std::move(le));
      if (!b.negated) return both;
      auto e = MakeNode(BoundExprKind::kNot, kBool, b.position);
      e->children.push_back(std::move(both));
      return e;
    }
    case ast::ExprKind::kInList: {
      const auto& in = expr.As<ast::InListExpr>();
      CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*in.operand));
      std::vector<BoundExprPtr> items;
      SqlType common = operand->type;
      for (const auto& item : in.list) {
        CAIRN_ASSIGN_OR_RETURN(auto b, Bind(*item));
        CAIRN_ASSIGN_OR_RETURN(common, CommonType(common, b->type, "=", in.position));
        items.push_back(std::move(b));
      }
      auto e = MakeNode(BoundExprKind::kInList, kBool, in.position);
      e->negated = in.negated;
      CAIRN_ASSIGN_OR_RETURN(operand, Coerce(std::move(operand), common));
      e->children.push_back(std::move(operand));
      for (auto& item : items) {
        CAIRN_ASSIGN_OR_RETURN(item, Coerce(std::move(item), common));
        e->children.push_back(std::move(item));
      }
      return e;
    }
    case ast::ExprKind::kLike: {
      const auto& like = expr.As<ast::LikeExpr>();
      if (like.escape) {
        return MakeError(ErrorCode::kFeatureNotSupported, "LIKE ... ESCAPE is not supported yet",
                         like.position);
      }
      CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*like.operand));
      CAIRN_ASSIGN_OR_RETURN(auto pattern, Bind(*like.pattern));
      for (auto* side : {&operand, &pattern}) {
        if ((*side)->type.id == TypeId::kUnknown) {
          CAIRN_ASSIGN_OR_RETURN(*side, Coerce(std::move(*side), SqlType::Of(TypeId::kText)));
        }
        if (!IsStringType((*side)->type.id)) {
          return MakeError(ErrorCode::kUndefinedFunction,
                           absl::StrFormat("operator does not exist: %s ~~ %s",
                                           TypeName(operand->type), TypeName(pattern->type)),
                           like.position);
        }
      }
      auto e = MakeNode(BoundExprKind::kLike, kBool, like.position);
      e->negated = like.negated;
      e->case_insensitive = like.case_insensitive;
      e->children.push_back(std::move(operand));
      e->children.push_back(std::move(pattern));
      return e;
    }
    case ast::ExprKind::kSubquery: return BindSubquery(expr.As<ast::SubqueryExpr>());
    case ast::ExprKind::kFunction: return BindFunction(expr.As<ast::FunctionExpr>());
    case ast::ExprKind::kCast: {
      const auto& c = expr.As<ast::CastExpr>();
      if (IsRegType(c.type)) return BindRegCast(c);
      auto resolved = ast::ResolveType(c.type);
      if (!resolved.ok()) return resolved.status();
      SqlType target = resolved->type;
      if (target.id == TypeId::kArray && c.operand->kind == ast::ExprKind::kArray &&
          c.operand->As<ast::ArrayExpr>().elements.empty()) {
        // ARRAY[]::int[]: the cast gives the empty array its type.
        auto out = BoundExpr::Constant(Value::Array(target.element, {}), target);
        out->position = c.position;
        return out;
      }
      CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*c.operand));
      if (!CanCast(operand->type.id, target.id, CastContext::kExplicit)) {
        return MakeError(ErrorCode::kDatatypeMismatch,
                         absl::StrFormat("cannot cast type %s to %s", TypeName(operand->type),
                                         TypeName(target)),
                         c.position);
      }
      if (operand->IsConstant()) {
        auto v = CastValue(operand->value, target, CastContext::kExplicit);
        if (!v.ok()) return WithPosition(v.status(), operand->position);
        auto out = BoundExpr::Constant(std::move(*v), target);
        out->position = c.position;
        return out;
      }
      auto e = MakeNode(BoundExprKind::kCast, target, c.position);
      e->explicit_cast = true;
      e->children.push_back(std::move(operand));
      return e;
    }
    case ast::ExprKind::kCase: return BindCase(expr.As<ast::CaseExpr>());
    case ast::ExprKind::kArray: return BindArray(expr.As<ast::ArrayExpr>());
    case ast::ExprKind::kSubscript: return BindSubscript(expr.As<ast::SubscriptExpr>());
    case ast::ExprKind::kArrayComparison:
      return BindArrayComparison(expr.As<ast::ArrayComparisonExpr>());
    case ast::ExprKind::kDefault:
      return MakeError(ErrorCode::kSyntaxError, "DEFAULT is not allowed in this context",
                       expr.position);
  }
  return MakeError(ErrorCode::kInternal, "unknown expression kind");
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindCompare(CompareOp op, BoundExprPtr l,
                                                           BoundExprPtr r, int position,
                                                           const std::string& op_text) {
  CAIRN_ASSIGN_OR_RETURN(SqlType common, CommonType(l->type, r->type, op_text, position));
  // Comparing integer columns with integer literals must not turn the
  // column into a wider type: keep the column's type when only the literal
  // is narrower.
  CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), common));
  CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), common));
  auto e = MakeNode(BoundExprKind::kCompare, kBool, position);
  e->compare_op = op;
  e->children.push_back(std::move(l));
  e->children.push_back(std::move(r));
  return e;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindArith(ArithOp op, BoundExprPtr l,
                                                         BoundExprPtr r, int position,
                                                         const std::string& op_text) {
  {
    CAIRN_ASSIGN_OR_RETURN(BoundExprPtr datetime, BindDatetimeArith(op, l, r, position, op_text));
    if (datetime != nullptr) return datetime;
  }
  SqlType lt = l->type, rt = r->type;
  // An untyped literal in arithmetic is read as a number of the other side's type.
  if (lt.id == TypeId::kUnknown && rt.id == TypeId::kUnknown) {
    lt = rt = SqlType::Of(TypeId::kNumeric);
  }
  CAIRN_ASSIGN_OR_RETURN(SqlType common, CommonType(lt, rt, op_text, position));
  if (!IsNumericType(common.id)) {
    return MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrFormat("operator does not exist: %s %s %s", TypeName(l->type),
                                     op_text, TypeName(r->type)),
                     position);
  }
  CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), common));
  CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), common));
  auto e = MakeNode(BoundExprKind::kArith, common, position);
  e->arith_op = op;
  e->children.push_back(std::move(l));
  e->children.push_back(std::move(r));
  return e;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindBinary(const ast::BinaryExpr& b) {
  using Op = ast::BinaryOp;
  if (b.op == Op::kAnd || b.op == Op::kOr) {
    const char* name = b.op == Op::kAnd ? "AND" : "OR";
    CAIRN_ASSIGN_OR_RETURN(auto l, BindCondition(*b.left, name));
    CAIRN_ASSIGN_OR_RETURN(auto r, BindCondition(*b.right, name));
    auto kind = b.op == Op::kAnd ? BoundExprKind::kAnd : BoundExprKind::kOr;
    auto e = MakeNode(kind, kBool, b.position);
    // Flatten chains: a AND b AND c is one node.
    for (auto* side : {&l, &r}) {
      if ((*side)->kind == kind) {
        for (auto& c : (*side)->children) e->children.push_back(std::move(c));
      } else {
        e->children.push_back(std::move(*side));
      }
    }
    return e;
  }
  CAIRN_ASSIGN_OR_RETURN(auto l, Bind(*b.left));
  CAIRN_ASSIGN_OR_RETURN(auto r, Bind(*b.right));
  std::string op_text = ast::BinaryOpText(b.op);
  switch (b.op) {
    case Op::kEq: return BindCompare(CompareOp::kEq, std::move(l), std::move(r), b.position, op_text);
    case Op::kNe: return BindCompare(CompareOp::kNe, std::move(l), std::move(r), b.position, op_text);
    case Op::kLt: return BindCompare(CompareOp::kLt, std::move(l), std::move(r), b.position, op_text);
    case Op::kLe: return BindCompare(CompareOp::kLe, std::move(l), std::move(r), b.position, op_text);
    case Op::kGt: return BindCompare(CompareOp::kGt, std::move(l), std::move(r), b.position, op_text);
    case Op::kGe: return BindCompare(CompareOp::kGe, std::move(l), std::move(r), b.position, op_text);
    case Op::kIsDistinctFrom:
    case Op::kIsNotDistinctFrom: {
      CAIRN_ASSIGN_OR_RETURN(SqlType common, CommonType(l->type, r->type, "=", b.position));
      CAIRN_ASSIGN_OR_RETURN(l, Coerce(std::move(l), common));
      CAIRN_ASSIGN_OR_RETURN(r, Coerce(std::move(r), common));
      auto e = MakeNode(BoundExprKind::kIsDistinct, kBool, b.position);
      e->negated = b.op == Op::kIsNotDistinctFrom;
      e->children.push_back(std::move(l));
      e->children.push_back(std::move(r));
      return e;
    }
    case Op::kAdd: return BindArith(ArithOp::kAdd, std::move(l), std::move(r), b.position, op_text);
    case Op::kSub: return BindArith(ArithOp::kSub, std::move(l), std::move(r), b.position, op_text);
    case Op::kMul: return BindArith(ArithOp::kMul, std::move(l), std::move(r), b.position, op_text);
    case Op::kDiv: return BindArith(ArithOp::kDiv, std::move(l), std::move(r), b.position, op_text);
    case Op::kMod: return BindArith(ArithOp::kMod, std::move(l), std::move(r), b.position, op_text);
    case Op::kConcat: {
      // With an array: array_cat, array_append or array_prepend.
      if (l->type.id == TypeId::kArray || r->type.id == TypeId::kArray) {
        const char* fn = l->type.id == TypeId::kArray && r->type.id == TypeId::kArray ? "array_cat"
                         : l->type.id == TypeId::kArray ? "array_append"
                                                         : "array_prepend";
        std::vector<BoundExprPtr> args;
        args.push_back(std::move(l));
        args.push_back(std::move(r));
        return BindArrayFunction(fn, std::move(args), b.position);
      }
      // Anything concatenates with a string; the result is text.
      if (!IsStringType(l->type.id) && !IsStringType(r->type.id) &&
          l->type.id != TypeId::kUnknown && r->type.id != TypeId::kUnknown) {
        return MakeError(ErrorCode::kUndefinedFunction,
                         absl::StrFormat("operator does not exist: %s || %s", TypeName(l->type),
                                         TypeName(r->type)),
                         b.position);
      }
      auto e = MakeNode(BoundExprKind::kConcat, SqlType::Of(TypeId::kText), b.position);
      e->children.push_back(std::move(l));
      e->children.push_back(std::move(r));
      return e;
    }
    case Op::kRegexMatch:
    case Op::kRegexIMatch:
    case Op::kNotRegexMatch:
    case Op::kNotRegexIMatch: {
      // s ~ pattern: a call of the internal regex function, negated for !~.
      const bool icase = b.op == Op::kRegexIMatch || b.op == Op::kNotRegexIMatch;
      const bool negated = b.op == Op::kNotRegexMatch || b.op == Op::kNotRegexIMatch;
      std::vector<SqlType> types = {l->type, r->type, SqlType::Of(TypeId::kText)};
      CAIRN_ASSIGN_OR_RETURN(SqlType type,
                             ScalarResultType("cairn_regex_match", types, b.position));
      auto e = MakeNode(BoundExprKind::kFunction, type, b.position);
      e->name = "cairn_regex_match";
      e->children.push_back(std::move(l));
      e->children.push_back(std::move(r));
      e->children.push_back(
          BoundExpr::Constant(Value::Text(icase ? "i" : ""), SqlType::Of(TypeId::kText)));
      if (!negated) return e;
      auto n = MakeNode(BoundExprKind::kNot, SqlType::Of(TypeId::kBool), b.position);
      n->children.push_back(std::move(e));
      return n;
    }
    case Op::kJsonGet:
    case Op::kJsonGetText:
    case Op::kJsonPath:
    case Op::kJsonPathText:
    case Op::kJsonContains:
    case Op::kJsonContainedBy:
    case Op::kJsonHasKey:
    case Op::kJsonHasAnyKey:
    case Op::kJsonHasAllKeys:
      return BindJsonOperator(b.op, std::move(l), std::move(r), b.position);
    default:
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrFormat("operator %s is not supported yet", op_text), b.position);
  }
}

SortKey SortKeyOrder(const ast::OrderByItem& item) {
  SortKey key;
  key.descending = item.direction == ast::SortDirection::kDesc;
  // PostgreSQL puts NULLs last ascending and first descending by default.
  key.nulls_first = item.nulls == ast::NullsOrder::kDefault ? key.descending
                                                            : item.nulls == ast::NullsOrder::kFirst;
  return key;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindAggregate(const ast::FunctionExpr& f) {
  if (agg_ == nullptr) {
    return MakeError(ErrorCode::kGroupingError,
                     absl::StrFormat("aggregate functions are not allowed here"), f.position);
  }
  if (in_aggregate_) {
    return MakeError(ErrorCode::kGroupingError, "aggregate function calls cannot be nested",
                     f.position);
  }
  std::string text = f.ToString();
  for (size_t i = 0; i < agg_->aggregate_texts.size(); ++i) {
    if (agg_->aggregate_texts[i] == text) {
      const AggregateCall& call = (*agg_->aggregates)[i];
      return BoundExpr::Column(static_cast<int>(agg_->group_texts.size() + i), call.type, text);
    }
  }
  AggregateCall call;
  call.function = f.name;
  call.distinct = f.distinct;
  SqlType arg_type = SqlType::Of(TypeId::kUnknown);
  if (f.star) {
    if (f.name != "count") {
      return MakeError(ErrorCode::kSyntaxError,
                       absl::StrFormat("%s(*) is not valid", f.name), f.position);
    }
  } else {
    const size_t arity = f.name == "string_agg" ? 2 : 1;
    if (f.args.size() != arity) {
      return MakeError(ErrorCode::kUndefinedFunction,
                       absl::StrFormat("function %s with %d arguments does not exist", f.name,
                                       f.args.size()),
                       f.position);
    }
    ExpressionBinder arg_binder(agg_->input);
    arg_binder.in_aggregate_ = true;
    CAIRN_ASSIGN_OR_RETURN(call.arg, arg_binder.Bind(*f.args[0]));
    if (call.arg->type.id == TypeId::kUnknown && f.name != "count") {
      const bool boolean = f.name == "bool_and" || f.name == "bool_or" || f.name == "every";
      CAIRN_ASSIGN_OR_RETURN(call.arg, Coerce(std::move(call.arg),
                                              SqlType::Of(boolean ? TypeId::kBool : TypeId::kText)));
    }
    arg_type = call.arg->type;
    if (f.name == "string_agg") {
      CAIRN_ASSIGN_OR_RETURN(call.delimiter, arg_binder.Bind(*f.args[1]));
      if (call.delimiter->type.id == TypeId::kUnknown) {
        CAIRN_ASSIGN_OR_RETURN(call.delimiter,
                               Coerce(std::move(call.delimiter), SqlType::Of(TypeId::kText)));
      }
      if (!IsStringType(arg_type.id) || !IsStringType(call.delimiter->type.id)) {
        return MakeError(ErrorCode::kUndefinedFunction,
                         absl::StrFormat("function string_agg(%s, %s) does not exist",
                                         TypeName(arg_type), TypeName(call.delimiter->type)),
                         f.position);
      }
    }
    for (const ast::OrderByItem& item : f.order_by) {
      SortKey key = SortKeyOrder(item);
      CAIRN_ASSIGN_OR_RETURN(key.expr, arg_binder.Bind(*item.expr));
      call.order_by.push_back(std::move(key));
    }
  }
  CAIRN_ASSIGN_OR_RETURN(call.type, AggregateResultType(f.name, arg_type, f.position));
  SqlType type = call.type;
  agg_->aggregates->push_back(std::move(call));
  agg_->aggregate_texts.push_back(text);
  return BoundExpr::Column(static_cast<int>(agg_->group_texts.size() + agg_->aggregates->size() - 1),
                           type, text);
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindFunction(const ast::FunctionExpr& f) {
  if (!f.arg_names.empty()) return BindNamedArgumentCall(f);
  if (f.over) return BindWindowCall(f);
  if (IsWindowOnlyFunction(f.name)) {
    return MakeError(ErrorCode::kWrongObjectType,
                     absl::StrFormat("window function %s requires an OVER clause", f.name),
                     f.position);
  }
  if (IsAggregateFunction(f.name)) return BindAggregate(f);
  if (!f.order_by.empty()) {
    return MakeError(ErrorCode::kWrongObjectType,
                     absl::StrFormat("ORDER BY specified, but %s is not an aggregate function",
                                     f.name),
                     f.position);
  }
  if (f.name == "coalesce" || f.name == "nullif" || f.name == "greatest" || f.name == "least") {
    // Their arguments share one type, like CASE's branches.
    if (f.args.empty() || (f.name == "nullif" && f.args.size() != 2)) {
      return MakeError(ErrorCode::kUndefinedFunction,
                       absl::StrFormat("function %s with %d arguments does not exist", f.name,
                                       f.args.size()),
                       f.position);
    }
    std::vector<BoundExprPtr> args;
    SqlType common = SqlType::Of(TypeId::kUnknown);
    for (const auto& a : f.args) {
      CAIRN_ASSIGN_OR_RETURN(auto b, Bind(*a));
      if (b->type.id != TypeId::kUnknown) {
        auto t = CommonType(common, b->type, f.name, a->position);
        if (!t.ok()) {
          return TypeMismatch(absl::StrFormat("%s types %s and %s cannot be matched",
                                              absl::AsciiStrToUpper(f.name), TypeName(common),
                                              TypeName(b->type)),
                              a->position);
        }
        common = *t;
      }
      args.push_back(std::move(b));
    }
    if (common.id == TypeId::kUnknown) common = SqlType::Of(TypeId::kText);
    auto e = MakeNode(BoundExprKind::kFunction, common, f.position);
    e->name = f.name;
    for (auto& a : args) {
      CAIRN_ASSIGN_OR_RETURN(a, Coerce(std::move(a), common));
      e->children.push_back(std::move(a));
    }
    return e;
  }
  std::vector<BoundExprPtr> args;
  std::vector<SqlType> types;
  for (const auto& a : f.args) {
    CAIRN_ASSIGN_OR_RETURN(auto b, Bind(*a));
    args.push_back(std::move(b));
  }
  if (f.name == "pg_typeof" && args.size() == 1) {
    // The argument's type is known here; PostgreSQL's regtype prints as
    // this name.
    auto out = BoundExpr::Constant(Value::Text(TypeName(args[0]->type)), SqlType::Of(TypeId::kText));
    out->position = f.position;
    return out;
  }
  if (IsArrayFunction(f.name)) return BindArrayFunction(f.name, std::move(args), f.position);
  // An untyped literal (NULL, '10') takes the type of the function's other
  // numeric argument in a math function, text elsewhere.
  static const absl::flat_hash_set<std::string> kMath = {
      "abs", "ceil", "ceiling", "floor", "round", "trunc", "mod", "power",
      "pow", "sqrt", "exp",     "ln",    "sign"};
  SqlType untyped = SqlType::Of(TypeId::kText);
  // The JSON functions that read a document take an untyped one as such.
  if (f.name == "jsonb_typeof" || f.name == "jsonb_array_length" || f.name == "jsonb_pretty" ||
      f.name == "jsonb_array_elements" || f.name == "jsonb_array_elements_text" ||
      f.name == "jsonb_object_keys") {
    untyped = SqlType::Of(TypeId::kJsonb);
  } else if (f.name == "json_typeof" || f.name == "json_array_length" ||
             f.name == "json_array_elements" || f.name == "json_array_elements_text" ||
             f.name == "json_object_keys") {
    untyped = SqlType::Of(TypeId::kJson);
  } else if (f.name == "justify_hours" || f.name == "justify_days" ||
             f.name == "justify_interval") {
    untyped = SqlType::Of(TypeId::kInterval);
  } else if (f.name == "age") {
    untyped = SqlType::Of(TypeId::kTimestampTz);
  }
  if (kMath.contains(f.name)) {
    untyped = SqlType::Of(TypeId::kInt32);
    for (const auto& b : args) {
      if (IsNumericType(b->type.id)) untyped = b->type;
    }
  }
  // generate_series's untyped arguments take the series' type (below).
  const bool series = f.name == "generate_series";
  for (auto& b : args) {
    if (b->type.id == TypeId::kUnknown && !series) {
      CAIRN_ASSIGN_OR_RETURN(b, Coerce(std::move(b), untyped));
    }
    types.push_back(b->type);
  }
  std::string name = f.name;
  if (name == "trim") name = "btrim";
  if (name == "position" && args.size() == 2) {  // position(sub IN s) = strpos(s, sub)
    name = "strpos";
    std::swap(args[0], args[1]);
    std::swap(types[0], types[1]);
  }
  CAIRN_ASSIGN_OR_RETURN(SqlType type, ScalarResultType(name, types, f.position));
  if (series) {
    for (size_t i = 0; i < args.size(); ++i) {
      // Over timestamps the step is an interval.
      const SqlType want =
          i == 2 && !IsIntegerType(type.id) ? SqlType::Of(TypeId::kInterval) : type;
      CAIRN_ASSIGN_OR_RETURN(args[i], Coerce(std::move(args[i]), want));
    }
  }
  auto e = MakeNode(BoundExprKind::kFunction, type, f.position);
  e->name = name;
  e->children = std::move(args);
  return e;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindCase(const ast::CaseExpr& c) {
  auto e = MakeNode(BoundExprKind::kCase, SqlType::Of(TypeId::kUnknown), c.position);
  BoundExprPtr operand;
  if (c.operand) {
    CAIRN_ASSIGN_OR_RETURN(operand, Bind(*c.operand));
    e->has_operand = true;
  }
  std::vector<BoundExprPtr> conditions, results;
  SqlType result_type = SqlType::Of(TypeId::kUnknown);
  for (const auto& w : c.whens) {
    if (operand) {
      CAIRN_ASSIGN_OR_RETURN(auto value, Bind(*w.condition));
      CAIRN_ASSIGN_OR_RETURN(auto cmp, BindCompare(CompareOp::kEq, operand->Clone(),
                                                   std::move(value), w.condition->position, "="));
      conditions.push_back(std::move(cmp));
    } else {
      CAIRN_ASSIGN_OR_RETURN(auto cond, BindCondition(*w.condition, "CASE/WHEN"));
      conditions.push_back(std::move(cond));
    }
    CAIRN_ASSIGN_OR_RETURN(auto result, Bind(*w.result));
    // Untyped branches (NULL, 'literal') take the type of the typed ones.
    auto common = result->type.id == TypeId::kUnknown
                      ? absl::StatusOr<SqlType>(result_type)
                      : CommonType(result_type, result->type, "CASE", w.result->position);
    if (!common.ok()) {
      return TypeMismatch(absl::StrFormat("CASE types %s and %s cannot be matched",
                                          TypeName(result_type), TypeName(result->type)),
                          w.result->position);
    }
    result_type = *common;
    results.push_back(std::move(result));
  }
  BoundExprPtr else_result;
  if (c.else_result) {
    CAIRN_ASSIGN_OR_RETURN(else_result, Bind(*c.else_result));
    auto common = else_result->type.id == TypeId::kUnknown
                      ? absl::StatusOr<SqlType>(result_type)
                      : CommonType(result_type, else_result->type, "CASE",
                                   c.else_result->position);
    if (!common.ok()) {
      return TypeMismatch(absl::StrFormat("CASE types %s and %s cannot be matched",
                                          TypeName(result_type), TypeName(else_result->type)),
                          c.else_result->position);
    }
    result_type = *common;
  }
  if (result_type.id == TypeId::kUnknown) result_type = SqlType::Of(TypeId::kText);
  e->type = result_type;
  // With an operand, the conditions above already compare against it; the
  // operand itself is not evaluated separately.
  e->has_operand = false;
  for (size_t i = 0; i < conditions.size(); ++i) {
    e->children.push_back(std::move(conditions[i]));
    CAIRN_ASSIGN_OR_RETURN(auto r, Coerce(std::move(results[i]), result_type));
    e->children.push_back(std::move(r));
  }
  if (else_result) {
    CAIRN_ASSIGN_OR_RETURN(else_result, Coerce(std::move(else_result), result_type));
    e->children.push_back(std::move(else_result));
    e->has_else = true;
  }
  return e;
}

bool ExpressionBinder::IsRegType(const ast::TypeName& type) {
  return (type.schema.empty() || type.schema == "pg_catalog") && !type.array &&
         (type.name == "regclass" || type.name == "regtype" || type.name == "regnamespace");
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindRegCast(const ast::CastExpr& cast) {
  CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*cast.operand));
  const bool from_oid = IsIntegerType(operand->type.id) || operand->type.id == TypeId::kNumeric;
  if (!from_oid && !IsStringType(operand->type.id) && operand->type.id != TypeId::kUnknown) {
    return MakeError(ErrorCode::kDatatypeMismatch,
                     absl::StrFormat("cannot cast type %s to %s", TypeName(operand->type),
                                     cast.type.name),
                     cast.position);
  }
  auto e = MakeNode(BoundExprKind::kFunction,
                    SqlType::Of(from_oid ? TypeId::kText : TypeId::kInt64), cast.position);
  e->name = absl::StrCat("cairn_", cast.type.name, from_oid ? "_name" : "_oid");
  if (operand->type.id == TypeId::kUnknown) {
    CAIRN_ASSIGN_OR_RETURN(operand, Coerce(std::move(operand), SqlType::Of(TypeId::kText)));
  }
  e->children.push_back(std::move(operand));
  return e;
}

}  // namespace cairn::planner
