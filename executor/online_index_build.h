#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "parser/ast/ddl.h"
#include "txn/active_transactions.h"
#include "txn/txn.h"

// CREATE INDEX outside a transaction block, built while the table takes
// writes (F1's online schema change). The index is added DELETE_ONLY, then
// made WRITE_ONLY, each state committed and waited out: once no
// transaction that read the table's descriptor from before a state is
// open, every writer honours it. Then the rows are backfilled in batches
// of their own transactions (a batch that meets a concurrent writer's
// change fails with 40001 and is redone on a newer snapshot), and the
// index turns PUBLIC. A failed build (23505 for duplicate values of a
// unique index, a timeout, a cancel) removes the index again.
//
// The wait covers this node's transactions (txn::ActiveTransactions); a
// cluster needs the same wait on every node (issue #4).
namespace cairn::executor {

struct OnlineIndexBuildEnv {
  catalog::Catalog* catalog = nullptr;
  uint32_t database_id = 0;
  std::string role;  // the statement's role, for its privilege checks
  std::string database;
  txn::ActiveTransactions* active = nullptr;
  // A new transaction, listed in `active`.
  std::function<absl::StatusOr<std::unique_ptr<txn::Txn>>()> begin;
  // Statement timeout or cancellation, checked between steps and while
  // waiting.
  std::function<absl::Status()> interrupted;
  size_t batch_rows = 1024;
};

absl::StatusOr<std::string> CreateIndexOnline(const ast::CreateIndexStatement& stmt,
                                              const OnlineIndexBuildEnv& env);

}  // namespace cairn::executor
