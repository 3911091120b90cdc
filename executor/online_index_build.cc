#include "executor/online_index_build.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "executor/indexes.h"
#include "executor/privilege_checker.h"

namespace cairn::executor {
namespace {

// A step that meets a concurrent writer (40001) is redone this often.
constexpr int kMaxStepAttempts = 100;
// The backfill's batches shrink to this under conflicts, and give up after
// so many.
constexpr size_t kMinBackfillBatch = 16;
constexpr int kMaxBackfillConflicts = 10000;
// How long the cleanup of a failed build waits for older transactions.
constexpr absl::Duration kCleanupWait = absl::Seconds(10);

bool IsConflict(const absl::Status& s) {
  return GetErrorCode(s) == ErrorCode::kSerializationFailure;
}

// Runs `step` in a transaction of its own and commits it, again on a
// write conflict; the commit timestamp (0 when it wrote nothing).
absl::StatusOr<Timestamp> RunStep(const OnlineIndexBuildEnv& env,
                                  const std::function<absl::Status(txn::Txn*)>& step) {
  for (int attempt = 0;; ++attempt) {
    CAIRN_RETURN_IF_ERROR(env.interrupted());
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<txn::Txn> txn, env.begin());
    absl::Status status = step(txn.get());
    if (status.ok()) status = txn->Commit();
    if (status.ok()) return txn->commit_ts();
    txn->Rollback();
    if (!IsConflict(status) || attempt + 1 >= kMaxStepAttempts) return status;
  }
}

// The table that owns index `index_id`, read in `txn`.
absl::StatusOr<catalog::TableInfo> TableOf(const OnlineIndexBuildEnv& env, txn::Txn* txn,
                                           const std::string& table_name, uint32_t index_id) {
  CAIRN_ASSIGN_OR_RETURN(auto table, env.catalog->GetTable(txn, env.database_id, table_name));
  if (table) {
    for (const catalog::IndexInfo& index : table->all_indexes()) {
      if (index.id == index_id) return *std::move(table);
    }
  }
  // Dropped (or its table renamed or dropped) by someone else meanwhile.
  return MakeError(
      ErrorCode::kObjectNotInPrerequisiteState,
      absl::StrFormat("index being built on \"%s\" was dropped concurrently", table_name));
}

// Sets the state of index `index_id`.
absl::Status SetState(const OnlineIndexBuildEnv& env, txn::Txn* txn, const std::string& table_name,
                      uint32_t index_id, proto::IndexDescriptor::State state) {
  CAIRN_ASSIGN_OR_RETURN(catalog::TableInfo table, TableOf(env, txn, table_name, index_id));
  proto::TableDescriptor descriptor = table.descriptor();
  for (proto::IndexDescriptor& index : *descriptor.mutable_indexes()) {
    if (index.id() == index_id) index.set_state(state);
  }
  return env.catalog->UpdateTable(txn, table_name, std::move(descriptor));
}

absl::Status WaitOut(const OnlineIndexBuildEnv& env, Timestamp state_committed) {
  return env.active->WaitForOlderThan(state_committed, env.interrupted);
}

// After a failure: the index goes back to DELETE_ONLY (writers stop adding
// entries), and once no writer can still add one, its entries and the
// index itself go. A cleanup that cannot wait long enough (a transaction
// left open) leaves the index DELETE_ONLY: never read, its entries only
// ever deleted, listed by name so that DROP INDEX removes it.
void Abandon(const OnlineIndexBuildEnv& env, const std::string& table_name, uint32_t index_id,
             const std::string& index_name) {
  OnlineIndexBuildEnv cleanup = env;
  const absl::Time give_up = absl::Now() + kCleanupWait;
  cleanup.interrupted = [give_up]() -> absl::Status {
    if (absl::Now() < give_up) return absl::OkStatus();
    return MakeError(ErrorCode::kLockNotAvailable,
                     "a transaction older than the build is still open");
  };
  absl::StatusOr<Timestamp> deletable = RunStep(cleanup, [&](txn::Txn* txn) {
    return SetState(cleanup, txn, table_name, index_id, proto::IndexDescriptor::DELETE_ONLY);
  });
  absl::Status status = deletable.status();
  if (status.ok()) status = WaitOut(cleanup, *deletable);
  if (status.ok()) {
    status = RunStep(cleanup, [&](txn::Txn* txn) -> absl::Status {
               CAIRN_ASSIGN_OR_RETURN(catalog::TableInfo table,
                                      TableOf(cleanup, txn, table_name, index_id));
               CAIRN_RETURN_IF_ERROR(DeleteIndexEntries(txn, table.id(), index_id));
               proto::TableDescriptor descriptor = table.descriptor();
               auto* indexes = descriptor.mutable_indexes();
               for (int i = 0; i < indexes->size(); ++i) {
                 if (indexes->Get(i).id() == index_id) {
                   indexes->DeleteSubrange(i, 1);
                   break;
                 }
               }
               return cleanup.catalog->UpdateTable(txn, table_name, std::move(descriptor));
             }).status();
  }
  if (!status.ok()) {
    CAIRN_LOG_WARN("index \"{}\" of a failed build is left for DROP INDEX: {}", index_name,
                   status.ToString());
  }
}

}  // namespace

absl::StatusOr<std::string> CreateIndexOnline(const ast::CreateIndexStatement& stmt,
                                              const OnlineIndexBuildEnv& env) {
  // 1. The index, DELETE_ONLY.
  std::string table_name, index_name;
  uint32_t index_id = 0;
  bool exists_already = false;
  CAIRN_ASSIGN_OR_RETURN(Timestamp added, RunStep(env, [&](txn::Txn* txn) -> absl::Status {
                           PrivilegeChecker checker(env.catalog, txn, env.role, env.database);
                           CAIRN_ASSIGN_OR_RETURN(
                               std::optional<PreparedIndex> prepared,
                               PrepareIndex(stmt, env.catalog, txn, env.database_id, &checker));
                           exists_already = !prepared.has_value();
                           if (exists_already) return absl::OkStatus();
                           proto::TableDescriptor descriptor = prepared->table.descriptor();
                           index_id = descriptor.next_index_id();
                           descriptor.set_next_index_id(index_id + 1);
                           proto::IndexDescriptor index = std::move(prepared->index);
                           index.set_id(index_id);
                           index.set_state(proto::IndexDescriptor::DELETE_ONLY);
                           table_name = prepared->table.name();
                           index_name = index.name();
                           *descriptor.add_indexes() = std::move(index);
                           return env.catalog->UpdateTable(txn, table_name, std::move(descriptor));
                         }));
  if (exists_already) return std::string("CREATE INDEX");

  absl::Status status = WaitOut(env, added);
  // 2. WRITE_ONLY: from here every writer maintains the entries.
  Timestamp writable = 0;
  if (status.ok()) {
    absl::StatusOr<Timestamp> t = RunStep(env, [&](txn::Txn* txn) {
      return SetState(env, txn, table_name, index_id, proto::IndexDescriptor::WRITE_ONLY);
    });
    status = t.status();
    if (t.ok()) writable = *t;
  }
  if (status.ok()) status = WaitOut(env, writable);
  // 3. Backfill the rows there were, a batch per transaction. A batch
  // that meets a writer's change to one of its rows is redone on a newer
  // snapshot, smaller, so that busy tables still make progress.
  std::optional<std::string> next = "";
  size_t batch = env.batch_rows;
  int conflicts = 0;
  while (status.ok() && next.has_value()) {
    status = env.interrupted();
    if (!status.ok()) break;
    std::optional<std::string> after;
    absl::StatusOr<std::unique_ptr<txn::Txn>> txn = env.begin();
    status = txn.status();
    if (!status.ok()) break;
    status = [&]() -> absl::Status {
      CAIRN_ASSIGN_OR_RETURN(catalog::TableInfo table,
                             TableOf(env, txn->get(), table_name, index_id));
      const catalog::IndexInfo* index = nullptr;
      for (const catalog::IndexInfo& i : table.all_indexes()) {
        if (i.id == index_id) index = &i;
      }
      CAIRN_ASSIGN_OR_RETURN(after, BackfillIndex(table, *index, *next, batch, txn->get()));
      return (*txn)->Commit();
    }();
    if (status.ok()) {
      next = std::move(after);
      batch = std::min(env.batch_rows, batch * 2);
      continue;
    }
    (*txn)->Rollback();
    if (IsConflict(status) && ++conflicts < kMaxBackfillConflicts) {
      batch = std::max<size_t>(kMinBackfillBatch, batch / 4);
      status = absl::OkStatus();
    }
  }
  // 4. PUBLIC: readers may use it.
  if (status.ok()) {
    status = RunStep(env, [&](txn::Txn* txn) {
               return SetState(env, txn, table_name, index_id, proto::IndexDescriptor::PUBLIC);
             }).status();
  }
  if (!status.ok()) {
    Abandon(env, table_name, index_id, index_name);
    return status;
  }
  return std::string("CREATE INDEX");
}

}  // namespace cairn::executor
