// Multi-node scenarios over the in-test network (test_network.h).
#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "raft/bootstrap.h"
#include "test_network.h"

namespace cairn::raft {
namespace {

using testing::TestNetwork;

std::vector<std::string> Strings(std::initializer_list<const char*> l) {
  return std::vector<std::string>(l.begin(), l.end());
}

void ExpectSameLog(TestNetwork& net, uint64_t a, uint64_t b) {
  std::vector<Entry> la = net.StoredLog(a);
  std::vector<Entry> lb = net.StoredLog(b);
  ASSERT_EQ(la.size(), lb.size()) << a << " vs " << b;
  for (size_t i = 0; i < la.size(); ++i) {
    EXPECT_EQ(la[i], lb[i]) << a << " vs " << b << " at " << la[i].index;
  }
}

TEST(ClusterTest, ThreeNodeElectionAndReplication) {
  TestNetwork net({1, 2, 3}, /*seed=*/1);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  EXPECT_EQ(net.Leader(), 1u);
  for (uint64_t id : {1, 2, 3}) {
    EXPECT_EQ(net.node(id).leader(), 1u) << id;
    EXPECT_EQ(net.node(id).GetStatus().term, 1u) << id;
  }
  ASSERT_TRUE(net.node(1).Propose("a").ok());
  ASSERT_TRUE(net.node(1).Propose("b").ok());
  net.Stabilize();
  for (uint64_t id : {1, 2, 3}) {
    EXPECT_EQ(net.replica(id).applied, Strings({"a", "b"})) << id;
    EXPECT_EQ(net.node(id).GetStatus().commit, 4u) << id;
  }
  EXPECT_EQ(GetErrorCode(net.node(2).Propose("c")), ErrorCode::kUnavailable);
  net.CheckSafety();
}

TEST(ClusterTest, ElectionByTimeoutElectsExactlyOneLeader) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    TestNetwork net({1, 2, 3, 4, 5}, seed);
    const uint64_t leader = net.TickUntilLeader();
    ASSERT_NE(leader, 0u) << "seed " << seed;
    net.TickAll(5);
    int leaders = 0;
    for (uint64_t id : net.ids()) {
      leaders += net.node(id).is_leader() ? 1 : 0;
      EXPECT_EQ(net.node(id).leader(), leader) << "seed " << seed;
    }
    EXPECT_EQ(leaders, 1) << "seed " << seed;
    net.CheckSafety();
  }
}

TEST(ClusterTest, LeaderFailureElectsNewLeaderAndOldOneCatchesUp) {
  TestNetwork net({1, 2, 3}, /*seed=*/7);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_TRUE(net.node(1).Propose("a").ok());
  net.Stabilize();

  net.SetDown(1, true);
  const uint64_t leader = net.TickUntilLeader();
  ASSERT_TRUE(leader == 2 || leader == 3) << leader;
  EXPECT_GT(net.node(leader).GetStatus().term, 1u);
  ASSERT_TRUE(net.node(leader).Propose("b").ok());
  net.Stabilize();
  for (uint64_t id : {2, 3}) {
    EXPECT_EQ(net.replica(id).applied, Strings({"a", "b"})) << id;
  }

  // The old leader comes back (it still believes it leads term 1) and is
  // brought into the new term by the first message it exchanges.
  net.SetDown(1, false);
  net.TickAll(3);
  EXPECT_FALSE(net.node(1).is_leader());
  EXPECT_EQ(net.node(1).leader(), leader);
  EXPECT_EQ(net.replica(1).applied, Strings({"a", "b"}));
  ExpectSameLog(net, 1, leader);
  net.CheckSafety();
}

TEST(ClusterTest, CheckQuorumDeposesPartitionedLeader) {
  TestNetwork net({1, 2, 3}, /*seed=*/3);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  net.Isolate(1);
  net.TickAll(40);  // well past two election timeouts
  EXPECT_FALSE(net.node(1).is_leader());
  const uint64_t leader = net.Leader();
  EXPECT_TRUE(leader == 2 || leader == 3);
  // The deposed leader refuses proposals instead of accepting writes that
  // can never commit.
  EXPECT_EQ(GetErrorCode(net.node(1).Propose("lost")), ErrorCode::kUnavailable);
  net.Heal();
  net.TickAll(5);
  EXPECT_EQ(net.node(1).leader(), leader);
  net.CheckSafety();
}

TEST(ClusterTest, PreVoteKeepsPartitionedFollowerFromDisrupting) {
  TestNetwork net({1, 2, 3}, /*seed=*/5);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  net.Isolate(3);
  net.TickAll(100);
  // Node 3 kept pre-campaigning but never bumped its term.
  EXPECT_EQ(net.node(3).GetStatus().term, 1u);
  net.Heal();
  net.TickAll(5);
  EXPECT_EQ(net.Leader(), 1u);
  EXPECT_EQ(net.node(1).GetStatus().term, 1u);
  EXPECT_EQ(net.node(3).leader(), 1u);
}

TEST(ClusterTest, DivergentUncommittedEntriesAreReplaced) {
  TestNetwork net({1, 2, 3}, /*seed=*/11);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_TRUE(net.node(1).Propose("a").ok());
  net.Stabilize();

  // Leader 1 is cut off and keeps accepting proposals that cannot commit.
  net.Isolate(1);
  for (const char* d : {"x1", "x2", "x3", "x4"}) {
    ASSERT_TRUE(net.node(1).Propose(d).ok());
  }
  net.Stabilize();
  // Nodes 2 and 3 ignore votes while their leader lease lasts, then elect
  // a new leader among themselves.
  uint64_t leader = 0;
  for (int i = 0; i < 100 && (leader == 0 || leader == 1); ++i) {
    net.TickAll();
    leader = net.Leader();
  }
  ASSERT_TRUE(leader == 2 || leader == 3) << leader;
  for (const char* d : {"p", "q"}) {
    ASSERT_TRUE(net.node(leader).Propose(d).ok());
  }
  net.Stabilize();

  net.Heal();
  net.TickAll(3);
  for (uint64_t id : {1, 2, 3}) {
    EXPECT_EQ(net.replica(id).applied, Strings({"a", "p", "q"})) << id;
  }
  ExpectSameLog(net, 1, leader);
  ExpectSameLog(net, 2, leader);
  ExpectSameLog(net, 3, leader);
  net.CheckSafety();
}

// Builds a replica whose log holds `terms` at indexes 2, 3, ... after the
// bootstrap snapshot of voters {1, 2, 3}.
std::unique_ptr<MemoryLogStorage> StorageWithLog(
    const std::vector<uint64_t>& terms, uint64_t hard_term) {
  auto s = std::make_unique<MemoryLogStorage>();
  EXPECT_TRUE(s->ApplySnapshot(MakeBootstrapSnapshot({1, 2, 3})).ok());
  std::vector<Entry> entries;
  for (size_t i = 0; i < terms.size(); ++i) {
    entries.push_back({.term = terms[i],
                       .index = kBootstrapIndex + 1 + i,
                       .data = absl::StrFormat("t%d", terms[i])});
  }
  EXPECT_TRUE(s->Append(entries).ok());
  s->SetHardState({.term = hard_term, .commit = kBootstrapIndex});
  return s;
}

// Raft paper, figure 7: whatever the follower's log, the leader makes it
// identical to its own.
TEST(ClusterTest, LeaderRepairsEveryFigure7FollowerLog) {
  const std::vector<uint64_t> leader_log = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<uint64_t>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},              // (a) missing one
      {1, 1, 1, 4},                             // (b) missing many
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},        // (c) one extra
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},     // (d) extra, later term
      {1, 1, 1, 4, 4, 4, 4},                    // (e) missing + divergent
      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},        // (f) divergent terms
  };
  for (size_t c = 0; c < followers.size(); ++c) {
    SCOPED_TRACE(absl::StrFormat("case %c", static_cast<char>('a' + c)));
    TestNetwork net(/*seed=*/c);
    net.AddReplica(1, StorageWithLog(leader_log, 7));
    net.AddReplica(2, StorageWithLog(followers[c], 7));
    net.AddReplica(3, StorageWithLog({}, 7));
    ASSERT_TRUE(net.node(1).Campaign().ok());
    net.Stabilize();
    ASSERT_EQ(net.Leader(), 1u);
    ASSERT_TRUE(net.node(1).Propose("new").ok());
    net.Stabilize();
    ExpectSameLog(net, 2, 1);
    ExpectSameLog(net, 3, 1);
    EXPECT_EQ(net.replica(2).applied, net.replica(1).applied);
    EXPECT_EQ(net.replica(1).applied.back(), "new");
    net.CheckSafety();
  }
}

// Raft paper, figure 8 / section 5.4.2: a leader must not commit an entry
// of an earlier term by counting replicas; only by committing one of its
// own term.
TEST(ClusterTest, LeaderCommitsOnlyEntriesOfItsOwnTermByCounting) {
  TestNetwork net(/*seed=*/1);
  net.AddReplica(1, StorageWithLog({2, 2}, 3));  // indexes 2, 3 of term 2
  net.AddReplica(2, StorageWithLog({}, 3));
  net.AddReplica(3, StorageWithLog({}, 3));
  // Keep the leader's appends from arriving: we answer for the followers.
  net.SetDropFilter([](const Message& m) {
    return m.type == MessageType::kAppend;
  });
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_EQ(net.Leader(), 1u);
  const uint64_t term = net.node(1).GetStatus().term;
  ASSERT_EQ(term, 4u);
  // Its own empty entry is at index 4, durable on the leader.
  ASSERT_EQ(net.StoredLog(1).back().index, 4u);

  // Node 2 holds the old entries 2..3: a majority (1, 2) has them, yet they
  // are of term 2 and must not be committed by counting.
  ASSERT_TRUE(net.node(1)
                  .Step({.type = MessageType::kAppendResponse,
                         .from = 2,
                         .to = 1,
                         .term = term,
                         .index = 3})
                  .ok());
  net.Stabilize();
  EXPECT_EQ(net.node(1).GetStatus().commit, kBootstrapIndex);

  // Once node 2 holds the term-4 entry, everything up to it commits.
  ASSERT_TRUE(net.node(1)
                  .Step({.type = MessageType::kAppendResponse,
                         .from = 2,
                         .to = 1,
                         .term = term,
                         .index = 4})
                  .ok());
  net.Stabilize();
  EXPECT_EQ(net.node(1).GetStatus().commit, 4u);
  EXPECT_EQ(net.replica(1).applied, Strings({"t2", "t2"}));
}

TEST(ClusterTest, ConfChangeAddsVoterThatCatchesUpFromSnapshot) {
  TestNetwork net({1, 2, 3}, /*seed=*/2);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  for (const char* d : {"a", "b"}) ASSERT_TRUE(net.node(1).Propose(d).ok());
  net.Stabilize();

  net.AddEmptyReplica(4);
  ASSERT_TRUE(
      net.node(1).ProposeConfChange({ConfChange::Type::kAddVoter, 4}).ok());
  // One change at a time.
  EXPECT_EQ(GetErrorCode(net.node(1).ProposeConfChange(
                {ConfChange::Type::kAddVoter, 5})),
            ErrorCode::kUnavailable);
  net.Stabilize();
  net.TickAll(3);  // heartbeats make the leader probe the new member

  const std::vector<uint64_t> want = {1, 2, 3, 4};
  for (uint64_t id : {1, 2, 3, 4}) {
    EXPECT_EQ(net.replica(id).conf_state.voters, want) << id;
    EXPECT_EQ(net.node(id).GetStatus().conf_state.voters, want) << id;
  }
  // The log starts after the bootstrap snapshot, so node 4 got it first.
  EXPECT_EQ(net.replica(4).snapshots_applied, 1);
  EXPECT_EQ(net.replica(4).applied, Strings({"a", "b"}));
  EXPECT_EQ(net.node(1).GetStatus().progress.at(4).match,
            net.node(1).GetStatus().commit);

  // Four voters: a quorum is three, so with two down nothing commits.
  net.SetDown(3, true);
  net.SetDown(4, true);
  ASSERT_TRUE(net.node(1).Propose("c").ok());
  net.Stabilize();
  EXPECT_EQ(net.replica(1).applied, Strings({"a", "b"}));
  net.SetDown(4, false);
  net.TickAll(2);
  EXPECT_EQ(net.replica(4).applied, Strings({"a", "b", "c"}));
  net.CheckSafety();
}

TEST(ClusterTest, RemovingTheLeaderHandsLeadershipOver) {
  TestNetwork net({1, 2, 3}, /*seed=*/4);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_TRUE(
      net.node(1).ProposeConfChange({ConfChange::Type::kRemoveNode, 1}).ok());
  net.Stabilize();
  EXPECT_FALSE(net.node(1).is_leader());
  const uint64_t leader = net.Leader();
  ASSERT_TRUE(leader == 2 || leader == 3) << leader;
  EXPECT_EQ(net.replica(leader).conf_state.voters,
            (std::vector<uint64_t>{2, 3}));
  ASSERT_TRUE(net.node(leader).Propose("after").ok());
  net.Stabilize();
  const uint64_t other = leader == 2 ? 3 : 2;
  EXPECT_EQ(net.replica(other).applied, Strings({"after"}));
  // The removed node no longer campaigns.
  net.SetDown(leader, true);
  net.SetDown(other, true);
  net.SetDown(1, false);
  for (int i = 0; i < 50; ++i) net.node(1).Tick();
  EXPECT_EQ(net.node(1).GetStatus().role, Role::kFollower);
  net.CheckSafety();
}

TEST(ClusterTest, LaggingFollowerCatchesUpFromSnapshot) {
  TestNetwork net({1, 2, 3}, /*seed=*/9);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_TRUE(net.node(1).Propose("a").ok());
  net.Stabilize();

  net.SetDown(3, true);
  std::vector<std::string> want = {"a"};
  for (int i = 0; i < 20; ++i) {
    want.push_back("v" + std::to_string(i));
    ASSERT_TRUE(net.node(1).Propose(want.back()).ok());
  }
  net.Stabilize();
  net.CompactLog(1);
  net.CompactLog(2);
  ASSERT_GT(net.replica(1).storage->FirstIndex(), 10u);

  net.SetDown(3, false);
  net.TickAll(3);
  EXPECT_EQ(net.replica(3).snapshots_applied, 1);
  EXPECT_EQ(net.replica(3).applied, want);
  EXPECT_EQ(net.replica(3).storage->FirstIndex(),
            net.replica(1).storage->FirstIndex());

  // Replication continues with ordinary appends afterwards.
  ASSERT_TRUE(net.node(1).Propose("b").ok());
  net.Stabilize();
  want.push_back("b");
  EXPECT_EQ(net.replica(3).applied, want);
  EXPECT_EQ(net.replica(3).snapshots_applied, 1);
  net.CheckSafety();
}

TEST(ClusterTest, LostSnapshotIsRetried) {
  TestNetwork net({1, 2, 3}, /*seed=*/13);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  net.SetDown(3, true);
  for (const char* d : {"a", "b", "c"}) ASSERT_TRUE(net.node(1).Propose(d).ok());
  net.Stabilize();
  net.CompactLog(1);
  net.SetDown(3, false);
  int dropped = 0;
  net.SetDropFilter([&dropped](const Message& m) {
    if (m.type != MessageType::kSnapshot || dropped > 0) return false;
    ++dropped;
    return true;
  });
  net.TickAll(10);
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(net.replica(3).snapshots_applied, 1);
  EXPECT_EQ(net.replica(3).applied, Strings({"a", "b", "c"}));
}

TEST(ClusterTest, LeaderTransfer) {
  TestNetwork net({1, 2, 3}, /*seed=*/6);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_TRUE(net.node(1).Propose("a").ok());
  net.Stabilize();

  net.node(1).TransferLeader(2);
  // While transferring, the leader refuses proposals.
  EXPECT_EQ(GetErrorCode(net.node(1).Propose("x")), ErrorCode::kUnavailable);
  net.Stabilize();
  EXPECT_EQ(net.Leader(), 2u);
  EXPECT_EQ(net.node(2).GetStatus().term, 2u);
  EXPECT_EQ(net.node(1).leader(), 2u);

  // Asking a follower forwards the request to the leader.
  net.node(3).TransferLeader(3);
  net.Stabilize();
  EXPECT_EQ(net.Leader(), 3u);
  ASSERT_TRUE(net.node(3).Propose("b").ok());
  net.Stabilize();
  EXPECT_EQ(net.replica(1).applied, Strings({"a", "b"}));
  net.CheckSafety();
}

TEST(ClusterTest, LeaderTransferToLaggingFollowerCatchesItUpFirst) {
  TestNetwork net({1, 2, 3}, /*seed=*/8);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  net.SetDown(3, true);
  for (const char* d : {"a", "b"}) ASSERT_TRUE(net.node(1).Propose(d).ok());
  net.Stabilize();
  net.SetDown(3, false);
  net.node(1).TransferLeader(3);
  net.Stabilize();
  EXPECT_EQ(net.Leader(), 3u);
  EXPECT_EQ(net.replica(3).applied, Strings({"a", "b"}));
}

TEST(ClusterTest, ReadIndexOnLeaderAndFollower) {
  TestNetwork net({1, 2, 3}, /*seed=*/10);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_TRUE(net.node(1).Propose("a").ok());
  net.Stabilize();
  const uint64_t commit = net.node(1).GetStatus().commit;

  ASSERT_TRUE(net.node(1).ReadIndex("r1").ok());
  ASSERT_TRUE(net.node(2).ReadIndex("r2").ok());
  net.Stabilize();
  ASSERT_EQ(net.replica(1).read_states.size(), 1u);
  EXPECT_EQ(net.replica(1).read_states[0], (ReadState{commit, "r1"}));
  ASSERT_EQ(net.replica(2).read_states.size(), 1u);
  EXPECT_EQ(net.replica(2).read_states[0], (ReadState{commit, "r2"}));

  // A leader cut off from the quorum cannot confirm a read.
  net.Isolate(1);
  ASSERT_TRUE(net.node(1).ReadIndex("r3").ok());
  net.Stabilize();
  EXPECT_EQ(net.replica(1).read_states.size(), 1u);
}

TEST(ClusterTest, WholeClusterRestartKeepsCommittedData) {
  TestNetwork net({1, 2, 3}, /*seed=*/12);
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  for (const char* d : {"a", "b"}) ASSERT_TRUE(net.node(1).Propose(d).ok());
  net.Stabilize();
  for (uint64_t id : {1, 2, 3}) {
    net.replica(id).applied.clear();  // state machine lost: replay all
    net.replica(id).applied_index = net.replica(id).storage->FirstIndex() - 1;
    net.Restart(id);
  }
  net.Stabilize();
  const uint64_t leader = net.TickUntilLeader();
  ASSERT_NE(leader, 0u);
  ASSERT_TRUE(net.node(leader).Propose("c").ok());
  net.Stabilize();
  for (uint64_t id : {1, 2, 3}) {
    EXPECT_EQ(net.replica(id).applied, Strings({"a", "b", "c"})) << id;
  }
}

// Found by raft_sim (seed 3009, tests/raft/sim/regression_seeds.txt):
// without pre-vote and check-quorum, a node ignores a leader of a lower
// term silently, counting on its own campaign to bring the group up to its
// term. A learner cannot campaign, so a learner that took a higher term
// from some candidate's vote request ignored the leader forever and never
// caught up again.
TEST(ClusterTest, LearnerWithHigherTermIsNotStrandedWithoutPreVote) {
  Config base;
  base.pre_vote = false;
  base.check_quorum = false;
  TestNetwork net(/*seed=*/3);
  for (uint64_t id : {1, 2, 3}) {
    auto storage = std::make_unique<MemoryLogStorage>();
    ASSERT_TRUE(
        storage->ApplySnapshot(MakeBootstrapSnapshot({1, 2}, {3})).ok());
    // The learner is ahead in term (it saw a vote request of term 5).
    if (id == 3) storage->SetHardState(HardState{.term = 5});
    net.AddReplica(id, std::move(storage), base);
  }
  // Node 1 wins term 2. The learner's answer to its first append deposes
  // it; the voters then elect a leader in a term above 5, which the
  // learner follows (before the fix, 1 led term 2 for ever, the learner
  // ignoring it).
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  net.TickAll(60);
  const uint64_t leader = net.TickUntilLeader();
  ASSERT_NE(leader, 0u) << net.DebugString();
  EXPECT_GT(net.node(leader).GetStatus().term, 5u);
  ASSERT_TRUE(net.node(leader).Propose("a").ok());
  net.TickAll(5);
  EXPECT_EQ(net.replica(3).applied, Strings({"a"})) << net.DebugString();
  net.CheckSafety();
}

// Found by raft_sim (seed 160025 of the first soak, see
// tests/raft/sim/regression_seeds.txt): the same without pre-vote and
// check-quorum for a voter whose membership is stale. Its vote requests go
// to the voters it knows of, not to the current leader, so its campaigns
// never brought the leader up to its term either. (The membership {3,4,5}
// stands for an old one that node 3 missed the changes away from.)
TEST(ClusterTest, VoterWithStaleMembershipIsNotStrandedWithoutPreVote) {
  Config base;
  base.pre_vote = false;
  base.check_quorum = false;
  TestNetwork net(/*seed=*/4);
  for (uint64_t id : {1, 2, 3}) {
    auto storage = std::make_unique<MemoryLogStorage>();
    const std::vector<uint64_t> voters =
        id == 3 ? std::vector<uint64_t>{3, 4, 5}
                : std::vector<uint64_t>{1, 2, 3};
    ASSERT_TRUE(storage->ApplySnapshot(MakeBootstrapSnapshot(voters)).ok());
    if (id == 3) storage->SetHardState(HardState{.term = 5});
    net.AddReplica(id, std::move(storage), base);
  }
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  net.TickAll(60);
  const uint64_t leader = net.TickUntilLeader();
  ASSERT_NE(leader, 0u) << net.DebugString();
  ASSERT_NE(leader, 3u);
  EXPECT_GT(net.node(leader).GetStatus().term, 5u);
  ASSERT_TRUE(net.node(leader).Propose("a").ok());
  net.TickAll(5);
  EXPECT_EQ(net.replica(3).applied, Strings({"a"})) << net.DebugString();
  net.CheckSafety();
}

}  // namespace
}  // namespace cairn::raft
