#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "catalog/catalog.h"
#include "executor/copy_format.h"
#include "executor/exec_context.h"
#include "executor/prepared_query.h"
#include "executor/session_settings.h"
#include "executor/sql_session.h"
#include "executor/statistics.h"
#include "kv/kv_client.h"
#include "kv/node_registry.h"
#include "kv/cluster_settings.h"
#include "kv/range_directory.h"
#include "parser/ast/cursor.h"
#include "parser/ast/ddl.h"
#include "parser/ast/dml.h"
#include "parser/ast/prepared.h"
#include "parser/ast/session.h"
#include "parser/ast/statement.h"
#include "txn/lock_resolver.h"
#include "txn/txn.h"

namespace cairn::executor {

// One client's SQL session: the transaction block state machine of
// PostgreSQL (idle, in a block, failed), settings, and statement dispatch.
//
// Outside BEGIN ... COMMIT every statement runs in a transaction of its own,
// retried on a serialization failure while no result has reached the
// client. Inside a block a failed statement marks the block failed (25P02
// for what follows) until ROLLBACK; COMMIT of a failed block rolls back.
class Session : public SqlSession {
 public:
  struct Deps {
    kv::KvClient* client;
    txn::LockResolver* resolver;
    catalog::Catalog* catalog;
    uint64_t node_id;
    // This node's open transactions, which online schema changes wait on.
    txn::ActiveTransactions* active;
    // Told how many rows each statement wrote; may be null.
    AutoAnalyzer* auto_analyzer = nullptr;
    // The cluster's membership (SHOW CLUSTER NODES); may be null.
    kv::NodeRegistry* cluster = nullptr;
    // Where the ranges are (SHOW RANGES); may be null.
    kv::RangeDirectory* ranges = nullptr;
    // The cluster's settings (SET/SHOW CLUSTER SETTING); may be null.
    kv::ClusterSettings* cluster_settings = nullptr;
    // Keep transactions' row locks alive; commit their secondaries after
    // COMMIT is answered. May be null (Txn::Options).
    txn::TxnHeartbeater* heartbeater = nullptr;
    txn::SecondaryCommitter* secondaries = nullptr;
  };

  Session(const Deps& deps, std::string user, std::string database, uint32_t database_id,
          int32_t backend_pid, bool superuser = true);
  ~Session() override;

  absl::Status ExecuteQuery(std::string_view sql, QueryObserver* observer) override;
  absl::StatusOr<std::shared_ptr<PreparedStatement>> Prepare(
      std::string_view sql, const std::vector<SqlType>& declared) override;
  absl::StatusOr<StatementResult> ExecutePrepared(PreparedStatement& statement,
                                                  const std::vector<Value>& params) override;
  absl::Status Sync(bool error_reported) override;
  TxnStatus txn_status() const override;
  void Cancel() override { cancel_requested_.store(true); }
  int64_t IdleInTransactionTimeoutMs() const override {
    return settings_.DurationMs("idle_in_transaction_session_timeout");
  }
  absl::Status ApplyStartupSetting(const std::string& name, const std::string& value) override;
  std::vector<std::pair<std::string, std::string>> InitialParameters() const override;
  void Close() override;

  // What a statement of a prepared statement runs with: its parameter
  // values, and the prepared statement whose cached plan it may reuse.
  struct Bindings {
    PreparedQuery* prepared = nullptr;
    const std::vector<Value>* params = nullptr;
    CopyChannel* copy = nullptr;  // the client's end of COPY
  };

  // Runs one parsed statement.
  absl::StatusOr<StatementResult> ExecuteStatement(const ast::Statement& stmt,
                                                   const Bindings& bindings);

 private:
  absl::StatusOr<StatementResult> ExecuteTransactionStatement(const ast::Statement& stmt);
  absl::StatusOr<StatementResult> ExecuteSet(const ast::Statement& stmt);
  absl::StatusOr<StatementResult> ExecuteShow(const ast::Statement& stmt);
  absl::StatusOr<StatementResult> ExecuteShowRanges(const ast::ShowStatement& stmt);
  // SELECT ... AS OF SYSTEM TIME: a read of the whole cluster at a past
  // time, outside transaction blocks.
  // Whether `stmt`, run in a transaction block, locks the rows it changes
  // or selects (and with NOWAIT: true), or not (nullopt).
  static std::optional<bool> LocksRows(const ast::Statement& stmt);
  absl::StatusOr<StatementResult> ExecuteHistoricalSelect(const ast::SelectStatement& stmt,
                                                          const Bindings& bindings);
  // SET CLUSTER SETTING: superusers only, outside transaction blocks.
  absl::StatusOr<StatementResult> ExecuteSetClusterSetting(const ast::SetStatement& stmt);
  // A statement that reads or writes data, in `txn`.
  absl::StatusOr<StatementResult> ExecuteInTxn(const ast::Statement& stmt, txn::Txn* txn,
                                               const Bindings& bindings);
  // Runs `plan`; with `stats`, each operator's figures go there (EXPLAIN
  // ANALYZE).
  absl::StatusOr<StatementResult> RunPlan(
      const planner::PlanNode& plan, txn::Txn* txn, const std::vector<Value>* params,
      absl::node_hash_map<const planner::PlanNode*, OperatorStats>* stats);
  // ExecuteQuery's work, without the timing.
  absl::Status RunQuery(std::string_view sql, QueryObserver* observer);
  // COMMIT or ROLLBACK: what a failed block still accepts.
  static bool IsTransactionEnd(const ast::Statement& stmt);
  // Starts statement_timeout's clock for the statement about to run.
  void StartStatementClock();
  // 57014 once the running statement was cancelled or timed out; what the
  // waits below the executor ask (StatementInterrupts).
  absl::Status CheckStatementInterrupts() const;
  absl::Time StatementDeadline() const;
  // How long a statement waits for a row lock (lock_timeout).
  int64_t LockWaitMs() const;
  // Adds the statement that started at `started` to the node's slowest
  // (SlowStatements), for the status page.
  void RecordDuration(std::string_view sql, std::chrono::steady_clock::time_point started, bool ok);
  absl::StatusOr<StatementResult> ExecuteQueryPlan(const ast::Statement& stmt, txn::Txn* txn,
                                                   const Bindings& bindings);
  absl::StatusOr<StatementResult> ExecuteExplain(const ast::Statement& stmt, txn::Txn* txn,
                                                 const Bindings& bindings);
  // COPY (copy.cc): rows from the client into a table, or a table's or a
  // query's rows to the client, through `bindings.copy`.
  absl::StatusOr<StatementResult> ExecuteCopy(const ast::CopyStatement& stmt, txn::Txn* txn,
                                              const Bindings& bindings);
  absl::StatusOr<StatementResult> CopyFrom(const ast::CopyStatement& stmt,
                                           const CopyOptions& options, txn::Txn* txn,
                                           CopyChannel* channel);
  absl::StatusOr<StatementResult> CopyTo(const ast::CopyStatement& stmt,
                                         const CopyOptions& options, txn::Txn* txn,
                                         CopyChannel* channel);
  // The context operators of a statement in `txn` evaluate in.
  void InitExecContext(txn::Txn* txn, ExecContext* ctx);
  // Runs the transaction's constraint checks deferred to COMMIT, in `txn`,
  // and forgets its SET CONSTRAINTS: before every commit.
  absl::Status CheckDeferredConstraints(txn::Txn* txn);
  absl::StatusOr<StatementResult> ExecuteSetConstraints(const ast::SetStatement& stmt);
  // The plan of a query: `prepared`'s cached one while the tables it was
  // planned against are unchanged, else a new one (cached in `prepared`).
  absl::StatusOr<std::shared_ptr<const planner::PlanNode>> PlanFor(const ast::Statement& stmt,
                                                                   txn::Txn* txn,
                                                                   PreparedQuery* prepared);
  // Fills in what Describe reports of `prepared`'s statement, planning it
  // if it is a query.
  absl::Status DescribePrepared(PreparedQuery* prepared, const std::vector<SqlType>& declared);
  absl::StatusOr<StatementResult> ExecuteDatabaseDdl(const ast::Statement& stmt);
  absl::StatusOr<StatementResult> ExecuteVacuum(const ast::VacuumStatement& stmt);
  // Cursors (cursors.cc).
  absl::StatusOr<StatementResult> DeclareCursor(const ast::DeclareCursorStatement& stmt,
                                                txn::Txn* txn);
  absl::StatusOr<StatementResult> Fetch(const ast::FetchStatement& stmt);
  absl::StatusOr<StatementResult> CloseCursor(const ast::CloseCursorStatement& stmt);
  // The transaction block ended: its cursors go, but WITH HOLD ones of a
  // committed block.
  void EndCursors(bool committed);
  // PREPARE, EXECUTE, DEALLOCATE (sql_prepared.cc).
  absl::StatusOr<StatementResult> SqlPrepare(const ast::PrepareStatement& stmt);
  absl::StatusOr<StatementResult> SqlExecute(const ast::ExecuteStatement& stmt);
  absl::StatusOr<StatementResult> SqlDeallocate(const ast::DeallocateStatement& stmt);
  absl::StatusOr<std::unique_ptr<txn::Txn>> BeginTxn();
  planner::PlannerSettings CurrentPlannerSettings() const;
  // CREATE INDEX outside a transaction block: built online.
  absl::StatusOr<StatementResult> CreateIndexOutsideBlock(const ast::CreateIndexStatement& stmt);
  // The session user (who logged in, or SET SESSION AUTHORIZATION's), and
  // the current role privileges are checked for (SET ROLE's, else the
  // session user).
  std::string SessionUser() const;
  std::string CurrentRole() const;
  // SET ROLE and SET SESSION AUTHORIZATION: `role` must exist, and the
  // session may become it (PostgreSQL's rules, without role membership).
  absl::Status CheckRoleSwitch(const std::string& setting, const std::string& role);
  // Ends the transaction block (rolling back whatever is open); with
  // `restore_settings`, SETs made inside it are undone as well.
  void EndBlock(bool restore_settings);

  const Deps deps_;
  const std::string user_;
  const std::string database_;
  const uint32_t database_id_;
  const int32_t backend_pid_;
  SessionSettings settings_;

  std::unique_ptr<txn::Txn> txn_;  // set inside a transaction block
  bool failed_ = false;            // the block saw an error
  bool implicit_block_ = false;    // txn_ spans a multi-statement Query message
  std::optional<SessionSettings> settings_at_begin_;
  // The transaction's foreign key checks deferred to COMMIT, and its SET
  // CONSTRAINTS.
  std::vector<DeferredCheck> deferred_checks_;
  ConstraintTiming constraint_timing_;
  struct Cursor {
    StatementResult result;  // the query's rows, all of them
    int64_t position = 0;    // 0: before the first row; n + 1: after the last
    bool scroll = false;
    bool holdable = false;   // WITH HOLD
    bool in_block = false;   // declared in the open transaction block
  };
  absl::flat_hash_map<std::string, Cursor> cursors_;
  // PREPARE's statements, by name.
  absl::flat_hash_map<std::string, std::shared_ptr<PreparedStatement>> sql_prepared_;
  // Set by Cancel() from another thread; cleared as a Query or Execute
  // message starts.
  std::atomic<bool> cancel_requested_{false};
  // When the running statement must end (statement_timeout).
  std::chrono::steady_clock::time_point statement_deadline_ =
      std::chrono::steady_clock::time_point::max();
};

}  // namespace cairn::executor
