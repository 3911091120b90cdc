#include "raft/raft_log.h"

#include <algorithm>

#include "raft/fatal.h"

namespace cairn::raft {

namespace {

void LimitSize(std::vector<Entry>& entries, uint64_t max_bytes) {
  if (entries.empty()) return;
  uint64_t bytes = EntrySize(entries.front());
  size_t n = 1;
  for (; n < entries.size(); ++n) {
    bytes += EntrySize(entries[n]);
    if (bytes > max_bytes) break;
  }
  entries.resize(n);
}

}  // namespace

RaftLog::RaftLog(const LogStorage* storage, uint64_t max_committed_bytes)
    : storage_(storage),
      unstable_(storage->LastIndex() + 1),
      committed_(storage->FirstIndex() - 1),
      applied_(storage->FirstIndex() - 1),
      max_committed_bytes_(max_committed_bytes) {}

uint64_t RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return storage_->FirstIndex();
}

uint64_t RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return storage_->LastIndex();
}

absl::StatusOr<uint64_t> RaftLog::Term(uint64_t index) const {
  // The valid range is [snapshot index, last index].
  if (index + 1 < FirstIndex()) return CompactedError();
  if (index > LastIndex()) return 0;
  if (auto t = unstable_.MaybeTerm(index)) return *t;
  absl::StatusOr<uint64_t> t = storage_->Term(index);
  if (t.ok() || IsCompacted(t.status())) return t;
  Fatalf("term of index %d: %s", index, t.status().ToString());
}

uint64_t RaftLog::TermOrZero(uint64_t index) const {
  absl::StatusOr<uint64_t> t = Term(index);
  return t.ok() ? *t : 0;
}

uint64_t RaftLog::LastTerm() const {
  absl::StatusOr<uint64_t> t = Term(LastIndex());
  if (!t.ok()) Fatalf("term of last index: %s", t.status().ToString());
  return *t;
}

bool RaftLog::MatchTerm(uint64_t index, uint64_t term) const {
  if (index > LastIndex()) return false;
  absl::StatusOr<uint64_t> t = Term(index);
  return t.ok() && *t == term;
}

bool RaftLog::IsUpToDate(uint64_t last_index, uint64_t last_term) const {
  const uint64_t my_term = LastTerm();
  return last_term > my_term ||
         (last_term == my_term && last_index >= LastIndex());
}

std::optional<uint64_t> RaftLog::MaybeAppend(
    uint64_t index, uint64_t log_term, uint64_t commit,
    const std::vector<Entry>& entries) {
  if (!MatchTerm(index, log_term)) return std::nullopt;
  const uint64_t last_new = index + entries.size();
  const uint64_t conflict = FindConflict(entries);
  if (conflict != 0) {
    if (conflict <= committed_) {
      Fatalf("entry %d conflicts with committed entry (committed %d)",
             conflict, committed_);
    }
    Append(std::vector<Entry>(entries.begin() + (conflict - index - 1),
                              entries.end()));
  }
  CommitTo(std::min(commit, last_new));
  return last_new;
}

uint64_t RaftLog::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return LastIndex();
  if (entries.front().index <= committed_) {
    Fatalf("append at %d overwrites committed index %d",
           entries.front().index, committed_);
  }
  unstable_.TruncateAndAppend(entries);
  return LastIndex();
}

uint64_t RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

uint64_t RaftLog::FindConflictByTerm(uint64_t index, uint64_t term) const {
  if (index > LastIndex()) return index;
  while (true) {
    absl::StatusOr<uint64_t> t = Term(index);
    if (!t.ok() || *t <= term || index == 0) return index;
    --index;
  }
}

absl::StatusOr<std::vector<Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi,
                                                  uint64_t max_bytes) const {
  if (lo > hi) Fatalf("invalid slice [%d, %d)", lo, hi);
  if (lo < FirstIndex()) return CompactedError();
  if (hi > LastIndex() + 1) {
    Fatalf("slice [%d, %d) out of bound (last index %d)", lo, hi,
           LastIndex());
  }
  std::vector<Entry> out;
  if (lo == hi) return out;
  const uint64_t offset = unstable_.offset();
  if (lo < offset) {
    const uint64_t stored_hi = std::min(hi, offset);
    absl::StatusOr<std::vector<Entry>> stored =
        storage_->Entries(lo, stored_hi, max_bytes);
    if (!stored.ok()) {
      if (IsCompacted(stored.status())) return stored.status();
      Fatalf("entries [%d, %d): %s", lo, stored_hi,
             stored.status().ToString());
    }
    // Storage stopped early because of max_bytes: nothing more fits.
    if (stored->size() < stored_hi - lo) return stored;
    out = *std::move(stored);
  }
  if (hi > offset) {
    std::vector<Entry> tail = unstable_.Slice(std::max(lo, offset), hi);
    out.insert(out.end(), std::make_move_iterator(tail.begin()),
               std::make_move_iterator(tail.end()));
  }
  LimitSize(out, max_bytes);
  return out;
}

absl::StatusOr<std::vector<Entry>> RaftLog::EntriesFrom(
    uint64_t index, uint64_t max_bytes) const {
  if (index > LastIndex()) return std::vector<Entry>{};
  return Slice(index, LastIndex() + 1, max_bytes);
}

bool RaftLog::HasNextCommittedEntries() const {
  return committed_ + 1 > std::max(applied_ + 1, FirstIndex());
}

std::vector<Entry> RaftLog::NextCommittedEntries() const {
  if (!HasNextCommittedEntries()) return {};
  const uint64_t lo = std::max(applied_ + 1, FirstIndex());
  absl::StatusOr<std::vector<Entry>> entries =
      Slice(lo, committed_ + 1, max_committed_bytes_);
  if (!entries.ok()) {
    Fatalf("committed entries [%d, %d]: %s", lo, committed_,
           entries.status().ToString());
  }
  return *std::move(entries);
}

absl::StatusOr<Snapshot> RaftLog::GetSnapshot() const {
  if (unstable_.snapshot()) return *unstable_.snapshot();
  return storage_->GetSnapshot();
}

bool RaftLog::MaybeCommit(uint64_t max_index, uint64_t term) {
  if (max_index > committed_ && TermOrZero(max_index) == term) {
    CommitTo(max_index);
    return true;
  }
  return false;
}

void RaftLog::CommitTo(uint64_t index) {
  if (index <= committed_) return;
  if (index > LastIndex()) {
    Fatalf("commit %d beyond last index %d: log truncated or lost?", index,
           LastIndex());
  }
  committed_ = index;
}

void RaftLog::AppliedTo(uint64_t index) {
  if (index == 0) return;
  if (index > committed_ || index < applied_) {
    Fatalf("applied %d outside [applied %d, committed %d]", index, applied_,
           committed_);
  }
  applied_ = index;
}

void RaftLog::Restore(const Snapshot& snap) {
  committed_ = snap.metadata.index;
  unstable_.Restore(snap);
}

}  // namespace cairn::raft
