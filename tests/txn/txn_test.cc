// Percolator transactions (txn/txn.h, txn/lock_resolver.h) over a real Store
// (Raft loop, MemoryEngine) and LocalKvClient: snapshot isolation's
// guarantees, conflicts as SQLSTATEs, and the lock resolution that cleans up
// after dead coordinators.

#include "txn/txn.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "test_seed.h"
#include "txn_fixture.h"

namespace cairn::txn {
namespace {

using kv::KeyValue;

TEST_F(TxnTest, CommitMakesWritesVisibleAtomicallyAcrossRanges) {
  auto txn = Begin();
  ASSERT_NE(txn, nullptr);
  EXPECT_FALSE(txn->has_writes());
  txn->Put(K("a"), "A");
  txn->Put(S("b"), "B");
  EXPECT_TRUE(txn->has_writes());
  auto before = Begin();
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_GT(txn->commit_ts(), txn->start_ts());
  EXPECT_EQ(Read(K("a")), "A");
  EXPECT_EQ(Read(S("b")), "B");
  EXPECT_EQ(MustGet(before.get(), K("a")), std::nullopt);  // started before the commit
  EXPECT_FALSE(LockOn(K("a")).has_value());
  EXPECT_FALSE(LockOn(S("b")).has_value());
}

TEST_F(TxnTest, ReadYourOwnWrites) {
  Write({{K("b"), "B"}, {K("c"), "C"}, {K("e"), "E"}});
  auto txn = Begin();
  ASSERT_NE(txn, nullptr);
  txn->Put(K("a"), "A");
  txn->Delete(K("b"));
  txn->Put(K("c"), "C2");
  txn->Put(K("d"), "D");
  EXPECT_EQ(MustGet(txn.get(), K("a")), "A");
  EXPECT_EQ(MustGet(txn.get(), K("b")), std::nullopt);
  EXPECT_EQ(MustGet(txn.get(), K("c")), "C2");
  EXPECT_EQ(MustGet(txn.get(), K("e")), "E");
  EXPECT_EQ(MustGet(txn.get(), K("zz")), std::nullopt);

  const std::string lo = K(""), hi = key_codec::PrefixEnd(K(""));
  EXPECT_EQ(MustScan(txn.get(), lo, hi),
            (KvPairs{{K("a"), "A"}, {K("c"), "C2"}, {K("d"), "D"}, {K("e"), "E"}}));
  EXPECT_EQ(MustScan(txn.get(), lo, hi, 2), (KvPairs{{K("a"), "A"}, {K("c"), "C2"}}));
  EXPECT_EQ(MustScan(txn.get(), K("b"), K("d")), (KvPairs{{K("c"), "C2"}}));
  EXPECT_EQ(MustScan(txn.get(), K("b"), ""),
            (KvPairs{{K("c"), "C2"}, {K("d"), "D"}, {K("e"), "E"}}));

  // Others see none of it until commit.
  EXPECT_EQ(Read(K("b")), "B");
  EXPECT_EQ(Read(K("a")), std::nullopt);
  ASSERT_TRUE(txn->Commit().ok());
  auto after = Begin();
  EXPECT_EQ(MustScan(after.get(), lo, hi),
            (KvPairs{{K("a"), "A"}, {K("c"), "C2"}, {K("d"), "D"}, {K("e"), "E"}}));
}

TEST_F(TxnTest, ScanLimitCountsRowsAfterOwnDeletes) {
  Write({{K("1"), "1"}, {K("2"), "2"}, {K("3"), "3"}, {K("4"), "4"}});
  auto txn = Begin();
  txn->Delete(K("1"));
  txn->Delete(K("2"));
  EXPECT_EQ(MustScan(txn.get(), K(""), key_codec::PrefixEnd(K("")), 1), (KvPairs{{K("3"), "3"}}));
}

TEST_F(TxnTest, NoDirtyReadOfBufferedWrites) {
  Write({{K("x"), "committed"}});
  auto writer = Begin();
  writer->Put(K("x"), "dirty");
  writer->Put(K("new"), "dirty");
  auto reader = Begin();
  EXPECT_EQ(MustGet(reader.get(), K("x")), "committed");
  EXPECT_EQ(MustGet(reader.get(), K("new")), std::nullopt);
  writer->Rollback();
  EXPECT_FALSE(LockOn(K("x")).has_value());  // nothing ever reached the store
  EXPECT_EQ(Read(K("x")), "committed");
  EXPECT_EQ(GetErrorCode(writer->Commit()), ErrorCode::kInvalidTransactionState);
}

TEST_F(TxnTest, NoDirtyReadOfPrewrittenLocks) {
  Write({{K("x"), "committed"}});
  auto early_reader = Begin();  // started before the prewrite: never blocked
  Timestamp lock_ts = PrewriteAndVanish({{K("x"), "dirty"}}, /*ttl_ms=*/1000000);

  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto reader = Begin(impatient);
  auto got = reader->Get(K("x"));
  ASSERT_FALSE(got.ok()) << "read through a live lock: " << got->value_or("<null>");
  EXPECT_EQ(SqlState(got.status()), "55P03");
  auto scan = reader->Scan(K(""), key_codec::PrefixEnd(K("")), 0);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(SqlState(scan.status()), "55P03");
  EXPECT_EQ(MustGet(early_reader.get(), K("x")), "committed");

  // The owner commits: the blocked reader, whose snapshot predates the
  // commit, still sees the old value; a new one sees the new value.
  auto commit_ts = client_->GetTimestamp();
  auto errors = client_->Commit({K("x")}, lock_ts, *commit_ts);
  ASSERT_TRUE(errors.ok() && errors->empty());
  EXPECT_EQ(MustGet(reader.get(), K("x")), "committed");
  EXPECT_EQ(Read(K("x")), "dirty");
}

TEST_F(TxnTest, ReaderWaitsForALiveLockAndReadsBelowItsCommit) {
  Write({{K("x"), "old"}});
  Timestamp lock_ts = PrewriteAndVanish({{K("x"), "new"}}, /*ttl_ms=*/1000000);
  auto reader = Begin();  // lock_ts < reader start < commit_ts
  std::thread owner([&] {
    auto commit_ts = client_->GetTimestamp();
    auto errors = client_->Commit({K("x")}, lock_ts, *commit_ts);
    EXPECT_TRUE(errors.ok() && errors->empty());
  });
  // Whether the read meets the lock and waits or runs after the commit, it
  // must see the value as of its snapshot.
  EXPECT_EQ(MustGet(reader.get(), K("x")), "old");
  owner.join();
  EXPECT_EQ(MustGet(reader.get(), K("x")), "old");
  EXPECT_EQ(Read(K("x")), "new");
}

TEST_F(TxnTest, NoLostUpdate) {
  Write({{K("counter"), "0"}});
  auto t1 = Begin();
  auto t2 = Begin();
  int64_t v1 = 0, v2 = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*MustGet(t1.get(), K("counter")), &v1));
  ASSERT_TRUE(absl::SimpleAtoi(*MustGet(t2.get(), K("counter")), &v2));
  t1->Put(K("counter"), absl::StrCat(v1 + 1));
  t2->Put(K("counter"), absl::StrCat(v2 + 1));
  ASSERT_TRUE(t1->Commit().ok());
  absl::Status lost = t2->Commit();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(SqlState(lost), "40001");
  EXPECT_TRUE(IsRetryable(lost));
  EXPECT_EQ(Read(K("counter")), "1");
  EXPECT_FALSE(LockOn(K("counter")).has_value());

  // The retry succeeds.
  auto t3 = Begin();
  ASSERT_TRUE(absl::SimpleAtoi(*MustGet(t3.get(), K("counter")), &v2));
  t3->Put(K("counter"), absl::StrCat(v2 + 1));
  ASSERT_TRUE(t3->Commit().ok());
  EXPECT_EQ(Read(K("counter")), "2");
}

// A writer whose keys all live in one range holds nothing while it waits
// (a one-phase commit is all or nothing), so it waits for a live lock, as
// PostgreSQL's writers do -- here at most max_lock_wait_ms.
TEST_F(TxnTest, WriterMeetingALiveLockWaitsForIt) {
  Write({{K("k"), "v"}});
  PrewriteAndVanish({{K("k"), "theirs"}}, /*ttl_ms=*/1000000);
  Txn::Options impatient;
  impatient.max_lock_wait_ms = 50;
  auto txn = Begin(impatient);
  txn->Put(K("other"), "mine");
  txn->Put(K("k"), "mine");
  absl::Status s = txn->Commit();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(SqlState(s), "55P03");
  EXPECT_FALSE(LockOn(K("other")).has_value()) << "a failed commit must leave no lock";
  EXPECT_TRUE(LockOn(K("k")).has_value());  // the foreign lock stays
}

// Prewrite is all-or-nothing per range only: a conflict in one range after
// another range's prewrite succeeded must still leave no lock anywhere.
TEST_F(TxnTest, FailedCommitReleasesLocksInEveryRange) {
  PrewriteAndVanish({{K("busy"), "theirs"}}, /*ttl_ms=*/1000000);
  auto txn = Begin();
  txn->Put(S("a"), "mine");  // range 1, prewritten first (and the primary)
  txn->Put(K("busy"), "mine");
  txn->Put(K("zz"), "mine");
  absl::Status s = txn->Commit();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(SqlState(s), "40001");
  EXPECT_FALSE(LockOn(S("a")).has_value());
  EXPECT_FALSE(LockOn(K("zz")).has_value());
  EXPECT_EQ(Read(S("a")), std::nullopt);
}

TEST_F(TxnTest, ScanMergesOwnWritesAcrossRanges) {
  Write({{S("1"), "s1"}, {K("1"), "k1"}});
  auto txn = Begin();
  txn->Put(S("0"), "s0");
  txn->Delete(K("1"));
  txn->Put(K("2"), "k2");
  EXPECT_EQ(MustScan(txn.get(), "", ""),
            (KvPairs{{S("0"), "s0"}, {S("1"), "s1"}, {K("2"), "k2"}}));
  EXPECT_EQ(MustScan(txn.get(), "", "", 2), (KvPairs{{S("0"), "s0"}, {S("1"), "s1"}}));
  EXPECT_EQ(MustScan(txn.get(), S("1"), ""), (KvPairs{{S("1"), "s1"}, {K("2"), "k2"}}));
}

// Many keys at once, across ranges, own writes and deletes winning, in the
// order asked.
TEST_F(TxnTest, BatchGetMergesOwnWritesAcrossRanges) {
  Write({{S("1"), "s1"}, {K("1"), "k1"}, {K("3"), "k3"}});
  auto txn = Begin();
  txn->Put(K("2"), "k2");
  txn->Delete(K("3"));
  auto got = txn->BatchGet({K("3"), S("1"), K("9"), K("2"), K("1")});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (std::vector<std::optional<std::string>>{std::nullopt, "s1", std::nullopt, "k2",
                                                           "k1"}));
}

// Backwards: the same rows last first, across the ranges, own writes and
// deletes merged in; a limit takes the last ones.
TEST_F(TxnTest, ReverseScanMergesOwnWritesAcrossRanges) {
  Write({{S("1"), "s1"}, {K("1"), "k1"}, {K("3"), "k3"}});
  auto txn = Begin();
  txn->Put(S("0"), "s0");
  txn->Delete(K("1"));
  txn->Put(K("2"), "k2");
  auto reverse = [&](std::string_view start, std::string_view end, size_t limit) {
    auto rows = txn->ReverseScan(start, end, limit);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? ToPairs(*rows) : KvPairs{};
  };
  EXPECT_EQ(reverse("", "", 0),
            (KvPairs{{K("3"), "k3"}, {K("2"), "k2"}, {S("1"), "s1"}, {S("0"), "s0"}}));
  EXPECT_EQ(reverse("", "", 2), (KvPairs{{K("3"), "k3"}, {K("2"), "k2"}}));
  EXPECT_EQ(reverse("", K("3"), 2), (KvPairs{{K("2"), "k2"}, {S("1"), "s1"}}));
  EXPECT_EQ(reverse(S("1"), K("2"), 0), (KvPairs{{S("1"), "s1"}}));
}

TEST_F(TxnTest, StableSnapshot) {
  Write({{K("x"), "1"}, {K("y"), "1"}});
  auto t1 = Begin();
  EXPECT_EQ(MustGet(t1.get(), K("x")), "1");
  Write({{K("x"), "2"}, {K("y"), "2"}});
  Write({{K("z"), "new row"}});
  EXPECT_EQ(MustGet(t1.get(), K("y")), "1");
  EXPECT_EQ(MustGet(t1.get(), K("x")), "1");
  EXPECT_EQ(MustGet(t1.get(), K("z")), std::nullopt);
  EXPECT_EQ(MustScan(t1.get(), K(""), key_codec::PrefixEnd(K(""))),
            (KvPairs{{K("x"), "1"}, {K("y"), "1"}}));
  EXPECT_EQ(Read(K("x")), "2");

  // A historical view at a fixed timestamp is just as stable.
  auto at = Txn::AtTimestamp(client_.get(), resolver_.get(), t1->start_ts(), {});
  EXPECT_EQ(MustGet(at.get(), K("y")), "1");
}

TEST_F(TxnTest, InsertOfAnExistingKeyIsAUniqueViolation) {
  Write({{K("pk1"), "row"}});
  auto txn = Begin();
  txn->Insert(K("pk1"), "dup");
  txn->Insert(K("pk2"), "fresh");
  absl::Status s = txn->Commit();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(SqlState(s), "23505");
  EXPECT_FALSE(IsRetryable(s));
  EXPECT_EQ(Read(K("pk1")), "row");
  EXPECT_EQ(Read(K("pk2")), std::nullopt);
  EXPECT_FALSE(LockOn(K("pk2")).has_value());

  // Insert after a delete, and delete-then-insert in one transaction, are fine.
  Write({{K("pk1"), std::nullopt}});
  auto again = Begin();
  again->Insert(K("pk1"), "reinserted");
  ASSERT_TRUE(again->Commit().ok());
  auto replace = Begin();
  replace->Delete(K("pk1"));
  replace->Insert(K("pk1"), "replaced");
  ASSERT_TRUE(replace->Commit().ok());
  EXPECT_EQ(Read(K("pk1")), "replaced");

  // Insert then delete in one transaction leaves nothing behind.
  auto gone = Begin();
  gone->Insert(K("pk3"), "x");
  gone->Delete(K("pk3"));
  EXPECT_FALSE(gone->has_writes());
  ASSERT_TRUE(gone->Commit().ok());
  EXPECT_EQ(Read(K("pk3")), std::nullopt);

  // A put after an insert keeps the uniqueness check.
  auto put_after_insert = Begin();
  put_after_insert->Insert(K("pk1"), "x");
  put_after_insert->Put(K("pk1"), "y");
  EXPECT_EQ(SqlState(put_after_insert->Commit()), "23505");
}

TEST_F(TxnTest, LockOfADeadCoordinatorIsResolvedAfterItsTtl) {
  Write({{K("p"), "p0"}, {S("s"), "s0"}});
  Timestamp dead = PrewriteAndVanish({{K("p"), "p1"}, {S("s"), "s1"}}, /*ttl_ms=*/100);

  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto early = Begin(impatient);
  auto blocked = early->Get(S("s"));
  ASSERT_FALSE(blocked.ok()) << "the lock is within its TTL";
  EXPECT_EQ(SqlState(blocked.status()), "55P03");

  clock_.Advance(200);
  auto reader = Begin(impatient);
  EXPECT_EQ(MustGet(reader.get(), S("s")), "s0");  // rolled back, not rolled forward
  EXPECT_FALSE(LockOn(S("s")).has_value());
  EXPECT_FALSE(LockOn(K("p")).has_value()) << "the primary is rolled back first";
  EXPECT_EQ(MustGet(reader.get(), K("p")), "p0");

  // The coordinator wakes up too late.
  auto commit_ts = client_->GetTimestamp();
  auto errors = client_->Commit({K("p"), S("s")}, dead, *commit_ts);
  ASSERT_TRUE(errors.ok());
  EXPECT_FALSE(errors->empty());
  EXPECT_EQ(Read(K("p")), "p0");
  EXPECT_EQ(Read(S("s")), "s0");
}

// A dead coordinator's many locks in a scanned span are all cleared by one
// reader, not only the first hundred.
TEST_F(TxnTest, ScanClearsEveryLockOfADeadCoordinator) {
  std::vector<std::pair<std::string, std::string>> puts;
  for (int i = 0; i < 250; ++i) puts.push_back({K(absl::StrCat("row", 1000 + i)), "dead"});
  Write({{K("row0999"), "alive"}});
  PrewriteAndVanish(puts, /*ttl_ms=*/50);
  clock_.Advance(100);
  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto reader = Begin(impatient);
  EXPECT_EQ(MustScan(reader.get(), K("row"), K("rox")),
            (KvPairs{{K("row0999"), "alive"}}));
  EXPECT_FALSE(LockOn(K("row1249")).has_value());
}

TEST_F(TxnTest, WriterClearsAnExpiredLock) {
  PrewriteAndVanish({{K("k"), "stale"}}, /*ttl_ms=*/50);
  clock_.Advance(100);
  auto txn = Begin();
  txn->Put(K("k"), "fresh");
  absl::Status s = txn->Commit();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Read(K("k")), "fresh");
}

TEST_F(TxnTest, ReaderRollsForwardACommittedPrimary) {
  Write({{K("s1"), "old1"}, {K("s2"), "old2"}});
  Timestamp start = PrewriteAndVanish(
      {{S("primary"), "P"}, {K("s1"), "new1"}, {K("s2"), "new2"}}, /*ttl_ms=*/1000000);
  auto between = Begin();  // after the prewrite, before the commit
  auto commit_ts = client_->GetTimestamp();
  auto errors = client_->Commit({S("primary")}, start, *commit_ts);  // the commit point only
  ASSERT_TRUE(errors.ok() && errors->empty());

  // The coordinator died before committing secondaries: a reader finds their
  // locks, asks the primary, and rolls them forward, without waiting.
  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto reader = Begin(impatient);
  EXPECT_EQ(MustGet(reader.get(), K("s1")), "new1");
  EXPECT_EQ(MustScan(reader.get(), K("s2"), K("s3")), (KvPairs{{K("s2"), "new2"}}));
  EXPECT_FALSE(LockOn(K("s1")).has_value());
  EXPECT_FALSE(LockOn(K("s2")).has_value());
  // A snapshot from before the commit still sees the old values.
  EXPECT_EQ(MustGet(between.get(), K("s1")), "old1");
  EXPECT_EQ(MustGet(between.get(), K("s2")), "old2");
}

TEST_F(TxnTest, CommitAndRollbackFinishATransaction) {
  auto txn = Begin();
  ASSERT_TRUE(txn->Commit().ok());  // read-only: nothing to do
  EXPECT_EQ(SqlState(txn->Commit()), "25000");
  auto rolled = Begin();
  rolled->Put(K("r"), "x");
  rolled->Rollback();
  EXPECT_FALSE(rolled->has_writes());
  EXPECT_EQ(Read(K("r")), std::nullopt);
}

// Concurrent transfers between accounts in both ranges; every snapshot read
// must see the same total, and so must the final state.
TEST_F(TxnTest, BankTransfersKeepTheTotal) {
  const uint64_t seed = cairn::testing::TestSeed(2718);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  constexpr int kAccounts = 6, kWorkers = 3, kTransfersEach = 25;
  constexpr int64_t kInitial = 100, kTotal = kAccounts * kInitial;
  auto account = [](int i) {
    return i % 2 ? K(absl::StrCat("acct", i)) : S(absl::StrCat("acct", i));
  };
  {
    std::vector<std::pair<std::string, std::optional<std::string>>> init;
    for (int i = 0; i < kAccounts; ++i) init.emplace_back(account(i), absl::StrCat(kInitial));
    Write(init);
  }

  // Reads every account in one snapshot: by Get, and by a scan of both ranges.
  auto snapshot_total = [&](Txn* txn, int64_t* by_get, int64_t* by_scan) -> absl::Status {
    *by_get = *by_scan = 0;
    for (int i = 0; i < kAccounts; ++i) {
      CAIRN_ASSIGN_OR_RETURN(auto v, txn->Get(account(i)));
      int64_t n = 0;
      if (!v || !absl::SimpleAtoi(*v, &n)) return absl::InternalError("missing account");
      *by_get += n;
    }
    for (const auto& [lo, hi] : {std::pair{S(""), key_codec::PrefixEnd(S(""))},
                                 std::pair{K(""), key_codec::PrefixEnd(K(""))}}) {
      CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(lo, hi, 0));
      for (const KeyValue& kv : rows) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(kv.value, &n)) return absl::InternalError("bad balance");
        *by_scan += n;
      }
    }
    return absl::OkStatus();
  };

  std::atomic<int> workers_left{kWorkers};
  std::atomic<int> committed{0}, conflicts{0}, checks{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      // Counted down however the worker ends (an ASSERT returns early), so
      // the auditor never waits forever.
      struct Done {
        std::atomic<int>* left;
        ~Done() { --*left; }
      } done{&workers_left};
      std::mt19937_64 rng(seed * 31 + w);
      for (int t = 0; t < kTransfersEach; ++t) {
        int from = static_cast<int>(rng() % kAccounts);
        int to = static_cast<int>((from + 1 + rng() % (kAccounts - 1)) % kAccounts);
        int64_t amount = static_cast<int64_t>(rng() % 40);
        for (int attempt = 0;; ++attempt) {
          ASSERT_LT(attempt, 1000) << "transfer never committed";
          auto txn = Begin();
          ASSERT_NE(txn, nullptr);
          auto a = txn->Get(account(from));
          auto b = txn->Get(account(to));
          if (!a.ok() || !b.ok()) {
            absl::Status s = a.ok() ? b.status() : a.status();
            ASSERT_TRUE(IsRetryable(s)) << s;
            ++conflicts;
            std::this_thread::yield();
            continue;
          }
          int64_t x = 0, y = 0;
          ASSERT_TRUE(a->has_value() && b->has_value());
          ASSERT_TRUE(absl::SimpleAtoi(**a, &x) && absl::SimpleAtoi(**b, &y));
          int64_t moved = std::min(amount, x);  // no overdrafts
          txn->Put(account(from), absl::StrCat(x - moved));
          txn->Put(account(to), absl::StrCat(y + moved));
          absl::Status s = txn->Commit();
          if (s.ok()) {
            ++committed;
            break;
          }
          ASSERT_TRUE(IsRetryable(s)) << s;
          ++conflicts;
          std::this_thread::yield();
        }
      }
    });
  }
  // The auditor: snapshot after snapshot while transfers run.
  threads.emplace_back([&] {
    do {
      auto txn = Begin();
      ASSERT_NE(txn, nullptr);
      int64_t by_get = 0, by_scan = 0;
      absl::Status s = snapshot_total(txn.get(), &by_get, &by_scan);
      if (!s.ok()) {
        ASSERT_TRUE(IsRetryable(s)) << s;
        continue;
      }
      ASSERT_EQ(by_get, kTotal) << "snapshot at " << txn->start_ts();
      ASSERT_EQ(by_scan, kTotal) << "snapshot at " << txn->start_ts();
      ++checks;
    } while (workers_left.load() > 0);
  });
  for (auto& th : threads) th.join();

  RecordProperty("conflicts", conflicts.load());
  RecordProperty("audits", checks.load());
  EXPECT_EQ(committed.load(), kWorkers * kTransfersEach);
  EXPECT_GE(checks.load(), 1);
  auto final_txn = Begin();
  int64_t by_get = 0, by_scan = 0;
  ASSERT_TRUE(snapshot_total(final_txn.get(), &by_get, &by_scan).ok());
  EXPECT_EQ(by_get, kTotal);
  EXPECT_EQ(by_scan, kTotal);
  for (int i = 0; i < kAccounts; ++i) {
    EXPECT_FALSE(LockOn(account(i)).has_value()) << "lock left on account " << i;
  }
}

}  // namespace
}  // namespace cairn::txn
