// Session: the extended protocol's prepared statements (Parse, Describe,
// Bind and Execute): a statement parsed once, its parameter and result
// types inferred, then run with the values of each Bind; what runs until
// Sync outside a block is one implicit transaction.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/statement_interrupts.h"
#include "executor/cluster_nodes.h"
#include "executor/cluster_setting.h"
#include "executor/session.h"
#include "executor/show_ranges.h"
#include "parser/parser.h"
#include "planner/parameter_types.h"
#include "planner/planner.h"

namespace cairn::executor {
namespace {

bool IsQuery(const ast::Statement& stmt) {
  switch (stmt.kind) {
    case ast::StatementKind::kSelect:
    case ast::StatementKind::kInsert:
    case ast::StatementKind::kUpdate:
    case ast::StatementKind::kDelete:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<PreparedStatement>> Session::Prepare(
    std::string_view sql, const std::vector<SqlType>& declared) {
  CAIRN_ASSIGN_OR_RETURN(auto statements, parser::ParseStatements(sql));
  if (statements.size() > 1) {
    return MakeError(ErrorCode::kSyntaxError,
                     "cannot insert multiple commands into a prepared statement");
  }
  auto prepared = std::make_shared<PreparedQuery>();
  prepared->text_ = std::string(sql);
  prepared->parameter_types_ = declared;
  if (statements.empty()) return prepared;
  prepared->statement_ = std::move(statements[0]);
  if (failed_ && !IsTransactionEnd(*prepared->statement_)) {
    return MakeError(ErrorCode::kInFailedTransaction,
                     "current transaction is aborted, commands ignored until end of transaction "
                     "block");
  }
  absl::Status status = DescribePrepared(prepared.get(), declared);
  if (!status.ok()) {
    if (txn_) failed_ = true;  // as any error inside a transaction block
    return status;
  }
  return prepared;
}

absl::Status Session::DescribePrepared(PreparedQuery* prepared,
                                       const std::vector<SqlType>& declared) {
  const ast::Statement& stmt = *prepared->statement_;
  std::vector<SqlType> inferred;
  if (IsQuery(stmt)) {
    // Planned in the open transaction block, else in a transaction that
    // only reads the catalog.
    std::unique_ptr<txn::Txn> own;
    txn::Txn* txn = txn_.get();
    if (txn == nullptr) {
      CAIRN_ASSIGN_OR_RETURN(own, BeginTxn());
      txn = own.get();
    }
    auto plan = PlanFor(stmt, txn, prepared);
    if (own) own->Rollback();
    if (!plan.ok()) return plan.status();
    inferred = planner::InferParameterTypes(**plan);
    const bool is_select = stmt.kind == ast::StatementKind::kSelect;
    prepared->returns_rows_ = is_select || (*plan)->has_returning;
    if (prepared->returns_rows_) {
      for (const auto& c : (*plan)->output) prepared->columns_.push_back({c.name, c.type});
    }
  } else if (stmt.kind == ast::StatementKind::kShow) {
    prepared->returns_rows_ = true;
    const std::string name = absl::AsciiStrToLower(stmt.As<ast::ShowStatement>().name);
    if (stmt.As<ast::ShowStatement>().cluster_setting) {
      prepared->columns_ = ShowClusterSettingColumns(name);
    } else if (name == "all") {
      prepared->columns_ = {{"name", SqlType::Of(TypeId::kText)},
                            {"setting", SqlType::Of(TypeId::kText)}};
    } else if (name == ast::ShowStatement::kClusterNodes) {
      prepared->columns_ = ClusterNodesColumns();
    } else if (name == ast::ShowStatement::kRanges) {
      prepared->columns_ = ShowRangesColumns();
    } else {
      prepared->columns_ = {{name, SqlType::Of(TypeId::kText)}};
    }
  } else if (stmt.kind == ast::StatementKind::kExplain) {
    prepared->returns_rows_ = true;
    prepared->columns_ = {{"QUERY PLAN", SqlType::Of(TypeId::kText)}};
  }
  // Declared types stand; the rest are inferred, and text where nothing
  // says (PostgreSQL resolves an untyped parameter in a select list so).
  std::vector<SqlType>& types = prepared->parameter_types_;
  types.resize(std::max(declared.size(), inferred.size()), SqlType::Of(TypeId::kUnknown));
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i].id == TypeId::kUnknown && i < inferred.size()) types[i] = inferred[i];
    if (types[i].id == TypeId::kUnknown) types[i] = SqlType::Of(TypeId::kText);
  }
  return absl::OkStatus();
}

absl::StatusOr<StatementResult> Session::ExecutePrepared(PreparedStatement& statement,
                                                         const std::vector<Value>& params) {
  // Only this session's Prepare makes them.
  auto& prepared = static_cast<PreparedQuery&>(statement);
  cancel_requested_.store(false);
  StartStatementClock();
  StatementInterrupts interrupts([this] { return CheckStatementInterrupts(); },
                                 [this] { return StatementDeadline(); });
  if (prepared.empty()) return MakeError(ErrorCode::kInternal, "empty prepared statement");
  // Outside a block, what runs until Sync is one implicit transaction (a
  // BEGIN among it turns it into an explicit block, as in a Query message).
  if (!txn_ && prepared.statement_->kind != ast::StatementKind::kTransaction) {
    CAIRN_ASSIGN_OR_RETURN(txn_, BeginTxn());
    settings_at_begin_ = settings_;
    implicit_block_ = true;
  }
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<StatementResult> result =
      ExecuteStatement(*prepared.statement_, Bindings{.prepared = &prepared, .params = &params});
  RecordDuration(prepared.text_, started, result.ok());
  return result;
}

}  // namespace cairn::executor
