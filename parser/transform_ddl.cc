// CREATE/DROP DATABASE, CREATE/DROP TABLE, CREATE/DROP INDEX, ALTER TABLE,
// TRUNCATE.
#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {
namespace {

ast::SortDirection Direction(antlr4::Token* token) {
  if (token == nullptr) return ast::SortDirection::kDefault;
  return token->getType() == P::ASC ? ast::SortDirection::kAsc : ast::SortDirection::kDesc;
}

ast::NullsOrder Nulls(antlr4::Token* token) {
  if (token == nullptr) return ast::NullsOrder::kDefault;
  return token->getType() == P::FIRST ? ast::NullsOrder::kFirst : ast::NullsOrder::kLast;
}

}  // namespace

ast::StatementPtr Transformer::TransformCreateDatabase(P::CreateDatabaseStmtContext* ctx) {
  auto stmt = std::make_unique<ast::CreateDatabaseStatement>();
  stmt->name = TransformIdentifier(ctx->identifier());
  return stmt;
}

ast::StatementPtr Transformer::TransformDropDatabase(P::DropDatabaseStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DropDatabaseStatement>();
  stmt->name = TransformIdentifier(ctx->identifier());
  stmt->if_exists = ctx->EXISTS() != nullptr;
  return stmt;
}

ast::StatementPtr Transformer::TransformCreateTable(P::CreateTableStmtContext* ctx) {
  auto stmt = std::make_unique<ast::CreateTableStatement>();
  stmt->name = TransformQualifiedName(ctx->qualifiedName());
  stmt->if_not_exists = ctx->EXISTS() != nullptr;
  for (auto* element : ctx->tableElement()) {
    if (auto* column = element->columnDef()) {
      stmt->columns.push_back(TransformColumnDef(column));
    } else {
      stmt->constraints.push_back(TransformTableConstraint(element->tableConstraint()));
    }
  }
  stmt->storage_params = TransformOptionList(ctx->optionList());
  return stmt;
}

ast::ColumnDef Transformer::TransformColumnDef(P::ColumnDefContext* ctx) {
  ast::ColumnDef column;
  column.name = TransformIdentifier(ctx->identifier());
  column.type = TransformTypeName(ctx->typeName());
  for (auto* constraint : ctx->columnConstraint()) {
    column.constraints.push_back(TransformColumnConstraint(constraint));
  }
  return column;
}

ast::Constraint Transformer::TransformColumnConstraint(P::ColumnConstraintContext* ctx) {
  ast::Constraint out;
  out.position = Pos(ctx);
  if (ctx->CONSTRAINT()) out.name = Ident(ctx->identifier());
  P::ColumnConstraintBodyContext* body = ctx->columnConstraintBody();
  if (dynamic_cast<P::NotNullConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kNotNull;
  } else if (dynamic_cast<P::NullConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kNull;
  } else if (dynamic_cast<P::PrimaryKeyColumnConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kPrimaryKey;
  } else if (dynamic_cast<P::UniqueColumnConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kUnique;
  } else if (auto* check = dynamic_cast<P::CheckColumnConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kCheck;
    out.expr = TransformExpr(check->expr());
  } else if (auto* def = dynamic_cast<P::DefaultConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kDefault;
    out.expr = TransformExpr(def->expr());
  } else {
    auto* ref = dynamic_cast<P::ReferencesConstraintContext*>(body);
    out.kind = ast::ConstraintKind::kForeignKey;
    out.ref_table = TransformQualifiedName(ref->qualifiedName());
    out.ref_columns = TransformColumnNameList(ref->columnNameList());
    TransformReferentialActions(ref->referentialAction(), &out);
    TransformConstraintTiming(ref->constraintTiming(), &out);
  }
  return out;
}

ast::Constraint Transformer::TransformTableConstraint(P::TableConstraintContext* ctx) {
  ast::Constraint out;
  out.position = Pos(ctx);
  if (ctx->CONSTRAINT()) out.name = Ident(ctx->identifier());
  P::TableConstraintBodyContext* body = ctx->tableConstraintBody();
  if (auto* pk = dynamic_cast<P::PrimaryKeyTableConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kPrimaryKey;
    out.columns = TransformColumnNameList(pk->columnNameList());
  } else if (auto* unique = dynamic_cast<P::UniqueTableConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kUnique;
    out.columns = TransformColumnNameList(unique->columnNameList());
  } else if (auto* check = dynamic_cast<P::CheckTableConstraintContext*>(body)) {
    out.kind = ast::ConstraintKind::kCheck;
    out.expr = TransformExpr(check->expr());
  } else {
    auto* fk = dynamic_cast<P::ForeignKeyTableConstraintContext*>(body);
    out.kind = ast::ConstraintKind::kForeignKey;
    out.columns = TransformColumnNameList(fk->columnNameList(0));
    out.ref_table = TransformQualifiedName(fk->qualifiedName());
    out.ref_columns = TransformColumnNameList(fk->columnNameList(1));
    TransformReferentialActions(fk->referentialAction(), &out);
    TransformConstraintTiming(fk->constraintTiming(), &out);
  }
  return out;
}

void Transformer::TransformReferentialActions(
    const std::vector<P::ReferentialActionContext*>& ctxs, ast::Constraint* constraint) {
  for (auto* ctx : ctxs) {
    ast::ReferentialAction action = ast::ReferentialAction::kNoAction;
    if (ctx->CASCADE()) action = ast::ReferentialAction::kCascade;
    if (ctx->RESTRICT()) action = ast::ReferentialAction::kRestrict;
    if (ctx->NULL_P()) action = ast::ReferentialAction::kSetNull;
    if (ctx->DEFAULT()) action = ast::ReferentialAction::kSetDefault;
    if (ctx->event->getType() == P::DELETE) {
      constraint->on_delete = action;
    } else {
      constraint->on_update = action;
    }
  }
}

void Transformer::TransformConstraintTiming(P::ConstraintTimingContext* ctx,
                                            ast::Constraint* constraint) {
  if (ctx == nullptr) return;
  // INITIALLY DEFERRED alone implies DEFERRABLE, as in PostgreSQL.
  constraint->initially_deferred =
      ctx->initially != nullptr && ctx->initially->getType() == P::DEFERRED;
  constraint->deferrable = (ctx->DEFERRABLE() != nullptr && ctx->NOT() == nullptr) ||
                           (ctx->DEFERRABLE() == nullptr && constraint->initially_deferred);
  if (constraint->initially_deferred && !constraint->deferrable) {
    SyntaxError("constraint declared INITIALLY DEFERRED must be DEFERRABLE", ctx->getStart());
  }
}

ast::DropBehavior Transformer::TransformDropBehavior(P::DropBehaviorContext* ctx) {
  if (ctx == nullptr) return ast::DropBehavior::kDefault;
  return ctx->CASCADE() ? ast::DropBehavior::kCascade : ast::DropBehavior::kRestrict;
}

ast::StatementPtr Transformer::TransformDropTable(P::DropTableStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DropTableStatement>();
  stmt->names = TransformQualifiedNameList(ctx->qualifiedNameList());
  stmt->if_exists = ctx->EXISTS() != nullptr;
  stmt->behavior = TransformDropBehavior(ctx->dropBehavior());
  return stmt;
}

ast::StatementPtr Transformer::TransformCreateIndex(P::CreateIndexStmtContext* ctx) {
  auto stmt = std::make_unique<ast::CreateIndexStatement>();
  stmt->unique = ctx->UNIQUE() != nullptr;
  stmt->if_not_exists = ctx->EXISTS() != nullptr;
  const size_t on_index = ctx->ON()->getSymbol()->getTokenIndex();
  for (auto* id : ctx->identifier()) {
    // Before ON: the index name; after USING: the access method.
    if (id->getStart()->getTokenIndex() < on_index) {
      stmt->name = TransformIdentifier(id);
    } else {
      stmt->method = Ident(id);
    }
  }
  stmt->table = TransformQualifiedName(ctx->qualifiedName());
  for (auto* elem_ctx : ctx->indexElem()) {
    ast::IndexElem elem;
    if (auto* id = elem_ctx->identifier()) {
      elem.column = TransformIdentifier(id);
    } else {
      elem.expr = TransformExpr(elem_ctx->expr());
    }
    elem.direction = Direction(elem_ctx->direction);
    elem.nulls = Nulls(elem_ctx->nulls);
    stmt->elems.push_back(std::move(elem));
  }
  stmt->storing = TransformColumnNameList(ctx->columnNameList());
  if (auto* where = ctx->whereClause()) stmt->where = TransformExpr(where->expr());
  return stmt;
}

ast::StatementPtr Transformer::TransformDropIndex(P::DropIndexStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DropIndexStatement>();
  stmt->names = TransformQualifiedNameList(ctx->qualifiedNameList());
  stmt->if_exists = ctx->EXISTS() != nullptr;
  stmt->behavior = TransformDropBehavior(ctx->dropBehavior());
  return stmt;
}

ast::StatementPtr Transformer::TransformAlterTable(P::AlterTableStmtContext* ctx) {
  auto stmt = std::make_unique<ast::AlterTableStatement>();
  stmt->table = TransformQualifiedName(ctx->qualifiedName());
  stmt->if_exists = ctx->EXISTS() != nullptr;
  std::vector<P::AlterTableCmdContext*> cmds = ctx->alterTableCmd();
  for (auto* cmd : cmds) {
    const bool rename = dynamic_cast<P::RenameColumnContext*>(cmd) != nullptr ||
                        dynamic_cast<P::RenameConstraintContext*>(cmd) != nullptr ||
                        dynamic_cast<P::RenameTableContext*>(cmd) != nullptr ||
                        dynamic_cast<P::SplitAtContext*>(cmd) != nullptr;
    if (rename && cmds.size() > 1) {
      // PostgreSQL's RENAME forms stand alone, and so does SPLIT AT.
      SyntaxError("syntax error at or near \",\"", ctx->COMMA(0)->getSymbol());
    }
    stmt->cmds.push_back(TransformAlterTableCmd(cmd));
  }
  return stmt;
}

ast::AlterTableCmd Transformer::TransformAlterTableCmd(P::AlterTableCmdContext* ctx) {
  ast::AlterTableCmd cmd;
  cmd.position = Pos(ctx);
  if (auto* c = dynamic_cast<P::AddColumnContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kAddColumn;
    cmd.if_not_exists = c->EXISTS() != nullptr;
    cmd.column_def = TransformColumnDef(c->columnDef());
  } else if (auto* c = dynamic_cast<P::AddConstraintContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kAddConstraint;
    cmd.constraint = TransformTableConstraint(c->tableConstraint());
  } else if (auto* c = dynamic_cast<P::DropColumnContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kDropColumn;
    cmd.name = TransformIdentifier(c->identifier());
    cmd.if_exists = c->EXISTS() != nullptr;
    cmd.behavior = TransformDropBehavior(c->dropBehavior());
  } else if (auto* c = dynamic_cast<P::DropConstraintContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kDropConstraint;
    cmd.name = TransformIdentifier(c->identifier());
    cmd.if_exists = c->EXISTS() != nullptr;
    cmd.behavior = TransformDropBehavior(c->dropBehavior());
  } else if (auto* c = dynamic_cast<P::SetColumnDefaultContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kSetDefault;
    cmd.name = TransformIdentifier(c->identifier());
    cmd.expr = TransformExpr(c->expr());
  } else if (auto* c = dynamic_cast<P::DropColumnDefaultContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kDropDefault;
    cmd.name = TransformIdentifier(c->identifier());
  } else if (auto* c = dynamic_cast<P::SetNotNullContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kSetNotNull;
    cmd.name = TransformIdentifier(c->identifier());
  } else if (auto* c = dynamic_cast<P::DropNotNullContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kDropNotNull;
    cmd.name = TransformIdentifier(c->identifier());
  } else if (auto* c = dynamic_cast<P::AlterColumnTypeContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kAlterType;
    cmd.name = TransformIdentifier(c->identifier());
    cmd.type = TransformTypeName(c->typeName());
  } else if (auto* c = dynamic_cast<P::RenameColumnContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kRenameColumn;
    cmd.name = TransformIdentifier(c->identifier(0));
    cmd.new_name = TransformIdentifier(c->identifier(1));
  } else if (auto* c = dynamic_cast<P::RenameConstraintContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kRenameConstraint;
    cmd.name = TransformIdentifier(c->identifier(0));
    cmd.new_name = TransformIdentifier(c->identifier(1));
  } else if (auto* c = dynamic_cast<P::SplitAtContext*>(ctx)) {
    cmd.kind = ast::AlterTableCmdKind::kSplitAt;
    for (auto* row_ctx : c->valuesClause()->valuesRow()) {
      std::vector<ast::ExprPtr> row;
      for (auto* e : row_ctx->exprOrDefault()) {
        row.push_back(e->DEFAULT() != nullptr ? nullptr : TransformExpr(e->expr()));
      }
      cmd.split_rows.push_back(std::move(row));
    }
  } else {
    auto* rename = dynamic_cast<P::RenameTableContext*>(ctx);
    cmd.kind = ast::AlterTableCmdKind::kRenameTable;
    cmd.new_name = TransformIdentifier(rename->identifier());
  }
  return cmd;
}

ast::StatementPtr Transformer::TransformTruncate(P::TruncateStmtContext* ctx) {
  auto stmt = std::make_unique<ast::TruncateStatement>();
  stmt->tables = TransformQualifiedNameList(ctx->qualifiedNameList());
  stmt->behavior = TransformDropBehavior(ctx->dropBehavior());
  return stmt;
}

ast::StatementPtr Transformer::TransformVacuum(P::VacuumStmtContext* ctx) {
  auto stmt = std::make_unique<ast::VacuumStatement>();
  stmt->vacuum = ctx->VACUUM() != nullptr;
  stmt->analyze = !stmt->vacuum || !ctx->ANALYZE().empty();
  stmt->full = !ctx->FULL().empty();
  stmt->freeze = !ctx->FREEZE().empty();
  stmt->verbose = !ctx->VERBOSE().empty();
  if (auto* tables = ctx->qualifiedNameList()) stmt->tables = TransformQualifiedNameList(tables);
  return stmt;
}

}  // namespace cairn::parser
