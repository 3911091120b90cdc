#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "catalog/catalog.h"
#include "common/value.h"
#include "planner/bound_expr.h"
#include "txn/txn.h"

namespace cairn::executor {

// What operators and expressions need while a statement runs: its
// transaction, the catalog (sequences), the session's identity and the
// statement's parameters. Owned by the session; lives for one statement.
struct ExecContext {
  txn::Txn* txn = nullptr;
  catalog::Catalog* catalog = nullptr;
  std::string user;
  std::string database;
  int32_t backend_pid = 0;
  uint64_t node_id = 1;
  // now() is the transaction's start, as in PostgreSQL.
  int64_t transaction_start_micros = 0;
  std::vector<Value> params;

  // Subqueries: the rows of the enclosing queries being evaluated,
  // innermost last (read by outer column references), and what each
  // uncorrelated subquery returned, computed once per statement.
  std::vector<const Row*> outer_rows;
  absl::flat_hash_map<const planner::BoundExpr*, std::vector<Value>> subquery_results;
  // WITH RECURSIVE: the rows the previous round added, per work table.
  absl::flat_hash_map<int, std::vector<Row>> work_tables;
};

}  // namespace cairn::executor
