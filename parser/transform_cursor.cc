// DECLARE, FETCH / MOVE and CLOSE.
#include "absl/strings/numbers.h"
#include "parser/ast/cursor.h"
#include "parser/transformer.h"

namespace cairn::parser {

ast::StatementPtr Transformer::TransformDeclareCursor(P::DeclareCursorStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DeclareCursorStatement>();
  stmt->name = Ident(ctx->identifier());
  stmt->binary = ctx->BINARY() != nullptr;
  // The rows are kept, so any cursor can go back but a NO SCROLL one.
  stmt->scroll = ctx->NO() == nullptr;
  stmt->with_hold = ctx->holding != nullptr && ctx->holding->getType() == P::WITH;
  stmt->query = std::make_unique<ast::SelectStatement>();
  stmt->query->query = TransformSelectStmt(ctx->selectStmt());
  return stmt;
}

ast::StatementPtr Transformer::TransformFetch(P::FetchStmtContext* ctx) {
  auto stmt = std::make_unique<ast::FetchStatement>();
  stmt->move = ctx->MOVE() != nullptr;
  stmt->cursor = Ident(ctx->identifier());
  auto count_of = [this](P::SignedCountContext* c) -> int64_t {
    int64_t n = 0;
    if (!absl::SimpleAtoi(c->INTEGER_LITERAL()->getText(), &n)) {
      SyntaxError("FETCH count out of range", c->getStart());
    }
    return c->MINUS() != nullptr ? -n : n;
  };
  if (auto* d = ctx->fetchDirection()) {
    if (d->NEXT() != nullptr) {
      stmt->count = 1;
    } else if (d->PRIOR() != nullptr) {
      stmt->direction = ast::FetchDirection::kBackward;
    } else if (d->FIRST() != nullptr) {
      stmt->direction = ast::FetchDirection::kAbsolute;
    } else if (d->LAST() != nullptr) {
      stmt->direction = ast::FetchDirection::kAbsolute;
      stmt->count = -1;
    } else if (d->ABSOLUTE() != nullptr || d->RELATIVE() != nullptr) {
      stmt->direction = d->ABSOLUTE() != nullptr ? ast::FetchDirection::kAbsolute
                                                 : ast::FetchDirection::kRelative;
      stmt->count = count_of(d->signedCount());
    } else if (d->FORWARD() != nullptr || d->BACKWARD() != nullptr) {
      if (d->BACKWARD() != nullptr) stmt->direction = ast::FetchDirection::kBackward;
      if (d->ALL() != nullptr) stmt->all = true;
      if (auto* c = d->signedCount()) stmt->count = count_of(c);
    } else if (d->ALL() != nullptr) {
      stmt->all = true;
    } else if (auto* c = d->signedCount()) {
      stmt->count = count_of(c);
    }
  }
  // A negative count goes the other way, as in PostgreSQL.
  if (stmt->count < 0 && (stmt->direction == ast::FetchDirection::kForward ||
                          stmt->direction == ast::FetchDirection::kBackward)) {
    stmt->count = -stmt->count;
    stmt->direction = stmt->direction == ast::FetchDirection::kForward
                          ? ast::FetchDirection::kBackward
                          : ast::FetchDirection::kForward;
  }
  return stmt;
}

ast::StatementPtr Transformer::TransformCloseCursor(P::CloseCursorStmtContext* ctx) {
  auto stmt = std::make_unique<ast::CloseCursorStatement>();
  if (auto* name = ctx->identifier()) stmt->name = Ident(name);
  return stmt;
}

}  // namespace cairn::parser
