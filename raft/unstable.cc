#include "raft/unstable.h"

namespace cairn::raft {

std::optional<uint64_t> Unstable::MaybeFirstIndex() const {
  if (snapshot_) return snapshot_->metadata.index + 1;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->metadata.index;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeTerm(uint64_t index) const {
  if (index < offset_) {
    if (snapshot_ && snapshot_->metadata.index == index) {
      return snapshot_->metadata.term;
    }
    return std::nullopt;
  }
  std::optional<uint64_t> last = MaybeLastIndex();
  if (!last || index > *last) return std::nullopt;
  return entries_[index - offset_].term;
}

void Unstable::StableTo(uint64_t index, uint64_t term) {
  std::optional<uint64_t> t = MaybeTerm(index);
  if (!t || *t != term) return;
  // Only entries count, not the snapshot (index < offset_ means a snapshot).
  if (index < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + (index + 1 - offset_));
  offset_ = index + 1;
}

void Unstable::StableSnapTo(uint64_t index) {
  if (snapshot_ && snapshot_->metadata.index == index) snapshot_.reset();
}

void Unstable::Restore(const Snapshot& snap) {
  offset_ = snap.metadata.index + 1;
  entries_.clear();
  snapshot_ = snap;
}

void Unstable::TruncateAndAppend(const std::vector<Entry>& entries) {
  const uint64_t after = entries.front().index;
  if (after == offset_ + entries_.size()) {
    // Directly after what we hold.
  } else if (after <= offset_) {
    // Replaces everything unstable; the driver's Append truncates storage.
    offset_ = after;
    entries_.clear();
  } else {
    entries_.resize(after - offset_);
  }
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

std::vector<Entry> Unstable::Slice(uint64_t lo, uint64_t hi) const {
  return std::vector<Entry>(entries_.begin() + (lo - offset_),
                            entries_.begin() + (hi - offset_));
}

}  // namespace cairn::raft
