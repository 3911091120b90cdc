// Expressions. The grammar's two left-recursive rules (expr above BETWEEN/
// IN/LIKE, operatorExpr below) arrive as nested binary contexts; the
// common one-child cases are taken without dynamic_cast.
#include <limits>
#include <optional>
#include <vector>

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

// AND/OR chains up to this many operands keep the left-deep shape they
// were written in; longer ones are balanced (AND and OR are associative).
constexpr size_t kMaxUnbalancedChain = 16;

std::optional<BinaryOp> LogicalOp(P::ExprContext* ctx) {
  if (dynamic_cast<P::AndExprContext*>(ctx) != nullptr) return BinaryOp::kAnd;
  if (dynamic_cast<P::OrExprContext*>(ctx) != nullptr) return BinaryOp::kOr;
  return std::nullopt;
}

// Depth of a balanced binary tree over `n` operands.
size_t BalancedDepth(size_t n) {
  size_t depth = 0;
  while ((size_t{1} << depth) < n) ++depth;
  return depth;
}

// operands[lo..hi] joined by `op`; positions[i] is the operator before
// operands[i].
ExprPtr BuildBalanced(BinaryOp op, ast::ExprList& operands, const std::vector<int>& positions,
                      size_t lo, size_t hi) {
  if (lo == hi) return std::move(operands[lo]);
  const size_t mid = lo + (hi - lo + 1) / 2;
  ExprPtr left = BuildBalanced(op, operands, positions, lo, mid - 1);
  ExprPtr right = BuildBalanced(op, operands, positions, mid, hi);
  return MakeBinary(op, std::move(left), std::move(right), positions[mid]);
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

ExprPtr Transformer::TransformExpr(P::ExprContext* ctx) {
  // Most expressions are a bare operand: take that path without casts.
  if (ctx->children.size() == 1) {
    DepthGuard guard(this, 1, ctx);
    return TransformOperator(static_cast<P::OperatorExprContext*>(ctx->children[0]));
  }
  // The left spine, top first: every alternative but NOT has its left
  // operand as first child.
  std::vector<P::ExprContext*> spine;
  P::ExprContext* leaf = ctx;
  while (leaf->children.size() > 1 &&
         dynamic_cast<antlr4::tree::TerminalNode*>(leaf->children[0]) == nullptr) {
    spine.push_back(leaf);
    leaf = static_cast<P::ExprContext*>(leaf->children[0]);
  }
  // Bottom up, runs of one AND/OR become balanced trees when long; count
  // the depth that will result before building anything.
  struct Run {
    size_t begin, end;  // covers spine[end] .. spine[begin - 1], applied bottom (begin - 1) up
    bool balanced;
  };
  std::vector<Run> runs;
  size_t levels = 1;
  for (size_t i = spine.size(); i > 0;) {
    const std::optional<BinaryOp> op = LogicalOp(spine[i - 1]);
    size_t j = i - 1;
    while (op && j > 0 && LogicalOp(spine[j - 1]) == op) --j;
    const size_t length = i - j;
    const bool balanced = op && length + 1 > kMaxUnbalancedChain;
    levels += balanced ? BalancedDepth(length + 1) : length;
    runs.push_back({i, j, balanced});
    i = j;
  }
  DepthGuard guard(this, levels, ctx);
  ExprPtr result = TransformExprLeaf(leaf);
  for (const Run& run : runs) {
    if (!run.balanced) {
      for (size_t i = run.begin; i > run.end; --i) {
        result = TransformExprStep(spine[i - 1], std::move(result));
      }
      continue;
    }
    ast::ExprList operands;
    std::vector<int> positions{0};
    operands.push_back(std::move(result));
    for (size_t i = run.begin; i > run.end; --i) {
      const auto& children = spine[i - 1]->children;
      positions.push_back(Pos(static_cast<antlr4::tree::TerminalNode*>(children[1])));
      operands.push_back(TransformExpr(static_cast<P::ExprContext*>(children[2])));
    }
    result = BuildBalanced(*LogicalOp(spine[run.begin - 1]), operands, positions, 0,
                           operands.size() - 1);
  }
  return result;
}

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

// The bottom of an expr spine: an operand, or NOT expr.
ExprPtr Transformer::TransformExprLeaf(P::ExprContext* ctx) {
  const std::vector<antlr4::tree::ParseTree*>& children = ctx->children;
  if (children.size() == 1) {
    return TransformOperator(static_cast<P::OperatorExprContext*>(children[0]));
  }
  return std::make_unique<ast::UnaryExpr>(
      ast::UnaryOp::kNot, TransformExpr(static_cast<P::ExprContext*>(children[1])), Pos(ctx));
}

// One left-recursive alternative of `expr`, applied to its transformed left
// operand.
ExprPtr Transformer::TransformExprStep(P::ExprContext* ctx, ExprPtr left) {
  const std::vector<antlr4::tree::ParseTree*>& children = ctx->children;
  auto sub = [&](size_t i) { return TransformExpr(static_cast<P::ExprContext*>(children[i])); };
  auto token = [&](size_t i) {
    return static_cast<antlr4::tree::TerminalNode*>(children[i])->getSymbol();
  };
  if (std::optional<BinaryOp> op = LogicalOp(ctx)) {
    return MakeBinary(*op, std::move(left), sub(2), Pos(token(1)));
  }
  if (auto* c = dynamic_cast<P::PredicateExprContext*>(ctx)) {
    // BETWEEN, IN and LIKE do not chain in PostgreSQL: a LIKE b LIKE c.
    if (dynamic_cast<P::PredicateExprContext*>(children[0]) != nullptr) {
      antlr4::Token* start = c->predicateSuffix()->getStart();
      SyntaxError(absl::StrCat("syntax error at or near \"", start->getText(), "\""), start);
    }
    return TransformPredicate(std::move(left), c->predicateSuffix());
  }
  if (auto* c = dynamic_cast<P::IsExprContext*>(ctx)) {
    P::IsSuffixContext* suffix = c->isSuffix();
    const int pos = Pos(suffix);
    if (suffix->ISNULL() || suffix->NOTNULL()) {
      return std::make_unique<ast::IsExpr>(ast::IsTest::kNull, suffix->NOTNULL() != nullptr,
                                           std::move(left), pos);
    }
    ast::IsTest test = suffix->NULL_P()    ? ast::IsTest::kNull
                       : suffix->TRUE_P()  ? ast::IsTest::kTrue
                       : suffix->FALSE_P() ? ast::IsTest::kFalse
                                           : ast::IsTest::kUnknown;
    return std::make_unique<ast::IsExpr>(test, suffix->NOT() != nullptr, std::move(left), pos);
  }
  if (auto* c = dynamic_cast<P::IsDistinctFromExprContext*>(ctx)) {
    return MakeBinary(c->NOT() ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom,
                      std::move(left), sub(children.size() - 1), Pos(token(1)));
  }
  // Comparisons, plain or against ANY/ALL (subquery). They do not chain in
  // PostgreSQL either: a = b = c is a syntax error at the second '='.
  auto* op_ctx = static_cast<P::ComparisonOpContext*>(children[1]);
  if (dynamic_cast<P::ComparisonExprContext*>(children[0]) != nullptr ||
      dynamic_cast<P::QuantifiedComparisonExprContext*>(children[0]) != nullptr ||
      dynamic_cast<P::QuantifiedArrayExprContext*>(children[0]) != nullptr ||
      dynamic_cast<P::QuantifiedExprExprContext*>(children[0]) != nullptr) {
    SyntaxError(absl::StrCat("syntax error at or near \"", op_ctx->getText(), "\""),
                op_ctx->getStart());
  }
  const BinaryOp op = ComparisonOp(op_ctx);
  if (auto* c = dynamic_cast<P::QuantifiedComparisonExprContext*>(ctx)) {
    const auto kind = c->quantifier->getType() == P::ALL ? ast::SubqueryKind::kAll
                                                         : ast::SubqueryKind::kAny;
    auto out = std::make_unique<ast::SubqueryExpr>(kind, Pos(op_ctx));
    out->operand = std::move(left);
    out->op = op;
    out->query = TransformSelectStmt(c->selectStmt());
    return out;
  }
  if (auto* c = dynamic_cast<P::QuantifiedArrayExprContext*>(ctx)) {
    // x = ANY (ARRAY[...]) is x IN (...), x <> ALL (ARRAY[...]) is NOT IN,
    // which is what drivers send for a list parameter (psycopg2).
    const bool all = c->quantifier->getType() == P::ALL;
    if ((op != BinaryOp::kEq || all) && (op != BinaryOp::kNe || !all)) {
      auto out = std::make_unique<ast::ArrayComparisonExpr>(Pos(op_ctx));
      out->operand = std::move(left);
      out->op = op;
      out->all = all;
      auto array = std::make_unique<ast::ArrayExpr>(Pos(c->ARRAY()));
      array->elements = TransformExprList(c->exprList());
      out->array = std::move(array);
      return out;
    }
    auto out = std::make_unique<ast::InListExpr>(Pos(op_ctx));
    out->operand = std::move(left);
    out->negated = all;
    out->list = TransformExprList(c->exprList());
    return out;
  }
  if (auto* c = dynamic_cast<P::QuantifiedExprExprContext*>(ctx)) {
    auto out = std::make_unique<ast::ArrayComparisonExpr>(Pos(op_ctx));
    out->operand = std::move(left);
    out->op = op;
    out->all = c->quantifier->getType() == P::ALL;
    out->array = TransformExpr(c->expr(1));
    return out;
  }
  return MakeBinary(op, std::move(left), sub(2), Pos(op_ctx));
}

ExprPtr Transformer::TransformPredicate(ExprPtr operand, P::PredicateSuffixContext* suffix) {
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

// The left-recursive operator rule. Its alternatives are told apart by the
// shape of their children, which is cheaper than dynamic_cast per node:
// 1 child is a primary, 2 a unary operator, 3 a cast or binary operator
// and 5 AT TIME ZONE.
ExprPtr Transformer::TransformOperator(P::OperatorExprContext* ctx) {
  if (ctx->children.size() == 1) {
    return TransformPrimary(static_cast<P::PrimaryExprContext*>(ctx->children[0]));
  }
  std::vector<P::OperatorExprContext*> spine;
  P::OperatorExprContext* leaf = ctx;
  while (leaf->children.size() >= 3) {
    spine.push_back(leaf);
    leaf = static_cast<P::OperatorExprContext*>(leaf->children[0]);
  }
  DepthGuard guard(this, spine.size() + 1, ctx);
  ExprPtr result = TransformOperatorLeaf(leaf);
  for (size_t i = spine.size(); i > 0; --i) {
    result = TransformOperatorStep(spine[i - 1], std::move(result));
  }
  return result;
}

ExprPtr Transformer::TransformOperatorLeaf(P::OperatorExprContext* ctx) {
  const std::vector<antlr4::tree::ParseTree*>& children = ctx->children;
  if (children.size() == 1) {
    return TransformPrimary(static_cast<P::PrimaryExprContext*>(children[0]));
  }
  // op=(MINUS | PLUS) operatorExpr
  antlr4::Token* op = static_cast<antlr4::tree::TerminalNode*>(children[0])->getSymbol();
  ExprPtr operand = TransformOperator(static_cast<P::OperatorExprContext*>(children[1]));
  if (op->getType() == P::PLUS) {
    return std::make_unique<ast::UnaryExpr>(ast::UnaryOp::kPlus, std::move(operand), Pos(op));
  }
  return TransformUnaryMinus(std::move(operand), Pos(op));
}

namespace {

// The binary operator a token of operatorExpr (or of OPERATOR(pg_catalog.op))
// writes; || for the one left.
BinaryOp BinaryOpOfToken(size_t type) {
  switch (type) {
    case P::EQ: return BinaryOp::kEq;
    case P::NE: return BinaryOp::kNe;
    case P::LT: return BinaryOp::kLt;
    case P::LE: return BinaryOp::kLe;
    case P::GT: return BinaryOp::kGt;
    case P::GE: return BinaryOp::kGe;
    case P::CARET: return BinaryOp::kPow;
    case P::STAR: return BinaryOp::kMul;
    case P::SLASH: return BinaryOp::kDiv;
    case P::PERCENT: return BinaryOp::kMod;
    case P::PLUS: return BinaryOp::kAdd;
    case P::MINUS: return BinaryOp::kSub;
    case P::TILDE: return BinaryOp::kRegexMatch;
    case P::TILDE_STAR: return BinaryOp::kRegexIMatch;
    case P::NOT_TILDE: return BinaryOp::kNotRegexMatch;
    case P::NOT_TILDE_STAR: return BinaryOp::kNotRegexIMatch;
    case P::ARROW: return BinaryOp::kJsonGet;
    case P::LONG_ARROW: return BinaryOp::kJsonGetText;
    case P::HASH_ARROW: return BinaryOp::kJsonPath;
    case P::HASH_LONG_ARROW: return BinaryOp::kJsonPathText;
    case P::CONTAINS: return BinaryOp::kJsonContains;
    case P::CONTAINED_BY: return BinaryOp::kJsonContainedBy;
    case P::QUESTION: return BinaryOp::kJsonHasKey;
    case P::QUESTION_PIPE: return BinaryOp::kJsonHasAnyKey;
    case P::QUESTION_AMP: return BinaryOp::kJsonHasAllKeys;
    default: return BinaryOp::kConcat;
  }
}

}  // namespace

ExprPtr Transformer::TransformOperatorStep(P::OperatorExprContext* ctx, ExprPtr left) {
  const std::vector<antlr4::tree::ParseTree*>& children = ctx->children;
  auto operand = [&](size_t i) {
    return TransformOperator(static_cast<P::OperatorExprContext*>(children[i]));
  };
  antlr4::Token* op = static_cast<antlr4::tree::TerminalNode*>(children[1])->getSymbol();
  if (auto* c = dynamic_cast<P::CollateOperandContext*>(ctx)) {
    // Strings compare bytewise (the C collation); the default collation
    // and C's aliases are that, others CairnDB does not have.
    std::vector<P::IdentifierContext*> parts = c->identifier();
    const bool is_default = c->DEFAULT() != nullptr;
    const std::string schema =
        parts.size() == (is_default ? 1u : 2u) ? Ident(parts.front()) : "";
    const std::string name = is_default ? "default" : Ident(parts.back());
    if ((!schema.empty() && schema != "pg_catalog") ||
        (name != "default" && name != "C" && name != "POSIX" && name != "ucs_basic" &&
         name != "C.UTF-8" && name != "C.utf8")) {
      Fail(MakeError(ErrorCode::kUndefinedObject,
                     absl::StrCat("collation \"", name, "\" for encoding \"UTF8\" does not exist"),
                     Pos(op)));
    }
    return left;
  }
  if (auto* c = dynamic_cast<P::QualifiedOperandContext*>(ctx)) {
    if (c->identifier() != nullptr && Ident(c->identifier()) != "pg_catalog") {
      Fail(MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrCat("operator does not exist: ", Ident(c->identifier()), ".",
                                  c->qualifiedOp()->getText()),
                     Pos(op)));
    }
    antlr4::Token* named = c->qualifiedOp()->getStart();
    ExprPtr right = TransformOperator(c->operatorExpr(1));
    const BinaryOp binary = BinaryOpOfToken(named->getType());
    return MakeBinary(binary, std::move(left), std::move(right), Pos(op));
  }
  if (children.size() == 5) {  // x AT TIME ZONE z is timezone(z, x), as in PostgreSQL.
    auto fn = std::make_unique<ast::FunctionExpr>(Pos(op));
    fn->name = "timezone";
    fn->args.push_back(operand(4));
    fn->args.push_back(std::move(left));
    return fn;
  }
  if (op->getType() == P::LBRACKET) {
    auto out = std::make_unique<ast::SubscriptExpr>(Pos(op));
    out->array = std::move(left);
    out->index = TransformExpr(static_cast<P::ExprContext*>(children[2]));
    return out;
  }
  if (op->getType() == P::TYPECAST) {
    return std::make_unique<ast::CastExpr>(
        std::move(left), TransformTypeName(static_cast<P::TypeNameContext*>(children[2])),
        ast::CastSyntax::kDoubleColon, Pos(op));
  }
  const BinaryOp binary = BinaryOpOfToken(op->getType());
  return MakeBinary(binary, std::move(left), operand(2), Pos(op));
}

// PostgreSQL's doNegate: a minus directly on a numeric literal becomes part
// of the literal, so -2147483648 is an int4 and -9223372036854775808 an int8.
ExprPtr Transformer::TransformUnaryMinus(ExprPtr operand, int position) {
  if (operand->kind == ast::ExprKind::kConstant) {
    auto& constant = operand->As<ast::ConstantExpr>();
    if (constant.constant_kind == ast::ConstantKind::kInteger) {
      if (constant.int_value == std::numeric_limits<int64_t>::min()) {
        return MakeNumericConstant("9223372036854775808", position);
      }
      constant.int_value = -constant.int_value;
      constant.position = position;
      return operand;
    }
    if (constant.constant_kind == ast::ConstantKind::kNumeric) {
      std::string text = constant.str_value;
      text = text[0] == '-' ? text.substr(1) : absl::StrCat("-", text);
      return MakeNumericConstant(std::move(text), position);
    }
  }
  return std::make_unique<ast::UnaryExpr>(ast::UnaryOp::kMinus, std::move(operand), position);
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
    std::unique_ptr<ast::FunctionExpr> call =
        TransformFunctionCall(c->functionName(), c->functionArgs());
    if (c->overClause() != nullptr) call->over = TransformOverClause(c->overClause());
    return call;
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
  if (auto* c = dynamic_cast<P::IntervalLiteralExprContext*>(ctx)) {
    return std::make_unique<ast::CastExpr>(
        MakeStringConstant(c->stringLiteral()->getStart()),
        TransformIntervalType(c, c->typeModifiers(), c->intervalQualifier()),
        ast::CastSyntax::kTypedLiteral, pos);
  }
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
  if (auto* c = dynamic_cast<P::ArraySubqueryExprContext*>(ctx)) {
    return TransformSubquery(ast::SubqueryKind::kArray, c->selectStmt(), pos);
  }
  if (auto* c = dynamic_cast<P::ArrayConstructorExprContext*>(ctx)) {
    auto out = std::make_unique<ast::ArrayExpr>(pos);
    if (c->exprList() != nullptr) out->elements = TransformExprList(c->exprList());
    return out;
  }
  if (auto* c = dynamic_cast<P::PositionExprContext*>(ctx)) {
    // position(sub IN s): strpos(s, sub), named "position" in output.
    auto fn = std::make_unique<ast::FunctionExpr>(pos);
    fn->name = "position";
    fn->args.push_back(TransformOperator(c->operatorExpr(0)));
    fn->args.push_back(TransformOperator(c->operatorExpr(1)));
    return fn;
  }
  if (auto* c = dynamic_cast<P::ExtractExprContext*>(ctx)) {
    auto fn = std::make_unique<ast::FunctionExpr>(pos);
    fn->name = "extract";
    fn->syntax = ast::FunctionSyntax::kExtract;
    P::ExtractFieldContext* field = c->extractField();
    auto field_value = std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kString, Pos(field));
    field_value->str_value =
        field->identifier() != nullptr ? Ident(field->identifier())
                                       : StringValue(field->stringLiteral()->getStart());
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

std::unique_ptr<ast::WindowSpec> Transformer::TransformOverClause(P::OverClauseContext* ctx) {
  auto spec = std::make_unique<ast::WindowSpec>();
  if (ctx->exprList() != nullptr) spec->partition_by = TransformExprList(ctx->exprList());
  if (ctx->orderByClause() != nullptr) spec->order_by = TransformOrderBy(ctx->orderByClause());
  if (auto* frame = ctx->frameClause()) {
    spec->has_frame = true;
    spec->rows = frame->frameMode->getType() == P::ROWS;
    auto bound = [&](P::FrameBoundContext* b) {
      ast::WindowFrameBound out;
      using K = ast::WindowFrameBound::Kind;
      if (dynamic_cast<P::UnboundedPrecedingContext*>(b)) {
        out.kind = K::kUnboundedPreceding;
      } else if (dynamic_cast<P::UnboundedFollowingContext*>(b)) {
        out.kind = K::kUnboundedFollowing;
      } else if (dynamic_cast<P::CurrentRowContext*>(b)) {
        out.kind = K::kCurrentRow;
      } else if (auto* p = dynamic_cast<P::OffsetPrecedingContext*>(b)) {
        out.kind = K::kPreceding;
        out.offset = TransformOperator(p->operatorExpr());
      } else {
        auto* f = dynamic_cast<P::OffsetFollowingContext*>(b);
        out.kind = K::kFollowing;
        out.offset = TransformOperator(f->operatorExpr());
      }
      return out;
    };
    std::vector<P::FrameBoundContext*> bounds = frame->frameBound();
    spec->start = bound(bounds[0]);
    // One bound is the start; the end is then CURRENT ROW, as in PostgreSQL.
    if (bounds.size() == 2) spec->end = bound(bounds[1]);
  }
  return spec;
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
      bool named = false;
      for (P::FunctionArgContext* arg : args->functionArg()) {
        fn->args.push_back(TransformExpr(arg->expr()));
        fn->arg_names.push_back(arg->identifier() != nullptr ? Ident(arg->identifier()) : "");
        named |= arg->identifier() != nullptr;
      }
      if (!named) fn->arg_names.clear();
      if (auto* order = args->orderByClause()) fn->order_by = TransformOrderBy(order);
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
