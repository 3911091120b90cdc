#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "kv/periodic_task.h"
#include "kv/store.h"

namespace cairn::kv {

// Removes from this node's store the replicas whose groups no longer count
// them (CockroachDB's replica GC queue): a replica moved to another node,
// or replaced while its node was down, is not told so by its group (the
// leader stops writing to it), and it would otherwise hold its data and
// count as this node's forever.
//
// A replica is removed when the membership it has applied leaves this
// node out, or when the range's leaseholder says so (checked every
// check_every_ms per replica, through `leaseholder_descriptor`, which must
// answer only with the leaseholder's own descriptor). A replica that a
// message brought here and that never got its first snapshot is removed
// after uninitialized_ttl_ms; the group sends it another message if it
// still wants it. Replicas this node leads are never touched.
class ReplicaGcQueue {
 public:
  using LeaseholderDescriptor =
      std::function<absl::StatusOr<proto::RangeDescriptor>(std::string_view key)>;
  struct Options {
    uint64_t interval_ms = 1000;
    uint64_t check_every_ms = 2000;
    uint64_t uninitialized_ttl_ms = 60000;
  };

  ReplicaGcQueue(Store* store, LeaseholderDescriptor leaseholder_descriptor, Options options);
  ~ReplicaGcQueue();

  void Start();
  void Stop();

  // One pass; returns how many replicas were removed.
  size_t RunOnce();

 private:
  // Whether the group of `replica` (initialized, not led here) has left
  // this node out.
  bool RemovedFromGroup(Replica* replica, absl::Time now);

  Store* const store_;
  const LeaseholderDescriptor leaseholder_descriptor_;
  const Options options_;
  Counter* const removed_;

  // Loop thread only: when each range's membership was last asked for.
  absl::flat_hash_map<uint64_t, absl::Time> last_checked_;

  PeriodicTask task_{absl::Milliseconds(options_.interval_ms), [this] { RunOnce(); }};
};

}  // namespace cairn::kv
