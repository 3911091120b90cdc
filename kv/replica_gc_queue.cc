#include "kv/replica_gc_queue.h"

#include "common/logging.h"

namespace cairn::kv {

ReplicaGcQueue::ReplicaGcQueue(Store* store, LeaseholderDescriptor leaseholder_descriptor,
                               Options options)
    : store_(store),
      leaseholder_descriptor_(std::move(leaseholder_descriptor)),
      options_(options),
      removed_(MetricRegistry::Global().GetCounter(
          "cairn_replicas_removed_total",
          "Replicas this node's store removed because their group no longer has them")) {}

ReplicaGcQueue::~ReplicaGcQueue() { Stop(); }

void ReplicaGcQueue::Start() { task_.Start(); }

void ReplicaGcQueue::Stop() { task_.Stop(); }

size_t ReplicaGcQueue::RunOnce() {
  const absl::Time now = absl::Now();
  size_t removed = 0;
  for (Replica* replica : store_->replicas()) {
    if (replica->IsServing()) continue;
    const bool remove =
        replica->initialized()
            ? RemovedFromGroup(replica, now)
            : now - replica->created() > absl::Milliseconds(options_.uninitialized_ttl_ms);
    if (!remove) continue;
    absl::Status s = store_->DestroyReplica(replica->range_id());
    if (s.ok()) {
      ++removed;
      removed_->Add();
      last_checked_.erase(replica->range_id());
    } else {
      CAIRN_LOG_INFO("range {}: replica not removed: {}", replica->range_id(), s.ToString());
    }
  }
  return removed;
}

bool ReplicaGcQueue::RemovedFromGroup(Replica* replica, absl::Time now) {
  const uint64_t self = store_->ident().node_id();
  if (!replica->ListsNode(self)) return true;  // it applied its own removal
  absl::Time& checked = last_checked_[replica->range_id()];
  if (now - checked < absl::Milliseconds(options_.check_every_ms)) return false;
  checked = now;
  const proto::RangeDescriptor mine = replica->descriptor();
  absl::StatusOr<proto::RangeDescriptor> current = leaseholder_descriptor_(mine.start_key());
  if (!current.ok() || current->range_id() != mine.range_id()) return false;
  for (const auto& r : current->replicas()) {
    if (r.node_id() == self) return false;
  }
  return true;
}

}  // namespace cairn::kv
