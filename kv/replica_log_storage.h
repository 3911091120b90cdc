#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "raft/log_storage.h"
#include "raft/memory_log_storage.h"

// The LogStorage a replica's Raft node reads: the in-memory mirror of the
// log persisted in the engine's raft column family, except for snapshots.
// Those are not kept: a range's applied state in the engine is its
// snapshot, so one is made on demand (when a follower needs it) from the
// engine at the replica's applied index.
//
// Thread safety: none; used from the store's Raft loop.
namespace cairn::kv {

class ReplicaLogStorage final : public raft::LogStorage {
 public:
  using SnapshotMaker = std::function<absl::StatusOr<raft::Snapshot>()>;

  // Does not own `log`.
  ReplicaLogStorage(const raft::MemoryLogStorage* log, SnapshotMaker make_snapshot)
      : log_(log), make_snapshot_(std::move(make_snapshot)) {}

  absl::StatusOr<std::pair<raft::HardState, raft::ConfState>> InitialState() const override {
    return log_->InitialState();
  }
  absl::StatusOr<std::vector<raft::Entry>> Entries(uint64_t lo, uint64_t hi,
                                                   uint64_t max_bytes) const override {
    return log_->Entries(lo, hi, max_bytes);
  }
  absl::StatusOr<uint64_t> Term(uint64_t index) const override { return log_->Term(index); }
  uint64_t FirstIndex() const override { return log_->FirstIndex(); }
  uint64_t LastIndex() const override { return log_->LastIndex(); }
  absl::StatusOr<raft::Snapshot> GetSnapshot() const override { return make_snapshot_(); }

 private:
  const raft::MemoryLogStorage* const log_;
  const SnapshotMaker make_snapshot_;
};

}  // namespace cairn::kv
