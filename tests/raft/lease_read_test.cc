// Leader-lease reads (Config::lease_reads): a leader answers ReadIndex from
// its lease without a heartbeat round, and only while no other leader can
// have been elected.
#include <gtest/gtest.h>

#include "raft/config.h"
#include "test_network.h"

namespace cairn::raft {
namespace {

using testing::TestNetwork;

Config LeaseConfig() {
  Config c;
  c.election_tick = 10;
  c.heartbeat_tick = 1;
  c.check_quorum = true;
  c.lease_reads = true;
  c.lease_drift_ticks = 1;
  return c;
}

// Elects node 1 by timeout. (Campaign() right at start would fail: with
// lease reads, voters refuse votes for an election timeout after they
// start, see RestartedVoterRefusesVotesForAnElectionTimeout.)
void ElectNodeOne(TestNetwork& net) {
  for (uint64_t id : {1, 2, 3}) net.Isolate(id);
  net.TickAll(10);  // past everyone's start-up lease; nobody can win alone
  net.Heal();
  ASSERT_TRUE(net.node(1).Campaign().ok());
  net.Stabilize();
  ASSERT_EQ(net.Leader(), 1u);
}

// A leader with a fresh quorum of heartbeat acks, then cut off.
TestNetwork IsolatedLeaderWithFreshLease(uint64_t seed) {
  TestNetwork net({1, 2, 3}, seed, LeaseConfig());
  ElectNodeOne(net);
  EXPECT_TRUE(net.node(1).Propose("a").ok());
  net.Stabilize();
  net.TickAll();  // one heartbeat round, acknowledged by both followers
  net.Isolate(1);
  return net;
}

TEST(LeaseReadTest, LeaderAnswersWithinLeaseWithoutAQuorumRound) {
  TestNetwork net = IsolatedLeaderWithFreshLease(/*seed=*/3);
  const uint64_t commit = net.node(1).GetStatus().commit;
  // Nobody can hear the leader, yet the read is answered: from the lease.
  ASSERT_TRUE(net.node(1).ReadIndex("r1").ok());
  net.Stabilize();
  ASSERT_EQ(net.replica(1).read_states.size(), 1u);
  EXPECT_EQ(net.replica(1).read_states[0], (ReadState{commit, "r1"}));
}

TEST(LeaseReadTest, LeaseExpiresBeforeAnyFollowerMayVote) {
  TestNetwork net = IsolatedLeaderWithFreshLease(/*seed=*/4);
  // election_tick - 1 - drift = 8 ticks after the acknowledged heartbeat
  // the lease is over; the followers still refuse votes for a while.
  net.TickAll(8);
  EXPECT_EQ(net.Leader(), 1u);
  ASSERT_TRUE(net.node(1).ReadIndex("r2").ok());
  net.Stabilize();
  EXPECT_TRUE(net.replica(1).read_states.empty());
  // The majority goes on to elect a new leader; the old one never answered.
  ASSERT_NE(net.TickUntilLeader(), 0u);
  EXPECT_TRUE(net.replica(1).read_states.empty());
}

TEST(LeaseReadTest, NoLeaseReadsOnceATransferStarted) {
  TestNetwork net({1, 2, 3}, /*seed=*/5, LeaseConfig());
  ElectNodeOne(net);
  net.TickAll();
  net.SetDown(2, true);  // the transferee cannot take over yet
  net.node(1).TransferLeader(2);
  net.Stabilize();
  ASSERT_TRUE(net.node(1).ReadIndex("r").ok());
  net.Isolate(1);
  net.Stabilize();
  EXPECT_TRUE(net.replica(1).read_states.empty());
}

TEST(LeaseReadTest, RestartedVoterRefusesVotesForAnElectionTimeout) {
  TestNetwork net = IsolatedLeaderWithFreshLease(/*seed=*/6);
  // Node 2 crashes and forgets that it heard from leader 1 a moment ago.
  // Were it to vote for 3 now, 3 could lead while 1 still serves lease
  // reads.
  net.Restart(2);
  ASSERT_TRUE(net.node(3).Campaign().ok());
  net.Stabilize();
  EXPECT_NE(net.node(3).GetStatus().role, Role::kLeader);
  EXPECT_NE(net.node(2).GetStatus().role, Role::kLeader);
  // After an election timeout the majority elects a leader as usual.
  auto majority_has_leader = [&net] {
    return net.node(2).GetStatus().role == Role::kLeader ||
           net.node(3).GetStatus().role == Role::kLeader;
  };
  for (int i = 0; i < 100 && !majority_has_leader(); ++i) net.TickAll();
  EXPECT_TRUE(majority_has_leader());
}

TEST(LeaseReadTest, ConfigRequiresCheckQuorum) {
  Config c = LeaseConfig();
  c.check_quorum = false;
  c.id = 1;
  MemoryLogStorage storage;
  c.storage = &storage;
  EXPECT_FALSE(c.Validate().ok());
  c.check_quorum = true;
  EXPECT_TRUE(c.Validate().ok());
}

}  // namespace
}  // namespace cairn::raft
