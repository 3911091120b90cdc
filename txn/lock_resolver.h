#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kv/kv_client.h"

namespace cairn::txn {

// Clears locks that block a reader or writer (DESIGN.md "Transactions"): asks
// the lock's primary what became of its transaction, then rolls the lock
// forward (committed) or back (rolled back, or its TTL ran out while its
// coordinator was silent). Verdicts are cached: a transaction's fate never
// changes once decided. Thread-safe; one per node.
class LockResolver {
 public:
  explicit LockResolver(kv::KvClient* client) : client_(client) {}

  enum class Outcome {
    kResolved,    // the lock is gone: retry the read or write
    kStillAlive,  // its transaction is running and within its TTL: wait
  };

  absl::StatusOr<Outcome> Resolve(const kv::LockedKey& locked);

  // Transaction start_ts committed at commit_ts (its coordinator knows):
  // its secondaries' locks roll forward without asking the primary.
  void RememberCommitted(Timestamp start_ts, Timestamp commit_ts);

  // Resolves `locked`, waiting with back-off while its owner is alive, for
  // at most `max_wait_ms`. Fails with lock_not_available once that is spent,
  // and with the statement's error if it is cancelled or times out
  // meanwhile (StatementInterrupts).
  absl::Status ResolveOrWait(const kv::LockedKey& locked, int64_t max_wait_ms);

 private:
  kv::KvClient* const client_;

  void Remember(Timestamp start_ts, Timestamp commit_ts) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The commit_ts (0: rolled back) of async-commit transaction start_ts,
  // from its secondaries; the primary is resolved to it, so that every
  // later question gets the same answer. Without `rollback_if_missing` (the
  // primary's lock is alive) a key not locked yet leaves it undecided
  // (nullopt).
  absl::StatusOr<std::optional<Timestamp>> DecideAsyncCommit(std::string_view primary,
                                                             Timestamp start_ts,
                                                             const kv::TxnStatus& primary_status,
                                                             bool rollback_if_missing);

  absl::Mutex mu_;
  // start_ts -> commit_ts (0: rolled back).
  absl::flat_hash_map<Timestamp, Timestamp> verdicts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::txn
