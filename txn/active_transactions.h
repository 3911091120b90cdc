#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/timestamp.h"

namespace cairn::txn {

// The start timestamps of this node's open transactions. A schema change
// that goes through states (an online index build: F1's delete-only,
// write-only, public) commits each state and then waits until no
// transaction that may still read the schema from before it is open:
// under snapshot isolation a transaction reads the descriptors of its
// start_ts for its whole life.
//
// A transaction registers before it takes its start timestamp (Reserve),
// so a waiter never misses one that is between asking the oracle and
// registering: its timestamp may be older than the state change.
//
// Thread safety: all methods may be called from any thread.
class ActiveTransactions {
 public:
  // A ticket for a transaction about to take its start timestamp.
  uint64_t Reserve();
  // The ticket's transaction started at `start_ts` (Activate) or failed to
  // start (Cancel).
  void Activate(uint64_t ticket, Timestamp start_ts);
  void Cancel(uint64_t ticket);
  // The transaction that started at `start_ts` has ended.
  void Remove(Timestamp start_ts);

  // Waits until every transaction that started before `ts` has ended.
  // `check` runs about every 10 ms while waiting and ends the wait with
  // its error (statement timeout, cancellation).
  absl::Status WaitForOlderThan(Timestamp ts, const std::function<absl::Status()>& check);

  // Open transactions, for tests and metrics.
  size_t open() const;
  // The start timestamp of the oldest open transaction, if any.
  std::optional<Timestamp> Oldest() const;

 private:
  mutable absl::Mutex mu_;
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  std::set<uint64_t> reserved_ ABSL_GUARDED_BY(mu_);
  std::multiset<Timestamp> open_ ABSL_GUARDED_BY(mu_);
  absl::CondVar changed_;
};

}  // namespace cairn::txn
