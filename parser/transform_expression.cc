// Expressions: one method per precedence level of the grammar's ladder,
// loosest first. Binary levels fold left over their children.
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {
namespace {

using ast::BinaryOp;
using ast::ExprPtr;

ExprPtr MakeBinary(BinaryOp op, ExprPtr left, ExprPtr right, int position) {
  return std::make_unique<ast::BinaryExpr>(op, std::move(left), std::move(right), position);
}

int TokenPos(antlr4::Token* token) { return static_cast<int>(token->getStartIndex()) + 1; }

// Folds `operand (op operand)*` children left to right; `op_of` maps an
// operator token to its BinaryOp.
template <typename OperandCtx, typename TransformFn, typename OpFn>
ExprPtr FoldLeft(antlr4::ParserRuleContext* ctx, TransformFn transform, OpFn op_of) {
  ExprPtr result;
  antlr4::Token* pending_op = nullptr;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (auto* operand = dynamic_cast<OperandCtx*>(child)) {
      ExprPtr value = transform(operand);
      if (result == nullptr) {
        result = std::move(value);
      } else {
        result = MakeBinary(op_of(pending_op), std::move(result), std::move(value),
                            TokenPos(pending_op));
      }
    } else if (auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
      pending_op = terminal->getSymbol();
    }
  }
  return result;
}

BinaryOp ComparisonOp(P::ComparisonOpContext* ctx) {
  if (ctx->EQ()) return BinaryOp::kEq;
  if (ctx->NE()) return BinaryOp::kNe;
  if (ctx->LT()) return BinaryOp::kLt;
  if (ctx->LE()) return BinaryOp::kLe;
  if (ctx->GT()) return BinaryOp::kGt;
  return BinaryOp::kGe;
}

}  // namespace

ExprPtr Transformer::TransformExpr(P::ExprContext* ctx) { return TransformOr(ctx->orExpr()); }

ast::ExprList Transformer::TransformExprList(P::ExprListContext* ctx) {
  ast::ExprList out;
  if (ctx == nullptr) return out;
  for (auto* e : ctx->expr()) out.push_back(TransformExpr(e));
  return out;
}

ExprPtr Transformer::TransformExprOrDefault(P::ExprOrDefaultContext* ctx) {
  if (ctx->DEFAULT()) return std::make_unique<ast::DefaultExpr>(Pos(ctx));
  return TransformExpr(ctx->expr());
}

ExprPtr Transformer::TransformOr(P::OrExprContext* ctx) {
  return FoldLeft<P::AndExprContext>(
      ctx, [this](auto* c) { return TransformAnd(c); }, [](antlr4::Token*) { return BinaryOp::kOr; });
}

ExprPtr Transformer::TransformAnd(P::AndExprContext* ctx) {
  return FoldLeft<P::NotExprContext>(
      ctx, [this](auto* c) { return TransformNot(c); },
      [](antlr4::Token*) { return BinaryOp::kAnd; });
}

ExprPtr Transformer::TransformNot(P::NotExprContext* ctx) {
  if (ctx->NOT()) {
    return std::make_unique<ast::UnaryExpr>(ast::UnaryOp::kNot, TransformNot(ctx->notExpr()),
                                            Pos(ctx->NOT()));
  }
  return TransformIs(ctx->isExpr());
}

ExprPtr Transformer::TransformIs(P::IsExprContext* ctx) {
  ExprPtr result = TransformComparison(ctx->comparisonExpr());
  for (auto* suffix : ctx->isSuffix()) {
    const int pos = Pos(suffix);
    if (auto* test = dynamic_cast<P::IsTestContext*>(suffix)) {
      ast::IsTest kind = test->NULL_P()   ? ast::IsTest::kNull
                         : test->TRUE_P() ? ast::IsTest::kTrue
                         : test->FALSE_P() ? ast::IsTest::kFalse
                                           : ast::IsTest::kUnknown;
      result = std::make_unique<ast::IsExpr>(kind, test->NOT() != nullptr, std::move(result), pos);
    } else if (auto* distinct = dynamic_cast<P::IsDistinctFromContext*>(suffix)) {
      result = MakeBinary(
          distinct->NOT() ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom,
          std::move(result), TransformComparison(distinct->comparisonExpr()), pos);
    } else {
      const bool negated = dynamic_cast<P::NotNullPostfixContext*>(suffix) != nullptr;
      result = std::make_unique<ast::IsExpr>(ast::IsTest::kNull, negated, std::move(result), pos);
    }
  }
  return result;
}

ExprPtr Transformer::TransformComparison(P::ComparisonExprContext* ctx) {
  ExprPtr left = TransformPredicate(ctx->predicateExpr(0));
  if (ctx->comparisonOp() == nullptr) return left;
  const BinaryOp op = ComparisonOp(ctx->comparisonOp());
  const int pos = Pos(ctx->comparisonOp());
  if (ctx->quantifier != nullptr) {
    const auto kind = ctx->quantifier->getType() == P::ALL ? ast::SubqueryKind::kAll
                                                           : ast::SubqueryKind::kAny;
    auto sub = std::make_unique<ast::SubqueryExpr>(kind, pos);
    sub->operand = std::move(left);
    sub->op = op;
    sub->query = TransformSelectStmt(ctx->selectStmt());
    return sub;
  }
  return MakeBinary(op, std::move(left), TransformPredicate(ctx->predicateExpr(1)), pos);
}

ExprPtr Transformer::TransformPredicate(P::PredicateExprContext* ctx) {
  ExprPtr operand = TransformOperator(ctx->operatorExpr());
  P::PredicateSuffixContext* suffix = ctx->predicateSuffix();
  if (suffix == nullptr) return operand;
  const int pos = Pos(suffix);
  if (auto* between = dynamic_cast<P::BetweenPredicateContext*>(suffix)) {
    auto out = std::make_unique<ast::BetweenExpr>(pos);
    out->operand = std::move(operand);
    out->low = TransformOperator(between->operatorExpr(0));
    out->high = TransformOperator(between->operatorExpr(1));
    out->negated = between->NOT() != nullptr;
    out->symmetric = between->SYMMETRIC() != nullptr;
    return out;
  }
  if (auto* in = dynamic_cast<P::InSubqueryPredicateContext*>(suffix)) {
    auto sub = std::make_unique<ast::SubqueryExpr>(ast::SubqueryKind::kIn, pos);
    sub->operand = std::move(operand);
    sub->negated = in->NOT() != nullptr;
    sub->query = TransformSelectStmt(in->selectStmt());
    return sub;
  }
  if (auto* in = dynamic_cast<P::InListPredicateContext*>(suffix)) {
    auto out = std::make_unique<ast::InListExpr>(pos);
    out->operand = std::move(operand);
    out->negated = in->NOT() != nullptr;
    out->list = TransformExprList(in->exprList());
    return out;
  }
  auto* like = dynamic_cast<P::LikePredicateContext*>(suffix);
  auto out = std::make_unique<ast::LikeExpr>(pos);
  out->operand = std::move(operand);
  out->pattern = TransformOperator(like->operatorExpr(0));
  if (like->ESCAPE()) out->escape = TransformOperator(like->operatorExpr(1));
  out->negated = like->NOT() != nullptr;
  out->case_insensitive = like->ILIKE() != nullptr;
  return out;
}

ExprPtr Transformer::TransformOperator(P::OperatorExprContext* ctx) {
  return FoldLeft<P::AdditiveExprContext>(
      ctx, [this](auto* c) { return TransformAdditive(c); },
      [](antlr4::Token* op) {
        switch (op->getType()) {
          case P::TILDE: return BinaryOp::kRegexMatch;
          case P::TILDE_STAR: return BinaryOp::kRegexIMatch;
          case P::NOT_TILDE: return BinaryOp::kNotRegexMatch;
          case P::NOT_TILDE_STAR: return BinaryOp::kNotRegexIMatch;
          default: return BinaryOp::kConcat;
        }
      });
}

ExprPtr Transformer::TransformAdditive(P::AdditiveExprContext* ctx) {
  return FoldLeft<P::MultiplicativeExprContext>(
      ctx, [this](auto* c) { return TransformMultiplicative(c); },
      [](antlr4::Token* op) { return op->getType() == P::PLUS ? BinaryOp::kAdd : BinaryOp::kSub; });
}

ExprPtr Transformer::TransformMultiplicative(P::MultiplicativeExprContext* ctx) {
  return FoldLeft<P::PowerExprContext>(
      ctx, [this](auto* c) { return TransformPower(c); },
      [](antlr4::Token* op) {
        switch (op->getType()) {
          case P::STAR: return BinaryOp::kMul;
          case P::SLASH: return BinaryOp::kDiv;
          default: return BinaryOp::kMod;
        }
      });
}

ExprPtr Transformer::TransformPower(P::PowerExprContext* ctx) {
  return FoldLeft<P::AtTimeZoneExprContext>(
      ctx, [this](auto* c) { return TransformAtTimeZone(c); },
      [](antlr4::Token*) { return BinaryOp::kPow; });
}

// x AT TIME ZONE z is timezone(z, x), as in PostgreSQL.
ExprPtr Transformer::TransformAtTimeZone(P::AtTimeZoneExprContext* ctx) {
  std::vector<P::UnaryExprContext*> operands = ctx->unaryExpr();
  ExprPtr result = TransformUnary(operands[0]);
  for (size_t i = 1; i < operands.size(); ++i) {
    auto fn = std::make_unique<ast::FunctionExpr>(Pos(ctx->AT(i - 1)));
    fn->name = "timezone";
    fn->args.push_back(TransformUnary(operands[i]));
    fn->args.push_back(std::move(result));
    result = std::move(fn);
  }
  return result;
}

ExprPtr Transformer::TransformUnary(P::UnaryExprContext* ctx) {
  if (ctx->op == nullptr) return TransformCast(ctx->castExpr());
  ExprPtr operand = TransformUnary(ctx->unaryExpr());
  const int pos = Pos(ctx->op);
  if (ctx->op->getType() == P::PLUS) {
    return std::make_unique<ast::UnaryExpr>(ast::UnaryOp::kPlus, std::move(operand), pos);
  }
  // PostgreSQL's doNegate: a minus directly on a numeric literal becomes
  // part of the literal, so -2147483648 is an int4 and -9223372036854775808
  // an int8.
  if (operand->kind == ast::ExprKind::kConstant) {
    auto& constant = operand->As<ast::ConstantExpr>();
    if (constant.constant_kind == ast::ConstantKind::kInteger) {
      if (constant.int_value == std::numeric_limits<int64_t>::min()) {
        return MakeNumericConstant("9223372036854775808", pos);
      }
      constant.int_value = -constant.int_value;
      constant.position = pos;
      return operand;
    }
    if (constant.constant_kind == ast::ConstantKind::kNumeric) {
      std::string text = constant.str_value;
      text = text[0] == '-' ? text.substr(1) : absl::StrCat("-", text);
      return MakeNumericConstant(std::move(text), pos);
    }
  }
  return std::make_unique<ast::UnaryExpr>(ast::UnaryOp::kMinus, std::move(operand), pos);
}

ExprPtr Transformer::TransformCast(P::CastExprContext* ctx) {
  ExprPtr result = TransformPrimary(ctx->primaryExpr());
  std::vector<P::TypeNameContext*> types = ctx->typeName();
  for (size_t i = 0; i < types.size(); ++i) {
    result = std::make_unique<ast::CastExpr>(std::move(result), TransformTypeName(types[i]),
                                             ast::CastSyntax::kDoubleColon,
                                             Pos(ctx->TYPECAST(i)));
  }
  return result;
}

ExprPtr Transformer::TransformPrimary(P::PrimaryExprContext* ctx) {
  const int pos = Pos(ctx);
  if (auto* c = dynamic_cast<P::LiteralExprContext*>(ctx)) return TransformLiteral(c->literal());
  if (auto* c = dynamic_cast<P::ColumnRefExprContext*>(ctx)) {
    auto ref = std::make_unique<ast::ColumnRefExpr>(pos);
    for (auto* id : c->identifier()) ref->names.push_back(Ident(id));
    if (ref->names.size() > 4) {
      Fail(MakeError(ErrorCode::kSyntaxError,
                     absl::StrCat("improper qualified name (too many dotted names): ",
                                  c->getText()),
                     pos));
    }
    return ref;
  }
  if (auto* c = dynamic_cast<P::FunctionCallExprContext*>(ctx)) {
    return TransformFunctionCall(c->functionName(), c->functionArgs());
  }
  if (auto* c = dynamic_cast<P::ParamExprContext*>(ctx)) {
    // $0 is accepted here; the binder reports "there is no parameter $0".
    const std::string digits = c->PARAM()->getText().substr(1);
    const int64_t index = digits.size() > 10 ? -1 : std::stoll(digits);
    if (index < 0 || index > std::numeric_limits<int32_t>::max()) {
      SyntaxError(absl::StrCat("parameter number too large at or near \"", c->getText(), "\""),
                  c->PARAM()->getSymbol());
    }
    return std::make_unique<ast::ParameterExpr>(static_cast<int>(index), pos);
  }
  if (auto* c = dynamic_cast<P::ParenExprContext*>(ctx)) return TransformExpr(c->expr());
  if (auto* c = dynamic_cast<P::TypedLiteralExprContext*>(ctx)) {
    return std::make_unique<ast::CastExpr>(MakeStringConstant(c->stringLiteral()->getStart()),
                                           TransformTypeName(c->typeName()),
                                           ast::CastSyntax::kTypedLiteral, pos);
  }
  if (auto* c = dynamic_cast<P::CastFunctionExprContext*>(ctx)) {
    return std::make_unique<ast::CastExpr>(TransformExpr(c->expr()),
                                           TransformTypeName(c->typeName()),
                                           ast::CastSyntax::kCast, pos);
  }
  if (auto* c = dynamic_cast<P::CaseExprContext*>(ctx)) return TransformCase(c);
  if (auto* c = dynamic_cast<P::ExistsExprContext*>(ctx)) {
    return TransformSubquery(ast::SubqueryKind::kExists, c->selectStmt(), pos);
  }
  if (auto* c = dynamic_cast<P::SubqueryExprContext*>(ctx)) {
    return TransformSubquery(ast::SubqueryKind::kScalar, c->selectStmt(), pos);
  }
  if (auto* c = dynamic_cast<P::ExtractExprContext*>(ctx)) {
    auto fn = std::make_unique<ast::FunctionExpr>(pos);
    fn->name = "extract";
    fn->syntax = ast::FunctionSyntax::kExtract;
    P::ExtractFieldContext* field = c->extractField();
    auto field_value = std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kString, Pos(field));
    field_value->str_value =
        field->identifier() ? Ident(field->identifier()) : StringValue(field->stringLiteral()->getStart());
    fn->args.push_back(std::move(field_value));
    fn->args.push_back(TransformExpr(c->expr()));
    return fn;
  }
  auto* c = dynamic_cast<P::SqlValueFunctionExprContext*>(ctx);
  auto fn = std::make_unique<ast::FunctionExpr>(pos);
  fn->name = AsciiLower(c->getText());
  fn->syntax = ast::FunctionSyntax::kKeyword;
  return fn;
}

std::unique_ptr<ast::FunctionExpr> Transformer::TransformFunctionCall(
    P::FunctionNameContext* name, P::FunctionArgsContext* args) {
  auto fn = std::make_unique<ast::FunctionExpr>(Pos(name));
  std::vector<P::IdentifierContext*> parts = name->identifier();
  if (parts.empty()) {
    fn->name = AsciiLower(name->getText());  // left, right
  } else {
    fn->name = Ident(parts.back());
    if (parts.size() == 2) fn->schema = Ident(parts[0]);
  }
  if (args != nullptr) {
    if (args->STAR()) {
      fn->star = true;
    } else {
      fn->distinct = args->DISTINCT() != nullptr;
      fn->args = TransformExprList(args->exprList());
    }
  }
  return fn;
}

ExprPtr Transformer::TransformCase(P::CaseExprContext* ctx) {
  auto out = std::make_unique<ast::CaseExpr>(Pos(ctx));
  // expr() lists the CASE operand and the ELSE result, in that order.
  std::vector<P::ExprContext*> exprs = ctx->expr();
  size_t next = 0;
  if (exprs.size() > (ctx->ELSE() ? 1u : 0u)) {
    out->operand = TransformExpr(exprs[next++]);
  }
  for (auto* when : ctx->whenClause()) {
    out->whens.push_back({TransformExpr(when->expr(0)), TransformExpr(when->expr(1))});
  }
  if (ctx->ELSE()) out->else_result = TransformExpr(exprs[next]);
  return out;
}

ExprPtr Transformer::TransformSubquery(ast::SubqueryKind kind, P::SelectStmtContext* ctx,
                                       int position) {
  auto sub = std::make_unique<ast::SubqueryExpr>(kind, position);
  sub->query = TransformSelectStmt(ctx);
  return sub;
}

}  // namespace cairn::parser
