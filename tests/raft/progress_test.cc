#include "raft/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "raft/progress_tracker.h"

namespace cairn::raft {
namespace {

TEST(ProgressTest, ProbeWaitsForAnswerThenReplicates) {
  Progress pr(/*next=*/6, /*max_inflight=*/2, false);
  EXPECT_FALSE(pr.IsPaused());
  pr.probe_sent = true;
  EXPECT_TRUE(pr.IsPaused());
  // Rejection of the probe at next-1 = 5 with hint 2.
  EXPECT_FALSE(pr.MaybeDecrTo(4, 2));  // stale
  EXPECT_TRUE(pr.MaybeDecrTo(5, 2));
  EXPECT_EQ(pr.next, 3u);
  EXPECT_FALSE(pr.IsPaused());
  EXPECT_TRUE(pr.MaybeUpdate(4));
  pr.BecomeReplicate();
  EXPECT_EQ(pr.next, 5u);
  pr.OptimisticUpdate(6);
  pr.inflights.Add(6);
  pr.OptimisticUpdate(8);
  pr.inflights.Add(8);
  EXPECT_TRUE(pr.IsPaused());  // two in flight
  EXPECT_TRUE(pr.MaybeUpdate(6));
  pr.inflights.FreeLE(6);
  EXPECT_FALSE(pr.IsPaused());
  // Replicate: rejection above match falls back to match + 1.
  EXPECT_FALSE(pr.MaybeDecrTo(5, 0));
  EXPECT_TRUE(pr.MaybeDecrTo(8, 0));
  EXPECT_EQ(pr.next, 7u);
}

TEST(ProgressTest, SnapshotState) {
  Progress pr(5, 4, false);
  pr.match = 3;
  pr.BecomeSnapshot(20);
  EXPECT_TRUE(pr.IsPaused());
  pr.BecomeProbe();
  EXPECT_EQ(pr.next, 21u);  // after the snapshot
  pr.BecomeSnapshot(20);
  pr.pending_snapshot = 0;  // failed
  pr.BecomeProbe();
  EXPECT_EQ(pr.next, 4u);
}

TEST(ProgressTrackerTest, VotesNeedAMajorityOfVoters) {
  ProgressTracker t(8);
  t.Reset(ConfState{.voters = {1, 2, 3, 4}, .learners = {5}}, 1);
  t.RecordVote(1, true);
  t.RecordVote(5, true);  // learner: ignored
  t.RecordVote(2, true);
  EXPECT_EQ(t.TallyVotes(), VoteResult::kPending);
  t.RecordVote(3, false);
  t.RecordVote(3, true);  // first answer counts
  EXPECT_EQ(t.TallyVotes(), VoteResult::kPending);
  t.RecordVote(4, false);
  EXPECT_EQ(t.TallyVotes(), VoteResult::kLost);
  t.ResetVotes();
  for (uint64_t id : {1, 2, 3}) t.RecordVote(id, true);
  EXPECT_EQ(t.TallyVotes(), VoteResult::kWon);
}

TEST(ProgressTrackerTest, ApplyConfChanges) {
  ProgressTracker t(8);
  t.Reset(ConfState{.voters = {1}}, 5);
  t.Apply({ConfChange::Type::kAddLearner, 2}, 7);
  EXPECT_TRUE(t.Get(2)->is_learner);
  EXPECT_EQ(t.Get(2)->next, 7u);
  t.Get(2)->match = 6;
  t.Apply({ConfChange::Type::kAddVoter, 2}, 9);  // promotion keeps progress
  EXPECT_FALSE(t.Get(2)->is_learner);
  EXPECT_EQ(t.Get(2)->match, 6u);
  EXPECT_EQ(t.GetConfState().voters, (std::vector<uint64_t>{1, 2}));
  t.Apply({ConfChange::Type::kRemoveNode, 1}, 9);
  EXPECT_EQ(t.Get(1), nullptr);
  EXPECT_EQ(t.GetConfState().voters, std::vector<uint64_t>{2});
  EXPECT_TRUE(t.GetConfState().learners.empty());
}

// The committed index against a deliberately naive model: the largest
// index that more than half of the voters hold.
TEST(ProgressTrackerTest, CommittedMatchesNaiveModel) {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    const int n = 1 + static_cast<int>(rng() % 7);
    ConfState cs;
    for (int i = 1; i <= n; ++i) cs.voters.push_back(i);
    cs.learners = {100};
    ProgressTracker t(8);
    t.Reset(cs, 1);
    std::vector<uint64_t> matches;
    for (int i = 1; i <= n; ++i) {
      const uint64_t m = rng() % 20;
      t.Get(i)->match = m;
      matches.push_back(m);
    }
    t.Get(100)->match = 1000;  // learners never count
    uint64_t naive = 0;
    for (uint64_t candidate = 0; candidate <= 20; ++candidate) {
      const auto holders = std::count_if(matches.begin(), matches.end(),
                                         [&](uint64_t m) { return m >= candidate; });
      if (holders * 2 > n) naive = candidate;
    }
    ASSERT_EQ(t.Committed(), naive) << "iteration " << iter;
  }
}

TEST(ProgressTrackerTest, QuorumActive) {
  ProgressTracker t(8);
  t.Reset(ConfState{.voters = {1, 2, 3}, .learners = {4}}, 1);
  t.Get(1)->recent_active = true;
  t.Get(4)->recent_active = true;
  EXPECT_FALSE(t.QuorumActive());
  t.Get(3)->recent_active = true;
  EXPECT_TRUE(t.QuorumActive());
}

}  // namespace
}  // namespace cairn::raft
