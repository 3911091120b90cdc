// PREPARE, EXECUTE and DEALLOCATE: prepared statements made with SQL. They
// are the extended protocol's (Session::Prepare), kept by name apart from
// the protocol's, as in PostgreSQL's pg_prepared_statements.

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "executor/session.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/scope.h"

namespace cairn::executor {

absl::StatusOr<StatementResult> Session::SqlPrepare(const ast::PrepareStatement& stmt) {
  if (sql_prepared_.contains(stmt.name)) {
    return MakeError(ErrorCode::kDuplicatePreparedStatement,
                     absl::StrFormat("prepared statement \"%s\" already exists", stmt.name));
  }
  std::vector<SqlType> declared;
  for (const ast::TypeName& t : stmt.types) {
    CAIRN_ASSIGN_OR_RETURN(ast::ResolvedType resolved, ast::ResolveType(t));
    declared.push_back(resolved.type);
  }
  CAIRN_ASSIGN_OR_RETURN(std::shared_ptr<PreparedStatement> prepared,
                         Prepare(stmt.statement->ToString(), declared));
  sql_prepared_[stmt.name] = std::move(prepared);
  StatementResult result;
  result.command_tag = "PREPARE";
  return result;
}

absl::StatusOr<StatementResult> Session::SqlExecute(const ast::ExecuteStatement& stmt) {
  auto it = sql_prepared_.find(stmt.name);
  if (it == sql_prepared_.end()) {
    return MakeError(ErrorCode::kInvalidSqlStatementName,
                     absl::StrFormat("prepared statement \"%s\" does not exist", stmt.name));
  }
  auto& prepared = static_cast<PreparedQuery&>(*it->second);
  const std::vector<SqlType>& types = prepared.parameter_types();
  if (stmt.args.size() != types.size()) {
    return WithDetail(
        MakeError(ErrorCode::kSyntaxError,
                  absl::StrFormat("wrong number of parameters for prepared statement \"%s\"",
                                  stmt.name)),
        absl::StrFormat("Expected %d parameters but got %d.", types.size(), stmt.args.size()));
  }
  // The values are expressions without columns, converted to the
  // parameters' types as an assignment would.
  std::vector<Value> values;
  planner::Scope no_columns;
  ExecContext ctx;
  static const Row kNoRow;
  for (size_t i = 0; i < types.size(); ++i) {
    planner::ExpressionBinder binder(&no_columns);
    CAIRN_ASSIGN_OR_RETURN(auto bound, binder.Bind(*stmt.args[i]));
    CAIRN_ASSIGN_OR_RETURN(bound, planner::ExpressionBinder::CoerceForAssignment(
                                      std::move(bound), types[i], absl::StrFormat("$%d", i + 1)));
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*bound, kNoRow, &ctx));
    values.push_back(std::move(v));
  }
  if (prepared.empty()) return MakeError(ErrorCode::kInternal, "empty prepared statement");
  return ExecuteStatement(*prepared.statement_,
                          Bindings{.prepared = &prepared, .params = &values});
}

absl::StatusOr<StatementResult> Session::SqlDeallocate(const ast::DeallocateStatement& stmt) {
  StatementResult result;
  if (stmt.name.empty()) {
    sql_prepared_.clear();
    result.command_tag = "DEALLOCATE ALL";
    return result;
  }
  if (sql_prepared_.erase(stmt.name) == 0) {
    return MakeError(ErrorCode::kInvalidSqlStatementName,
                     absl::StrFormat("prepared statement \"%s\" does not exist", stmt.name));
  }
  result.command_tag = "DEALLOCATE";
  return result;
}

}  // namespace cairn::executor
