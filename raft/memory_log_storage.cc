#include "raft/memory_log_storage.h"

#include <algorithm>

#include "common/error_code.h"

namespace cairn::raft {

MemoryLogStorage::MemoryLogStorage() : entries_(1) {}

absl::StatusOr<std::pair<HardState, ConfState>>
MemoryLogStorage::InitialState() const {
  return std::make_pair(hard_state_, conf_state_);
}

uint64_t MemoryLogStorage::FirstIndex() const { return offset() + 1; }

uint64_t MemoryLogStorage::LastIndex() const {
  return offset() + entries_.size() - 1;
}

absl::StatusOr<std::vector<Entry>> MemoryLogStorage::Entries(
    uint64_t lo, uint64_t hi, uint64_t max_bytes) const {
  if (lo <= offset()) return CompactedError();
  if (hi > LastIndex() + 1 || lo > hi) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "entries [%d, %d) out of bound (last index %d)", lo, hi,
                  LastIndex());
  }
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (uint64_t i = lo; i < hi; ++i) {
    const Entry& e = entries_[i - offset()];
    bytes += EntrySize(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

absl::StatusOr<uint64_t> MemoryLogStorage::Term(uint64_t index) const {
  if (index < offset()) return CompactedError();
  if (index - offset() >= entries_.size()) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "term of index %d unavailable (last index %d)", index,
                  LastIndex());
  }
  return entries_[index - offset()].term;
}

absl::StatusOr<Snapshot> MemoryLogStorage::GetSnapshot() const {
  return snapshot_;
}

absl::Status MemoryLogStorage::ApplySnapshot(const Snapshot& snap) {
  if (snap.metadata.index <= snapshot_.metadata.index) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "snapshot at %d is not newer than the current one at %d",
                  snap.metadata.index, snapshot_.metadata.index);
  }
  snapshot_ = snap;
  conf_state_ = snap.metadata.conf_state;
  entries_.assign(1, Entry{.term = snap.metadata.term,
                           .index = snap.metadata.index});
  return absl::OkStatus();
}

absl::StatusOr<Snapshot> MemoryLogStorage::CreateSnapshot(
    uint64_t index, const ConfState& conf_state, std::string data) {
  if (index <= snapshot_.metadata.index) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "snapshot at %d is not newer than the current one at %d",
                  index, snapshot_.metadata.index);
  }
  if (index > LastIndex()) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "snapshot index %d beyond last index %d", index,
                  LastIndex());
  }
  snapshot_.metadata.index = index;
  snapshot_.metadata.term = entries_[index - offset()].term;
  snapshot_.metadata.conf_state = conf_state;
  snapshot_.data = std::move(data);
  return snapshot_;
}

absl::Status MemoryLogStorage::Compact(uint64_t compact_index) {
  if (compact_index <= offset()) return CompactedError();
  if (compact_index > LastIndex()) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "compact index %d beyond last index %d", compact_index,
                  LastIndex());
  }
  const uint64_t i = compact_index - offset();
  // The entry at compact_index becomes the dummy; its data is not needed.
  entries_.erase(entries_.begin(), entries_.begin() + i);
  entries_.front().data.clear();
  entries_.front().type = EntryType::kNormal;
  return absl::OkStatus();
}

absl::Status MemoryLogStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  const uint64_t first = FirstIndex();
  const uint64_t last = entries.back().index;
  if (last < first) return absl::OkStatus();  // all compacted already
  if (entries.front().index > LastIndex() + 1) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "append at %d leaves a gap after last index %d",
                  entries.front().index, LastIndex());
  }
  // Skip the prefix that is already compacted.
  auto begin = entries.begin();
  if (first > entries.front().index) begin += first - entries.front().index;
  // Drop the stored suffix that the new entries replace.
  entries_.resize(begin->index - offset());
  entries_.insert(entries_.end(), begin, entries.end());
  return absl::OkStatus();
}

}  // namespace cairn::raft
