#include "parser/ast/expr.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/query.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string JoinExprs(const ExprList& exprs) {
  return absl::StrJoin(exprs, ", ", [](std::string* out, const ExprPtr& e) {
    out->append(e->ToString());
  });
}

// The operand of a postfix '::': anything that would not re-parse as the
// operand on its own (a negative literal binds looser than '::') is wrapped.
std::string CastOperand(const Expr& e) {
  std::string text = e.ToString();
  if (!text.empty() && text[0] == '-') return absl::StrCat("(", text, ")");
  return text;
}

const char* Not(bool negated) { return negated ? " NOT" : ""; }

}  // namespace

const char* BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNe: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kIsDistinctFrom: return "IS DISTINCT FROM";
    case BinaryOp::kIsNotDistinctFrom: return "IS NOT DISTINCT FROM";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kPow: return "^";
    case BinaryOp::kConcat: return "||";
    case BinaryOp::kRegexMatch: return "~";
    case BinaryOp::kRegexIMatch: return "~*";
    case BinaryOp::kNotRegexMatch: return "!~";
    case BinaryOp::kNotRegexIMatch: return "!~*";
    case BinaryOp::kJsonGet: return "->";
    case BinaryOp::kJsonGetText: return "->>";
    case BinaryOp::kJsonPath: return "#>";
    case BinaryOp::kJsonPathText: return "#>>";
    case BinaryOp::kJsonContains: return "@>";
    case BinaryOp::kJsonContainedBy: return "<@";
    case BinaryOp::kJsonHasKey: return "?";
    case BinaryOp::kJsonHasAnyKey: return "?|";
    case BinaryOp::kJsonHasAllKeys: return "?&";
  }
  return "?";
}

std::string ConstantExpr::ToString() const {
  switch (constant_kind) {
    case ConstantKind::kNull: return "NULL";
    case ConstantKind::kBool: return bool_value ? "TRUE" : "FALSE";
    case ConstantKind::kInteger: return absl::StrCat(int_value);
    case ConstantKind::kNumeric: return str_value;
    case ConstantKind::kString: return QuoteString(str_value);
  }
  return "";
}

std::string ParameterExpr::ToString() const { return absl::StrCat("$", index); }

std::string ColumnRefExpr::ToString() const { return QuoteQualified(names); }

std::string StarExpr::ToString() const {
  return qualifier.empty() ? "*" : QuoteQualified(qualifier) + ".*";
}

std::string UnaryExpr::ToString() const {
  switch (op) {
    case UnaryOp::kNot: return absl::StrCat("(NOT ", operand->ToString(), ")");
    case UnaryOp::kMinus: return absl::StrCat("(- ", operand->ToString(), ")");
    case UnaryOp::kPlus: return absl::StrCat("(+ ", operand->ToString(), ")");
  }
  return "";
}

std::string BinaryExpr::ToString() const {
  return absl::StrCat("(", left->ToString(), " ", BinaryOpText(op), " ", right->ToString(), ")");
}

std::string IsExpr::ToString() const {
  const char* what = test == IsTest::kNull   ? "NULL"
                     : test == IsTest::kTrue ? "TRUE"
                     : test == IsTest::kFalse ? "FALSE"
                                              : "UNKNOWN";
  return absl::StrCat("(", operand->ToString(), " IS", Not(negated), " ", what, ")");
}

std::string BetweenExpr::ToString() const {
  return absl::StrCat("(", operand->ToString(), Not(negated), " BETWEEN ",
                      symmetric ? "SYMMETRIC " : "", low->ToString(), " AND ", high->ToString(),
                      ")");
}

std::string InListExpr::ToString() const {
  return absl::StrCat("(", operand->ToString(), Not(negated), " IN (", JoinExprs(list), "))");
}

std::string LikeExpr::ToString() const {
  std::string out = absl::StrCat("(", operand->ToString(), Not(negated),
                                 case_insensitive ? " ILIKE " : " LIKE ", pattern->ToString());
  if (escape != nullptr) absl::StrAppend(&out, " ESCAPE ", escape->ToString());
  return out + ")";
}

SubqueryExpr::SubqueryExpr(SubqueryKind subquery_kind, int position)
    : Expr(kKind, position), subquery_kind(subquery_kind) {}
SubqueryExpr::~SubqueryExpr() = default;

std::string SubqueryExpr::ToString() const {
  const std::string q = query->ToString();
  switch (subquery_kind) {
    case SubqueryKind::kScalar: return absl::StrCat("(", q, ")");
    case SubqueryKind::kExists: return absl::StrCat("EXISTS (", q, ")");
    case SubqueryKind::kIn:
      return absl::StrCat("(", operand->ToString(), Not(negated), " IN (", q, "))");
    case SubqueryKind::kAny:
    case SubqueryKind::kAll:
      return absl::StrCat("(", operand->ToString(), " ", BinaryOpText(op),
                          subquery_kind == SubqueryKind::kAny ? " ANY (" : " ALL (", q, "))");
    case SubqueryKind::kArray: return absl::StrCat("ARRAY(", q, ")");
  }
  return "";
}

std::string FunctionExpr::ToString() const {
  if (syntax == FunctionSyntax::kKeyword) return absl::AsciiStrToUpper(name);
  if (syntax == FunctionSyntax::kExtract && args.size() == 2 &&
      args[0]->kind == ExprKind::kConstant) {
    const std::string& field = args[0]->As<ConstantExpr>().str_value;
    // A field name (year, day, epoch, ...) is written bare, even where it
    // is a keyword; anything else as a string.
    const bool bare = !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_';
    });
    return absl::StrCat("EXTRACT(", bare ? field : QuoteString(field), " FROM ",
                        args[1]->ToString(), ")");
  }
  std::string out = schema.empty() ? "" : QuoteIdentifier(schema) + ".";
  absl::StrAppend(&out, QuoteIdentifier(name), "(");
  if (star) {
    out += "*";
  } else {
    if (distinct) out += "DISTINCT ";
    if (arg_names.empty()) {
      out += JoinExprs(args);
    } else {
      for (size_t i = 0; i < args.size(); ++i) {
        if (i > 0) out += ", ";
        if (!arg_names[i].empty()) absl::StrAppend(&out, QuoteIdentifier(arg_names[i]), " => ");
        out += args[i]->ToString();
      }
    }
    for (size_t i = 0; i < order_by.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? " ORDER BY " : ", ", order_by[i].ToString());
    }
  }
  out += ")";
  if (over) absl::StrAppend(&out, " OVER (", over->ToString(), ")");
  return out;
}

std::string WindowFrameBound::ToString() const {
  switch (kind) {
    case Kind::kUnboundedPreceding: return "UNBOUNDED PRECEDING";
    case Kind::kPreceding: return absl::StrCat(offset->ToString(), " PRECEDING");
    case Kind::kCurrentRow: return "CURRENT ROW";
    case Kind::kFollowing: return absl::StrCat(offset->ToString(), " FOLLOWING");
    case Kind::kUnboundedFollowing: return "UNBOUNDED FOLLOWING";
  }
  return "";
}

std::string WindowSpec::ToString() const {
  std::vector<std::string> parts;
  if (!partition_by.empty()) parts.push_back("PARTITION BY " + JoinExprs(partition_by));
  if (!order_by.empty()) {
    std::string o = "ORDER BY ";
    for (size_t i = 0; i < order_by.size(); ++i) {
      absl::StrAppend(&o, i == 0 ? "" : ", ", order_by[i].ToString());
    }
    parts.push_back(o);
  }
  if (has_frame) {
    parts.push_back(absl::StrCat(rows ? "ROWS" : "RANGE", " BETWEEN ", start.ToString(), " AND ",
                                 end.ToString()));
  }
  return absl::StrJoin(parts, " ");
}

std::string CastExpr::ToString() const {
  switch (syntax) {
    case CastSyntax::kCast:
      return absl::StrCat("CAST(", operand->ToString(), " AS ", type.ToString(), ")");
    case CastSyntax::kDoubleColon:
      return absl::StrCat(CastOperand(*operand), "::", type.ToString());
    case CastSyntax::kTypedLiteral:
      // INTERVAL '1' DAY: the qualifier follows the literal.
      if (type.name == "interval" && type.interval_fields != IntervalFields::kAll) {
        return absl::StrCat(operand->ToString(), "::", type.ToString());
      }
      return absl::StrCat(type.ToString(), " ", operand->ToString());
  }
  return "";
}

std::string CaseExpr::ToString() const {
  std::string out = "CASE";
  if (operand != nullptr) absl::StrAppend(&out, " ", operand->ToString());
  for (const When& when : whens) {
    absl::StrAppend(&out, " WHEN ", when.condition->ToString(), " THEN ", when.result->ToString());
  }
  if (else_result != nullptr) absl::StrAppend(&out, " ELSE ", else_result->ToString());
  return out + " END";
}

std::string ArrayExpr::ToString() const {
  std::string out = "ARRAY[";
  for (size_t i = 0; i < elements.size(); ++i) {
    absl::StrAppend(&out, i > 0 ? ", " : "", elements[i]->ToString());
  }
  return out + "]";
}

std::string SubscriptExpr::ToString() const {
  return absl::StrCat("(", array->ToString(), ")[", index->ToString(), "]");
}

std::string ArrayComparisonExpr::ToString() const {
  return absl::StrCat("(", operand->ToString(), " ", BinaryOpText(op), all ? " ALL (" : " ANY (",
                      array->ToString(), "))");
}

}  // namespace cairn::ast
