#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "catalog/catalog.h"
#include "common/error_code.h"
#include "common/value.h"
#include "planner/bound_expr.h"
#include "txn/txn.h"

namespace cairn::executor {

// What one operator did, for EXPLAIN ANALYZE: rows it returned, calls of
// Next, and the time and KV reads spent in them (its inputs' included).
struct OperatorStats {
  uint64_t rows = 0;
  uint64_t calls = 0;
  double ms = 0;
  uint64_t kv_reads = 0;
};

struct ExecContext;

// SET CONSTRAINTS in the transaction block: which deferrable constraints
// wait for COMMIT (by name, else all, else as each was declared).
struct ConstraintTiming {
  std::optional<bool> all_deferred;
  absl::flat_hash_map<std::string, bool> deferred_by_name;
};

// A constraint check that runs once the rows it is about are written, in
// the context it is run with (the statement's, or one made at COMMIT).
using ConstraintCheck = std::function<absl::Status(ExecContext*)>;

// A check that waits for COMMIT (or SET CONSTRAINTS ... IMMEDIATE).
struct DeferredCheck {
  std::string constraint;
  ConstraintCheck run;
};

// What operators and expressions need while a statement runs: its
// transaction, the catalog (sequences), the session's identity and the
// statement's parameters. Owned by the session; lives for one statement.
struct ExecContext {
  txn::Txn* txn = nullptr;
  catalog::Catalog* catalog = nullptr;
  std::string user;          // the current role (current_user)
  std::string session_user;
  std::string database;
  uint32_t database_id = 0;
  int32_t backend_pid = 0;
  uint64_t node_id = 1;
  // now() is the transaction's start, as in PostgreSQL.
  int64_t transaction_start_micros = 0;
  std::vector<Value> params;
  // Set by another thread to cancel the statement (a CancelRequest), and
  // the time the statement must end by (statement_timeout); operators that
  // can run long check both with CheckInterrupts.
  const std::atomic<bool>* cancel_requested = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  // Subqueries: the rows of the enclosing queries being evaluated,
  // innermost last (read by outer column references), and what each
  // uncorrelated subquery returned, computed once per statement.
  std::vector<const Row*> outer_rows;
  absl::flat_hash_map<const planner::BoundExpr*, std::vector<Value>> subquery_results;
  // The database's tables, read once per statement (foreign keys).
  std::optional<std::vector<catalog::TableInfo>> tables;
  // pg_get_userbyid: role names by oid, read once per statement.
  std::optional<absl::flat_hash_map<int64_t, std::string>> role_names;
  // WITH RECURSIVE: the rows the previous round added, per work table.
  absl::flat_hash_map<int, std::vector<Row>> work_tables;
  // How much memory a sort may hold before it spills to temporary files
  // (the session's work_mem).
  int64_t work_mem_bytes = 64 << 20;
  // EXPLAIN ANALYZE: what each plan node's operator did (node_hash_map:
  // operators keep pointers to their entry); null otherwise.
  absl::node_hash_map<const planner::PlanNode*, OperatorStats>* stats = nullptr;
  // Checks that hold for the statement as a whole, run once all its rows
  // are written (RunEndOfStatementChecks): foreign keys, which PostgreSQL
  // checks at the end of the statement, so that a row may reference one
  // the same statement writes later, or a tree of rows go at once.
  std::vector<ConstraintCheck> end_of_statement_checks;
  // The session's transaction: its checks deferred to COMMIT, and its SET
  // CONSTRAINTS. Null outside a session's transaction: checks then run at
  // the statement's end.
  std::vector<DeferredCheck>* deferred_checks = nullptr;
  const ConstraintTiming* constraint_timing = nullptr;
};

// Runs (and clears) the statement's end-of-statement checks; the first
// failure is the statement's.
inline absl::Status RunEndOfStatementChecks(ExecContext* ctx) {
  std::vector<ConstraintCheck> checks;
  checks.swap(ctx->end_of_statement_checks);
  for (const auto& check : checks) CAIRN_RETURN_IF_ERROR(check(ctx));
  return absl::OkStatus();
}

// 57014 once the statement was canceled or ran past statement_timeout.
inline absl::Status CheckInterrupts(const ExecContext& ctx) {
  if (ctx.cancel_requested != nullptr && ctx.cancel_requested->load(std::memory_order_relaxed)) {
    return MakeError(ErrorCode::kQueryCanceled, "canceling statement due to user request");
  }
  if (ctx.deadline != std::chrono::steady_clock::time_point::max() &&
      std::chrono::steady_clock::now() >= ctx.deadline) {
    return MakeError(ErrorCode::kQueryCanceled, "canceling statement due to statement timeout");
  }
  return absl::OkStatus();
}

}  // namespace cairn::executor
