// Three kv::Store instances in one process replicating every range: leader
// election per range, writes committed on all three engines, follower
// proposals refused with the leader named, fail-over, catch-up of a lagging
// follower from the log and from a range snapshot, and restarts, over the
// harness's loopback network (replicated_store_harness.h).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kv_test_util.h"
#include "replicated_store_harness.h"
#include "test_seed.h"

namespace cairn::kv::testing {
namespace {

TEST_F(ReplicatedStoreTest, EveryRangeElectsOneLeader) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  for (uint64_t range : {kMetaRange, kDataRange}) {
    const uint64_t leader = ServingNode(range);
    CAIRN_EXPECT_OK(store(leader)->GetReplica(range)->WaitServing(0));
    for (uint64_t n : kNodes) {
      if (n == leader) continue;
      // A follower never serves: its WaitServing times out.
      absl::Status s = store(n)->GetReplica(range)->WaitServing(20);
      EXPECT_EQ(GetErrorCode(s), ErrorCode::kUnavailable) << "range " << range << " node " << n;
    }
  }
  // Bootstrapped apart, the nodes agree on the cluster and their ids.
  for (uint64_t n : kNodes) {
    EXPECT_EQ(store(n)->ident().node_id(), n);
    EXPECT_EQ(store(n)->ident().cluster_id(), store(1)->ident().cluster_id());
    ASSERT_EQ(store(n)->replicas().size(), 2u);
    for (Replica* r : store(n)->replicas()) {
      EXPECT_EQ(r->descriptor().replicas_size(), 3) << "range " << r->range_id();
      for (uint64_t m : kNodes) EXPECT_EQ(r->NodeOf(m), m);
    }
  }
}

TEST_F(ReplicatedStoreTest, WritesCommitOnAllThreeEngines) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  for (uint64_t range : {kDataRange, kMetaRange}) {
    SCOPED_TRACE(absl::StrCat("range ", range));
    const std::string key = range == kDataRange ? DataKey("a") : MetaKey("a");
    const uint64_t leader = ServingNode(range);
    ASSERT_NE(leader, 0u);
    CAIRN_ASSERT_OK(store(leader)->GetReplica(range)->ProposeAndWait(PutCommand(key, "A")));
    // Applied on the leader when ProposeAndWait returns...
    auto on_leader = store(leader)->engine()->Get(ColumnFamily::kDefault, key);
    ASSERT_TRUE(on_leader.ok());
    EXPECT_EQ(*on_leader, "A");
    // ...and on the followers once they hear of the commit.
    EXPECT_TRUE(WaitValue(kNodes, key, "A"));

    CAIRN_ASSERT_OK(store(leader)->GetReplica(range)->ProposeAndWait(DeleteCommand(key)));
    EXPECT_TRUE(WaitValue(kNodes, key, std::nullopt));
  }
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 100, 4));
  ExpectConverged(kNodes);
}

TEST_F(ReplicatedStoreTest, ProposalOnAFollowerFailsNamingTheLeader) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  uint64_t leader = 0;
  ASSERT_NO_FATAL_FAILURE(StartWithXCommitted(&leader));
  for (uint64_t n : kNodes) {
    if (n == leader) continue;
    SCOPED_TRACE(absl::StrCat("follower ", n));
    absl::Status s = store(n)->GetReplica(kDataRange)->ProposeAndWait(PutCommand(DataKey("x"), "2"));
    ASSERT_FALSE(s.ok());
    // Refused before it reached the log: the routing client may resend it
    // to the leader.
    EXPECT_EQ(GetErrorCode(s), ErrorCode::kRangeNotHere) << s;
    EXPECT_TRUE(IsRetryable(s)) << s;
    EXPECT_NE(s.message().find(absl::StrCat("leader: node ", leader)), std::string::npos) << s;
  }
  // Nothing of the refused proposals was applied anywhere.
  EXPECT_TRUE(WaitValue(kNodes, DataKey("x"), "1"));
}

// While it hands leadership over, a leader refuses proposals; they never
// reach the log, so they fail as sent to the wrong node (kRangeNotHere),
// which the routing client retries, not as an outcome-unknown kUnavailable.
TEST_F(ReplicatedStoreTest, ProposalDuringALeadershipTransferIsRefusedAsNotHere) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  uint64_t leader = 0;
  ASSERT_NO_FATAL_FAILURE(StartWithXCommitted(&leader));
  const uint64_t target = OtherThan(leader, 0);
  // The target never hears the leader's TimeoutNow: the transfer stays in
  // progress until the leader gives up on it after an election timeout.
  network_.SetIsolated(target, true);
  Replica* replica = store(leader)->GetReplica(kDataRange);
  replica->TransferLeadership(target);
  absl::Status s = replica->ProposeAndWait(PutCommand(DataKey("x"), "2"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kRangeNotHere) << s;
  EXPECT_NE(s.message().find("leadership transfer in progress"), std::string::npos) << s;
  network_.SetIsolated(target, false);
  // The abandoned transfer leaves the group writable, and the refused
  // proposal was never applied.
  ASSERT_NE(WaitLeader(kDataRange), 0u);
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("y"), "3")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("y"), "3"));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("x"), "1"));
}

TEST_F(ReplicatedStoreTest, StoppingTheLeaderElectsANewOneAndWritesContinue) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("before"), "1")));
  ASSERT_TRUE(WaitValue(kNodes, DataKey("before"), "1"));

  const uint64_t old_leader = ServingNode(kDataRange);
  StopNode(old_leader);
  // Both ranges end up led by one of the two others (the meta range may
  // have lost its leader too).
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const uint64_t new_leader = ServingNode(kDataRange);
  EXPECT_NE(new_leader, old_leader);
  const std::vector<uint64_t> up = UpNodes();
  ASSERT_EQ(up.size(), 2u);

  // A quorum of two still commits.
  CAIRN_ASSERT_OK(
      store(new_leader)->GetReplica(kDataRange)->ProposeAndWait(PutCommand(DataKey("after"), "2")));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("after"), "m")));
  EXPECT_TRUE(WaitValue(up, DataKey("after"), "2"));
  EXPECT_TRUE(WaitValue(up, MetaKey("after"), "m"));

  // The old leader comes back as a follower and catches up.
  ASSERT_NO_FATAL_FAILURE(StartNode(old_leader));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("after"), "2"));
  EXPECT_TRUE(WaitValue(kNodes, MetaKey("after"), "m"));
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("later"), "3")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("later"), "3"));
  ExpectConverged(kNodes);
}

// A follower cut off while more than a compaction interval of entries
// commits catches up from the leader's log: the leader retains what a
// follower within the retained lag (Store::Options::raft_log_retained_entries, 16384) needs, whether or not it is
// reachable (MaybeCompactLog looks at the lag only).
TEST_F(ReplicatedStoreTest, CutOffFollowerCatchesUpFromTheRetainedLog) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  ASSERT_NO_FATAL_FAILURE(WriteMany("early", 20, 2));
  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t cut = leader == 1 ? 2 : 1;
  const uint64_t other = OtherThan(leader, cut);
  ExpectConverged(kNodes);

  network_.SetIsolated(cut, true);
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 1200, 1, {DataKey("early-3")}));
  ASSERT_EQ(ServingNode(kDataRange), leader) << "leadership moved: the premise is lost";
  // The other follower compacted past what the cut-off one holds; the
  // leader kept it.
  const std::vector<uint64_t> cut_log = StoredLogIndexes(*store(cut)->engine(), kDataRange);
  ASSERT_FALSE(cut_log.empty());
  EXPECT_TRUE(Eventually([&] {
    return StoredLogIndexes(*store(other)->engine(), kDataRange).front() > cut_log.back() + 1;
  })) << "the other follower never compacted its log";
  EXPECT_LE(StoredLogIndexes(*store(leader)->engine(), kDataRange).front(), cut_log.back() + 1);

  network_.SetIsolated(cut, false);
  ExpectConverged(kNodes);
  EXPECT_TRUE(WaitValue(kNodes, DataKey("early-3"), std::nullopt));
  EXPECT_EQ(network_.snapshots_delivered(cut, kDataRange), 0)
      << "the leader had the log: no snapshot was needed";
  // The leader's log is compacted once the follower is back.
  ASSERT_NO_FATAL_FAILURE(WriteMany("k2", 1100, 1));
  ExpectConverged(kNodes);
  EXPECT_TRUE(Eventually([&] {
    return StoredLogIndexes(*store(leader)->engine(), kDataRange).front() > cut_log.back() + 1;
  })) << "the leader never compacted after the follower caught up";
}

// A follower that missed entries that no longer exist in its new leader's
// log is sent a range snapshot. To get there within the retention rules:
// the follower F goes down; the other follower G compacts its log as it
// applies (followers compact freely); then the leader goes down and F comes
// back, so G leads and must ship F a snapshot. F ends with the same data
// (deletes included), keeps it across a restart, and follows later writes.
TEST_F(ReplicatedStoreTest, LaggingFollowerCatchesUpFromASnapshot) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  std::vector<std::string> doomed;
  for (int i = 0; i < 10; ++i) {
    doomed.push_back(DataKey(absl::StrCat("doomed-", i)));
    CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(doomed.back(), "x")));
  }
  ExpectConverged(kNodes);

  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t lagging = leader == 1 ? 2 : 1;
  const uint64_t successor = OtherThan(leader, lagging);
  StopNode(lagging);
  const std::vector<uint64_t> lagging_log = StoredLogIndexes(memory_[lagging], kDataRange);
  ASSERT_FALSE(lagging_log.empty());

  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 1300, 1, doomed));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "meta")));
  ExpectConverged({leader, successor});
  // Premise: the successor's log starts past the lagging node's end.
  ASSERT_TRUE(Eventually([&] {
    return StoredLogIndexes(memory_[successor], kDataRange).front() > lagging_log.back() + 1;
  })) << "the successor never compacted its log";

  StopNode(leader);
  // The first snapshot is lost on the way: the leader hears of it and
  // sends another (had the store not reported it, the leader would wait
  // in snapshot state for good).
  network_.FailSnapshots(1);
  ASSERT_NO_FATAL_FAILURE(StartNode(lagging));
  // Only the successor has the committed log: it must win.
  ASSERT_EQ(WaitLeader(kDataRange), successor);
  ExpectConverged({successor, lagging});
  EXPECT_EQ(network_.snapshots_failed(), 1);
  EXPECT_GE(network_.snapshots_delivered(lagging, kDataRange), 1)
      << "caught up without a snapshot: the scenario missed its point";
  for (const std::string& key : doomed) {
    auto got = store(lagging)->engine()->Get(ColumnFamily::kDefault, key);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, std::nullopt) << "a key deleted while away survived the snapshot";
  }
  EXPECT_TRUE(WaitValue({lagging}, MetaKey("m"), "meta"));

  // The snapshot replaced the lagging node's log: later entries follow it.
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("after-snapshot"), "1")));
  EXPECT_TRUE(WaitValue({successor, lagging}, DataKey("after-snapshot"), "1"));

  // The old leader rejoins; then the snapshot-installed node restarts from
  // what it persisted.
  ASSERT_NO_FATAL_FAILURE(StartNode(leader));
  ExpectConverged(kNodes);
  StopNode(lagging);
  ASSERT_NO_FATAL_FAILURE(StartNode(lagging));
  ASSERT_NO_FATAL_FAILURE(WriteMany("k3", 50, 4));
  ExpectConverged(kNodes);
}

// A follower cut off for more than the retained lag (16384 entries) is no longer
// worth keeping the log for: the leader compacts past it and, once the
// follower is reachable again, ships it a snapshot of the range.
TEST_F(ReplicatedStoreTest, FollowerBeyondTheRetainedLagGetsTheLeadersSnapshot) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  // Store::Options::raft_log_retained_entries (16384) plus a compaction interval
  // (1024), and a margin.
  constexpr int kEntries = 16 * 1024 + 1024 + 400;
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  std::vector<std::string> doomed;
  for (int i = 0; i < 10; ++i) {
    doomed.push_back(DataKey(absl::StrCat("doomed-", i)));
    CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(doomed.back(), "x")));
  }
  ExpectConverged(kNodes);
  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t cut = leader == 1 ? 2 : 1;
  const std::vector<uint64_t> cut_log = StoredLogIndexes(*store(cut)->engine(), kDataRange);
  ASSERT_FALSE(cut_log.empty());

  network_.SetIsolated(cut, true);
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", kEntries, 1, doomed));
  ASSERT_EQ(ServingNode(kDataRange), leader) << "leadership moved: the premise is lost";
  ASSERT_TRUE(Eventually([&] {
    return StoredLogIndexes(*store(leader)->engine(), kDataRange).front() > cut_log.back() + 1;
  })) << "the leader kept the log for a follower " << kEntries << " entries behind";

  network_.SetIsolated(cut, false);
  ExpectConverged(kNodes);
  EXPECT_GE(network_.snapshots_delivered(cut, kDataRange), 1);
  for (const std::string& key : doomed) {
    auto got = store(cut)->engine()->Get(ColumnFamily::kDefault, key);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, std::nullopt) << "a key deleted while cut off survived the snapshot";
  }
  // And it follows the log from the snapshot on.
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("after-snapshot"), "1")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("after-snapshot"), "1"));
}

// Restart on the same RocksDB directories: one follower, then the whole
// cluster. A restarted store comes back with its data and log (multi-voter
// groups reload their membership and hard state) and rejoins.
TEST_F(ReplicatedStoreTest, RestartOnTheSameRocksDbDirsRecoversAndRejoins) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  use_rocksdb_ = true;
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const std::string cluster_id = store(1)->ident().cluster_id();
  ASSERT_NO_FATAL_FAILURE(WriteMany("a", 100, 4));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "1")));
  ExpectConverged(kNodes);

  const uint64_t follower = ServingNode(kDataRange) == 3 ? 2 : 3;
  const EngineData before = DataOf(*store(follower)->engine());
  StopNode(follower);
  ASSERT_NO_FATAL_FAILURE(WriteMany("b", 50, 4));
  ASSERT_NO_FATAL_FAILURE(StartNode(follower));
  EXPECT_EQ(store(follower)->ident().cluster_id(), cluster_id) << "bootstrapped again";
  EXPECT_EQ(store(follower)->ident().node_id(), follower);
  ExpectConverged(kNodes);
  EXPECT_NE(DataOf(*store(follower)->engine()), before) << "missed the writes while down";

  // The whole cluster down and up again.
  const EngineData all = DataOf(*store(1)->engine());
  for (uint64_t n : kNodes) StopNode(n);
  ASSERT_NO_FATAL_FAILURE(StartAll());
  for (uint64_t n : kNodes) {
    EXPECT_EQ(DataOf(*store(n)->engine()), all) << "node " << n << " lost data";
  }
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  ASSERT_NO_FATAL_FAILURE(WriteMany("c", 50, 4));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "2")));
  EXPECT_TRUE(WaitValue(kNodes, MetaKey("m"), "2"));
  ExpectConverged(kNodes);
}

}  // namespace
}  // namespace cairn::kv::testing
