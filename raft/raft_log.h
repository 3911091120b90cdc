#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "raft/log_storage.h"
#include "raft/types.h"
#include "raft/unstable.h"

// RaftLog is raft's view of one replica's log: the durable part read through
// LogStorage, followed by the Unstable part not yet persisted, plus the commit
// and applied cursors (applied <= committed <= LastIndex()).
//
// Ownership: does not own `storage`, which must outlive it.
// Thread safety: none.
namespace cairn::raft {

class RaftLog {
 public:
  // Positions the log after the storage's content: committed and applied
  // start at the snapshot index (FirstIndex() - 1).
  RaftLog(const LogStorage* storage, uint64_t max_committed_bytes);

  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  // Term of `index`; 0 beyond the log; CompactedError() before the
  // snapshot index (i.e. before FirstIndex() - 1).
  absl::StatusOr<uint64_t> Term(uint64_t index) const;
  // Like Term() but maps "compacted" to 0; other errors are fatal.
  uint64_t TermOrZero(uint64_t index) const;
  uint64_t LastTerm() const;
  bool MatchTerm(uint64_t index, uint64_t term) const;
  // Whether a log ending at (last_index, last_term) is at least as
  // up-to-date as this one (Raft paper 5.4.1).
  bool IsUpToDate(uint64_t last_index, uint64_t last_term) const;

  // Follower: appends `entries` that follow (index, log_term) if that entry
  // matches, and advances commit to min(commit, last new index). Returns the
  // last new index, or nullopt when (index, log_term) does not match.
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term,
                                      uint64_t commit,
                                      const std::vector<Entry>& entries);
  // Appends, truncating any conflicting unstable suffix. Returns LastIndex().
  // REQUIRES: entries.front().index > committed().
  uint64_t Append(const std::vector<Entry>& entries);
  // The index of the first entry that is absent or has another term; 0 if
  // all match.
  uint64_t FindConflict(const std::vector<Entry>& entries) const;
  // The largest index <= `index` whose term is <= `term` (used to skip a
  // whole divergent term on a rejected append).
  uint64_t FindConflictByTerm(uint64_t index, uint64_t term) const;

  // Entries [lo, hi) capped at max_bytes (at least one entry).
  // Returns CompactedError() when lo < FirstIndex().
  absl::StatusOr<std::vector<Entry>> Slice(uint64_t lo, uint64_t hi,
                                           uint64_t max_bytes) const;
  // Entries from `index` to the end, capped at max_bytes.
  absl::StatusOr<std::vector<Entry>> EntriesFrom(uint64_t index,
                                                 uint64_t max_bytes) const;

  bool HasNextCommittedEntries() const;
  // Committed, not yet applied entries, capped at max_committed_bytes.
  std::vector<Entry> NextCommittedEntries() const;
  std::vector<Entry> UnstableEntries() const { return unstable_.entries(); }
  // The unstable snapshot if any, else the storage's.
  absl::StatusOr<Snapshot> GetSnapshot() const;

  bool MaybeCommit(uint64_t max_index, uint64_t term);
  // REQUIRES: index <= LastIndex().
  void CommitTo(uint64_t index);
  // REQUIRES: applied() <= index <= committed().
  void AppliedTo(uint64_t index);
  void StableTo(uint64_t index, uint64_t term) {
    unstable_.StableTo(index, term);
  }
  void StableSnapTo(uint64_t index) { unstable_.StableSnapTo(index); }
  // Replaces the log by a snapshot received from the leader.
  void Restore(const Snapshot& snap);

  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }
  const Unstable& unstable() const { return unstable_; }

 private:
  const LogStorage* storage_;  // not owned
  Unstable unstable_;
  uint64_t committed_;
  uint64_t applied_;
  uint64_t max_committed_bytes_;
};

}  // namespace cairn::raft
