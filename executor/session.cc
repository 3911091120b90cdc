#include "executor/session.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "catalog/privileges.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "common/metrics.h"
#include "common/statement_interrupts.h"
#include "executor/alter_table.h"
#include "executor/cluster_nodes.h"
#include "executor/cluster_setting.h"
#include "executor/ddl.h"
#include "executor/exec_context.h"
#include "executor/foreign_keys.h"
#include "executor/historical_read.h"
#include "executor/indexes.h"
#include "executor/online_index_build.h"
#include "executor/operator.h"
#include "executor/privilege_checker.h"
#include "executor/roles.h"
#include "executor/show_ranges.h"
#include "executor/slow_statements.h"
#include "executor/table_ranges.h"
#include "parser/ast/ddl.h"
#include "parser/ast/dml.h"
#include "parser/ast/session.h"
#include "parser/parser.h"
#include "planner/parameter_types.h"
#include "planner/planner.h"

namespace cairn::executor {
namespace {

constexpr int kMaxImplicitRetries = 20;

StatementResult TagOnly(std::string tag) {
  StatementResult r;
  r.command_tag = std::move(tag);
  return r;
}

Counter* StatementsCounter() {
  static Counter* c =
      MetricRegistry::Global().GetCounter("cairn_sql_statements_total", "SQL statements executed");
  return c;
}
Counter* RetriesCounter() {
  static Counter* c = MetricRegistry::Global().GetCounter(
      "cairn_sql_txn_retries_total", "Implicit transactions retried after a conflict");
  return c;
}

}  // namespace

Session::Session(const Deps& deps, std::string user, std::string database, uint32_t database_id,
                 int32_t backend_pid, bool superuser)
    : deps_(deps),
      user_(std::move(user)),
      database_(std::move(database)),
      database_id_(database_id),
      backend_pid_(backend_pid),
      settings_(user_, "", superuser) {}

Session::~Session() { Close(); }

void Session::Close() { EndBlock(/*restore_settings=*/false); }

TxnStatus Session::txn_status() const {
  if (!txn_) return TxnStatus::kIdle;
  return failed_ ? TxnStatus::kFailed : TxnStatus::kInBlock;
}

std::vector<std::pair<std::string, std::string>> Session::InitialParameters() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : settings_.All()) {
    if (SessionSettings::IsReported(name)) out.emplace_back(name, value);
  }
  return out;
}

absl::Status Session::ExecuteQuery(std::string_view sql, QueryObserver* observer) {
  const auto started = std::chrono::steady_clock::now();
  absl::Status status = RunQuery(sql, observer);
  RecordDuration(sql, started, status.ok());
  return status;
}

void Session::RecordDuration(std::string_view sql, std::chrono::steady_clock::time_point started,
                             bool ok) {
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  SlowStatements::Global().Record(sql, took.count(), user_, database_, !ok);
}

bool Session::IsTransactionEnd(const ast::Statement& stmt) {
  if (stmt.kind != ast::StatementKind::kTransaction) return false;
  auto k = stmt.As<ast::TransactionStatement>().txn_kind;
  return k == ast::TransactionStmtKind::kCommit || k == ast::TransactionStmtKind::kRollback;
}

void Session::StartStatementClock() {
  const int64_t timeout_ms = settings_.DurationMs("statement_timeout");
  statement_deadline_ =
      timeout_ms > 0 ? std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)
                     : std::chrono::steady_clock::time_point::max();
}

absl::Status Session::CheckStatementInterrupts() const {
  ExecContext ctx;
  ctx.cancel_requested = &cancel_requested_;
  ctx.deadline = statement_deadline_;
  return CheckInterrupts(ctx);
}

int64_t Session::LockWaitMs() const {
  // lock_timeout 0 (PostgreSQL's default, wait for ever) keeps our bound:
  // there is no deadlock detector to end a long wait, only wait-die.
  const int64_t ms = settings_.DurationMs("lock_timeout");
  return ms > 0 ? ms : txn::Txn::Options{}.max_lock_wait_ms;
}

absl::Time Session::StatementDeadline() const {
  if (statement_deadline_ == std::chrono::steady_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::Now() + absl::FromChrono(statement_deadline_ - std::chrono::steady_clock::now());
}

absl::Status Session::RunQuery(std::string_view sql, QueryObserver* observer) {
  cancel_requested_.store(false);
  // Also what runs before the first statement (an implicit block's start
  // timestamp) waits within the first statement's time.
  StartStatementClock();
  StatementInterrupts interrupts([this] { return CheckStatementInterrupts(); },
                                 [this] { return StatementDeadline(); });
  CAIRN_ASSIGN_OR_RETURN(auto statements, parser::ParseStatements(sql));
  if (statements.empty()) {
    observer->OnEmptyQuery();
    return absl::OkStatus();
  }
  // As in PostgreSQL, several statements in one Query message run in one
  // implicit transaction, unless they manage transactions themselves.
  if (statements.size() > 1 && !txn_) {
    CAIRN_ASSIGN_OR_RETURN(txn_, BeginTxn());
    settings_at_begin_ = settings_;
    implicit_block_ = true;
  }
  for (const auto& stmt : statements) {
    auto result = ExecuteStatement(*stmt, Bindings{.copy = observer->copy_channel()});
    if (!result.ok()) {
      if (implicit_block_) EndBlock(/*restore_settings=*/true);
      return result.status();
    }
    observer->OnResult(*result);
  }
  if (implicit_block_) {
    std::unique_ptr<txn::Txn> txn = std::move(txn_);
    bool failed = failed_;
    absl::Status checked = failed ? absl::OkStatus() : CheckDeferredConstraints(txn.get());
    EndBlock(/*restore_settings=*/failed || !checked.ok());
    CAIRN_RETURN_IF_ERROR(checked);
    if (!failed) CAIRN_RETURN_IF_ERROR(txn->Commit());
  }
  return absl::OkStatus();
}

void Session::EndBlock(bool restore_settings) {
  // restore_settings: the block rolled back (COMMIT of a failed block too).
  EndCursors(/*committed=*/!restore_settings);
  if (txn_) txn_->Rollback();
  txn_.reset();
  deferred_checks_.clear();
  constraint_timing_ = {};
  failed_ = false;
  implicit_block_ = false;
  if (restore_settings && settings_at_begin_) settings_ = *settings_at_begin_;
  settings_at_begin_.reset();
}

absl::StatusOr<StatementResult> Session::CreateIndexOutsideBlock(
    const ast::CreateIndexStatement& stmt) {
  OnlineIndexBuildEnv env;
  env.catalog = deps_.catalog;
  env.database_id = database_id_;
  env.role = CurrentRole();
  env.database = database_;
  env.active = deps_.active;
  env.begin = [this] { return BeginTxn(); };
  env.interrupted = [this] { return CheckStatementInterrupts(); };
  CAIRN_ASSIGN_OR_RETURN(std::string tag, CreateIndexOnline(stmt, env));
  // The index is public now: read it as a new transaction would.
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<txn::Txn> txn, BeginTxn());
  CAIRN_RETURN_IF_ERROR(
      StartIndexRange(deps_.ranges, deps_.catalog, txn.get(), database_id_, stmt));
  return TagOnly(tag);
}

planner::PlannerSettings Session::CurrentPlannerSettings() const {
  planner::PlannerSettings s;
  s.enable_hashjoin = settings_.Get("enable_hashjoin").value_or("on") == "on";
  s.enable_pushdown = settings_.Get("enable_pushdown").value_or("on") == "on";
  s.enable_mergejoin = settings_.Get("enable_mergejoin").value_or("on") == "on";
  return s;
}

absl::StatusOr<std::unique_ptr<txn::Txn>> Session::BeginTxn() {
  txn::Txn::Options options;
  options.active = deps_.active;
  options.heartbeater = deps_.heartbeater;
  options.secondaries = deps_.secondaries;
  options.max_lock_wait_ms = LockWaitMs();
  if (deps_.cluster_settings != nullptr) {
    options.async_commit_max_keys =
        static_cast<size_t>(deps_.cluster_settings->Current("kv.async_commit_max_keys"));
  }
  return txn::Txn::Begin(deps_.client, deps_.resolver, options);
}

absl::StatusOr<StatementResult> Session::ExecuteStatement(const ast::Statement& stmt,
                                                          const Bindings& bindings) {
  StatementsCounter()->Add();
  // statement_timeout counts for each statement of a Query on its own.
  StartStatementClock();
  if (failed_ && !IsTransactionEnd(stmt)) {
    return MakeError(ErrorCode::kInFailedTransaction,
                     "current transaction is aborted, commands ignored until end of transaction "
                     "block");
  }
  switch (stmt.kind) {
    case ast::StatementKind::kTransaction: return ExecuteTransactionStatement(stmt);
    case ast::StatementKind::kSet: return ExecuteSet(stmt);
    case ast::StatementKind::kShow: return ExecuteShow(stmt);
    case ast::StatementKind::kReset: {
      CAIRN_RETURN_IF_ERROR(settings_.Reset(stmt.As<ast::ResetStatement>().name));
      return TagOnly("RESET");
    }
    case ast::StatementKind::kCreateDatabase:
    case ast::StatementKind::kDropDatabase: return ExecuteDatabaseDdl(stmt);
    case ast::StatementKind::kVacuum: return ExecuteVacuum(stmt.As<ast::VacuumStatement>());
    case ast::StatementKind::kFetch: {
      auto result = Fetch(stmt.As<ast::FetchStatement>());
      if (!result.ok() && txn_) failed_ = true;
      return result;
    }
    case ast::StatementKind::kPrepare:
    case ast::StatementKind::kExecute:
    case ast::StatementKind::kDeallocate: {
      auto result = stmt.kind == ast::StatementKind::kPrepare
                        ? SqlPrepare(stmt.As<ast::PrepareStatement>())
                    : stmt.kind == ast::StatementKind::kExecute
                        ? SqlExecute(stmt.As<ast::ExecuteStatement>())
                        : SqlDeallocate(stmt.As<ast::DeallocateStatement>());
      if (!result.ok() && txn_) failed_ = true;
      return result;
    }
    case ast::StatementKind::kCloseCursor: {
      auto result = CloseCursor(stmt.As<ast::CloseCursorStatement>());
      if (!result.ok() && txn_) failed_ = true;
      return result;
    }
    case ast::StatementKind::kCreateIndex:
      // Outside a block the index is built while the table takes writes.
      if (!txn_) return CreateIndexOutsideBlock(stmt.As<ast::CreateIndexStatement>());
      break;
    default: break;
  }

  if (stmt.kind == ast::StatementKind::kSelect &&
      stmt.As<ast::SelectStatement>().as_of_system_time != nullptr) {
    return ExecuteHistoricalSelect(stmt.As<ast::SelectStatement>(), bindings);
  }
  if (txn_) {
    txn_->BeginStatement();
    txn_->set_max_lock_wait_ms(LockWaitMs());
    auto result = ExecuteInTxn(stmt, txn_.get(), bindings);
    if (result.ok()) {
      // Rows this statement changed or selected FOR UPDATE are locked now,
      // as PostgreSQL locks them: a concurrent writer waits for this
      // transaction, and a row changed since the snapshot fails this
      // statement rather than COMMIT.
      if (std::optional<bool> nowait = LocksRows(stmt)) {
        absl::Status locked = txn_->LockStatementKeys(*nowait);
        if (!locked.ok()) result = locked;
      }
    }
    if (!result.ok()) failed_ = true;
    return result;
  }
  // An implicit transaction, retried while nothing reached the client.
  for (int attempt = 0;; ++attempt) {
    CAIRN_ASSIGN_OR_RETURN(auto txn, BeginTxn());
    auto result = ExecuteInTxn(stmt, txn.get(), bindings);
    absl::Status status = result.status();
    if (status.ok()) status = CheckDeferredConstraints(txn.get());
    deferred_checks_.clear();  // the implicit transaction ends here
    if (status.ok()) status = txn->Commit();
    if (status.ok()) return result;
    txn->Rollback();
    // COPY's data came from the client once and cannot be read again.
    // A lock not obtained within lock_timeout (or NOWAIT) is the answer
    // the client asked for, not a conflict to hide.
    if (!IsRetryable(status) || attempt >= kMaxImplicitRetries ||
        stmt.kind == ast::StatementKind::kCopy ||
        GetErrorCode(status) == ErrorCode::kLockNotAvailable) {
      return status;
    }
    RetriesCounter()->Add();
    // Back off, so that retries don't meet the transaction they lost to
    // still committing.
    absl::SleepFor(absl::Milliseconds(std::min(1 << attempt, 50)));
  }
}

std::optional<bool> Session::LocksRows(const ast::Statement& stmt) {
  switch (stmt.kind) {
    case ast::StatementKind::kUpdate:
    case ast::StatementKind::kDelete:
      return false;
    case ast::StatementKind::kInsert:
      // Only the rows ON CONFLICT DO UPDATE changes; new rows are checked
      // for duplicates at COMMIT.
      if (stmt.As<ast::InsertStatement>().on_conflict != nullptr) return false;
      return std::nullopt;
    case ast::StatementKind::kSelect: {
      const ast::QueryNode* query = stmt.As<ast::SelectStatement>().query.get();
      if (query == nullptr || query->lock_strength == ast::LockStrength::kNone) return std::nullopt;
      return query->lock_wait == ast::LockWaitPolicy::kNoWait;
    }
    default:
      return std::nullopt;
  }
}

absl::StatusOr<StatementResult> Session::ExecuteHistoricalSelect(const ast::SelectStatement& stmt,
                                                                 const Bindings& bindings) {
  if (txn_) {
    failed_ = true;
    return MakeError(ErrorCode::kActiveSqlTransaction,
                     "AS OF SYSTEM TIME cannot be used inside a transaction block");
  }
  CAIRN_ASSIGN_OR_RETURN(Timestamp now, deps_.client->GetTimestamp());
  txn::Txn::Options options;
  // The clause's expression is evaluated as of now (now() is the present).
  std::unique_ptr<txn::Txn> present =
      txn::Txn::AtTimestamp(deps_.client, deps_.resolver, now, options);
  ExecContext ctx;
  InitExecContext(present.get(), &ctx);
  CAIRN_ASSIGN_OR_RETURN(Timestamp read_ts, AsOfSystemTime(*stmt.as_of_system_time, now, &ctx));
  // Reads only, at read_ts, of the whole cluster; never committed.
  std::unique_ptr<txn::Txn> past =
      txn::Txn::AtTimestamp(deps_.client, deps_.resolver, read_ts, options);
  return ExecuteInTxn(stmt, past.get(), bindings);
}

absl::StatusOr<StatementResult> Session::ExecuteTransactionStatement(const ast::Statement& stmt) {
  const auto& t = stmt.As<ast::TransactionStatement>();
  switch (t.txn_kind) {
    case ast::TransactionStmtKind::kBegin: {
      if (t.modes.isolation == ast::IsolationLevel::kSerializable) {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         "SERIALIZABLE isolation is not supported yet; CairnDB provides snapshot "
                         "isolation (REPEATABLE READ)");
      }
      std::string tag = t.start_transaction ? "START TRANSACTION" : "BEGIN";
      if (txn_) {
        // PostgreSQL warns and carries on; inside a multi-statement message
        // the implicit transaction becomes the explicit block.
        implicit_block_ = false;
        return TagOnly(tag);
      }
      CAIRN_ASSIGN_OR_RETURN(txn_, BeginTxn());
      settings_at_begin_ = settings_;
      failed_ = false;
      return TagOnly(tag);
    }
    case ast::TransactionStmtKind::kCommit: {
      if (!txn_) return TagOnly("COMMIT");
      std::unique_ptr<txn::Txn> txn = std::move(txn_);
      if (failed_) {
        EndBlock(/*restore_settings=*/true);
        return TagOnly("ROLLBACK");
      }
      absl::Status checked = CheckDeferredConstraints(txn.get());
      EndBlock(/*restore_settings=*/!checked.ok());
      if (!checked.ok()) {
        txn->Rollback();
        return checked;
      }
      CAIRN_RETURN_IF_ERROR(txn->Commit());
      return TagOnly("COMMIT");
    }
    case ast::TransactionStmtKind::kRollback: {
      EndBlock(/*restore_settings=*/true);
      return TagOnly("ROLLBACK");
    }
    default:
      if (txn_) failed_ = true;
      return MakeError(ErrorCode::kFeatureNotSupported, "savepoints are not supported yet");
  }
}

absl::StatusOr<StatementResult> Session::ExecuteSet(const ast::Statement& stmt) {
  const auto& s = stmt.As<ast::SetStatement>();
  auto fail = [&](absl::Status status) -> absl::StatusOr<StatementResult> {
    if (txn_) failed_ = true;
    return status;
  };
  if (s.cluster) {
    auto result = ExecuteSetClusterSetting(s);
    if (!result.ok()) return fail(result.status());
    return result;
  }
  switch (s.set_kind) {
    case ast::SetKind::kConstraints: {
      auto result = ExecuteSetConstraints(s);
      if (!result.ok()) return fail(result.status());
      return result;
    }
    case ast::SetKind::kTransaction:
    case ast::SetKind::kSessionCharacteristics:
      if (s.modes.isolation == ast::IsolationLevel::kSerializable) {
        return fail(MakeError(ErrorCode::kFeatureNotSupported,
                              "SERIALIZABLE isolation is not supported yet; CairnDB provides "
                              "snapshot isolation (REPEATABLE READ)"));
      }
      return TagOnly("SET");
    case ast::SetKind::kDefault: {
      absl::Status st = settings_.Reset(s.name);
      if (!st.ok()) return fail(st);
      // A new session user has no role set.
      if (absl::AsciiStrToLower(s.name) == "session_authorization") settings_.Reset("role").IgnoreError();
      break;
    }
    case ast::SetKind::kValue: {
      const std::string lower = absl::AsciiStrToLower(s.name);
      if (lower == "role" || lower == "session_authorization") {
        absl::Status st = CheckRoleSwitch(lower, absl::StrJoin(s.values, ", "));
        if (!st.ok()) return fail(st);
      }
      absl::Status st = settings_.Set(s.name, absl::StrJoin(s.values, ", "));
      if (!st.ok()) return fail(st);
      break;
    }
  }
  StatementResult r = TagOnly("SET");
  std::string canonical = SessionSettings::CanonicalName(s.name);
  if (SessionSettings::IsReported(canonical)) {
    auto value = settings_.Get(canonical);
    if (value.ok()) r.changed_parameters.emplace_back(canonical, *value);
  }
  return r;
}

absl::Status Session::ApplyStartupSetting(const std::string& name, const std::string& value) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "role" || lower == "session_authorization") {
    CAIRN_RETURN_IF_ERROR(CheckRoleSwitch(lower, value));
  }
  CAIRN_RETURN_IF_ERROR(settings_.Set(name, value));
  // As in PostgreSQL, RESET returns to what the client asked for at start.
  settings_.KeepAsDefault(name);
  return absl::OkStatus();
}

absl::Status Session::CheckDeferredConstraints(txn::Txn* txn) {
  constraint_timing_ = {};
  if (deferred_checks_.empty()) return absl::OkStatus();
  ExecContext ctx;
  InitExecContext(txn, &ctx);
  return RunDeferredChecks(&deferred_checks_, /*constraints=*/{}, &ctx);
}

// SET CONSTRAINTS ALL | names DEFERRED | IMMEDIATE: for the rest of the
// transaction block; IMMEDIATE checks what the named constraints deferred
// so far at once. Outside a block it has nothing to act on (PostgreSQL
// warns).
absl::StatusOr<StatementResult> Session::ExecuteSetConstraints(const ast::SetStatement& stmt) {
  if (!txn_) return TagOnly("SET CONSTRAINTS");
  ExecContext ctx;
  InitExecContext(txn_.get(), &ctx);
  if (!stmt.values.empty()) {
    CAIRN_ASSIGN_OR_RETURN(auto tables, deps_.catalog->ListTables(txn_.get(), database_id_));
    for (const std::string& name : stmt.values) {
      const proto::ForeignKey* found = nullptr;
      for (const catalog::TableInfo& t : tables) {
        for (const proto::ForeignKey& fk : t.descriptor().foreign_keys()) {
          if (fk.name() == name) found = &fk;
        }
      }
      if (found == nullptr) {
        return MakeError(ErrorCode::kUndefinedObject,
                         absl::StrFormat("constraint \"%s\" does not exist", name));
      }
      if (!found->deferrable()) {
        return MakeError(ErrorCode::kWrongObjectType,
                         absl::StrFormat("constraint \"%s\" is not deferrable", name));
      }
    }
    for (const std::string& name : stmt.values) {
      constraint_timing_.deferred_by_name[name] = stmt.constraints_deferred;
    }
  } else {
    constraint_timing_.all_deferred = stmt.constraints_deferred;
    constraint_timing_.deferred_by_name.clear();
  }
  if (!stmt.constraints_deferred) {
    CAIRN_RETURN_IF_ERROR(RunDeferredChecks(&deferred_checks_, stmt.values, &ctx));
  }
  return TagOnly("SET CONSTRAINTS");
}

std::string Session::SessionUser() const {
  return settings_.Get("session_authorization").value_or(user_);
}

std::string Session::CurrentRole() const {
  std::string role = settings_.Get("role").value_or("none");
  return role == "none" ? SessionUser() : role;
}

absl::Status Session::CheckRoleSwitch(const std::string& setting, const std::string& role) {
  if (setting == "role" && absl::AsciiStrToLower(role) == "none") return absl::OkStatus();
  CAIRN_ASSIGN_OR_RETURN(auto txn, BeginTxn());
  auto target = deps_.catalog->GetRole(txn.get(), role);
  // Who may switch: a superuser to anyone. SET ROLE asks it of the
  // session user, SET SESSION AUTHORIZATION of who logged in.
  auto me = deps_.catalog->GetRole(txn.get(), setting == "role" ? SessionUser() : user_);
  txn->Rollback();
  CAIRN_RETURN_IF_ERROR(target.status());
  CAIRN_RETURN_IF_ERROR(me.status());
  if (!*target) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrFormat("role \"%s\" does not exist", role));
  }
  const bool superuser = *me && (*me)->superuser();
  if (setting == "role" && !superuser && role != SessionUser()) {
    return MakeError(ErrorCode::kInsufficientPrivilege,
                     absl::StrFormat("permission denied to set role \"%s\"", role));
  }
  if (setting == "session_authorization" && !superuser && role != user_) {
    return MakeError(ErrorCode::kInsufficientPrivilege,
                     absl::StrFormat("permission denied to set session authorization \"%s\"", role));
  }
  if (setting == "session_authorization") settings_.Reset("role").IgnoreError();
  return absl::OkStatus();
}

absl::StatusOr<StatementResult> Session::ExecuteSetClusterSetting(const ast::SetStatement& stmt) {
  if (txn_) {
    return MakeError(ErrorCode::kActiveSqlTransaction,
                     "SET CLUSTER SETTING cannot run inside a transaction block");
  }
  CAIRN_ASSIGN_OR_RETURN(auto txn, BeginTxn());
  auto me = deps_.catalog->GetRole(txn.get(), CurrentRole());
  txn->Rollback();
  CAIRN_RETURN_IF_ERROR(me.status());
  if (!*me || !(*me)->superuser()) {
    return MakeError(ErrorCode::kInsufficientPrivilege,
                     "only a superuser may change cluster settings");
  }
  return SetClusterSetting(stmt, deps_.cluster_settings);
}

absl::StatusOr<StatementResult> Session::ExecuteShow(const ast::Statement& stmt) {
  const std::string& name = stmt.As<ast::ShowStatement>().name;
  if (stmt.As<ast::ShowStatement>().cluster_setting) {
    auto result = ShowClusterSetting(name, deps_.cluster_settings);
    if (!result.ok() && txn_) failed_ = true;
    return result;
  }
  if (name == ast::ShowStatement::kClusterNodes) {
    auto result = ShowClusterNodes(deps_.cluster);
    if (!result.ok() && txn_) failed_ = true;
    return result;
  }
  if (name == ast::ShowStatement::kRanges) {
    auto result = ExecuteShowRanges(stmt.As<ast::ShowStatement>());
    if (!result.ok() && txn_) failed_ = true;
    return result;
  }
  StatementResult r;
  r.returns_rows = true;
  r.command_tag = "SHOW";
  if (absl::AsciiStrToLower(name) == "all") {
    r.columns = {{"name", SqlType::Of(TypeId::kText)}, {"setting", SqlType::Of(TypeId::kText)}};
    for (const auto& [n, v] : settings_.All()) r.rows.push_back({Value::Text(n), Value::Text(v)});
    return r;
  }
  auto value = settings_.Get(name);
  if (!value.ok()) {
    if (txn_) failed_ = true;
    return value.status();
  }
  r.columns = {{absl::AsciiStrToLower(name), SqlType::Of(TypeId::kText)}};
  r.rows.push_back({Value::Text(*value)});
  return r;
}

absl::StatusOr<StatementResult> Session::ExecuteShowRanges(const ast::ShowStatement& stmt) {
  // Inside a transaction block the table is looked up as that transaction
  // sees the catalog; otherwise as of now.
  if (txn_) {
    return ShowRanges(deps_.ranges, deps_.catalog, txn_.get(), database_id_, stmt.table);
  }
  CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(deps_.client, deps_.resolver, {}));
  auto result = ShowRanges(deps_.ranges, deps_.catalog, txn.get(), database_id_, stmt.table);
  txn->Rollback();
  return result;
}

absl::StatusOr<StatementResult> Session::ExecuteVacuum(const ast::VacuumStatement& stmt) {
  const char* tag = stmt.vacuum ? "VACUUM" : "ANALYZE";
  if (stmt.vacuum && txn_) {
    failed_ = true;
    return MakeError(ErrorCode::kActiveSqlTransaction,
                     "VACUUM cannot run inside a transaction block");
  }
  // ANALYZE (and VACUUM ANALYZE) counts the rows of the named tables, or of
  // every table of the database, for the planner (executor/statistics.h).
  // VACUUM alone has nothing to do yet: old row versions wait for MVCC
  // garbage collection (not yet scheduled).
  std::unique_ptr<txn::Txn> own;
  txn::Txn* txn = txn_.get();
  if (txn == nullptr) {
    CAIRN_ASSIGN_OR_RETURN(own, BeginTxn());
    txn = own.get();
  }
  std::vector<std::string> names;
  absl::Status status;
  for (const ast::ObjectName& name : stmt.tables) {
    status = CheckSchema(name);
    if (status.ok()) {
      auto table = deps_.catalog->GetTable(txn, database_id_, name.name);
      status = table.status();
      if (status.ok() && !*table) {
        status = MakeError(ErrorCode::kUndefinedTable,
                           absl::StrFormat("relation \"%s\" does not exist", name.name),
                           name.position);
      }
    }
    if (!status.ok()) break;
    names.push_back(name.name);
  }
  const bool analyze = !stmt.vacuum || stmt.analyze;
  if (status.ok() && analyze && stmt.tables.empty()) {
    auto tables = deps_.catalog->ListTables(txn, database_id_);
    status = tables.status();
    if (status.ok()) {
      for (const catalog::TableInfo& t : *tables) names.push_back(t.name());
    }
  }
  for (size_t i = 0; status.ok() && analyze && i < names.size(); ++i) {
    status = AnalyzeTable(deps_.catalog, txn, database_id_, names[i]);
  }
  if (status.ok() && own) status = own->Commit();
  if (!status.ok()) {
    if (own) own->Rollback();
    if (txn_) failed_ = true;
    return status;
  }
  return TagOnly(tag);
}

absl::StatusOr<StatementResult> Session::ExecuteDatabaseDdl(const ast::Statement& stmt) {
  bool create = stmt.kind == ast::StatementKind::kCreateDatabase;
  if (txn_) {
    failed_ = true;
    return MakeError(ErrorCode::kActiveSqlTransaction,
                     create ? "CREATE DATABASE cannot run inside a transaction block"
                            : "DROP DATABASE cannot run inside a transaction block");
  }
  for (int attempt = 0;; ++attempt) {
    CAIRN_ASSIGN_OR_RETURN(auto txn, BeginTxn());
    absl::Status status;
    PrivilegeChecker checker(deps_.catalog, txn.get(), CurrentRole(), database_);
    absl::StatusOr<proto::RoleDescriptor> me = checker.Role();
    status = me.status();
    if (!status.ok()) {
      // The current role is gone: nothing it may do.
    } else if (create) {
      if (!me->superuser() && !me->create_db()) {
        return MakeError(ErrorCode::kInsufficientPrivilege, "permission denied to create database");
      }
      status = deps_.catalog->CreateDatabase(
          txn.get(), stmt.As<ast::CreateDatabaseStatement>().name.name, CurrentRole());
    } else {
      const auto& drop = stmt.As<ast::DropDatabaseStatement>();
      if (drop.name.name == database_) {
        return MakeError(ErrorCode::kObjectInUse, "cannot drop the currently open database");
      }
      auto db = deps_.catalog->GetDatabase(txn.get(), drop.name.name);
      status = db.status();
      if (status.ok() && !*db && drop.if_exists) return TagOnly("DROP DATABASE");
      if (status.ok() && *db && !me->superuser() &&
          catalog::EffectiveOwner((*db)->owner()) != CurrentRole()) {
        return MakeError(ErrorCode::kInsufficientPrivilege,
                         absl::StrFormat("must be owner of database %s", drop.name.name));
      }
      if (status.ok()) status = deps_.catalog->DropDatabase(txn.get(), drop.name.name);
    }
    if (status.ok()) status = txn->Commit();
    if (status.ok()) return TagOnly(create ? "CREATE DATABASE" : "DROP DATABASE");
    if (!IsRetryable(status) || attempt >= kMaxImplicitRetries) return status;
  }
}

absl::StatusOr<StatementResult> Session::ExecuteInTxn(const ast::Statement& stmt, txn::Txn* txn,
                                                      const Bindings& bindings) {
  PrivilegeChecker checker(deps_.catalog, txn, CurrentRole(), database_);
  switch (stmt.kind) {
    case ast::StatementKind::kSelect:
    case ast::StatementKind::kInsert:
    case ast::StatementKind::kUpdate:
    case ast::StatementKind::kDelete: return ExecuteQueryPlan(stmt, txn, bindings);
    case ast::StatementKind::kExplain: return ExecuteExplain(stmt, txn, bindings);
    case ast::StatementKind::kCopy:
      return ExecuteCopy(stmt.As<ast::CopyStatement>(), txn, bindings);
    case ast::StatementKind::kDeclareCursor:
      return DeclareCursor(stmt.As<ast::DeclareCursorStatement>(), txn);
    case ast::StatementKind::kCreateTable: {
      const auto& create = stmt.As<ast::CreateTableStatement>();
      CAIRN_ASSIGN_OR_RETURN(std::string tag,
                             CreateTable(create, deps_.catalog, txn, database_id_, &checker));
      CAIRN_RETURN_IF_ERROR(
          StartTableRange(deps_.ranges, deps_.catalog, txn, database_id_, create.name.name));
      return TagOnly(tag);
    }
    case ast::StatementKind::kDropTable: {
      CAIRN_ASSIGN_OR_RETURN(std::string tag, DropTables(stmt.As<ast::DropTableStatement>(),
                                                         deps_.catalog, txn, database_id_,
                                                         &checker));
      return TagOnly(tag);
    }
    case ast::StatementKind::kAlterTable: {
      ExecContext ctx;
      InitExecContext(txn, &ctx);
      const auto& alter = stmt.As<ast::AlterTableStatement>();
      if (!alter.cmds.empty() && alter.cmds.front().kind == ast::AlterTableCmdKind::kSplitAt) {
        CAIRN_RETURN_IF_ERROR(CheckSchema(alter.table));
        CAIRN_ASSIGN_OR_RETURN(std::string tag,
                               SplitTableAt(alter, deps_.ranges, deps_.catalog, txn, database_id_,
                                            &ctx, &checker));
        return TagOnly(tag);
      }
      CAIRN_ASSIGN_OR_RETURN(std::string tag,
                             AlterTable(stmt.As<ast::AlterTableStatement>(), deps_.catalog, txn,
                                        database_id_, &ctx, &checker));
      return TagOnly(tag);
    }
    case ast::StatementKind::kTruncate: {
      CAIRN_ASSIGN_OR_RETURN(std::string tag, TruncateTables(stmt.As<ast::TruncateStatement>(),
                                                             deps_.catalog, txn, database_id_,
                                                             &checker));
      return TagOnly(tag);
    }
    case ast::StatementKind::kComment: {
      const auto& c = stmt.As<ast::CommentStatement>();
      CAIRN_RETURN_IF_ERROR(CheckSchema(c.table));
      CAIRN_ASSIGN_OR_RETURN(auto table, deps_.catalog->GetTable(txn, database_id_, c.table.name));
      if (!table) {
        return MakeError(ErrorCode::kUndefinedTable,
                         absl::StrFormat("relation \"%s\" does not exist", c.table.name),
                         c.table.position);
      }
      CAIRN_RETURN_IF_ERROR(checker.CheckTableOwner(*table));
      proto::TableDescriptor d = table->descriptor();
      const std::string text = c.comment.value_or("");
      if (!c.column) {
        d.set_comment(text);
      } else {
        proto::ColumnDescriptor* column = nullptr;
        for (auto& col : *d.mutable_columns()) {
          if (col.name() == c.column_name && !col.hidden()) column = &col;
        }
        if (column == nullptr) {
          return MakeError(ErrorCode::kUndefinedColumn,
                           absl::StrFormat("column \"%s\" of relation \"%s\" does not exist",
                                           c.column_name, c.table.name));
        }
        column->set_comment(text);
      }
      CAIRN_RETURN_IF_ERROR(deps_.catalog->UpdateTable(txn, table->name(), std::move(d)));
      return TagOnly("COMMENT");
    }
    case ast::StatementKind::kCreateIndex: {
      const auto& create = stmt.As<ast::CreateIndexStatement>();
      CAIRN_ASSIGN_OR_RETURN(std::string tag,
                             CreateIndex(create, deps_.catalog, txn, database_id_, &checker));
      CAIRN_RETURN_IF_ERROR(StartIndexRange(deps_.ranges, deps_.catalog, txn, database_id_, create));
      return TagOnly(tag);
    }
    case ast::StatementKind::kDropIndex: {
      CAIRN_ASSIGN_OR_RETURN(std::string tag,
                             DropIndexes(stmt.As<ast::DropIndexStatement>(), deps_.catalog, txn,
                                         database_id_, &checker));
      return TagOnly(tag);
    }
    case ast::StatementKind::kCreateRole:
    case ast::StatementKind::kAlterRole:
    case ast::StatementKind::kDropRole:
    case ast::StatementKind::kGrant: {
      AccessControlContext access{.catalog = deps_.catalog,
                                  .txn = txn,
                                  .checker = &checker,
                                  .session_user = SessionUser(),
                                  .database = database_,
                                  .password_encryption =
                                      settings_.Get("password_encryption").value_or("")};
      absl::StatusOr<std::string> tag =
          stmt.kind == ast::StatementKind::kCreateRole
              ? CreateRole(stmt.As<ast::CreateRoleStatement>(), access)
          : stmt.kind == ast::StatementKind::kAlterRole
              ? AlterRole(stmt.As<ast::AlterRoleStatement>(), access)
          : stmt.kind == ast::StatementKind::kDropRole
              ? DropRoles(stmt.As<ast::DropRoleStatement>(), access)
              : GrantOrRevoke(stmt.As<ast::GrantStatement>(), access);
      if (!tag.ok()) return tag.status();
      return TagOnly(*tag);
    }
    default:
      return MakeError(ErrorCode::kFeatureNotSupported, "statement is not supported yet");
  }
}

absl::Status Session::Sync(bool error_reported) {
  if (!implicit_block_) return absl::OkStatus();
  std::unique_ptr<txn::Txn> txn = std::move(txn_);
  const bool failed = failed_ || error_reported;
  absl::Status checked = failed ? absl::OkStatus() : CheckDeferredConstraints(txn.get());
  EndBlock(/*restore_settings=*/failed || !checked.ok());
  if (failed || !checked.ok()) {
    txn->Rollback();
    return checked;
  }
  return txn->Commit();
}

}  // namespace cairn::executor
