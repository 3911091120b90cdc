// Leases of the replicated store: a leader answers from its own state alone
// only while no other replica can have been elected and written since.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/timestamp.h"
#include "kv/range_commands.h"
#include "kv_test_util.h"
#include "replicated_store_harness.h"
#include "test_seed.h"

namespace cairn::kv::testing {
namespace {

// Reads are served by a leader alone only within its lease (Config::lease_reads,
// Replica::HoldsLease): a leader cut off from the others loses its lease
// before any other replica can be elected and serve, so it never answers a
// read that misses a write the new leader acknowledged.
TEST_F(ReplicatedStoreTest, CutOffLeaderLosesItsLeaseBeforeANewLeaderHoldsOne) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const uint64_t old_leader = ServingNode(kDataRange);
  Replica* old_replica = store(old_leader)->GetReplica(kDataRange);
  ASSERT_TRUE(Eventually([&] { return old_replica->HoldsLease(); }))
      << "a leader with a live quorum holds its lease";

  network_.SetIsolated(old_leader, true);
  uint64_t new_leader = 0;
  int samples = 0;
  const bool elected = Eventually([&] {
    // Sampled in this order: if the new leader holds a lease now, the old
    // one's ended before.
    for (uint64_t n : kNodes) {
      if (n == old_leader) continue;
      if (store(n)->GetReplica(kDataRange)->HoldsLease()) new_leader = n;
    }
    const bool old_holds = old_replica->HoldsLease();
    ++samples;
    if (new_leader != 0) {
      EXPECT_FALSE(old_holds) << "two leases at once: nodes " << old_leader << " and "
                              << new_leader;
      return true;
    }
    return false;
  });
  ASSERT_TRUE(elected) << "the two connected nodes elect a leader with a lease";
  EXPECT_FALSE(old_replica->HoldsLease());
  // Reads at the cut-off node are refused rather than served stale.
  absl::Status read = old_replica->WaitForLease(/*timeout_ms=*/200);
  EXPECT_EQ(GetErrorCode(read), ErrorCode::kRangeNotHere) << read;
  std::printf("node %llu cut off; node %llu leads with a lease (%d samples)\n",
              static_cast<unsigned long long>(old_leader),
              static_cast<unsigned long long>(new_leader), samples);

  network_.SetIsolated(old_leader, false);
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("healed"), "1")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("healed"), "1"));
}

// A leader that has lost its lease but not yet heard of a newer term still
// serves in its own eyes (IsServing), and its state may be behind a new
// leaseholder's: a node stopped for seconds (SIGSTOP) wakes like that. It
// must not answer from that state, and a command that writes nothing -- a
// transaction's status, a secondary lock that is still there -- is such an
// answer: a resolver that believed a stale "still locked, min_commit_ts m"
// committed a transaction's keys at different timestamps (a transfer half
// visible to readers in the Jepsen bank test). Everything the leader answers
// alone must wait for, or be refused without, the lease.
TEST_F(ReplicatedStoreTest, LeaderWithoutItsLeaseAnswersNothingFromItsOwnState) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  uint64_t old_leader = 0;
  ASSERT_NO_FATAL_FAILURE(StartWithXCommitted(&old_leader));
  Replica* old_replica = store(old_leader)->GetReplica(kDataRange);
  ASSERT_TRUE(Eventually([&] { return old_replica->HoldsLease(); }));

  // A live transaction's locks: its primary and one secondary.
  const std::string primary = "\x80p";
  const std::string secondary = "\x80s";
  const Timestamp start_ts = ComposeTimestamp(absl::ToUnixMillis(absl::Now()), 0);
  PrewriteRequest prewrite{
      .mutations = {{.key = primary, .value = "1"}, {.key = secondary, .value = "2"}},
      .primary = primary,
      .start_ts = start_ts,
      .ttl_ms = 60000,
      .use_async_commit = true,
      .secondaries = {secondary}};
  Timestamp min_commit_ts = 0;
  auto prewritten = RangeCommands(old_replica)
                        .Prewrite(
                            prewrite, [&]() -> absl::StatusOr<Timestamp> { return start_ts + 1; },
                            &min_commit_ts);
  ASSERT_TRUE(prewritten.ok()) << prewritten.status();
  ASSERT_TRUE(prewritten->empty());

  // Cut off, the leader keeps serving in its own eyes for a while after its
  // lease has lapsed (until check-quorum steps it down).
  network_.SetIsolated(old_leader, true);
  ASSERT_TRUE(Eventually([&] { return !old_replica->HoldsLease(); }));
  ASSERT_TRUE(old_replica->IsServing())
      << "stepped down before its lease lapsed: nothing left to check";

  // Asked together: each waits for the lease until the leader steps down
  // (then a command arriving would wait for the range to serve again).
  RangeCommands commands(old_replica);
  absl::Status status, locks, read;
  std::thread status_asker([&] {
    status = commands.CheckTxnStatus(primary, start_ts, /*current_ts=*/start_ts, false).status();
  });
  std::thread locks_asker(
      [&] { locks = commands.CheckSecondaryLocks({secondary}, start_ts, false).status(); });
  std::thread reader([&] { read = commands.Get(primary, start_ts + 100).status(); });
  status_asker.join();
  locks_asker.join();
  reader.join();
  EXPECT_EQ(GetErrorCode(status), ErrorCode::kRangeNotHere)
      << "a transaction's status answered without the lease: " << status;
  EXPECT_EQ(GetErrorCode(locks), ErrorCode::kRangeNotHere)
      << "secondary locks reported without the lease: " << locks;
  EXPECT_EQ(GetErrorCode(read), ErrorCode::kRangeNotHere) << read;

  // Healed, the range's leader (old or new) answers again.
  network_.SetIsolated(old_leader, false);
  ASSERT_TRUE(Eventually([&] {
    const uint64_t leader = ServingNode(kDataRange);
    if (leader == 0) return false;
    auto healed = RangeCommands(store(leader)->GetReplica(kDataRange))
                      .CheckTxnStatus(primary, start_ts, start_ts, false);
    return healed.ok() && healed->state == TxnStatus::State::kLocked;
  }));
}

}  // namespace
}  // namespace cairn::kv::testing
