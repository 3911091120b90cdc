#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "common/metrics.h"
#include "common/timestamp.h"
#include "kv/periodic_task.h"
#include "kv/store.h"

namespace cairn::kv {

// MVCC garbage collection (DESIGN.md "MVCC engine"): every interval, on
// the ranges this node leads, versions below the cluster's GC safe point
// are removed, the newest one below it kept. The safe point is the older
// of now minus the gc.ttl_seconds cluster setting and the start of the
// oldest transaction open anywhere in the cluster (from the nodes'
// heartbeats). Each range first raises its GC threshold to the safe point
// through Raft, so that no replica serves a read below what is removed;
// a range is collected again once the safe point has moved on by a tenth
// of the TTL (a second at least).
class GcQueue {
 public:
  struct Options {
    uint64_t interval_ms = 1000;
    // Now, from the cluster's timestamp oracle.
    std::function<absl::StatusOr<Timestamp>()> now;
    std::function<int64_t()> ttl_seconds;
    // The start of the oldest open transaction of the cluster, if any.
    std::function<std::optional<Timestamp>()> oldest_active;
  };

  GcQueue(Store* store, Options options);
  ~GcQueue();

  void Start();
  void Stop();

  // One pass; returns how many versions were removed.
  size_t RunOnce();

 private:
  Store* const store_;
  const Options options_;
  Counter* const removed_;
  PeriodicTask task_{absl::Milliseconds(options_.interval_ms), [this] { RunOnce(); }};
};

}  // namespace cairn::kv
