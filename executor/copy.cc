// COPY, the session's half: COPY t [(columns)] FROM STDIN loads the rows
// the client streams into the table, in the statement's transaction (so a
// COPY that fails leaves nothing behind); COPY t | (query) TO STDOUT streams
// rows out. The client's half is pgwire's (CopyChannel).

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "common/value_text.h"
#include "executor/ddl.h"
#include "executor/expression_evaluator.h"
#include "executor/privilege_checker.h"
#include "executor/operators/dml_support.h"
#include "executor/session.h"
#include "parser/ast/sql_text.h"
#include "parser/parser.h"
#include "planner/binder/binder.h"

namespace cairn::executor {
namespace {

// PostgreSQL's CONTEXT line for an error in one row of COPY FROM.
std::string RowContext(const std::string& table, int64_t line) {
  return absl::StrFormat("COPY %s, line %d", table, line);
}

}  // namespace

absl::StatusOr<StatementResult> Session::ExecuteCopy(const ast::CopyStatement& stmt,
                                                     txn::Txn* txn, const Bindings& bindings) {
  if (!stmt.filename.empty()) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "COPY to or from a file on the server is not supported; use STDIN or "
                     "STDOUT (psql's \\copy reads and writes files on the client)");
  }
  if (bindings.copy == nullptr) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "COPY FROM STDIN and TO STDOUT are supported in simple Query messages only");
  }
  CAIRN_ASSIGN_OR_RETURN(CopyOptions options, CopyOptions::FromAst(stmt.options));
  return stmt.is_from ? CopyFrom(stmt, options, txn, bindings.copy)
                      : CopyTo(stmt, options, txn, bindings.copy);
}

absl::StatusOr<StatementResult> Session::CopyFrom(const ast::CopyStatement& stmt,
                                                  const CopyOptions& options, txn::Txn* txn,
                                                  CopyChannel* channel) {
  CAIRN_RETURN_IF_ERROR(CheckSchema(stmt.table));
  CAIRN_ASSIGN_OR_RETURN(auto found, deps_.catalog->GetTable(txn, database_id_, stmt.table.name));
  if (!found) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", stmt.table.name),
                     stmt.table.position);
  }
  const catalog::TableInfo& table = *found;
  PrivilegeChecker checker(deps_.catalog, txn, CurrentRole(), database_);
  CAIRN_RETURN_IF_ERROR(checker.CheckTable(table, catalog::kInsert));
  const auto& columns = table.columns();
  // The table's CHECK constraints, as an INSERT's plan carries them.
  planner::PlanNode checks(planner::PlanKind::kInsert);
  checks.table = std::make_shared<const catalog::TableInfo>(table);
  CAIRN_RETURN_IF_ERROR(planner::Binder::BindChecks(table, &checks));

  // Which table column each input field fills; the others take defaults.
  std::vector<int> targets;
  if (stmt.columns.empty()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!columns[i].hidden) targets.push_back(static_cast<int>(i));
    }
  } else {
    for (const ast::Identifier& name : stmt.columns) {
      std::optional<int> position = table.FindColumn(name.name);
      if (!position || columns[*position].hidden) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" of relation \"%s\" does not exist",
                                         name.name, table.name()),
                         name.position);
      }
      if (std::find(targets.begin(), targets.end(), *position) != targets.end()) {
        return MakeError(ErrorCode::kDuplicateColumn,
                         absl::StrFormat("column \"%s\" specified more than once", name.name),
                         name.position);
      }
      targets.push_back(*position);
    }
  }
  std::vector<planner::BoundExprPtr> defaults(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (std::find(targets.begin(), targets.end(), static_cast<int>(i)) != targets.end()) continue;
    CAIRN_ASSIGN_OR_RETURN(defaults[i],
                           planner::Binder::BindColumnDefault(table, static_cast<int>(i)));
  }
  ExecContext ctx;
  InitExecContext(txn, &ctx);

  int64_t rows = 0;
  auto load = [&](const CopyRecord& record) -> absl::Status {
    if (record.fields.size() < targets.size()) {
      return WithContext(
          MakeError(ErrorCode::kBadCopyFileFormat,
                    absl::StrFormat("missing data for column \"%s\"",
                                    columns[targets[record.fields.size()]].name)),
          absl::StrFormat("%s: \"%s\"", RowContext(table.name(), record.line), record.text));
    }
    if (record.fields.size() > targets.size()) {
      return WithContext(
          MakeError(ErrorCode::kBadCopyFileFormat, "extra data after last expected column"),
          absl::StrFormat("%s: \"%s\"", RowContext(table.name(), record.line), record.text));
    }
    static const Row kNoInput;
    Row row(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      if (defaults[i] == nullptr) continue;
      CAIRN_ASSIGN_OR_RETURN(row[i], Evaluate(*defaults[i], kNoInput, &ctx));
    }
    for (size_t f = 0; f < targets.size(); ++f) {
      const catalog::ColumnInfo& column = columns[targets[f]];
      if (!record.fields[f].has_value()) {
        row[targets[f]] = Value::Null(column.type.id);
        continue;
      }
      absl::StatusOr<Value> value = ParseValue(*record.fields[f], column.type);
      if (!value.ok()) {
        return WithContext(value.status(),
                           absl::StrFormat("%s, column %s: \"%s\"",
                                           RowContext(table.name(), record.line), column.name,
                                           *record.fields[f]));
      }
      row[targets[f]] = *std::move(value);
    }
    absl::Status status = CheckNotNull(table, row);
    if (status.ok()) status = CheckConstraints(checks, row, &ctx);
    if (status.ok()) status = InsertRow(table, row, &ctx);
    if (!status.ok()) return WithContext(status, RowContext(table.name(), record.line));
    ++rows;
    return absl::OkStatus();
  };

  CAIRN_RETURN_IF_ERROR(channel->BeginCopyIn(static_cast<int>(targets.size())));
  CopyParser parser(options, absl::StrCat("COPY ", table.name()));
  std::vector<CopyRecord> records;
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> data, channel->ReadCopyData());
    records.clear();
    if (!data.has_value()) {
      CAIRN_RETURN_IF_ERROR(parser.Finish(&records));
    } else {
      CAIRN_RETURN_IF_ERROR(parser.Feed(*data, &records));
    }
    CAIRN_RETURN_IF_ERROR(CheckInterrupts(ctx));
    for (const CopyRecord& record : records) CAIRN_RETURN_IF_ERROR(load(record));
    if (!data.has_value()) break;
  }
  CAIRN_RETURN_IF_ERROR(RunEndOfStatementChecks(&ctx));
  StatementResult result;
  result.command_tag = absl::StrCat("COPY ", rows);
  return result;
}

absl::StatusOr<StatementResult> Session::CopyTo(const ast::CopyStatement& stmt,
                                                const CopyOptions& options, txn::Txn* txn,
                                                CopyChannel* channel) {
  // COPY t [(columns)] TO is SELECT columns FROM t.
  std::vector<std::unique_ptr<ast::Statement>> parsed;
  const ast::Statement* query = stmt.query.get();
  if (query == nullptr) {
    std::vector<std::string> names;
    for (const ast::Identifier& c : stmt.columns) names.push_back(ast::QuoteIdentifier(c.name));
    std::string table = ast::QuoteIdentifier(stmt.table.name);
    if (!stmt.table.schema.empty()) table = ast::QuoteIdentifier(stmt.table.schema) + "." + table;
    CAIRN_ASSIGN_OR_RETURN(parsed, parser::ParseStatements(absl::StrCat(
                                       "SELECT ", names.empty() ? "*" : absl::StrJoin(names, ", "),
                                       " FROM ", table)));
    query = parsed.front().get();
  }
  CAIRN_ASSIGN_OR_RETURN(StatementResult rows, ExecuteQueryPlan(*query, txn, Bindings{}));

  CAIRN_RETURN_IF_ERROR(channel->BeginCopyOut(static_cast<int>(rows.columns.size())));
  std::vector<std::optional<std::string>> fields;
  if (options.header) {
    for (const ResultColumn& c : rows.columns) fields.emplace_back(c.name);
    CAIRN_RETURN_IF_ERROR(channel->WriteCopyData(FormatCopyRow(fields, options)));
  }
  for (const Row& row : rows.rows) {
    fields.clear();
    for (const Value& v : row) {
      if (v.is_null()) {
        fields.emplace_back(std::nullopt);
      } else {
        fields.emplace_back(FormatValue(v));
      }
    }
    CAIRN_RETURN_IF_ERROR(channel->WriteCopyData(FormatCopyRow(fields, options)));
  }
  CAIRN_RETURN_IF_ERROR(channel->EndCopyOut());
  StatementResult result;
  result.command_tag = absl::StrCat("COPY ", rows.rows.size());
  return result;
}

}  // namespace cairn::executor
