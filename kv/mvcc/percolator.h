#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kv/engine.h"
#include "kv/mvcc/mvcc_reader.h"
#include "kv/mvcc/txn_types.h"

namespace cairn::kv {

// Percolator's actions as pure functions (TiKV's MvccTxn): each reads one
// snapshot through an MvccReader and appends what it would change to a
// WriteBatch; the caller applies the batch (through Raft) while holding the
// latches of the keys involved. Outcomes a transaction reacts to (a foreign
// lock, a newer commit, a duplicate) are returned as TxnError, not as a
// failed Status; a failed Status means the store itself failed.

struct TxnError {
  enum class Kind {
    kKeyLocked,      // a foreign lock: resolve it, then retry
    kWriteConflict,  // a commit newer than start_ts: serialization failure
    kAlreadyExists,  // kInsert found a live value
    kRolledBack,     // this transaction was rolled back (e.g. by a reader)
    kCommitted,      // rollback of a transaction that had committed
  };
  Kind kind;
  std::string key;
  Lock lock;                  // kKeyLocked
  Timestamp conflict_ts = 0;  // kWriteConflict: the newer commit_ts
};

struct PrewriteMutation {
  MutationKind kind = MutationKind::kPut;
  std::string key;
  std::string value;
};

struct PrewriteRequest {
  std::vector<PrewriteMutation> mutations;
  std::string primary;
  Timestamp start_ts = 0;
  uint64_t ttl_ms = 0;
  // Async commit: the locks say so, and the primary's lists `secondaries`
  // (every other key of the transaction).
  bool use_async_commit = false;
  std::vector<std::string> secondaries;
};

// Locks every key of `req` or reports why it cannot. A key already locked
// by the same transaction takes the new mutation without the conflict checks
// (they passed when the lock was taken): so a retried prewrite is
// idempotent, and a row locked early (SELECT ... FOR UPDATE) takes its value
// at commit.
//
// With req.use_async_commit, each lock's min_commit_ts is above
// `max_read_ts` (the newest read its range has served: the transaction
// must not commit below a read that did not see it), and
// *min_commit_ts_out is the largest of them. A lock already of async
// commit keeps its min_commit_ts.
absl::Status Prewrite(const MvccReader& reader, const PrewriteRequest& req, WriteBatch* out,
                      std::vector<TxnError>* errors, Timestamp max_read_ts = 0,
                      Timestamp* min_commit_ts_out = nullptr);

// One-phase commit (all keys in one range): the checks of Prewrite, then
// commit records at commit_ts straight away, with no locks in between. The
// caller must hold the keys' latches from before it took commit_ts until the
// batch is applied, and readers must wait for those latches, so that no
// read at or after commit_ts misses the write.
absl::Status OnePhaseCommit(const MvccReader& reader, const PrewriteRequest& req,
                            Timestamp commit_ts, WriteBatch* out, std::vector<TxnError>* errors);

// Turns the locks of transaction start_ts on `keys` into commit records at
// commit_ts. Idempotent; fails with kRolledBack if the lock is gone and the
// transaction did not commit.
absl::Status Commit(const MvccReader& reader, const std::vector<std::string>& keys,
                    Timestamp start_ts, Timestamp commit_ts, WriteBatch* out,
                    std::vector<TxnError>* errors);

// Removes the locks of start_ts on `keys` and leaves rollback records so a
// late prewrite of start_ts can never succeed.
absl::Status Rollback(const MvccReader& reader, const std::vector<std::string>& keys,
                      Timestamp start_ts, WriteBatch* out, std::vector<TxnError>* errors);

// What the primary key says of a transaction.
struct TxnStatus {
  enum class State {
    kLocked,
    kCommitted,
    kRolledBack,
    // The primary holds an expired lock of async commit: the transaction
    // committed if and only if every secondary is locked too
    // (CheckSecondaryLocks), at the largest min_commit_ts of them all.
    kAsyncCommitUndecided,
  };
  State state = State::kLocked;
  Timestamp commit_ts = 0;  // kCommitted
  uint64_t ttl_ms = 0;      // kLocked
  // The primary's lock of async commit (kAsyncCommitUndecided, and
  // kLocked when it is one): its min_commit_ts and secondaries.
  Timestamp min_commit_ts = 0;
  std::vector<std::string> secondaries;
};

// Decides the fate of transaction lock_ts from its primary: committed,
// rolled back, or alive. An expired lock is rolled back (into `out`). A
// primary with neither lock nor record is marked rolled back, so its
// prewrite can't land later -- but only when `rollback_if_missing`: the
// caller met an expired lock of the transaction. Prewrites of a
// transaction's ranges run in parallel, so a live secondary lock may be
// met before its primary's prewrite has landed; that transaction is alive.
absl::StatusOr<TxnStatus> CheckTxnStatus(const MvccReader& reader, std::string_view primary,
                                         Timestamp lock_ts, Timestamp current_ts,
                                         bool rollback_if_missing, WriteBatch* out);

// Keeps a long transaction alive: raises the TTL of its lock on `primary`
// to `ttl_ms` (never lowers it). Returns the TTL now in force, or the
// transaction's fate when it no longer holds the lock (kCommitted,
// kRolledBack) so its coordinator learns it was rolled back.
absl::StatusOr<TxnStatus> TxnHeartbeat(const MvccReader& reader, std::string_view primary,
                                       Timestamp start_ts, uint64_t ttl_ms, WriteBatch* out);

// What the secondaries of an async-commit transaction say of it.
struct SecondaryLocksStatus {
  enum class State {
    kAllLocked,
    kCommitted,
    kRolledBack,
    // A key not locked (yet): the transaction may still be prewriting
    // (only when the check may not roll back).
    kIncomplete,
  };
  State state = State::kAllLocked;
  // kAllLocked: the largest min_commit_ts of the locks; kCommitted: the
  // transaction's commit_ts.
  Timestamp ts = 0;
};

// Checks the secondaries `keys` of async-commit transaction start_ts whose
// primary lock has expired. A key that holds no lock of it, nor a record,
// was never prewritten: a rollback record there (into `out`) makes sure it
// never will be, and the transaction is rolled back. A lock of it that is
// not of async commit (a row locked early, never prewritten at COMMIT)
// goes the same way.
// Without `rollback_if_missing` (the transaction is alive: its TTL runs)
// nothing is written: such a key makes it kIncomplete.
absl::StatusOr<SecondaryLocksStatus> CheckSecondaryLocks(const MvccReader& reader,
                                                         const std::vector<std::string>& keys,
                                                         Timestamp start_ts,
                                                         bool rollback_if_missing, WriteBatch* out);

// Commits (commit_ts > 0) or rolls back (commit_ts == 0) the locks of
// start_ts on `keys`; keys no longer locked by it are skipped.
absl::Status ResolveLocks(const MvccReader& reader, const std::vector<std::string>& keys,
                          Timestamp start_ts, Timestamp commit_ts, WriteBatch* out);

// Drops versions of keys in [start, end) that no read at or after
// safe_point can see: everything older than the newest version at or below
// it, and that version too when it is a delete. Rollback and lock records at
// or below the safe point go as well. Returns the number of records dropped.
absl::StatusOr<size_t> GarbageCollect(const MvccReader& reader, std::string_view start,
                                      std::string_view end, Timestamp safe_point,
                                      WriteBatch* out);

}  // namespace cairn::kv
