#include "raft/progress_tracker.h"

#include <algorithm>
#include <vector>

namespace cairn::raft {

void ProgressTracker::Reset(const ConfState& cs, uint64_t next_index) {
  voters_ = std::set<uint64_t>(cs.voters.begin(), cs.voters.end());
  learners_ = std::set<uint64_t>(cs.learners.begin(), cs.learners.end());
  for (uint64_t id : voters_) learners_.erase(id);
  progress_.clear();
  for (uint64_t id : voters_) {
    progress_.emplace(id, Progress(next_index, max_inflight_, false));
  }
  for (uint64_t id : learners_) {
    progress_.emplace(id, Progress(next_index, max_inflight_, true));
  }
  votes_.clear();
}

void ProgressTracker::ResetProgress(uint64_t next_index) {
  for (auto& [id, pr] : progress_) {
    pr = Progress(next_index, max_inflight_, pr.is_learner);
  }
}

void ProgressTracker::Apply(const ConfChange& cc, uint64_t next_index) {
  const uint64_t id = cc.node_id;
  auto it = progress_.find(id);
  switch (cc.type) {
    case ConfChange::Type::kAddVoter:
    case ConfChange::Type::kAddLearner: {
      const bool learner = cc.type == ConfChange::Type::kAddLearner;
      if (learner) {
        voters_.erase(id);
        learners_.insert(id);
      } else {
        learners_.erase(id);
        voters_.insert(id);
      }
      if (it != progress_.end()) {
        it->second.is_learner = learner;
      } else {
        Progress pr(next_index, max_inflight_, learner);
        // A new member gets a full election timeout before check-quorum
        // counts it as inactive.
        pr.recent_active = true;
        progress_.emplace(id, std::move(pr));
      }
      break;
    }
    case ConfChange::Type::kRemoveNode:
      voters_.erase(id);
      learners_.erase(id);
      if (it != progress_.end()) progress_.erase(it);
      break;
  }
}

ConfState ProgressTracker::GetConfState() const {
  return ConfState{.voters = {voters_.begin(), voters_.end()},
                   .learners = {learners_.begin(), learners_.end()}};
}

Progress* ProgressTracker::Get(uint64_t id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

uint64_t ProgressTracker::Committed() const {
  if (voters_.empty()) return 0;
  std::vector<uint64_t> matches;
  matches.reserve(voters_.size());
  for (uint64_t id : voters_) {
    auto it = progress_.find(id);
    matches.push_back(it == progress_.end() ? 0 : it->second.match);
  }
  // The quorum-th largest match is held by a majority.
  std::sort(matches.begin(), matches.end(), std::greater<uint64_t>());
  return matches[voters_.size() / 2];
}

bool ProgressTracker::QuorumActive() const {
  size_t active = 0;
  for (uint64_t id : voters_) {
    auto it = progress_.find(id);
    if (it != progress_.end() && it->second.recent_active) ++active;
  }
  return active > voters_.size() / 2;
}

void ProgressTracker::RecordVote(uint64_t id, bool granted) {
  if (!IsVoter(id)) return;
  votes_.emplace(id, granted);
}

VoteResult ProgressTracker::TallyVotes(size_t* granted,
                                       size_t* rejected) const {
  size_t yes = 0;
  size_t no = 0;
  // Only current voters count: a vote recorded before a membership change
  // removed its giver must not help reach the new, smaller quorum (a
  // transfer campaign may apply a change mid-election; see the
  // transfer_stale_vote interaction scenario).
  for (const auto& [id, v] : votes_) {
    if (IsVoter(id)) (v ? yes : no)++;
  }
  if (granted) *granted = yes;
  if (rejected) *rejected = no;
  const size_t quorum = voters_.size() / 2 + 1;
  if (voters_.empty()) return VoteResult::kLost;
  if (yes >= quorum) return VoteResult::kWon;
  if (voters_.size() - no >= quorum) return VoteResult::kPending;
  return VoteResult::kLost;
}

}  // namespace cairn::raft
