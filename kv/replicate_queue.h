#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "absl/time/time.h"
#include "common/metrics.h"
#include "kv/node_registry.h"
#include "kv/periodic_task.h"
#include "kv/store.h"

namespace cairn::kv {

// Brings the ranges this node leads to their replication factor
// (DESIGN.md "Ranges, replication, placement"): every few hundred
// milliseconds, for each range it leads, one step at a time and only when
// no membership change is in flight:
//   - a learner that has caught up with the leader's log is promoted to
//     voter;
//   - with fewer live voters than min(replication factor, live nodes), a
//     learner is added on the live node without a replica that holds the
//     fewest ranges (it is then caught up by a snapshot); a voter on a dead
//     node stays until its replacement is a voter;
//   - with more voters than the replication factor (a replacement done), a
//     voter on a dead node is removed, else the one on the most loaded
//     other node;
//   - balance, at most one move on this node every few seconds: a replica
//     moves from the fullest node holding the range to the emptiest live
//     node without it when their range counts are two or more apart (add
//     a learner there; once it is a voter, the fullest node's voter goes,
//     the leader handing its lease away first when that is itself); else
//     it hands the lease to a voter with fewer leases while it holds more
//     than its share. The replica GC queue removes what a move leaves on
//     the old node.
// Replica ids are node ids. Counts come from the nodes' heartbeats.
class ReplicateQueue {
 public:
  struct Options {
    // Voters per range: read at each step (a cluster setting may change it).
    std::function<size_t()> replication_factor = [] { return size_t{3}; };
    uint64_t interval_ms = 200;
    // Counts are a heartbeat old: give a balancing move time to show in them.
    uint64_t balance_cooldown_ms = 3000;
  };

  ReplicateQueue(Store* store, NodeRegistry* registry, Options options);
  ~ReplicateQueue();

  void Start();
  void Stop();

 private:
  // One pass over the ranges led here.
  void RunOnce();
  // One step for `replica`, if it needs one; `members` as last heartbeat saw them.
  void Step(Replica* replica, const std::vector<NodeRegistry::Member>& members);
  // A replica or lease move for balance; true if one was started.
  bool Balance(Replica* replica, const Replica::Membership& m,
               const std::vector<NodeRegistry::Member>& members);
  // Starts moving the range's replica from the fullest node holding one to
  // the emptiest live node without one, if they are two ranges apart or
  // more; true if it did.
  bool MoveReplica(Replica* replica, const Replica::Membership& m,
                   const std::vector<NodeRegistry::Member>& members);
  // A live, active voter other than this node that holds the whole
  // committed log, the one with the fewest leases; 0 if none.
  uint64_t CaughtUpVoter(const Replica::Membership& m,
                         const std::vector<NodeRegistry::Member>& members) const;

  Store* const store_;
  NodeRegistry* const registry_;
  const Options options_;
  Gauge* const lag_gauge_;

  // Loop thread only: when this node last started a balancing move of each kind.
  absl::Time last_replica_move_ = absl::InfinitePast();
  absl::Time last_lease_move_ = absl::InfinitePast();

  PeriodicTask task_{absl::Milliseconds(options_.interval_ms), [this] { RunOnce(); }};
};

}  // namespace cairn::kv
