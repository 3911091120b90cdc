#include "planner/bound_expr.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/value_text.h"

namespace cairn::planner {
namespace {

const char* ArithText(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "+";
    case ArithOp::kSub: return "-";
    case ArithOp::kMul: return "*";
    case ArithOp::kDiv: return "/";
    case ArithOp::kMod: return "%";
  }
  return "?";
}

const char* CompareText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "<>";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

}  // namespace

BoundExprPtr BoundExpr::Constant(Value v, SqlType type) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExprKind::kConstant;
  e->type = type;
  e->value = std::move(v);
  return e;
}

BoundExprPtr BoundExpr::Column(int index, SqlType type, std::string name) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExprKind::kColumn;
  e->type = type;
  e->column_index = index;
  e->name = std::move(name);
  return e;
}

BoundExprPtr BoundExpr::Clone() const {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->position = position;
  e->value = value;
  e->column_index = column_index;
  e->parameter_index = parameter_index;
  e->arith_op = arith_op;
  e->compare_op = compare_op;
  e->negated = negated;
  e->case_insensitive = case_insensitive;
  e->has_operand = has_operand;
  e->has_else = has_else;
  e->explicit_cast = explicit_cast;
  e->bool_test = bool_test;
  e->name = name;
  e->outer_depth = outer_depth;
  e->subquery_kind = subquery_kind;
  e->correlated = correlated;
  e->subplan = subplan;
  for (const auto& c : children) e->children.push_back(c->Clone());
  return e;
}

std::string BoundExpr::ToString() const {
  auto child = [&](int i) { return children[i]->ToString(); };
  switch (kind) {
    case BoundExprKind::kConstant: {
      if (value.is_null()) return "NULL";
      std::string text = FormatValue(value);
      if (IsStringType(type.id) || type.id == TypeId::kUnknown || IsTimeType(type.id)) {
        return absl::StrCat("'", text, "'");
      }
      return text;
    }
    case BoundExprKind::kColumn: return name;
    case BoundExprKind::kParameter: return absl::StrCat("$", parameter_index + 1);
    case BoundExprKind::kNot: return absl::StrCat("(NOT ", child(0), ")");
    case BoundExprKind::kNegate: return absl::StrCat("(-", child(0), ")");
    case BoundExprKind::kArith:
      return absl::StrCat("(", child(0), " ", ArithText(arith_op), " ", child(1), ")");
    case BoundExprKind::kCompare:
      return absl::StrCat("(", child(0), " ", CompareText(compare_op), " ", child(1), ")");
    case BoundExprKind::kAnd:
    case BoundExprKind::kOr: {
      std::vector<std::string> parts;
      for (const auto& c : children) parts.push_back(c->ToString());
      return absl::StrCat("(", absl::StrJoin(parts, kind == BoundExprKind::kAnd ? " AND " : " OR "),
                          ")");
    }
    case BoundExprKind::kConcat: return absl::StrCat("(", child(0), " || ", child(1), ")");
    case BoundExprKind::kIsNull:
      return absl::StrCat("(", child(0), negated ? " IS NOT NULL)" : " IS NULL)");
    case BoundExprKind::kIsBool: {
      const char* what[] = {"TRUE", "FALSE", "UNKNOWN"};
      return absl::StrCat("(", child(0), negated ? " IS NOT " : " IS ", what[bool_test], ")");
    }
    case BoundExprKind::kIsDistinct:
      return absl::StrCat("(", child(0), negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ",
                          child(1), ")");
    case BoundExprKind::kInList: {
      std::vector<std::string> parts;
      for (size_t i = 1; i < children.size(); ++i) parts.push_back(children[i]->ToString());
      return absl::StrCat("(", child(0), negated ? " NOT IN (" : " IN (", absl::StrJoin(parts, ", "),
                          "))");
    }
    case BoundExprKind::kLike:
      return absl::StrCat("(", child(0), negated ? " NOT" : "",
                          case_insensitive ? " ILIKE " : " LIKE ", child(1), ")");
    case BoundExprKind::kCase: {
      std::string out = "CASE";
      size_t i = 0;
      if (has_operand) absl::StrAppend(&out, " ", child(i++));
      size_t end = children.size() - (has_else ? 1 : 0);
      for (; i + 1 < end + 1 && i < end; i += 2) {
        absl::StrAppend(&out, " WHEN ", child(i), " THEN ", child(i + 1));
      }
      if (has_else) absl::StrAppend(&out, " ELSE ", children.back()->ToString());
      return out + " END";
    }
    case BoundExprKind::kCast: return absl::StrCat(child(0), "::", TypeName(type));
    case BoundExprKind::kOuterColumn: return name;
    case BoundExprKind::kSubquery: {
      switch (subquery_kind) {
        case SubqueryKind::kScalar: return "(SubPlan)";
        case SubqueryKind::kExists: return "EXISTS(SubPlan)";
        case SubqueryKind::kAny:
          return absl::StrCat(negated ? "NOT " : "", child(0), " = ANY (SubPlan)");
        case SubqueryKind::kAll: return absl::StrCat(child(0), " ALL (SubPlan)");
        case SubqueryKind::kArray: return "ARRAY(SubPlan)";
      }
      return "(SubPlan)";
    }
    case BoundExprKind::kFunction: {
      std::vector<std::string> parts;
      for (const auto& c : children) parts.push_back(c->ToString());
      if (name == "cairn_array_subscript") return absl::StrCat(parts[0], "[", parts[1], "]");
      return absl::StrCat(name, "(", absl::StrJoin(parts, ", "), ")");
    }
    case BoundExprKind::kArray: {
      std::vector<std::string> parts;
      for (const auto& c : children) parts.push_back(c->ToString());
      return absl::StrCat("ARRAY[", absl::StrJoin(parts, ", "), "]");
    }
    case BoundExprKind::kArrayCompare: {
      const char* ops[] = {"=", "<>", "<", "<=", ">", ">="};
      return absl::StrCat("(", child(0), " ", ops[static_cast<int>(compare_op)],
                          negated ? " ALL (" : " ANY (", child(1), "))");
    }
  }
  return "?";
}

}  // namespace cairn::planner
