// PREPARE, EXECUTE and DEALLOCATE.
#include "parser/ast/prepared.h"
#include "parser/transformer.h"

namespace cairn::parser {

ast::StatementPtr Transformer::TransformPrepare(P::PrepareStmtContext* ctx) {
  auto stmt = std::make_unique<ast::PrepareStatement>();
  stmt->name = Ident(ctx->identifier());
  for (auto* type : ctx->typeName()) stmt->types.push_back(TransformTypeName(type));
  if (auto* c = ctx->selectStmt()) {
    auto select = std::make_unique<ast::SelectStatement>();
    select->query = TransformSelectStmt(c);
    stmt->statement = std::move(select);
  } else if (auto* c = ctx->insertStmt()) {
    stmt->statement = TransformInsert(c);
  } else if (auto* c = ctx->updateStmt()) {
    stmt->statement = TransformUpdate(c);
  } else {
    stmt->statement = TransformDelete(ctx->deleteStmt());
  }
  return stmt;
}

ast::StatementPtr Transformer::TransformExecute(P::ExecuteStmtContext* ctx) {
  auto stmt = std::make_unique<ast::ExecuteStatement>();
  stmt->name = Ident(ctx->identifier());
  if (auto* args = ctx->exprList()) stmt->args = TransformExprList(args);
  return stmt;
}

ast::StatementPtr Transformer::TransformDeallocate(P::DeallocateStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DeallocateStatement>();
  if (auto* name = ctx->identifier()) stmt->name = Ident(name);
  return stmt;
}

}  // namespace cairn::parser
