// Splits of a replicated range: the new range is led and replicated at once,
// and a follower that missed the split catches up with both halves.

#include <gtest/gtest.h>

#include <string>

#include "kv/range_commands.h"
#include "kv_test_util.h"
#include "replicated_store_harness.h"
#include "test_seed.h"

namespace cairn::kv::testing {
namespace {

// A split divides the range on every store at the same log index; the new
// range's group is led at once by the node that led the old one (it
// campaigns as it creates its replica), and writes on both sides commit on
// all three engines.
TEST_F(ReplicatedStoreTest, SplitRangeIsLedAtOnceAndReplicatedEverywhere) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  ASSERT_NO_FATAL_FAILURE(WriteMany("before", 50, 2));
  const uint64_t leader = ServingNode(kDataRange);
  constexpr uint64_t kRightRange = 7;
  const std::string split_key = "\x80m";

  const absl::Time start = absl::Now();
  CAIRN_ASSERT_OK(
      RangeCommands(store(leader)->GetReplica(kDataRange)).Split(split_key, kRightRange));
  const uint64_t right_leader = WaitLeader(kRightRange);
  const absl::Duration elected = absl::Now() - start;
  std::printf("split applied and the new range led after %.1f ms (by node %llu)\n",
              absl::ToDoubleMilliseconds(elected), static_cast<unsigned long long>(right_leader));
  EXPECT_EQ(right_leader, leader) << "the old range's leader should lead the new one";
  // Well within one election timeout (10 ticks of 100 ms): no timeout ran.
  EXPECT_LT(elected, absl::Milliseconds(900));

  EXPECT_TRUE(Eventually([&] {
    for (uint64_t n : kNodes) {
      Replica* r = store(n)->GetReplica(kRightRange);
      if (r == nullptr || !r->initialized() || r->descriptor().start_key() != split_key) {
        return false;
      }
      if (store(n)->GetReplica(kDataRange)->descriptor().end_key() != split_key) return false;
    }
    return true;
  })) << "a store did not apply the split";
  CAIRN_ASSERT_OK(Propose(kRightRange, PutCommand(DataKey("z-after"), "right")));
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("a-after"), "left")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("z-after"), "right"));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("a-after"), "left"));
  ExpectConverged(kNodes);
}

// A follower cut off while the range splits misses the split; back, it
// applies it from the log (the new range's leader cannot install a snapshot
// there before: the old range still covers those keys) and then follows
// the new range like the others.
TEST_F(ReplicatedStoreTest, FollowerThatMissedASplitCatchesUpWithBothHalves) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t cut = leader == 1 ? 2 : 1;
  constexpr uint64_t kRightRange = 7;
  const std::string split_key = "\x80m";

  network_.SetIsolated(cut, true);
  CAIRN_ASSERT_OK(
      RangeCommands(store(leader)->GetReplica(kDataRange)).Split(split_key, kRightRange));
  ASSERT_NE(WaitLeader(kRightRange), 0u);
  CAIRN_ASSERT_OK(Propose(kRightRange, PutCommand(DataKey("z-while-cut"), "right")));
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("a-while-cut"), "left")));
  EXPECT_EQ(store(cut)->GetReplica(kDataRange)->descriptor().end_key(), "")
      << "the cut-off follower cannot have applied the split";

  network_.SetIsolated(cut, false);
  EXPECT_TRUE(WaitValue(kNodes, DataKey("z-while-cut"), "right"));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("a-while-cut"), "left"));
  Replica* right = store(cut)->GetReplica(kRightRange);
  ASSERT_NE(right, nullptr);
  EXPECT_TRUE(right->initialized());
  EXPECT_EQ(right->descriptor().start_key(), split_key);
  EXPECT_EQ(store(cut)->GetReplica(kDataRange)->descriptor().end_key(), split_key);
  CAIRN_ASSERT_OK(Propose(kRightRange, PutCommand(DataKey("z-after"), "right again")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("z-after"), "right again"));
  ExpectConverged(kNodes);
}

}  // namespace
}  // namespace cairn::kv::testing
