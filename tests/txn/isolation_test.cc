// Isolation anomalies at the transaction level (issue #5 point 7): one test
// per phenomenon of Adya's, under the names Hermitage (github.com/ept/hermitage)
// and Jepsen's Elle give them, each a Hermitage scenario written as a hand
// interleaving of two or three Txns.
//
// CairnDB provides snapshot isolation, reported to clients as REPEATABLE READ
// (DESIGN.md "Transactions"). That prevents G0, G1a, G1b, G1c, OTV, PMP, P4
// and G-single, and allows G2-item (write skew), as PostgreSQL's REPEATABLE
// READ does; the last test shows write skew committing.
//
// Writes are buffered in the Txn until Commit. Where PostgreSQL blocks the
// second writer at its UPDATE, CairnDB lets it go on and fails its Commit
// with 40001 (the first committer wins); a writer that meets a live lock of
// another transaction fails at once instead of waiting.
//
// x lives in the system keyspace (range 1) and y in the table keyspace
// (range 2): a transaction writing both commits with two-phase commit across
// two Raft groups, its primary (the smallest key, x) in range 1.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "txn_fixture.h"

namespace cairn::txn {
namespace {

constexpr uint64_t kLongTtlMs = 1000000;

class IsolationTest : public TxnTest {
 protected:
  // Commits the primary of a transaction PrewriteAndVanish left, and only
  // it: the coordinator dies right after the commit point, leaving its
  // secondaries locked.
  Timestamp CommitPrimaryOnly(const std::string& primary, Timestamp start_ts) {
    auto commit_ts = client_->GetTimestamp();
    EXPECT_TRUE(commit_ts.ok()) << commit_ts.status();
    if (!commit_ts.ok()) return 0;
    auto errors = client_->Commit({primary}, start_ts, *commit_ts);
    EXPECT_TRUE(errors.ok()) << errors.status();
    EXPECT_TRUE(errors.ok() && errors->empty());
    return *commit_ts;
  }

  // Reads never wait on a live lock: they fail with 55P03 at once, so a
  // test that expects no wait cannot hang.
  std::unique_ptr<Txn> BeginImpatient() {
    Txn::Options options;
    options.max_lock_wait_ms = 0;
    return Begin(options);
  }

  int64_t MustGetInt(Txn* txn, std::string_view key) {
    std::optional<std::string> v = MustGet(txn, key);
    int64_t n = 0;
    EXPECT_TRUE(v.has_value() && absl::SimpleAtoi(*v, &n)) << key_codec::PrettyKey(key);
    return n;
  }

  const std::string x_ = S("x");  // range 1
  const std::string y_ = K("y");  // range 2
  // The span the scans read: x, y, and every table key after them.
  const std::string lo_ = x_;
  const std::string hi_ = key_codec::PrefixEnd(K(""));
};

// G0 (dirty write): a cycle of write-write dependencies, T1's write of x
// overwritten by T2 while T2's write of y is overwritten by T1, so that x and
// y end in different transactions' orders. Hermitage "G0": T1 and T2 both
// write x and then y, interleaved; the result must be one transaction's values
// on both keys.
TEST_F(IsolationTest, G0DirtyWrite) {
  Write({{x_, "10"}, {y_, "20"}});
  auto t1 = Begin();
  auto t2 = Begin();
  t1->Put(x_, "11");
  t2->Put(x_, "12");
  t1->Put(y_, "21");
  ASSERT_TRUE(t1->Commit().ok());
  t2->Put(y_, "22");
  EXPECT_EQ(SqlState(t2->Commit()), "40001");  // x and y were written after T2 began
  auto reader = Begin();
  EXPECT_EQ(MustScan(reader.get(), lo_, hi_), (KvPairs{{x_, "11"}, {y_, "21"}}));
  EXPECT_FALSE(LockOn(x_).has_value());
  EXPECT_FALSE(LockOn(y_).has_value());

  // T3 is between its prewrite and its commit, holding locks on x and y,
  // when T4 commits writes to both: T4 fails at once (it does not wait, and
  // does not take T3's live locks away), then T3's commit lands whole.
  Timestamp t3 = PrewriteAndVanish({{x_, "13"}, {y_, "23"}}, kLongTtlMs);
  auto t4 = Begin();
  t4->Put(y_, "24");
  t4->Put(x_, "14");
  EXPECT_EQ(SqlState(t4->Commit()), "40001");
  ASSERT_TRUE(LockOn(x_).has_value());
  ASSERT_TRUE(LockOn(y_).has_value());
  EXPECT_EQ(LockOn(x_)->start_ts, t3);
  EXPECT_EQ(LockOn(y_)->start_ts, t3);
  auto commit_ts = client_->GetTimestamp();
  ASSERT_TRUE(commit_ts.ok());
  auto errors = client_->Commit({x_, y_}, t3, *commit_ts);
  ASSERT_TRUE(errors.ok() && errors->empty());
  auto after = Begin();
  EXPECT_EQ(MustScan(after.get(), lo_, hi_), (KvPairs{{x_, "13"}, {y_, "23"}}));
}

// G1a (aborted read): a transaction reads a value that an aborted transaction
// wrote. Hermitage "G1a": T1 writes x and y and aborts; T2, reading before
// and after the abort, sees only committed values. The abort comes three
// ways: a rollback of buffered writes; a commit that fails after locking x in
// range 1 because y conflicts in range 2; and a coordinator that dies after
// prewriting both, whose locks a reader rolls back once their TTL is out.
TEST_F(IsolationTest, G1aAbortedRead) {
  Write({{x_, "10"}, {y_, "20"}});
  auto t1 = Begin();
  t1->Put(x_, "101");
  t1->Put(y_, "201");
  auto t2 = Begin();
  EXPECT_EQ(MustGet(t2.get(), x_), "10");
  t1->Rollback();
  EXPECT_EQ(MustScan(t2.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "20"}}));
  ASSERT_TRUE(t2->Commit().ok());

  // T3's commit locks x (range 1, the primary), then finds y (range 2)
  // written after T3 began: it fails and rolls x back.
  auto t3 = Begin();
  t3->Put(x_, "102");
  t3->Put(y_, "202");
  auto t4 = Begin();
  Write({{y_, "25"}});
  EXPECT_EQ(SqlState(t3->Commit()), "40001");
  EXPECT_FALSE(LockOn(x_).has_value());
  EXPECT_EQ(MustScan(t4.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "20"}}));
  auto t5 = Begin();
  EXPECT_EQ(MustScan(t5.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "25"}}));

  // T6 prewrites x and y and its coordinator dies. A reader that meets the
  // lock on y once the TTL is out asks the primary, rolls T6 back, and reads
  // the committed values; the coordinator's late commit then fails.
  Timestamp t6 = PrewriteAndVanish({{x_, "103"}, {y_, "203"}}, /*ttl_ms=*/100);
  clock_.Advance(200);
  ASSERT_TRUE(LockOn(y_).has_value());
  auto t7 = BeginImpatient();
  EXPECT_EQ(MustGet(t7.get(), y_), "25");
  EXPECT_EQ(MustGet(t7.get(), x_), "10");
  auto late_ts = client_->GetTimestamp();
  ASSERT_TRUE(late_ts.ok());
  auto late = client_->Commit({x_, y_}, t6, *late_ts);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->empty());
  EXPECT_EQ(MustScan(t7.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "25"}}));
  auto t8 = Begin();
  EXPECT_EQ(MustScan(t8.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "25"}}));
}

// G1b (intermediate read): a transaction reads a version that its writer
// overwrote before committing. Hermitage "G1b": T1 writes x=101, then x=11,
// and commits; T2 reads x in between and after; nobody ever sees 101. T1 also
// writes y twice, and writes z then deletes it.
TEST_F(IsolationTest, G1bIntermediateRead) {
  Write({{x_, "10"}, {y_, "20"}});
  auto t1 = Begin();
  t1->Put(x_, "101");
  t1->Put(y_, "201");
  t1->Put(K("z"), "intermediate");
  auto t2 = Begin();
  EXPECT_EQ(MustGet(t2.get(), x_), "10");
  t1->Put(x_, "11");
  t1->Put(y_, "21");
  t1->Delete(K("z"));
  EXPECT_EQ(MustScan(t1.get(), lo_, hi_), (KvPairs{{x_, "11"}, {y_, "21"}}));  // its own last
  ASSERT_TRUE(t1->Commit().ok());
  EXPECT_EQ(MustScan(t2.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "20"}}));
  ASSERT_TRUE(t2->Commit().ok());

  // At every snapshot: the values from before T1 up to its commit, its
  // final ones from there on.
  for (Timestamp ts : {t1->start_ts(), t1->commit_ts() - 1}) {
    auto at = Txn::AtTimestamp(client_.get(), resolver_.get(), ts, {});
    EXPECT_EQ(MustScan(at.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "20"}})) << "at " << ts;
  }
  auto at_commit = Txn::AtTimestamp(client_.get(), resolver_.get(), t1->commit_ts(), {});
  EXPECT_EQ(MustScan(at_commit.get(), lo_, hi_), (KvPairs{{x_, "11"}, {y_, "21"}}));
  EXPECT_EQ(MustGet(at_commit.get(), K("z")), std::nullopt);
}

// G1c (circular information flow): a cycle of write-read and write-write
// dependencies among committed transactions, e.g. T1 reads T2's write and T2
// reads T1's. Hermitage "G1c": T1 writes x, T2 writes y, then each reads the
// other's key: each sees the value from before the other (an anti-dependency,
// not a read of the other's write), even after the other committed, and both
// commit. Neither read the other's write, so there is no cycle.
TEST_F(IsolationTest, G1cCircularInformationFlow) {
  Write({{x_, "10"}, {y_, "20"}});
  auto t1 = Begin();
  auto t2 = Begin();
  t1->Put(x_, "11");
  t2->Put(y_, "22");
  EXPECT_EQ(MustGet(t1.get(), y_), "20");
  EXPECT_EQ(MustGet(t2.get(), x_), "10");
  ASSERT_TRUE(t1->Commit().ok());
  EXPECT_EQ(MustGet(t2.get(), x_), "10");  // T1 committed after T2 began
  ASSERT_TRUE(t2->Commit().ok());
  auto reader = Begin();
  EXPECT_EQ(MustScan(reader.get(), lo_, hi_), (KvPairs{{x_, "11"}, {y_, "22"}}));

  // Three transactions: a chain T3 -wr-> T4 (T4 reads T3's x and writes
  // y). Closing a cycle would take T5 reading T4's y (T4 -wr-> T5) and
  // writing an x ordered before T3's (T5 -ww-> T3). T5 began before T3
  // committed: it reads neither T3's x nor T4's y, and its write of x,
  // concurrent with T3's, fails with 40001 (versions follow commit order).
  auto t5 = Begin();
  auto t3 = Begin();
  t3->Put(x_, "13");
  ASSERT_TRUE(t3->Commit().ok());
  auto t4 = Begin();
  EXPECT_EQ(MustGet(t4.get(), x_), "13");
  t4->Put(y_, "24");
  ASSERT_TRUE(t4->Commit().ok());
  EXPECT_EQ(MustGet(t5.get(), y_), "22");
  EXPECT_EQ(MustGet(t5.get(), x_), "11");
  t5->Put(x_, "15");
  EXPECT_EQ(SqlState(t5->Commit()), "40001");
  auto final_reader = Begin();
  EXPECT_EQ(MustScan(final_reader.get(), lo_, hi_), (KvPairs{{x_, "13"}, {y_, "24"}}));
}

// OTV (observed transaction vanishes): a reader sees some of T's writes, and
// a later read in the same snapshot misses T's other writes (or sees another
// transaction's instead). Hermitage "OTV": T1 and T2 both write x and y; T1
// commits and T2 fails; T3 reads x (T1's) and then y, which must be T1's
// too. With Percolator the risk lies between the commit point and the
// secondaries' commit: a reader that saw the committed primary must roll the
// secondary's lock forward, and not read below it.
TEST_F(IsolationTest, OtvObservedTransactionVanishes) {
  Write({{x_, "10"}, {y_, "20"}});
  auto t1 = Begin();
  auto t2 = Begin();
  t1->Put(x_, "11");
  t1->Put(y_, "19");
  t2->Put(x_, "12");
  t2->Put(y_, "18");
  ASSERT_TRUE(t1->Commit().ok());
  auto t3 = BeginImpatient();
  EXPECT_EQ(MustGet(t3.get(), x_), "11");
  EXPECT_EQ(SqlState(t2->Commit()), "40001");
  EXPECT_EQ(MustGet(t3.get(), y_), "19");

  // T4's coordinator dies right after its commit point: x (the primary,
  // range 1) is committed, y (range 2) still locked. T3, older, sees none of
  // T4; a new reader that sees T4's x sees its y, rolled forward.
  Timestamp t4 = PrewriteAndVanish({{x_, "14"}, {y_, "24"}}, kLongTtlMs);
  CommitPrimaryOnly(x_, t4);
  ASSERT_TRUE(LockOn(y_).has_value());
  EXPECT_EQ(MustScan(t3.get(), lo_, hi_), (KvPairs{{x_, "11"}, {y_, "19"}}));
  auto t5 = BeginImpatient();
  EXPECT_EQ(MustGet(t5.get(), x_), "14");
  EXPECT_EQ(MustGet(t5.get(), y_), "24");
  EXPECT_FALSE(LockOn(y_).has_value());

  // The same with the primary in range 2, read last: T6 meets the lock on x
  // first, and what it reads there it must find again at y.
  Timestamp t6 = PrewriteAndVanish({{y_, "26"}, {x_, "16"}}, kLongTtlMs);
  CommitPrimaryOnly(y_, t6);
  ASSERT_TRUE(LockOn(x_).has_value());
  auto t7 = BeginImpatient();
  EXPECT_EQ(MustGet(t7.get(), x_), "16");
  EXPECT_EQ(MustGet(t7.get(), y_), "26");
  EXPECT_EQ(MustScan(t5.get(), lo_, hi_), (KvPairs{{x_, "14"}, {y_, "24"}}));
  EXPECT_EQ(MustScan(t3.get(), lo_, hi_), (KvPairs{{x_, "11"}, {y_, "19"}}));

  // And by one scan over both ranges, meeting the secondary's lock midway.
  Timestamp t8 = PrewriteAndVanish({{x_, "18"}, {y_, "28"}}, kLongTtlMs);
  CommitPrimaryOnly(x_, t8);
  ASSERT_TRUE(LockOn(y_).has_value());
  auto t9 = BeginImpatient();
  EXPECT_EQ(MustScan(t9.get(), lo_, hi_), (KvPairs{{x_, "18"}, {y_, "28"}}));
}

// Counts the rows of `rows` whose value is `value`: a predicate over a scan.
size_t CountValue(const KvPairs& rows, std::string_view value) {
  size_t n = 0;
  for (const auto& [k, v] : rows) n += v == value;
  return n;
}

// PMP (predicate-many-preceders): a predicate read finds a different set of
// rows the second time because another transaction inserted or deleted
// matching rows in between. Hermitage "PMP": T1 reads the rows with value 30
// (none); T2 inserts one and commits; T1's second read still finds none. The
// predicate is a scan of items spread over both ranges, and T2 also deletes
// one and changes another.
TEST_F(IsolationTest, PmpPredicateManyPreceders) {
  const std::string lo = S("item/"), hi = key_codec::PrefixEnd(K("item/"));
  Write({{S("item/1"), "10"}, {K("item/2"), "20"}});
  const KvPairs before{{S("item/1"), "10"}, {K("item/2"), "20"}};
  auto t1 = Begin();
  EXPECT_EQ(MustScan(t1.get(), lo, hi), before);
  EXPECT_EQ(CountValue(MustScan(t1.get(), lo, hi), "30"), 0u);

  auto t2 = Begin();
  t2->Insert(K("item/3"), "30");
  t2->Insert(S("item/0"), "30");
  t2->Delete(S("item/1"));
  t2->Put(K("item/2"), "30");
  ASSERT_TRUE(t2->Commit().ok());

  EXPECT_EQ(CountValue(MustScan(t1.get(), lo, hi), "30"), 0u);
  EXPECT_EQ(MustScan(t1.get(), lo, hi), before);
  EXPECT_EQ(MustScan(t1.get(), lo, hi, 1), (KvPairs{{S("item/1"), "10"}}));
  auto reversed = t1->ReverseScan(lo, hi, 0);
  ASSERT_TRUE(reversed.ok()) << reversed.status();
  EXPECT_EQ(ToPairs(*reversed), (KvPairs{{K("item/2"), "20"}, {S("item/1"), "10"}}));
  auto got = t1->BatchGet({S("item/0"), S("item/1"), K("item/2"), K("item/3")});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got,
            (std::vector<std::optional<std::string>>{std::nullopt, "10", "20", std::nullopt}));
  ASSERT_TRUE(t1->Commit().ok());

  auto t3 = Begin();
  EXPECT_EQ(MustScan(t3.get(), lo, hi),
            (KvPairs{{S("item/0"), "30"}, {K("item/2"), "30"}, {K("item/3"), "30"}}));
}

// PMP with writes (Hermitage "PMP-write"): T1 adds 10 to every item; T2,
// which read the items before T1 committed, deletes those with value 20.
// T2's delete would remove a row whose value is no longer 20, so it must
// not commit: it fails with 40001 (PostgreSQL fails it at its DELETE;
// CairnDB at its COMMIT).
TEST_F(IsolationTest, PmpWritePredicateUpdateRacingPredicateDelete) {
  const std::string lo = S("item/"), hi = key_codec::PrefixEnd(K("item/"));
  Write({{S("item/1"), "10"}, {K("item/2"), "20"}});
  auto t1 = Begin();
  auto t2 = Begin();
  for (const auto& [key, value] : MustScan(t1.get(), lo, hi)) {
    int64_t n = 0;
    ASSERT_TRUE(absl::SimpleAtoi(value, &n));
    t1->Put(key, absl::StrCat(n + 10));
  }
  for (const auto& [key, value] : MustScan(t2.get(), lo, hi)) {
    if (value == "20") t2->Delete(key);
  }
  ASSERT_TRUE(t1->Commit().ok());
  EXPECT_EQ(SqlState(t2->Commit()), "40001");
  auto t3 = Begin();
  EXPECT_EQ(MustScan(t3.get(), lo, hi), (KvPairs{{S("item/1"), "20"}, {K("item/2"), "30"}}));
}

// P4 (lost update): two read-modify-writes of one counter both commit, and
// one increment is lost. Hermitage "P4": T1 and T2 read x and both write
// x + 1; the second to commit fails with 40001 (whichever began first), so
// the counter counts only committed increments, and a retry then succeeds.
// Once with the counter alone (one range: one-phase commit), once with an
// audit entry in the other range (two-phase commit).
TEST_F(IsolationTest, P4LostUpdate) {
  struct Case {
    std::string name, counter;
    std::optional<std::string> audit;  // a second key, in the other range
  };
  for (const Case& c : {Case{"one range", K("counter"), std::nullopt},
                        Case{"two ranges", S("counter"), K("audit/")}}) {
    SCOPED_TRACE(c.name);
    Write({{c.counter, "0"}});
    auto increment = [&](Txn* txn, std::string_view who) {
      txn->Put(c.counter, absl::StrCat(MustGetInt(txn, c.counter) + 1));
      if (c.audit) txn->Put(*c.audit + std::string(who), "incremented");
    };
    auto t1 = Begin();
    auto t2 = Begin();
    increment(t1.get(), "t1");
    increment(t2.get(), "t2");
    ASSERT_TRUE(t2->Commit().ok());
    absl::Status lost = t1->Commit();
    EXPECT_EQ(SqlState(lost), "40001");
    EXPECT_TRUE(IsRetryable(lost));
    EXPECT_EQ(Read(c.counter), "1");
    EXPECT_FALSE(LockOn(c.counter).has_value());
    if (c.audit) {
      EXPECT_EQ(Read(*c.audit + "t1"), std::nullopt);
      EXPECT_FALSE(LockOn(*c.audit + "t1").has_value());
      EXPECT_EQ(Read(*c.audit + "t2"), "incremented");
    }

    auto retry = Begin();
    increment(retry.get(), "t1");
    ASSERT_TRUE(retry->Commit().ok());
    EXPECT_EQ(Read(c.counter), "2");
    if (c.audit) {
      EXPECT_EQ(Read(*c.audit + "t1"), "incremented");
    }
  }
}

// G-single (read skew): a dependency cycle with exactly one anti-dependency.
// T1 reads x before T2 changes x and y, then reads y after T2 committed,
// seeing T2's y but not its x. Hermitage "G-single": T2 moves 2 from y to x
// (x + y stays 30); T1, reading x first and y after T2's commit, must see
// 10 and 20. T1 then writes y from that read (Hermitage "G-single-write"),
// which must fail: T2 wrote y after T1 began.
TEST_F(IsolationTest, GSingleReadSkew) {
  Write({{x_, "10"}, {y_, "20"}});
  auto t1 = Begin();
  EXPECT_EQ(MustGet(t1.get(), x_), "10");
  auto t2 = Begin();
  const int64_t x = MustGetInt(t2.get(), x_), y = MustGetInt(t2.get(), y_);
  t2->Put(x_, absl::StrCat(x + 2));
  t2->Put(y_, absl::StrCat(y - 2));
  ASSERT_TRUE(t2->Commit().ok());
  EXPECT_EQ(MustGet(t1.get(), y_), "20");
  auto both = t1->BatchGet({x_, y_});
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(*both, (std::vector<std::optional<std::string>>{"10", "20"}));
  EXPECT_EQ(MustScan(t1.get(), lo_, hi_), (KvPairs{{x_, "10"}, {y_, "20"}}));
  t1->Put(y_, absl::StrCat(MustGetInt(t1.get(), x_) + MustGetInt(t1.get(), y_)));
  EXPECT_EQ(SqlState(t1->Commit()), "40001");
  EXPECT_EQ(Read(y_), "18");

  // T3 begins after T4's prewrite and before its commit point, whose commit
  // leaves y (range 2) locked. T3 reads x below T4's commit; at y it meets
  // T4's lock, rolls it forward, and must still read below T4's commit.
  Timestamp t4 = PrewriteAndVanish({{x_, "15"}, {y_, "15"}}, kLongTtlMs);
  auto t3 = BeginImpatient();
  Timestamp t4_commit = CommitPrimaryOnly(x_, t4);
  ASSERT_GT(t4_commit, t3->start_ts());
  ASSERT_TRUE(LockOn(y_).has_value());
  EXPECT_EQ(MustGet(t3.get(), x_), "12");
  EXPECT_EQ(MustGet(t3.get(), y_), "18");
  EXPECT_FALSE(LockOn(y_).has_value()) << "T3 should have rolled T4's y forward";
  EXPECT_EQ(MustScan(t3.get(), lo_, hi_), (KvPairs{{x_, "12"}, {y_, "18"}}));
  auto t5 = Begin();
  EXPECT_EQ(MustScan(t5.get(), lo_, hi_), (KvPairs{{x_, "15"}, {y_, "15"}}));
}

// G2-item (write skew): a cycle of two anti-dependencies. Two doctors, x and
// y, are on call and at least one must stay so; T1 and T2 each read both,
// see the other on call, and take themselves off. Hermitage "G2-item": T1
// and T2 read x and y, T1 writes x, T2 writes y, both commit.
//
// This is ALLOWED, and the expected behaviour: CairnDB provides snapshot
// isolation, which PostgreSQL calls REPEATABLE READ, and snapshot isolation
// permits write skew because the two transactions write disjoint keys.
// SERIALIZABLE is not offered (SET TRANSACTION ISOLATION LEVEL SERIALIZABLE
// fails with 0A000). An application that needs such an invariant
// materializes the conflict, making both transactions write one key, as
// the second half shows.
TEST_F(IsolationTest, G2ItemWriteSkewIsAllowedUnderSnapshotIsolation) {
  Write({{x_, "on call"}, {y_, "on call"}});
  auto t1 = Begin();
  auto t2 = Begin();
  EXPECT_EQ(MustScan(t1.get(), lo_, hi_), (KvPairs{{x_, "on call"}, {y_, "on call"}}));
  EXPECT_EQ(MustScan(t2.get(), lo_, hi_), (KvPairs{{x_, "on call"}, {y_, "on call"}}));
  t1->Put(x_, "off");
  t2->Put(y_, "off");
  ASSERT_TRUE(t1->Commit().ok());
  ASSERT_TRUE(t2->Commit().ok()) << "write skew commits under snapshot isolation";
  auto reader = Begin();
  EXPECT_EQ(MustScan(reader.get(), lo_, hi_), (KvPairs{{x_, "off"}, {y_, "off"}}))
      << "both doctors off call: the invariant no transaction broke alone";

  // Materialized: both also write the ward's roster key, so the second
  // to commit fails with 40001 and the invariant holds.
  const std::string roster = K("roster");
  Write({{x_, "on call"}, {y_, "on call"}, {roster, "2"}});
  auto t3 = Begin();
  auto t4 = Begin();
  for (Txn* t : {t3.get(), t4.get()}) {
    ASSERT_EQ(MustGetInt(t, roster), 2);
    t->Put(roster, "1");
  }
  t3->Put(x_, "off");
  t4->Put(y_, "off");
  ASSERT_TRUE(t3->Commit().ok());
  EXPECT_EQ(SqlState(t4->Commit()), "40001");
  auto after = Begin();
  EXPECT_EQ(MustScan(after.get(), lo_, hi_),
            (KvPairs{{x_, "off"}, {roster, "1"}, {y_, "on call"}}));
}

}  // namespace
}  // namespace cairn::txn
