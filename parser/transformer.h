#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "CairnSqlParser.h"
#include "absl/status/status.h"
#include "parser/ast/ddl.h"
#include "parser/ast/dml.h"
#include "parser/ast/expr.h"
#include "parser/ast/query.h"
#include "parser/ast/roles.h"
#include "parser/ast/session.h"
#include "parser/ast/statement.h"
#include "parser/source_text.h"

namespace cairn::parser {

using P = cairn_antlr::CairnSqlParser;

// Thrown inside the transform when the tree is well-formed but the statement
// is not acceptable (a zero-length quoted identifier, a VALUES list of
// uneven rows, an unsupported feature). Caught in parser.cc: it never leaves
// the module.
struct TransformError {
  absl::Status status;
};

// Turns ANTLR parse trees into the AST (DuckDB's Transformer). One method
// per grammar rule, grouped by the transform_*.cc file named in each
// section. Stateless apart from the source text; one per parse.
class Transformer {
 public:
  explicit Transformer(const SourceText& source) : source_(source) {}

  // transformer.cc
  ast::StatementPtr TransformStatement(P::StatementContext* ctx);
  [[noreturn]] static void Fail(absl::Status status);
  // 42601 with the position of `token`.
  [[noreturn]] static void SyntaxError(std::string_view message, antlr4::Token* token);

  // transform_expression.cc
  ast::ExprPtr TransformExpr(P::ExprContext* ctx);
  ast::ExprList TransformExprList(P::ExprListContext* ctx);
  std::vector<ast::OrderByItem> TransformOrderBy(P::OrderByClauseContext* ctx);
  ast::ExprPtr TransformExprOrDefault(P::ExprOrDefaultContext* ctx);

 private:
  // transformer.cc: names and positions.
  static int Pos(antlr4::Token* token) { return static_cast<int>(token->getStartIndex()) + 1; }
  static int Pos(antlr4::tree::TerminalNode* node) { return Pos(node->getSymbol()); }
  static int Pos(antlr4::ParserRuleContext* ctx) { return Pos(ctx->getStart()); }
  std::string Ident(P::IdentifierContext* ctx);
  ast::Identifier TransformIdentifier(P::IdentifierContext* ctx);
  std::vector<ast::Identifier> TransformColumnNameList(P::ColumnNameListContext* ctx);
  std::vector<std::string> ColumnNameStrings(P::ColumnNameListContext* ctx);
  ast::ObjectName TransformQualifiedName(P::QualifiedNameContext* ctx);
  std::vector<ast::ObjectName> TransformQualifiedNameList(P::QualifiedNameListContext* ctx);
  std::string ColLabel(P::ColLabelContext* ctx);

  // transform_select.cc
  ast::QueryNodePtr TransformSelectStmt(P::SelectStmtContext* ctx);
  std::unique_ptr<ast::WithClause> TransformWithClause(P::WithClauseContext* ctx);
  ast::QueryNodePtr TransformSetExpr(P::SetExprContext* ctx);
  ast::QueryNodePtr TransformSetTerm(P::SetTermContext* ctx);
  ast::QueryNodePtr TransformSetPrimary(P::SetPrimaryContext* ctx);
  ast::QueryNodePtr TransformSimpleSelect(P::SimpleSelectContext* ctx);
  ast::QueryNodePtr TransformValuesClause(P::ValuesClauseContext* ctx);
  std::vector<ast::ResultTarget> TransformTargetList(P::TargetListContext* ctx);
  std::vector<ast::TableRefPtr> TransformFromItems(const std::vector<P::FromItemContext*>& items);
  ast::TableRefPtr TransformFromItem(P::FromItemContext* ctx);
  ast::TableRefPtr TransformTablePrimary(P::TablePrimaryContext* ctx);
  ast::TableAlias TransformAlias(P::AliasClauseContext* ctx);
  void ApplyModifiers(P::SelectStmtContext* ctx, ast::QueryNode* query);

  // transform_dml.cc
  ast::StatementPtr TransformInsert(P::InsertStmtContext* ctx);
  ast::StatementPtr TransformUpdate(P::UpdateStmtContext* ctx);
  ast::StatementPtr TransformDelete(P::DeleteStmtContext* ctx);
  std::vector<ast::SetClause> TransformSetClauses(const std::vector<P::SetClauseContext*>& ctxs);
  std::vector<ast::ResultTarget> TransformReturning(P::ReturningClauseContext* ctx);
  ast::StatementPtr TransformCopy(P::CopyStmtContext* ctx);

  // transform_ddl.cc
  ast::StatementPtr TransformCreateDatabase(P::CreateDatabaseStmtContext* ctx);
  ast::StatementPtr TransformDropDatabase(P::DropDatabaseStmtContext* ctx);
  ast::StatementPtr TransformCreateTable(P::CreateTableStmtContext* ctx);
  ast::ColumnDef TransformColumnDef(P::ColumnDefContext* ctx);
  ast::Constraint TransformColumnConstraint(P::ColumnConstraintContext* ctx);
  ast::Constraint TransformTableConstraint(P::TableConstraintContext* ctx);
  void TransformConstraintTiming(P::ConstraintTimingContext* ctx, ast::Constraint* constraint);
  void TransformReferentialActions(const std::vector<P::ReferentialActionContext*>& ctxs,
                                   ast::Constraint* constraint);
  ast::StatementPtr TransformDropTable(P::DropTableStmtContext* ctx);
  ast::StatementPtr TransformCreateIndex(P::CreateIndexStmtContext* ctx);
  ast::StatementPtr TransformDropIndex(P::DropIndexStmtContext* ctx);
  ast::StatementPtr TransformAlterTable(P::AlterTableStmtContext* ctx);
  ast::AlterTableCmd TransformAlterTableCmd(P::AlterTableCmdContext* ctx);
  ast::StatementPtr TransformTruncate(P::TruncateStmtContext* ctx);
  ast::StatementPtr TransformVacuum(P::VacuumStmtContext* ctx);
  ast::StatementPtr TransformDeclareCursor(P::DeclareCursorStmtContext* ctx);
  ast::StatementPtr TransformFetch(P::FetchStmtContext* ctx);
  ast::StatementPtr TransformCloseCursor(P::CloseCursorStmtContext* ctx);
  ast::StatementPtr TransformPrepare(P::PrepareStmtContext* ctx);
  // Roles and privileges (transform_roles.cc).
  ast::StatementPtr TransformCreateRole(P::CreateRoleStmtContext* ctx);
  ast::StatementPtr TransformAlterRole(P::AlterRoleStmtContext* ctx);
  ast::StatementPtr TransformDropRole(P::DropRoleStmtContext* ctx);
  ast::StatementPtr TransformGrant(P::GrantStmtContext* ctx);
  ast::StatementPtr TransformRevoke(P::RevokeStmtContext* ctx);
  std::vector<ast::RoleOption> TransformRoleOptions(
      const std::vector<P::RoleOptionContext*>& options);
  ast::RoleSpec TransformRoleSpec(P::RoleSpecContext* ctx);
  void TransformPrivileges(P::PrivilegeListContext* list, P::PrivilegeTargetContext* target,
                           P::GranteeListContext* grantees, ast::GrantStatement* stmt);
  ast::StatementPtr TransformExecute(P::ExecuteStmtContext* ctx);
  ast::StatementPtr TransformDeallocate(P::DeallocateStmtContext* ctx);
  static ast::DropBehavior TransformDropBehavior(P::DropBehaviorContext* ctx);

  // transform_session.cc
  ast::StatementPtr TransformTransaction(P::TransactionStmtContext* ctx);
  ast::TransactionModes TransformTransactionModes(P::TransactionModeListContext* ctx);
  ast::StatementPtr TransformSet(P::SetStmtContext* ctx);
  std::string TransformVarValue(P::VarValueContext* ctx);
  std::string TransformVarName(P::VarNameContext* ctx);
  ast::StatementPtr TransformShow(P::ShowStmtContext* ctx);
  ast::StatementPtr TransformReset(P::ResetStmtContext* ctx);
  ast::StatementPtr TransformExplain(P::ExplainStmtContext* ctx);
  std::vector<ast::Option> TransformOptionList(P::OptionListContext* ctx);

  // transform_expression.cc. The two left-recursive rules arrive as left
  // spines of contexts; they are walked iteratively (a Leaf, then one Step
  // per context), so long chains do not recurse.
  ast::ExprPtr TransformExprLeaf(P::ExprContext* ctx);
  ast::ExprPtr TransformExprStep(P::ExprContext* ctx, ast::ExprPtr left);
  ast::ExprPtr TransformOperatorLeaf(P::OperatorExprContext* ctx);
  ast::ExprPtr TransformOperatorStep(P::OperatorExprContext* ctx, ast::ExprPtr left);
  ast::ExprPtr TransformPredicate(ast::ExprPtr operand, P::PredicateSuffixContext* suffix);
  ast::ExprPtr TransformOperator(P::OperatorExprContext* ctx);
  ast::ExprPtr TransformUnaryMinus(ast::ExprPtr operand, int position);
  ast::ExprPtr TransformPrimary(P::PrimaryExprContext* ctx);
  std::unique_ptr<ast::FunctionExpr> TransformFunctionCall(P::FunctionNameContext* name,
                                                           P::FunctionArgsContext* args);
  std::unique_ptr<ast::WindowSpec> TransformOverClause(P::OverClauseContext* ctx);
  ast::ExprPtr TransformCase(P::CaseExprContext* ctx);
  ast::ExprPtr TransformSubquery(ast::SubqueryKind kind, P::SelectStmtContext* ctx, int position);

  // transform_literal.cc
  ast::ExprPtr TransformLiteral(P::LiteralContext* ctx);
  ast::ExprPtr MakeStringConstant(antlr4::Token* token);
  // The contents of a string token ('..', E'..', $$..$$) after quote and
  // escape processing.
  std::string StringValue(antlr4::Token* token);
  static ast::ExprPtr MakeNumericConstant(std::string text, int position);

  // transform_type.cc
  ast::TypeName TransformTypeName(P::TypeNameContext* ctx);
  ast::TypeName TransformSimpleTypeName(P::SimpleTypeNameContext* ctx);
  // INTERVAL [(p)] [fields [(p)]]: the type "interval" with its qualifier.
  ast::TypeName TransformIntervalType(antlr4::ParserRuleContext* ctx,
                                      P::TypeModifiersContext* modifiers,
                                      P::IntervalQualifierContext* qualifier);

 public:
  // Bounds the depth of the tree being built, so that no layer that walks
  // it recursively (ToString, destructors, the binder) can run out of
  // stack: each open level adds to depth_, and going past kMaxTreeDepth
  // fails with "statement too complex". AND/OR chains are built balanced,
  // so they add only log2 of their length.
  static constexpr size_t kMaxTreeDepth = 1000;
  class DepthGuard {
   public:
    DepthGuard(Transformer* transformer, size_t levels, antlr4::ParserRuleContext* ctx);
    ~DepthGuard() { transformer_->depth_ -= levels_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Transformer* transformer_;
    size_t levels_;
  };

 private:
  const SourceText& source_;
  size_t depth_ = 0;
  // An AS OF SYSTEM TIME clause met in a FROM clause, for the statement.
  ast::ExprPtr as_of_;
};

// Lower-cases ASCII letters only, as PostgreSQL does for identifiers in a
// multi-byte encoding.
std::string AsciiLower(std::string_view text);

}  // namespace cairn::parser
