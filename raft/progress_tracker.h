#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "raft/conf_change.h"
#include "raft/progress.h"
#include "raft/types.h"

// The membership of a group as one node sees it (voters and learners), the
// leader's Progress for each member, and the votes of an election. It owns
// the quorum arithmetic: the committed index and election outcome are
// decided by a majority of voters; learners only receive the log.
//
// Members are kept in ordered containers so that iteration, and hence the
// order of outgoing messages, is deterministic.
//
// Thread safety: none.
namespace cairn::raft {

enum class VoteResult : uint8_t { kPending, kLost, kWon };

class ProgressTracker {
 public:
  explicit ProgressTracker(size_t max_inflight) : max_inflight_(max_inflight) {}

  // Replaces the membership; new members start probing at `next_index`.
  void Reset(const ConfState& cs, uint64_t next_index);
  // Leader election: every member starts over at `next_index`, unknown
  // match, inactive.
  void ResetProgress(uint64_t next_index);
  // Applies one membership change; new members start at `next_index`.
  void Apply(const ConfChange& cc, uint64_t next_index);
  ConfState GetConfState() const;

  bool IsVoter(uint64_t id) const { return voters_.count(id) > 0; }
  const std::set<uint64_t>& voters() const { return voters_; }
  Progress* Get(uint64_t id);
  std::map<uint64_t, Progress>& progress() { return progress_; }
  const std::map<uint64_t, Progress>& progress() const { return progress_; }

  // The largest index that a majority of voters hold (0 with no voters).
  uint64_t Committed() const;
  // Whether a majority of voters were recently active.
  bool QuorumActive() const;

  void ResetVotes() { votes_.clear(); }
  // Records `id`'s first answer only; ignores non-voters.
  void RecordVote(uint64_t id, bool granted);
  VoteResult TallyVotes(size_t* granted = nullptr,
                        size_t* rejected = nullptr) const;

 private:
  size_t max_inflight_;
  std::set<uint64_t> voters_;
  std::set<uint64_t> learners_;
  std::map<uint64_t, Progress> progress_;
  std::map<uint64_t, bool> votes_;
};

}  // namespace cairn::raft
