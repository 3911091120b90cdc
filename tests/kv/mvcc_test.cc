// Percolator actions and MVCC reads (kv/mvcc/percolator.h, mvcc_reader.h),
// run on both engines.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kv/mvcc/mvcc_reader.h"
#include "kv/mvcc/percolator.h"
#include "mvcc_test_util.h"

namespace cairn::kv {
namespace {

using testing::DeleteM;
using testing::Describe;
using testing::EngineKind;
using testing::InsertM;
using testing::LockM;
using testing::PutM;
using testing::TempDir;

using Rows = std::vector<std::pair<std::string, std::string>>;

class MvccTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    engine_ = testing::MakeEngine(GetParam(), dir_);
    ASSERT_NE(engine_, nullptr);
    mvcc_ = std::make_unique<testing::MvccFixture>(engine_.get());
  }
  void TearDown() override {
    mvcc_.reset();
    engine_.reset();
  }

  testing::MvccFixture& m() { return *mvcc_; }

  TempDir dir_;
  std::unique_ptr<KvEngine> engine_;
  std::unique_ptr<testing::MvccFixture> mvcc_;
};

TEST_P(MvccTest, ReadsSeeTheNewestCommitAtOrBeforeTheirTimestamp) {
  m().WriteCommitted("k", "v1", 5, 10);
  EXPECT_EQ(m().Get("k", 9), std::nullopt);
  EXPECT_EQ(m().Get("k", 10), "v1");
  EXPECT_EQ(m().Get("k", 11), "v1");

  m().WriteCommitted("k", "v2", 15, 20);
  EXPECT_EQ(m().Get("k", 10), "v1");
  EXPECT_EQ(m().Get("k", 19), "v1");
  EXPECT_EQ(m().Get("k", 20), "v2");
  EXPECT_EQ(m().Get("k", kMaxTimestamp), "v2");

  m().WriteCommitted("k", std::nullopt, 25, 30);  // delete
  EXPECT_EQ(m().Get("k", 29), "v2");
  EXPECT_EQ(m().Get("k", 30), std::nullopt);
  EXPECT_EQ(m().Get("other", 30), std::nullopt);
}

TEST_P(MvccTest, LockBlocksReadsAtOrAfterItsStartOnly) {
  m().WriteCommitted("k", "old", 5, 10);
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", "new")}, "k", 30)), "");

  EXPECT_EQ(m().Get("k", 29), "old");  // the lock is newer than this read
  for (Timestamp ts : {Timestamp{30}, Timestamp{31}, kMaxTimestamp}) {
    testing::ReadResult r = m().Read("k", ts);
    ASSERT_TRUE(r.locked.has_value()) << ts;
    EXPECT_EQ(r.locked->key, "k");
    EXPECT_EQ(r.locked->lock.start_ts, 30u);
    EXPECT_EQ(r.locked->lock.primary, "k");
    EXPECT_EQ(r.value, std::nullopt);
  }
  // A pure lock (SELECT FOR UPDATE) changes no data and blocks nobody.
  ASSERT_EQ(Describe(m().Prewrite({LockM("j")}, "j", 40)), "");
  EXPECT_FALSE(m().Read("j", 50).locked.has_value());
}

TEST_P(MvccTest, PrewriteFailsOnANewerCommit) {
  m().WriteCommitted("k", "v", 15, 20);
  std::vector<TxnError> errors = m().Prewrite({PutM("k", "x")}, "k", 18);
  ASSERT_EQ(Describe(errors), "WriteConflict(k)");
  EXPECT_EQ(errors[0].conflict_ts, 20u);
  EXPECT_FALSE(m().LoadLock("k").has_value());
  // A transaction that started after the commit may write. (One that
  // started at exactly its commit_ts may not: see
  // ARollbackNeverOverwritesACommitAtItsTimestamp.)
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "x")}, "k", 21)), "");
}

TEST_P(MvccTest, PrewriteFailsOnAForeignLockAndIsAllOrNothing) {
  ASSERT_EQ(Describe(m().Prewrite({PutM("b", "1")}, "b", 30)), "");
  std::vector<TxnError> errors = m().Prewrite({PutM("a", "2"), PutM("b", "2")}, "a", 40);
  ASSERT_EQ(Describe(errors), "KeyLocked(b)");
  EXPECT_EQ(errors[0].lock.start_ts, 30u);
  EXPECT_EQ(errors[0].lock.primary, "b");
  EXPECT_EQ(m().last_batch_size(), 0u);
  EXPECT_FALSE(m().LoadLock("a").has_value()) << "a failed prewrite must lock nothing";
  // An older transaction meets the lock too.
  EXPECT_EQ(Describe(m().Prewrite({PutM("b", "3")}, "b", 20)), "KeyLocked(b)");
}

TEST_P(MvccTest, PrewriteIsIdempotent) {
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", "v")}, "k", 30)), "");
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "v")}, "k", 30)), "");
  EXPECT_EQ(m().last_batch_size(), 0u);
  ASSERT_EQ(Describe(m().Commit({"k"}, 30, 40)), "");
  // A prewrite retried after its commit neither fails nor locks again.
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "v")}, "k", 30)), "");
  EXPECT_FALSE(m().LoadLock("k").has_value());
  EXPECT_EQ(m().Get("k", 40), "v");
}

TEST_P(MvccTest, InsertChecksForALiveValue) {
  m().WriteCommitted("k", "v", 5, 10);
  std::vector<TxnError> errors = m().Prewrite({InsertM("k", "dup")}, "k", 20);
  EXPECT_EQ(Describe(errors), "AlreadyExists(k)");
  EXPECT_FALSE(m().LoadLock("k").has_value());

  m().WriteCommitted("k", std::nullopt, 25, 30);  // delete, then insert again: fine
  ASSERT_EQ(Describe(m().Prewrite({InsertM("k", "again")}, "k", 40)), "");
  ASSERT_EQ(Describe(m().Commit({"k"}, 40, 50)), "");
  EXPECT_EQ(m().Get("k", 50), "again");

  // A fresh key, and a key with only lock records and rollbacks, are free.
  EXPECT_EQ(Describe(m().Prewrite({InsertM("fresh", "x")}, "fresh", 60)), "");
  ASSERT_EQ(Describe(m().Prewrite({LockM("locked")}, "locked", 60)), "");
  ASSERT_EQ(Describe(m().Commit({"locked"}, 60, 70)), "");
  m().Rollback({"locked"}, 75);
  EXPECT_EQ(Describe(m().Prewrite({InsertM("locked", "x")}, "locked", 80)), "");
}

TEST_P(MvccTest, CommitIsIdempotent) {
  ASSERT_EQ(Describe(m().Prewrite({PutM("p", "1"), PutM("s", "2")}, "p", 30)), "");
  ASSERT_EQ(Describe(m().Commit({"p", "s"}, 30, 40)), "");
  EXPECT_EQ(Describe(m().Commit({"p", "s"}, 30, 40)), "");
  EXPECT_EQ(m().last_batch_size(), 0u);
  EXPECT_EQ(m().Get("p", 40), "1");
  EXPECT_EQ(m().Get("s", 40), "2");
  EXPECT_EQ(m().WriteRecords("p").size(), 1u);
  // Committing what was never prewritten is reported, not invented.
  EXPECT_EQ(Describe(m().Commit({"never"}, 30, 40)), "RolledBack(never)");
  EXPECT_EQ(m().Get("never", 50), std::nullopt);
}

TEST_P(MvccTest, RollbackLeavesARecordThatStopsALatePrewrite) {
  m().WriteCommitted("k", "old", 5, 10);
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", "new")}, "k", 30)), "");
  ASSERT_EQ(Describe(m().Rollback({"k"}, 30)), "");
  EXPECT_FALSE(m().LoadLock("k").has_value());
  EXPECT_EQ(m().Get("k", 40), "old");
  EXPECT_EQ(m().WriteRecords("k"),
            (std::vector<std::pair<Timestamp, WriteKind>>{{30, WriteKind::kRollback},
                                                          {10, WriteKind::kPut}}));

  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "late")}, "k", 30)), "RolledBack(k)");
  EXPECT_FALSE(m().LoadLock("k").has_value());
  EXPECT_EQ(Describe(m().Commit({"k"}, 30, 40)), "RolledBack(k)");
  EXPECT_EQ(Describe(m().Rollback({"k"}, 30)), "");  // idempotent

  // Rolling back a transaction that never reached a key still protects it.
  ASSERT_EQ(Describe(m().Rollback({"k2"}, 50)), "");
  EXPECT_EQ(Describe(m().Prewrite({PutM("k2", "v")}, "k2", 50)), "RolledBack(k2)");

  // A rollback record is not a write: other transactions don't conflict on it.
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "v")}, "k", 20)), "");
}

TEST_P(MvccTest, RollbackOfACommittedTransactionIsRefused) {
  m().WriteCommitted("k", "v", 30, 40);
  std::vector<TxnError> errors = m().Rollback({"k"}, 30);
  EXPECT_EQ(Describe(errors), "Committed(k)");
  EXPECT_EQ(m().Get("k", 40), "v");
}

TEST_P(MvccTest, RollbackLeavesAForeignLockAlone) {
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", "mine")}, "k", 30)), "");
  ASSERT_EQ(Describe(m().Rollback({"k"}, 20)), "");  // some other transaction
  ASSERT_TRUE(m().LoadLock("k").has_value());
  EXPECT_EQ(m().LoadLock("k")->start_ts, 30u);
  ASSERT_EQ(Describe(m().Commit({"k"}, 30, 40)), "");
  EXPECT_EQ(m().Get("k", 40), "mine");
}

TEST_P(MvccTest, CheckTxnStatus) {
  const Timestamp start = ComposeTimestamp(1000, 0);
  ASSERT_EQ(Describe(m().Prewrite({PutM("p", "v"), PutM("s", "v")}, "p", start, /*ttl=*/100)), "");

  // Alive: within its TTL.
  TxnStatus alive = m().CheckTxnStatus("p", start, ComposeTimestamp(1099, 5));
  EXPECT_EQ(alive.state, TxnStatus::State::kLocked);
  EXPECT_EQ(alive.ttl_ms, 100u);
  EXPECT_EQ(m().last_batch_size(), 0u);
  EXPECT_TRUE(m().LoadLock("p").has_value());

  // Expired: rolled back, and the verdict sticks.
  TxnStatus expired = m().CheckTxnStatus("p", start, ComposeTimestamp(1100, 0));
  EXPECT_EQ(expired.state, TxnStatus::State::kRolledBack);
  EXPECT_FALSE(m().LoadLock("p").has_value());
  EXPECT_EQ(m().CheckTxnStatus("p", start, ComposeTimestamp(1100, 0)).state,
            TxnStatus::State::kRolledBack);
  EXPECT_EQ(Describe(m().Commit({"p"}, start, ComposeTimestamp(1200, 0))), "RolledBack(p)");
  EXPECT_EQ(Describe(m().Prewrite({PutM("p", "v")}, "p", start)), "RolledBack(p)");
  // The secondary is still locked until someone resolves it.
  EXPECT_TRUE(m().LoadLock("s").has_value());
}

TEST_P(MvccTest, CheckTxnStatusOfACommittedTransaction) {
  m().WriteCommitted("p", "v", 30, 40);
  m().WriteCommitted("p", "v2", 50, 60);  // newer history doesn't hide the record
  TxnStatus s = m().CheckTxnStatus("p", 30, 1000);
  EXPECT_EQ(s.state, TxnStatus::State::kCommitted);
  EXPECT_EQ(s.commit_ts, 40u);
  EXPECT_EQ(m().last_batch_size(), 0u);
}

TEST_P(MvccTest, CheckTxnStatusOfAMissingPrimaryRollsItBack) {
  // The primary's prewrite has not landed (or never will): mark it rolled
  // back so that it can't land later.
  TxnStatus s = m().CheckTxnStatus("p", 30, 1000);
  EXPECT_EQ(s.state, TxnStatus::State::kRolledBack);
  EXPECT_EQ(Describe(m().Prewrite({PutM("p", "late")}, "p", 30)), "RolledBack(p)");
  EXPECT_EQ(m().Get("p", 2000), std::nullopt);

  // Same when another transaction holds the primary's lock.
  ASSERT_EQ(Describe(m().Prewrite({PutM("q", "x")}, "q", 50)), "");
  EXPECT_EQ(m().CheckTxnStatus("q", 40, 1000).state, TxnStatus::State::kRolledBack);
  EXPECT_EQ(m().LoadLock("q")->start_ts, 50u);
}

TEST_P(MvccTest, AMissingPrimaryOfALiveLockIsLeftToLand) {
  // A reader met a live secondary lock before the primary's prewrite (sent
  // in parallel) landed: the transaction is alive, and its primary may
  // still be locked.
  TxnStatus s = m().CheckTxnStatus("p", 30, 1000, /*rollback_if_missing=*/false);
  EXPECT_EQ(s.state, TxnStatus::State::kLocked);
  EXPECT_EQ(m().last_batch_size(), 0u);
  EXPECT_EQ(Describe(m().Prewrite({PutM("p", "v")}, "p", 30)), "");
  ASSERT_EQ(Describe(m().Commit({"p"}, 30, 40)), "");
  EXPECT_EQ(m().Get("p", 40), "v");
}

TEST_P(MvccTest, EarlyLockTakesItsValueAtCommit) {
  m().WriteCommitted("k", "old", 5, 10);
  // SELECT ... FOR UPDATE at 30 locks the row without changing it.
  ASSERT_EQ(Describe(m().Prewrite({LockM("k")}, "k", 30)), "");
  EXPECT_EQ(m().Get("k", 35), "old");  // a lock-only lock blocks no reader
  // Another writer meets the lock.
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "theirs")}, "k", 31)), "KeyLocked(k)");
  // A commit newer than 30 after the lock was taken cannot happen; the
  // transaction's own prewrite replaces the lock with its value.
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", std::string(1000, 'x'))}, "k", 30)), "");
  EXPECT_EQ(m().LoadLock("k")->kind, MutationKind::kPut);
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", "mine")}, "k", 30)), "");  // and again, shorter
  ASSERT_EQ(Describe(m().Commit({"k"}, 30, 40)), "");
  EXPECT_EQ(m().Get("k", 40), "mine");
  EXPECT_EQ(m().Get("k", 39), "old");
}

TEST_P(MvccTest, EarlyLockFailsOnANewerCommit) {
  m().WriteCommitted("k", "new", 35, 40);
  EXPECT_EQ(Describe(m().Prewrite({LockM("k")}, "k", 30)), "WriteConflict(k)");
}

TEST_P(MvccTest, HeartbeatLengthensThePrimarysTtl) {
  const Timestamp start = ComposeTimestamp(1000, 0);
  ASSERT_EQ(Describe(m().Prewrite({LockM("p")}, "p", start, /*ttl=*/100)), "");
  EXPECT_EQ(m().TxnHeartbeat("p", start, 5000).ttl_ms, 5000u);
  EXPECT_EQ(m().TxnHeartbeat("p", start, 200).ttl_ms, 5000u);  // never shortened
  // Alive long after its first TTL; a prewrite keeps the longer TTL.
  EXPECT_EQ(m().CheckTxnStatus("p", start, ComposeTimestamp(4000, 0)).state,
            TxnStatus::State::kLocked);
  ASSERT_EQ(Describe(m().Prewrite({PutM("p", "v")}, "p", start, /*ttl=*/100)), "");
  EXPECT_EQ(m().LoadLock("p")->ttl_ms, 5000u);
  ASSERT_EQ(Describe(m().Commit({"p"}, start, ComposeTimestamp(4100, 0))), "");
  TxnStatus committed = m().TxnHeartbeat("p", start, 6000);
  EXPECT_EQ(committed.state, TxnStatus::State::kCommitted);
  EXPECT_EQ(committed.commit_ts, ComposeTimestamp(4100, 0));

  // A transaction rolled back by a reader learns it from its heartbeat.
  const Timestamp other = ComposeTimestamp(5000, 0);
  ASSERT_EQ(Describe(m().Prewrite({LockM("q")}, "q", other, /*ttl=*/100)), "");
  ASSERT_EQ(m().CheckTxnStatus("q", other, ComposeTimestamp(5200, 0)).state,
            TxnStatus::State::kRolledBack);
  EXPECT_EQ(m().TxnHeartbeat("q", other, 6000).state, TxnStatus::State::kRolledBack);
}

TEST_P(MvccTest, AsyncCommitLocksAllowNoCommitBelowAServedRead) {
  Timestamp min_commit_ts = 0;
  // start_ts 30 on a range that served a read at 50: committing at 31 would
  // put a write under that read's snapshot after the fact.
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("p", "v"), PutM("q", "w")}, "p", {"s"}, 30,
                                       /*max_read_ts=*/50, &min_commit_ts)),
            "");
  EXPECT_EQ(min_commit_ts, 51u);
  auto primary = m().LoadLock("p");
  EXPECT_TRUE(primary->use_async_commit);
  EXPECT_EQ(primary->min_commit_ts, 51u);
  EXPECT_EQ(primary->secondaries, std::vector<std::string>{"s"});
  EXPECT_TRUE(m().LoadLock("q")->secondaries.empty()) << "only the primary lists them";
  // A retried prewrite keeps the commit_ts its first answer allowed.
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("q", "w")}, "p", {}, 30, 90, &min_commit_ts)), "");
  EXPECT_EQ(min_commit_ts, 51u);
  // No read served: just above start_ts.
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("r", "x")}, "r", {}, 60, 0, &min_commit_ts)), "");
  EXPECT_EQ(min_commit_ts, 61u);
}

TEST_P(MvccTest, AnExpiredAsyncCommitPrimaryIsDecidedByItsSecondaries) {
  const Timestamp start = ComposeTimestamp(1000, 0);
  Timestamp min_commit_ts = 0;
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("p", "v")}, "p", {"s1", "s2"}, start, start + 5,
                                       &min_commit_ts, /*ttl=*/100)),
            "");
  TxnStatus alive = m().CheckTxnStatus("p", start, ComposeTimestamp(1050, 0));
  EXPECT_EQ(alive.state, TxnStatus::State::kLocked);
  // Expired: not rolled back (every key may be locked: then it committed).
  TxnStatus expired = m().CheckTxnStatus("p", start, ComposeTimestamp(1200, 0));
  EXPECT_EQ(expired.state, TxnStatus::State::kAsyncCommitUndecided);
  EXPECT_EQ(expired.secondaries, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(expired.min_commit_ts, start + 6);
  EXPECT_EQ(m().last_batch_size(), 0u);
  EXPECT_TRUE(m().LoadLock("p").has_value());

  // Both secondaries locked: committed at the largest min_commit_ts.
  ASSERT_EQ(
      Describe(m().PrewriteAsync({PutM("s1", "1")}, "p", {}, start, start + 9, &min_commit_ts)),
      "");
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("s2", "2")}, "p", {}, start, 0, &min_commit_ts)), "");
  SecondaryLocksStatus locked = m().CheckSecondaryLocks({"s1", "s2"}, start);
  EXPECT_EQ(locked.state, SecondaryLocksStatus::State::kAllLocked);
  EXPECT_EQ(locked.ts, start + 10);
  // One committed already (a resolver got there first): committed.
  ASSERT_EQ(Describe(m().Commit({"s1"}, start, start + 10)), "");
  SecondaryLocksStatus committed = m().CheckSecondaryLocks({"s1", "s2"}, start);
  EXPECT_EQ(committed.state, SecondaryLocksStatus::State::kCommitted);
  EXPECT_EQ(committed.ts, start + 10);
}

// The coordinator's prewrite of a key may be retried after a resolver has
// committed the whole transaction (the first answer lost with a leader that
// stalled; the primary's TTL ran out meanwhile). The retry must answer the
// commit_ts the resolver chose, or the coordinator commits the keys still
// locked below it: the transaction's keys at two timestamps, half of it
// visible to a read between them (a transfer's credit without its debit).
TEST_P(MvccTest, ARetriedAsyncPrewriteAnswersTheCommitAResolverMade) {
  const Timestamp start = ComposeTimestamp(1000, 0);
  Timestamp min_commit_ts = 0;
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("p", "v")}, "p", {"s"}, start, 0, &min_commit_ts)),
            "");
  EXPECT_EQ(min_commit_ts, start + 1);
  // The secondary's range had served a read at start + 40.
  ASSERT_EQ(
      Describe(m().PrewriteAsync({PutM("s", "w")}, "p", {}, start, start + 40, &min_commit_ts)),
      "");
  EXPECT_EQ(min_commit_ts, start + 41);
  // A resolver: every lock there, so committed at the largest min_commit_ts;
  // it has committed the secondary, not yet the primary.
  SecondaryLocksStatus locked = m().CheckSecondaryLocks({"s"}, start);
  ASSERT_EQ(locked.state, SecondaryLocksStatus::State::kAllLocked);
  ASSERT_EQ(locked.ts, start + 41);
  ASSERT_EQ(Describe(m().Commit({"s"}, start, locked.ts)), "");

  // The coordinator's retried prewrite of the secondary.
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("s", "w")}, "p", {}, start, 0, &min_commit_ts)), "");
  EXPECT_EQ(min_commit_ts, start + 41) << "the resolver's commit_ts, not a lower one";
}

TEST_P(MvccTest, AnAsyncCommitSecondaryNeverPrewrittenRollsTheTransactionBack) {
  Timestamp min_commit_ts = 0;
  ASSERT_EQ(Describe(m().PrewriteAsync({PutM("p", "v"), PutM("s1", "1")}, "p", {"s1", "s2"}, 30, 0,
                                       &min_commit_ts)),
            "");
  // While the transaction is alive, s2 may still be on its way: asked
  // without the right to roll back, the check changes nothing.
  SecondaryLocksStatus alive = m().CheckSecondaryLocks({"s1", "s2"}, 30, false);
  EXPECT_EQ(alive.state, SecondaryLocksStatus::State::kIncomplete);
  EXPECT_EQ(m().last_batch_size(), 0u);
  SecondaryLocksStatus s = m().CheckSecondaryLocks({"s1", "s2"}, 30);
  EXPECT_EQ(s.state, SecondaryLocksStatus::State::kRolledBack);
  // s2's prewrite can never land now.
  EXPECT_EQ(Describe(m().PrewriteAsync({PutM("s2", "2")}, "p", {}, 30, 0, &min_commit_ts)),
            "RolledBack(s2)");

  // A row locked early and never prewritten for the commit counts as not
  // prewritten: its lock goes.
  ASSERT_EQ(Describe(m().Prewrite({LockM("e")}, "q", 40)), "");
  EXPECT_EQ(m().CheckSecondaryLocks({"e"}, 40).state, SecondaryLocksStatus::State::kRolledBack);
  EXPECT_FALSE(m().LoadLock("e").has_value());
}

// An async commit's commit_ts is a read timestamp + 1, not the oracle's:
// it can equal another transaction's start_ts, where that transaction's
// rollback record would go. The rollback must not overwrite the commit (a
// Jepsen bank run lost one write of a committed transfer that way), and
// the rolled-back transaction's late prewrite is still refused.
TEST_P(MvccTest, ARollbackNeverOverwritesACommitAtItsTimestamp) {
  m().WriteCommitted("k", "committed", /*start_ts=*/10, /*commit_ts=*/30);
  EXPECT_EQ(Describe(m().Rollback({"k"}, 30)), "");
  EXPECT_EQ(m().Get("k", 30), "committed");
  EXPECT_EQ(m().Get("k", 40), "committed");
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "late")}, "k", 30)), "WriteConflict(k)");
  // Checking the status of transaction 30 from its primary: the same.
  EXPECT_EQ(m().CheckTxnStatus("k", 30, ComposeTimestamp(5000, 0)).state,
            TxnStatus::State::kRolledBack);
  EXPECT_EQ(m().Get("k", 40), "committed");
}

TEST_P(MvccTest, ResolveLocksRollsForwardAndBack) {
  m().WriteCommitted("s1", "old1", 5, 10);
  ASSERT_EQ(Describe(m().Prewrite({PutM("p", "P"), PutM("s1", "S1"), DeleteM("s2")}, "p", 30)),
            "");
  ASSERT_EQ(Describe(m().Commit({"p"}, 30, 40)), "");  // the commit point
  EXPECT_TRUE(m().Read("s1", 45).locked.has_value());

  m().ResolveLocks({"s1", "s2"}, 30, 40);  // roll forward
  EXPECT_EQ(m().Get("s1", 39), "old1");
  EXPECT_EQ(m().Get("s1", 40), "S1");
  EXPECT_EQ(m().Get("s2", 40), std::nullopt);
  EXPECT_FALSE(m().LoadLock("s2").has_value());
  m().ResolveLocks({"s1", "s2"}, 30, 40);
  EXPECT_EQ(m().last_batch_size(), 0u);  // nothing left to do

  // Roll back: locks go, rollback records stay; a foreign lock is untouched.
  ASSERT_EQ(Describe(m().Prewrite({PutM("a", "A"), PutM("s1", "X")}, "a", 50)), "");
  ASSERT_EQ(Describe(m().Prewrite({PutM("b", "B")}, "b", 55)), "");
  m().ResolveLocks({"a", "s1", "b"}, 50, 0);
  EXPECT_FALSE(m().LoadLock("a").has_value());
  EXPECT_FALSE(m().LoadLock("s1").has_value());
  EXPECT_EQ(m().LoadLock("b")->start_ts, 55u);
  EXPECT_EQ(m().Get("s1", 60), "S1");
  EXPECT_EQ(Describe(m().Prewrite({PutM("a", "A")}, "a", 50)), "RolledBack(a)");
}

TEST_P(MvccTest, LongValuesLiveInTheDefaultColumnFamily) {
  const std::string inline_value(kShortValueMax, 's');
  const std::string long_value(kShortValueMax + 1, 'L');
  const std::string huge_value(100000, 'H');
  ASSERT_EQ(Describe(m().Prewrite({PutM("short", inline_value), PutM("long", long_value),
                                   PutM("huge", huge_value)},
                                  "short", 30)),
            "");
  EXPECT_FALSE(m().HasDefaultValue("short", 30));
  EXPECT_TRUE(m().HasDefaultValue("long", 30));
  EXPECT_TRUE(m().HasDefaultValue("huge", 30));
  ASSERT_EQ(Describe(m().Commit({"short", "long", "huge"}, 30, 40)), "");
  EXPECT_EQ(m().Get("short", 40), inline_value);
  EXPECT_EQ(m().Get("long", 40), long_value);
  EXPECT_EQ(m().Get("huge", 40), huge_value);
  Rows rows = m().Scan("", "", 40).rows;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::pair<std::string, std::string>("long", long_value)));

  // Rollback, expiry and ResolveLocks(rollback) all clean up the long value.
  ASSERT_EQ(Describe(m().Prewrite({PutM("long", long_value + "2")}, "long", 50)), "");
  m().Rollback({"long"}, 50);
  EXPECT_FALSE(m().HasDefaultValue("long", 50));
  EXPECT_TRUE(m().HasDefaultValue("long", 30));  // the committed one stays

  const Timestamp t = ComposeTimestamp(2000, 0);
  ASSERT_EQ(Describe(m().Prewrite({PutM("long", long_value + "3"), PutM("x", long_value)}, "long",
                                  t, /*ttl=*/10)),
            "");
  EXPECT_EQ(m().CheckTxnStatus("long", t, ComposeTimestamp(2010, 0)).state,
            TxnStatus::State::kRolledBack);
  EXPECT_FALSE(m().HasDefaultValue("long", t));
  m().ResolveLocks({"x"}, t, 0);
  EXPECT_FALSE(m().HasDefaultValue("x", t));
  EXPECT_EQ(m().Get("long", kMaxTimestamp), long_value);
}

TEST_P(MvccTest, LockAndRollbackRecordsDoNotHideOlderValues) {
  m().WriteCommitted("k", "v1", 5, 10);
  ASSERT_EQ(Describe(m().Prewrite({LockM("k")}, "k", 20)), "");
  ASSERT_EQ(Describe(m().Commit({"k"}, 20, 25)), "");
  m().Rollback({"k"}, 30);
  EXPECT_EQ(m().Get("k", 40), "v1");
  EXPECT_EQ(m().Scan("", "", 40).rows, (Rows{{"k", "v1"}}));
  // A lock record is still a commit for conflict detection.
  EXPECT_EQ(Describe(m().Prewrite({PutM("k", "x")}, "k", 22)), "WriteConflict(k)");
}

TEST_P(MvccTest, ScanAcrossVersionsDeletesAndBounds) {
  // 40 keys; every third deleted at 30, every key rewritten at 40, odd keys
  // written again at 50.
  auto key = [](int i) { return absl::StrCat("key", i / 10, i % 10); };
  for (int i = 0; i < 40; ++i) m().WriteCommitted(key(i), absl::StrCat("a", i), 10, 20);
  for (int i = 0; i < 40; i += 3) m().WriteCommitted(key(i), std::nullopt, 25, 30);
  for (int i = 0; i < 40; ++i) {
    if (i % 3 != 0) m().WriteCommitted(key(i), absl::StrCat("b", i), 35, 40);
  }
  for (int i = 1; i < 40; i += 2) m().WriteCommitted(key(i), absl::StrCat("c", i), 45, 50);

  auto expected = [&](Timestamp ts, int from, int to) {
    Rows rows;
    for (int i = from; i < to; ++i) {
      std::optional<std::string> v;
      if (ts >= 20) v = absl::StrCat("a", i);
      if (ts >= 30 && i % 3 == 0) v = std::nullopt;
      if (ts >= 40 && i % 3 != 0) v = absl::StrCat("b", i);
      if (ts >= 50 && i % 2 == 1) v = absl::StrCat("c", i);
      if (v) rows.emplace_back(key(i), *v);
    }
    return rows;
  };
  for (Timestamp ts : {Timestamp{19}, Timestamp{20}, Timestamp{29}, Timestamp{30}, Timestamp{45},
                       Timestamp{50}, kMaxTimestamp}) {
    SCOPED_TRACE(ts);
    EXPECT_EQ(m().Scan("", "", ts).rows, expected(ts, 0, 40));
    EXPECT_EQ(m().Scan(key(5), key(17), ts).rows, expected(ts, 5, 17));
    EXPECT_EQ(m().Scan(key(5), "", ts).rows, expected(ts, 5, 40));
    Rows limited = expected(ts, 3, 40);
    if (limited.size() > 4) limited.resize(4);
    EXPECT_EQ(m().Scan(key(3), "", ts, 4).rows, limited);
    EXPECT_EQ(m().Scan(key(7), key(7), ts).rows, Rows{});
  }
  // Bounds fall between keys: "key05" < "key05\0" < "key050" < "key06".
  EXPECT_EQ(m().Scan(std::string("key05\0", 6), "key06", 50).rows, Rows{});
  EXPECT_EQ(m().Scan("key0", "key1", 50).rows, expected(50, 0, 10));
}

// Keys with more old versions than a scan steps over before it seeks past
// them (kStepsBeforeSeek), beside keys with one.
TEST_P(MvccTest, ScanSkipsManyOldVersions) {
  for (int v = 0; v < 20; ++v) {
    m().WriteCommitted("b", absl::StrCat("b", v), 10 * v + 1, 10 * v + 5);
    m().WriteCommitted("d", absl::StrCat("d", v), 10 * v + 2, 10 * v + 6);
  }
  m().WriteCommitted("a", "a0", 1, 2);
  m().WriteCommitted("c", "c0", 1, 2);
  m().WriteCommitted("e", "e0", 1, 2);
  for (Timestamp ts : {Timestamp{3}, Timestamp{5}, Timestamp{96}, Timestamp{200}}) {
    SCOPED_TRACE(ts);
    Rows expected = {{"a", "a0"}};
    if (ts >= 5) expected.emplace_back("b", absl::StrCat("b", std::min<Timestamp>((ts - 5) / 10, 19)));
    expected.emplace_back("c", "c0");
    if (ts >= 6) expected.emplace_back("d", absl::StrCat("d", std::min<Timestamp>((ts - 6) / 10, 19)));
    expected.emplace_back("e", "e0");
    EXPECT_EQ(m().Scan("", "", ts).rows, expected);
  }
}

TEST_P(MvccTest, ScanStopsAtABlockingLockButNotALaterOne) {
  m().WriteCommitted("a", "1", 5, 10);
  m().WriteCommitted("c", "3", 5, 10);
  ASSERT_EQ(Describe(m().Prewrite({PutM("b", "2")}, "b", 30)), "");
  testing::MvccFixture::ScanOutput blocked = m().Scan("", "", 40);
  ASSERT_TRUE(blocked.locked.has_value());
  EXPECT_EQ(blocked.locked->key, "b");
  EXPECT_EQ(blocked.locked->lock.start_ts, 30u);

  EXPECT_EQ(m().Scan("", "", 20).rows, (Rows{{"a", "1"}, {"c", "3"}}));  // lock is newer
  testing::MvccFixture::ScanOutput around = m().Scan("c", "", 40);        // lock outside span
  EXPECT_FALSE(around.locked.has_value());
  EXPECT_EQ(around.rows, (Rows{{"c", "3"}}));
  EXPECT_FALSE(m().Scan("a", "b", 40).locked.has_value());  // end is exclusive
}

// Many keys at once read what Get reads of each, through one iterator:
// versions, deletes, rollbacks, keys that share prefixes, missing keys;
// and a blocking lock on any of them is reported.
TEST_P(MvccTest, BatchGetReadsWhatGetReads) {
  m().WriteCommitted("a", "a1", 5, 10);
  m().WriteCommitted("a", "a2", 20, 25);
  m().WriteCommitted("ab", "ab1", 5, 10);
  m().WriteCommitted("b", "b1", 5, 10);
  m().WriteCommitted("b", std::nullopt, 30, 35);
  const std::vector<std::string> keys = {"", "a", std::string("a\0", 2), "ab", "b", "c"};
  for (Timestamp ts : {Timestamp{7}, Timestamp{12}, Timestamp{26}, Timestamp{40}}) {
    testing::MvccFixture::BatchGetOutput got = m().BatchGet(keys, ts);
    ASSERT_FALSE(got.locked.has_value());
    ASSERT_EQ(got.values.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(got.values[i], m().Get(keys[i], ts))
          << key_codec::PrettyKey(keys[i]) << " at " << ts;
    }
  }
  ASSERT_EQ(Describe(m().Prewrite({PutM("ab", "new")}, "ab", 50)), "");
  testing::MvccFixture::BatchGetOutput blocked = m().BatchGet(keys, 60);
  ASSERT_TRUE(blocked.locked.has_value());
  EXPECT_EQ(blocked.locked->key, "ab");
  EXPECT_TRUE(blocked.values.empty());
  EXPECT_FALSE(m().BatchGet(keys, 45).locked.has_value());  // the lock is newer
}

// Backwards, the same: a blocking lock in the part read stops the scan; a
// limited scan reads (and checks) only the end of the span.
TEST_P(MvccTest, ReverseScanSeesTheSameVersionsAndLocks) {
  m().WriteCommitted("a", "1", 5, 10);
  m().WriteCommitted("b", "old", 5, 10);
  m().WriteCommitted("b", "new", 20, 25);
  m().WriteCommitted("c", "3", 5, 10);
  m().WriteCommitted("d", "4", 5, 10);
  m().WriteCommitted("d", std::nullopt, 30, 35);
  EXPECT_EQ(m().ReverseScan("", "", 40).rows, (Rows{{"c", "3"}, {"b", "new"}, {"a", "1"}}));
  EXPECT_EQ(m().ReverseScan("", "", 22).rows,
            (Rows{{"d", "4"}, {"c", "3"}, {"b", "old"}, {"a", "1"}}));
  EXPECT_EQ(m().ReverseScan("b", "d", 40, 1).rows, (Rows{{"c", "3"}}));

  ASSERT_EQ(Describe(m().Prewrite({PutM("a", "2")}, "a", 50)), "");
  testing::MvccFixture::ScanOutput blocked = m().ReverseScan("", "", 60);
  ASSERT_TRUE(blocked.locked.has_value());
  EXPECT_EQ(blocked.locked->key, "a");
  // The last two rows never reach the lock on "a".
  testing::MvccFixture::ScanOutput limited = m().ReverseScan("", "", 60, 2);
  EXPECT_FALSE(limited.locked.has_value());
  EXPECT_EQ(limited.rows, (Rows{{"c", "3"}, {"b", "new"}}));
}

TEST_P(MvccTest, KeysWithEmbeddedZerosAndPrefixesStayApart) {
  const std::vector<std::string> keys = {"", std::string("\0", 1), "a", std::string("a\0", 2),
                                         std::string("a\0\0", 3), "a\x01", "ab", "\xff"};
  Timestamp ts = 10;
  for (const std::string& k : keys) {
    m().WriteCommitted(k, "v" + k, ts, ts + 1);
    ts += 2;
  }
  Rows want;
  for (const std::string& k : keys) want.emplace_back(k, "v" + k);
  EXPECT_EQ(m().Scan("", "", ts).rows, want);
  for (const std::string& k : keys) EXPECT_EQ(m().Get(k, ts), "v" + k) << key_codec::PrettyKey(k);
  EXPECT_EQ(m().Scan("a", "ab", ts).rows, Rows(want.begin() + 2, want.begin() + 6));
  EXPECT_EQ(m().Scan(std::string("a\0", 2), "a\x01", ts).rows,
            Rows(want.begin() + 3, want.begin() + 5));
}

TEST_P(MvccTest, GarbageCollectKeepsWhatReadsAboveTheSafePointSee) {
  // a: puts at 10, 20, 30. b: put 10, delete 20. c: put 10, delete 30.
  // d: put 10, rollback 15, lock record 18. e: long values at 10 and 20.
  m().WriteCommitted("a", "a10", 5, 10);
  m().WriteCommitted("a", "a20", 15, 20);
  m().WriteCommitted("a", "a30", 25, 30);
  m().WriteCommitted("b", "b10", 5, 10);
  m().WriteCommitted("b", std::nullopt, 15, 20);
  m().WriteCommitted("c", "c10", 5, 10);
  m().WriteCommitted("c", std::nullopt, 25, 30);
  m().WriteCommitted("d", "d10", 5, 10);
  m().Rollback({"d"}, 15);
  ASSERT_EQ(Describe(m().Prewrite({LockM("d")}, "d", 17)), "");
  ASSERT_EQ(Describe(m().Commit({"d"}, 17, 18)), "");
  const std::string long10(300, '1'), long20(300, '2');
  m().WriteCommitted("e", long10, 5, 10);
  m().WriteCommitted("e", long20, 15, 20);

  const Timestamp safe_point = 25;
  std::vector<std::string> keys = {"a", "b", "c", "d", "e"};
  std::map<std::pair<std::string, Timestamp>, std::optional<std::string>> before;
  for (const auto& k : keys) {
    for (Timestamp ts = safe_point; ts <= 40; ++ts) before[{k, ts}] = m().Get(k, ts);
  }

  size_t dropped = m().GarbageCollect("", "", safe_point);
  // a10; b's delete and b10; d's rollback and lock records; e10.
  EXPECT_EQ(dropped, 6u);
  for (const auto& [key_ts, value] : before) {
    EXPECT_EQ(m().Get(key_ts.first, key_ts.second), value)
        << key_ts.first << " at " << key_ts.second;
  }
  using Records = std::vector<std::pair<Timestamp, WriteKind>>;
  EXPECT_EQ(m().WriteRecords("a"), (Records{{30, WriteKind::kPut}, {20, WriteKind::kPut}}));
  EXPECT_EQ(m().WriteRecords("b"), Records{});
  EXPECT_EQ(m().WriteRecords("c"), (Records{{30, WriteKind::kDelete}, {10, WriteKind::kPut}}));
  EXPECT_EQ(m().WriteRecords("d"), (Records{{10, WriteKind::kPut}}));
  EXPECT_EQ(m().WriteRecords("e"), (Records{{20, WriteKind::kPut}}));
  EXPECT_FALSE(m().HasDefaultValue("e", 5));
  EXPECT_TRUE(m().HasDefaultValue("e", 15));

  // Idempotent; and a span limits it.
  EXPECT_EQ(m().GarbageCollect("", "", safe_point), 0u);
  m().WriteCommitted("a", "a40", 35, 40);
  m().WriteCommitted("z", "z40", 35, 40);
  m().WriteCommitted("z", "z45", 42, 45);
  EXPECT_EQ(m().GarbageCollect("a", "b", 100), 2u);  // a20 and a30
  EXPECT_EQ(m().CountVersions(ColumnFamily::kWrite, "z"), 2u);
  EXPECT_EQ(m().Get("a", 100), "a40");
}

TEST_P(MvccTest, GarbageCollectLeavesLocksAlone) {
  m().WriteCommitted("k", "v1", 5, 10);
  m().WriteCommitted("k", "v2", 15, 20);
  ASSERT_EQ(Describe(m().Prewrite({PutM("k", std::string(400, 'x'))}, "k", 22)), "");
  EXPECT_EQ(m().GarbageCollect("", "", 30), 1u);
  ASSERT_TRUE(m().LoadLock("k").has_value());
  EXPECT_TRUE(m().HasDefaultValue("k", 22));
  ASSERT_EQ(Describe(m().Commit({"k"}, 22, 35)), "");
  EXPECT_EQ(m().Get("k", 35), std::string(400, 'x'));
  EXPECT_EQ(m().Get("k", 30), "v2");
}

INSTANTIATE_TEST_SUITE_P(Engines, MvccTest,
                         ::testing::Values(EngineKind::kMemory, EngineKind::kRocksDb),
                         testing::EngineKindName);

}  // namespace
}  // namespace cairn::kv
