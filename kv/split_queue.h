#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "kv/periodic_task.h"
#include "kv/store.h"

namespace cairn::kv {

// Splits the ranges this node leads once their data outgrows a size
// threshold (DESIGN.md "Ranges, replication, placement"): every interval,
// each table-keyspace range whose engine size estimate exceeds
// max_range_bytes is split at the user key that halves its data. The meta
// range never splits. New range ids come from `range_ids` (the cluster's
// RangeIdAllocator).
class SplitQueue {
 public:
  struct Options {
    // Read at each pass (a cluster setting may change it).
    std::function<uint64_t()> max_range_bytes = [] { return uint64_t{64} << 20; };
    uint64_t interval_ms = 1000;
  };

  SplitQueue(Store* store, std::function<absl::StatusOr<uint64_t>()> range_ids, Options options);
  ~SplitQueue();

  void Start();
  void Stop();

  // One pass over the ranges led here; returns how many were split.
  size_t RunOnce();

  // The user key in the middle of `range`'s data (by bytes of its version
  // records), or nullopt when the range holds fewer than two user keys.
  static absl::StatusOr<std::optional<std::string>> MiddleKey(const KvEngine& engine,
                                                             const proto::RangeDescriptor& range);

 private:
  Store* const store_;
  const std::function<absl::StatusOr<uint64_t>()> range_ids_;
  const Options options_;
  Counter* const splits_;

  PeriodicTask task_{absl::Milliseconds(options_.interval_ms), [this] { RunOnce(); }};
};

}  // namespace cairn::kv
