#pragma once

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/timestamp.h"
#include "kv/kv_client.h"
#include "kv/periodic_task.h"

namespace cairn::txn {

// Keeps the locks of this node's long transactions alive (DESIGN.md
// "Transactions": long transactions heartbeat their TTL). A lock expires a
// TTL after its transaction started, and then any reader may roll the
// transaction back. A transaction that holds locks while its client thinks
// (SELECT ... FOR UPDATE, UPDATE in a transaction block) registers here, and
// every interval its primary's TTL is raised to its age plus the base TTL.
// When its coordinator dies the heartbeats stop with it, and its locks
// expire at most a base TTL later. Thread-safe; one per node.
class TxnHeartbeater {
 public:
  TxnHeartbeater(kv::KvClient* client, uint64_t base_ttl_ms, absl::Duration interval);
  ~TxnHeartbeater() { Stop(); }

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }

  // Transaction start_ts holds a lock on `primary` until Remove.
  void Add(Timestamp start_ts, std::string primary);
  void Remove(Timestamp start_ts);

  // One heartbeat for every registered transaction (the periodic pass).
  void Beat();

 private:
  kv::KvClient* const client_;
  const uint64_t base_ttl_ms_;
  absl::Mutex mu_;
  absl::flat_hash_map<Timestamp, std::string> primaries_ ABSL_GUARDED_BY(mu_);
  kv::PeriodicTask task_;
};

}  // namespace cairn::txn
