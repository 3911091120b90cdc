// Rows locked before COMMIT (Txn::LockStatementKeys): what a statement in a
// transaction block updated, deleted or selected FOR UPDATE. A writer that
// meets such a lock waits for its transaction, as in PostgreSQL; a row
// changed since the snapshot fails the statement, not COMMIT; a heartbeat
// keeps the locks of a transaction whose client thinks for long alive, and
// nothing else does. Also: a reader that meets a live lock whose primary is
// not yet prewritten (prewrites go to ranges in parallel) leaves that
// transaction alone.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/error_code.h"
#include "txn/txn.h"
#include "txn/txn_heartbeater.h"
#include "txn_fixture.h"

namespace cairn::txn {
namespace {

TEST_F(TxnTest, SelectForUpdateLocksARowWithoutChangingIt) {
  Write({{K("k"), "v0"}});
  auto locker = Begin();
  EXPECT_EQ(MustGet(locker.get(), K("k")), "v0");
  locker->LockForUpdate(K("k"));
  ASSERT_TRUE(locker->LockStatementKeys().ok());
  ASSERT_TRUE(AnyLockOn(K("k")).has_value());
  // The row reads the same, to its locker and to others: a row lock is no
  // write.
  EXPECT_EQ(MustGet(locker.get(), K("k")), "v0");
  EXPECT_EQ(MustScan(locker.get(), K("a"), K("z")), (KvPairs{{K("k"), "v0"}}));
  EXPECT_EQ(Read(K("k")), "v0");

  // Another writer can't take it while it is held...
  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto writer = Begin(impatient);
  writer->Put(K("k"), "theirs");
  absl::Status blocked = writer->LockStatementKeys();
  EXPECT_EQ(SqlState(blocked), "55P03") << blocked;
  writer->Rollback();

  // ... and a COMMIT that changed nothing releases it.
  ASSERT_TRUE(locker->Commit().ok());
  EXPECT_FALSE(AnyLockOn(K("k")).has_value());
  Write({{K("k"), "v1"}});
  EXPECT_EQ(Read(K("k")), "v1");
}

TEST_F(TxnTest, AStatementFailsAtOnceOnARowChangedSinceTheSnapshot) {
  Write({{K("k"), "v0"}});
  auto txn = Begin();
  Write({{K("k"), "v1"}});   // committed after txn's snapshot
  txn->Put(K("k"), "mine");  // UPDATE ... (the statement)
  absl::Status s = txn->LockStatementKeys();
  EXPECT_EQ(SqlState(s), "40001") << s;
  EXPECT_NE(s.message().find("restart transaction"), std::string::npos) << s;
  txn->Rollback();
  EXPECT_EQ(Read(K("k")), "v1");
}

TEST_F(TxnTest, LockedRowTakesItsValueAtCommit) {
  Write({{K("a"), "a0"}, {S("b"), "b0"}});
  auto txn = Begin();
  txn->Put(K("a"), "a1");
  txn->Put(S("b"), "b1");  // another range
  ASSERT_TRUE(txn->LockStatementKeys().ok());
  EXPECT_EQ(AnyLockOn(K("a"))->kind, kv::MutationKind::kLock);
  EXPECT_EQ(AnyLockOn(S("b"))->kind, kv::MutationKind::kLock);
  EXPECT_EQ(Read(K("a")), "a0");  // not yet visible, and no reader waits
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Read(K("a")), "a1");
  EXPECT_EQ(Read(S("b")), "b1");
  EXPECT_FALSE(AnyLockOn(K("a")).has_value());
  EXPECT_FALSE(AnyLockOn(S("b")).has_value());
}

TEST_F(TxnTest, LockedRowsInOneRangeCommitInOnePhase) {
  Write({{K("a"), "a0"}});
  auto txn = Begin();
  txn->Put(K("a"), "a1");
  ASSERT_TRUE(txn->LockStatementKeys().ok());
  txn->Put(K("b"), "b1");
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Read(K("a")), "a1");
  EXPECT_EQ(Read(K("b")), "b1");
  EXPECT_FALSE(AnyLockOn(K("a")).has_value()) << "one-phase commit must replace the row lock";
}

TEST_F(TxnTest, RollbackAndADroppedTransactionReleaseTheirRowLocks) {
  Write({{K("a"), "a0"}, {K("b"), "b0"}});
  auto rolled = Begin();
  rolled->Delete(K("a"));
  ASSERT_TRUE(rolled->LockStatementKeys().ok());
  ASSERT_TRUE(AnyLockOn(K("a")).has_value());
  rolled->Rollback();
  EXPECT_FALSE(AnyLockOn(K("a")).has_value());

  auto dropped = Begin();
  dropped->LockForUpdate(K("b"));
  ASSERT_TRUE(dropped->LockStatementKeys().ok());
  dropped.reset();  // the session ended mid-transaction
  EXPECT_FALSE(AnyLockOn(K("b")).has_value());
  Write({{K("a"), "a1"}, {K("b"), "b1"}});
  EXPECT_EQ(Read(K("b")), "b1");
}

// A writer waits for the holder of a row lock; if the holder commits a
// change, the waiter's statement fails (its snapshot is older than the
// change); if the holder rolls back, the waiter goes on.
TEST_F(TxnTest, AWriterWaitsForARowLockAndThenFailsOrGoesOn) {
  Write({{K("k"), "v0"}});
  for (bool holder_commits : {true, false}) {
    SCOPED_TRACE(holder_commits ? "holder commits" : "holder rolls back");
    auto holder = Begin();
    holder->Put(K("k"), "holder");
    ASSERT_TRUE(holder->LockStatementKeys().ok());

    auto waiter = Begin();
    waiter->Put(K("k"), "waiter");
    absl::Notification done;
    absl::Status waited;
    std::thread t([&] {
      waited = waiter->LockStatementKeys();
      done.Notify();
    });
    // It waits: the holder is alive (its TTL runs on a clock that stands).
    EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
    if (holder_commits) {
      ASSERT_TRUE(holder->Commit().ok());
    } else {
      holder->Rollback();
    }
    t.join();
    if (holder_commits) {
      EXPECT_EQ(SqlState(waited), "40001") << waited;
      waiter->Rollback();
      EXPECT_EQ(Read(K("k")), "holder");
    } else {
      ASSERT_TRUE(waited.ok()) << waited;
      ASSERT_TRUE(waiter->Commit().ok());
      EXPECT_EQ(Read(K("k")), "waiter");
    }
  }
}

// Two transactions that each hold a row and want the other's: the younger
// gives up at once instead of both waiting out the lock timeout.
TEST_F(TxnTest, CrossedRowLocksDoNotDeadlock) {
  Write({{K("a"), "a0"}, {K("b"), "b0"}});
  auto older = Begin();
  auto younger = Begin();
  older->Put(K("a"), "older");
  ASSERT_TRUE(older->LockStatementKeys().ok());
  younger->Put(K("b"), "younger");
  ASSERT_TRUE(younger->LockStatementKeys().ok());

  std::thread t([&] {
    older->Put(K("b"), "older");  // waits for the younger
    absl::Status s = older->LockStatementKeys();
    EXPECT_TRUE(s.ok()) << s;
  });
  younger->Put(K("a"), "younger");  // would wait for the older: dies
  absl::Status s = younger->LockStatementKeys();
  EXPECT_EQ(SqlState(s), "40001") << s;
  younger->Rollback();
  t.join();
  ASSERT_TRUE(older->Commit().ok());
  EXPECT_EQ(Read(K("a")), "older");
  EXPECT_EQ(Read(K("b")), "older");
}

TEST_F(TxnTest, HeartbeatsKeepRowLocksAliveAndOnlyThey) {
  Write({{K("kept"), "v0"}, {K("lost"), "v0"}});
  Txn::Options options;
  options.base_lock_ttl_ms = 1000;
  TxnHeartbeater heartbeater(client_.get(), options.base_lock_ttl_ms, absl::Hours(1));
  Txn::Options beating = options;
  beating.heartbeater = &heartbeater;

  auto kept = Begin(beating);
  kept->Put(K("kept"), "kept");
  ASSERT_TRUE(kept->LockStatementKeys().ok());
  auto lost = Begin(options);
  lost->Put(K("lost"), "lost");
  ASSERT_TRUE(lost->LockStatementKeys().ok());

  // The clients think for ten TTLs; the heartbeat runs every half TTL.
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(500);
    heartbeater.Beat();
  }
  EXPECT_GE(AnyLockOn(K("kept"))->ttl_ms, 10000u);

  // A writer meets both locks: it waits for the live one and clears the
  // expired one, rolling its transaction back.
  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto writer = Begin(impatient);
  writer->Put(K("kept"), "writer");
  EXPECT_EQ(SqlState(writer->LockStatementKeys()), "55P03");
  writer->Rollback();
  auto other = Begin(impatient);
  other->Put(K("lost"), "writer");
  ASSERT_TRUE(other->LockStatementKeys().ok());
  ASSERT_TRUE(other->Commit().ok());

  ASSERT_TRUE(kept->Commit().ok());
  EXPECT_EQ(Read(K("kept")), "kept");
  absl::Status s = lost->Commit();
  EXPECT_EQ(SqlState(s), "40001") << "its locks were rolled back: " << s;
  EXPECT_EQ(Read(K("lost")), "writer");
}

// Prewrites go to a transaction's ranges in parallel: a reader may meet a
// secondary's lock before the primary's prewrite has landed. Within the
// lock's TTL that transaction is alive, and its commit must still succeed.
TEST_F(TxnTest, ALiveLockWhosePrimaryIsNotYetWrittenIsLeftAlone) {
  Write({{S("s"), "s0"}});
  auto start = client_->GetTimestamp();
  ASSERT_TRUE(start.ok());
  kv::PrewriteRequest secondary;
  secondary.primary = K("p");
  secondary.start_ts = *start;
  secondary.ttl_ms = 1000;
  secondary.mutations.push_back({kv::MutationKind::kPut, S("s"), "s1"});
  auto errors = client_->Prewrite(secondary);
  ASSERT_TRUE(errors.ok() && errors->empty());

  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto reader = Begin(impatient);
  EXPECT_EQ(SqlState(reader->Get(S("s")).status()), "55P03") << "the writer is alive";

  kv::PrewriteRequest primary = secondary;
  primary.mutations = {{kv::MutationKind::kPut, K("p"), "p1"}};
  errors = client_->Prewrite(primary);
  ASSERT_TRUE(errors.ok());
  EXPECT_TRUE(errors->empty()) << "the primary must not have been rolled back";
  auto commit_ts = client_->GetTimestamp();
  auto committed = client_->Commit({K("p")}, *start, *commit_ts);
  ASSERT_TRUE(committed.ok() && committed->empty());
  EXPECT_EQ(Read(S("s")), "s1");  // rolled forward from the primary

  // Once the lock has expired the primary's absence is final.
  auto late = client_->GetTimestamp();
  secondary.start_ts = *late;
  secondary.primary = K("q");
  errors = client_->Prewrite(secondary);
  ASSERT_TRUE(errors.ok() && errors->empty());
  clock_.Advance(2000);
  EXPECT_EQ(Read(S("s")), "s1");
  primary.start_ts = *late;
  primary.primary = K("q");
  primary.mutations = {{kv::MutationKind::kPut, K("q"), "q1"}};
  errors = client_->Prewrite(primary);
  ASSERT_TRUE(errors.ok());
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ((*errors)[0].kind, kv::TxnError::Kind::kRolledBack);
}

}  // namespace
}  // namespace cairn::txn
