#pragma once

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "kv/node_registry.h"
#include "kv/store.h"

namespace cairn::kv {

// Brings the ranges this node leads to their replication factor
// (DESIGN.md "Ranges, replication, placement"): every few hundred
// milliseconds, for each range it leads, one step at a time and only when
// no membership change is in flight:
//   - a learner that has caught up with the leader's log is promoted to
//     voter;
//   - with fewer voters than min(replication factor, live nodes), a learner
//     is added on the live node without a replica that holds the fewest
//     ranges (it is then caught up by a snapshot);
//   - a voter on a node that is dead is removed once enough live voters
//     remain to keep a quorum, making room for its replacement.
// Replica ids are node ids.
class ReplicateQueue {
 public:
  struct Options {
    size_t replication_factor = 3;
    uint64_t interval_ms = 200;
  };

  ReplicateQueue(Store* store, NodeRegistry* registry, Options options);
  ~ReplicateQueue();

  void Start();
  void Stop();

 private:
  void Loop();
  // One step for `replica`, if it needs one; `members` as last heartbeat saw them.
  void Step(Replica* replica, const std::vector<NodeRegistry::Member>& members);

  Store* const store_;
  NodeRegistry* const registry_;
  const Options options_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar cv_;
  std::thread thread_;
};

}  // namespace cairn::kv
