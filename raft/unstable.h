#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "raft/types.h"

// The tail of the log (and possibly an incoming snapshot) that raft has
// accepted but the driver has not yet persisted. Entries leave it when the
// driver acknowledges persistence (RawNode::Advance -> StableTo).
//
// Invariant: entries_[i].index == offset_ + i; when snapshot_ is set,
// offset_ == snapshot_->metadata.index + 1.
//
// Thread safety: none.
namespace cairn::raft {

class Unstable {
 public:
  explicit Unstable(uint64_t offset) : offset_(offset) {}

  // The first index, if the unstable part holds a snapshot.
  std::optional<uint64_t> MaybeFirstIndex() const;
  // The last index, if the unstable part holds entries or a snapshot.
  std::optional<uint64_t> MaybeLastIndex() const;
  // The term of `index`, if the unstable part knows it.
  std::optional<uint64_t> MaybeTerm(uint64_t index) const;

  // The driver persisted everything up to `index` (whose term was `term`).
  // Ignored when the entry was replaced meanwhile.
  void StableTo(uint64_t index, uint64_t term);
  void StableSnapTo(uint64_t index);

  void Restore(const Snapshot& snap);
  // REQUIRES: entries non-empty and consecutive.
  void TruncateAndAppend(const std::vector<Entry>& entries);
  // REQUIRES: offset() <= lo <= hi <= offset() + entries().size().
  std::vector<Entry> Slice(uint64_t lo, uint64_t hi) const;

  uint64_t offset() const { return offset_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }

 private:
  std::optional<Snapshot> snapshot_;
  std::vector<Entry> entries_;
  uint64_t offset_;
};

}  // namespace cairn::raft
