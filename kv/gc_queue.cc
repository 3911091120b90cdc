#include "kv/gc_queue.h"

#include <algorithm>

#include "common/logging.h"
#include "kv/range_commands.h"

namespace cairn::kv {
namespace {

// Two heartbeats of the node registry (one a second).
constexpr uint64_t kHeartbeatStalenessMs = 2000;

}  // namespace

GcQueue::GcQueue(Store* store, Options options)
    : store_(store),
      options_(std::move(options)),
      removed_(MetricRegistry::Global().GetCounter(
          "cairn_gc_versions_removed_total",
          "Old MVCC versions this node removed from the ranges it leads")) {}

GcQueue::~GcQueue() { Stop(); }

void GcQueue::Start() { task_.Start(); }

void GcQueue::Stop() { task_.Stop(); }

size_t GcQueue::RunOnce() {
  absl::StatusOr<Timestamp> now = options_.now();
  if (!now.ok()) return 0;
  // No TTL known (a setting missing): collect nothing rather than too much.
  const int64_t ttl_seconds = options_.ttl_seconds();
  if (ttl_seconds <= 0) return 0;
  const uint64_t ttl_ms = static_cast<uint64_t>(ttl_seconds) * 1000;
  // The nodes' oldest open transactions are known as of their last
  // heartbeats: one younger than two heartbeats may be missing from them,
  // so the safe point stays below that age whatever the TTL.
  const uint64_t keep_ms = std::max<uint64_t>(ttl_ms, kHeartbeatStalenessMs);
  if (PhysicalMs(*now) <= keep_ms) return 0;
  Timestamp safe_point = ComposeTimestamp(PhysicalMs(*now) - keep_ms, 0);
  // What an open transaction reads stays: GC keeps the newest version at
  // or below the safe point, which is what a read at it sees.
  if (std::optional<Timestamp> oldest = options_.oldest_active(); oldest) {
    safe_point = std::min(safe_point, *oldest);
  }
  const uint64_t step_ms = std::max<uint64_t>(ttl_ms / 10, 1000);
  size_t removed = 0;
  for (Replica* replica : store_->replicas()) {
    if (!replica->IsServing()) continue;
    if (PhysicalMs(safe_point) < PhysicalMs(replica->gc_threshold()) + step_ms) continue;
    proto::RaftCommand raise;
    raise.set_gc_threshold(safe_point);
    absl::Status s = replica->ProposeAndWait(std::move(raise));
    if (!s.ok()) continue;
    absl::StatusOr<size_t> n = RangeCommands(replica).GarbageCollect(safe_point);
    if (!n.ok()) {
      CAIRN_LOG_INFO("range {}: garbage collection failed: {}", replica->range_id(),
                     n.status().ToString());
      continue;
    }
    removed += *n;
  }
  removed_->Add(static_cast<int64_t>(removed));
  return removed;
}

}  // namespace cairn::kv
