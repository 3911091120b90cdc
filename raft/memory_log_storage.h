#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raft/log_storage.h"
#include "raft/types.h"

// An in-memory LogStorage for tests and the simulator. Besides the read
// interface it offers the writes a driver performs after each Ready:
// ApplySnapshot, Append, SetHardState, plus SetConfState after applying a
// conf change and CreateSnapshot/Compact for log truncation.
//
// Layout follows etcd's MemoryStorage: entries_[0] is a dummy entry holding
// the snapshot's index and term, so Term(FirstIndex() - 1) always answers.
//
// Thread safety: none; use from one thread (the one driving the RawNode).
namespace cairn::raft {

class MemoryLogStorage final : public LogStorage {
 public:
  MemoryLogStorage();

  absl::StatusOr<std::pair<HardState, ConfState>> InitialState()
      const override;
  absl::StatusOr<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi,
                                             uint64_t max_bytes) const override;
  absl::StatusOr<uint64_t> Term(uint64_t index) const override;
  uint64_t FirstIndex() const override;
  uint64_t LastIndex() const override;
  absl::StatusOr<Snapshot> GetSnapshot() const override;

  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  void SetConfState(const ConfState& cs) { conf_state_ = cs; }

  // Replaces the whole log and the conf state by `snap`. Fails
  // (kInvalidArgument) if `snap` is not newer than the current snapshot.
  [[nodiscard]] absl::Status ApplySnapshot(const Snapshot& snap);

  // Records a snapshot at `index` (which must be in the log) for
  // GetSnapshot(); it does not drop entries (see Compact).
  absl::StatusOr<Snapshot> CreateSnapshot(uint64_t index,
                                          const ConfState& conf_state,
                                          std::string data);

  // Drops the entries before `compact_index`; afterwards
  // FirstIndex() == compact_index + 1. Callers compact only applied entries.
  // REQUIRES: FirstIndex() <= compact_index <= LastIndex().
  [[nodiscard]] absl::Status Compact(uint64_t compact_index);

  // Appends `entries` (consecutive indexes), first dropping the stored
  // suffix they overwrite. Entries already compacted are skipped.
  // REQUIRES: entries.front().index <= LastIndex() + 1.
  [[nodiscard]] absl::Status Append(const std::vector<Entry>& entries);

 private:
  uint64_t offset() const { return entries_.front().index; }

  HardState hard_state_;
  ConfState conf_state_;
  Snapshot snapshot_;
  std::vector<Entry> entries_;  // entries_[0] is the dummy
};

}  // namespace cairn::raft
