// INSERT, UPDATE, DELETE.
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {

ast::StatementPtr Transformer::TransformInsert(P::InsertStmtContext* ctx) {
  auto stmt = std::make_unique<ast::InsertStatement>();
  stmt->with = TransformWithClause(ctx->withClause());
  stmt->table = TransformQualifiedName(ctx->qualifiedName());
  if (auto* alias = ctx->identifier()) stmt->alias = Ident(alias);
  stmt->columns = TransformColumnNameList(ctx->columnNameList());
  if (auto* select = ctx->selectStmt()) stmt->source = TransformSelectStmt(select);
  if (auto* conflict = ctx->onConflictClause()) {
    auto out = std::make_unique<ast::OnConflictClause>();
    out->position = Pos(conflict);
    out->target_columns = TransformColumnNameList(conflict->columnNameList());
    if (conflict->CONSTRAINT()) out->constraint = Ident(conflict->identifier());
    if (conflict->UPDATE()) {
      out->action = ast::OnConflictAction::kUpdate;
      out->set = TransformSetClauses(conflict->setClause());
      if (auto* where = conflict->whereClause()) out->where = TransformExpr(where->expr());
      if (out->target_columns.empty() && out->constraint.empty()) {
        // PostgreSQL requires an arbiter for DO UPDATE.
        Fail(MakeError(ErrorCode::kSyntaxError,
                       "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                       out->position));
      }
    }
    stmt->on_conflict = std::move(out);
  }
  stmt->returning = TransformReturning(ctx->returningClause());
  return stmt;
}

ast::StatementPtr Transformer::TransformUpdate(P::UpdateStmtContext* ctx) {
  auto stmt = std::make_unique<ast::UpdateStatement>();
  stmt->with = TransformWithClause(ctx->withClause());
  stmt->table = TransformQualifiedName(ctx->qualifiedName());
  if (auto* alias = ctx->identifier()) stmt->alias = Ident(alias);
  stmt->set = TransformSetClauses(ctx->setClause());
  if (auto* from = ctx->fromClause()) stmt->from = TransformFromItems(from->fromItem());
  if (auto* where = ctx->whereClause()) stmt->where = TransformExpr(where->expr());
  stmt->returning = TransformReturning(ctx->returningClause());
  return stmt;
}

ast::StatementPtr Transformer::TransformDelete(P::DeleteStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DeleteStatement>();
  stmt->with = TransformWithClause(ctx->withClause());
  stmt->table = TransformQualifiedName(ctx->qualifiedName());
  if (auto* alias = ctx->identifier()) stmt->alias = Ident(alias);
  stmt->using_tables = TransformFromItems(ctx->fromItem());
  if (auto* where = ctx->whereClause()) stmt->where = TransformExpr(where->expr());
  stmt->returning = TransformReturning(ctx->returningClause());
  return stmt;
}

std::vector<ast::SetClause> Transformer::TransformSetClauses(
    const std::vector<P::SetClauseContext*>& ctxs) {
  std::vector<ast::SetClause> out;
  for (auto* ctx : ctxs) {
    if (auto* single = dynamic_cast<P::SingleSetContext*>(ctx)) {
      out.push_back({TransformIdentifier(single->identifier()),
                     TransformExprOrDefault(single->exprOrDefault())});
      continue;
    }
    // (a, b) = (1, 2) is a = 1, b = 2.
    auto* multi = dynamic_cast<P::MultiSetContext*>(ctx);
    std::vector<ast::Identifier> columns = TransformColumnNameList(multi->columnNameList());
    std::vector<P::ExprOrDefaultContext*> values = multi->exprOrDefault();
    if (columns.size() != values.size()) {
      Fail(MakeError(ErrorCode::kSyntaxError,
                     "number of columns does not match number of values", Pos(values[0])));
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      out.push_back({std::move(columns[i]), TransformExprOrDefault(values[i])});
    }
  }
  return out;
}

std::vector<ast::ResultTarget> Transformer::TransformReturning(P::ReturningClauseContext* ctx) {
  if (ctx == nullptr) return {};
  return TransformTargetList(ctx->targetList());
}

ast::StatementPtr Transformer::TransformCopy(P::CopyStmtContext* ctx) {
  auto stmt = std::make_unique<ast::CopyStatement>();
  if (auto* select = ctx->selectStmt()) {
    stmt->query = std::make_unique<ast::SelectStatement>();
    stmt->query->query = TransformSelectStmt(select);
  } else {
    stmt->table = TransformQualifiedName(ctx->qualifiedName());
    stmt->columns = TransformColumnNameList(ctx->columnNameList());
  }
  stmt->is_from = ctx->direction->getType() == P::FROM;
  if (stmt->query != nullptr && stmt->is_from) {
    SyntaxError("syntax error at or near \"FROM\"", ctx->direction);  // as PostgreSQL
  }
  if (auto* file = ctx->stringLiteral()) stmt->filename = StringValue(file->getStart());
  stmt->options = TransformOptionList(ctx->optionList());
  // The pre-9.0 option words, in PostgreSQL's parenthesised spelling.
  for (auto* legacy : ctx->copyLegacyOption()) {
    ast::Option option;
    option.position = Pos(legacy);
    if (legacy->BINARY()) {
      option = {"format", "binary", option.position};
    } else if (legacy->CSV()) {
      option = {"format", "csv", option.position};
    } else if (legacy->HEADER()) {
      option.name = "header";
    } else if (legacy->FREEZE()) {
      option.name = "freeze";
    } else {
      option.name = legacy->DELIMITER() ? "delimiter" : "null";
      option.value = StringValue(legacy->stringLiteral()->getStart());
    }
    stmt->options.push_back(std::move(option));
  }
  return stmt;
}

}  // namespace cairn::parser
