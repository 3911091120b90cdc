// Explicit transactions seen from two client connections: visibility only
// after COMMIT, ROLLBACK, the aborted-block state after a failed statement,
// one snapshot per transaction (REPEATABLE READ), row locks (UPDATE, DELETE,
// SELECT ... FOR UPDATE) that make writers wait, write-write conflicts
// surfacing as 40001 at the statement, and autocommit retries.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "pqxx/pqxx"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::ElementsAre;

class TransactionTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    if (HasFatalFailure()) return;
    conn_a_ = std::make_unique<PgConn>(node_.Dsn());
    conn_b_ = std::make_unique<PgConn>(node_.Dsn());
    ASSERT_TRUE(a().ok()) << a().error();
    ASSERT_TRUE(b().ok()) << b().error();
    Ok(a(), "CREATE TABLE acct (k INT PRIMARY KEY, v INT)");
    Ok(a(), "INSERT INTO acct VALUES (1, 10), (2, 20)");
  }

  // Runs `sql`, expecting success; returns the command tag.
  static std::string Ok(PgConn& c, const std::string& sql) {
    QueryResult r = c.Exec(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
    return r.tag;
  }
  static std::vector<std::string> Select(PgConn& c, const std::string& sql) {
    QueryResult r = c.Exec(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
    return Rows(r);
  }

  // cairn_sql_txn_retries_total, from the node's /metrics.
  int64_t RetriesSoFar() {
    std::string body;
    EXPECT_EQ(node_.HttpGet("/metrics", &body), 200);
    const std::string name = "\ncairn_sql_txn_retries_total ";
    size_t at = body.find(name);
    if (at == std::string::npos) return 0;
    return std::stoll(body.substr(at + name.size()));
  }

  // Two sessions, connected once the node runs.
  PgConn& a() { return *conn_a_; }
  PgConn& b() { return *conn_b_; }
  std::unique_ptr<PgConn> conn_a_;
  std::unique_ptr<PgConn> conn_b_;
};

TEST_F(TransactionTest, CommittedWritesBecomeVisibleToOthersOnlyAtCommit) {
  EXPECT_EQ(Ok(a(), "BEGIN"), "BEGIN");
  EXPECT_EQ(a().TxStatus(), PQTRANS_INTRANS);
  Ok(a(), "INSERT INTO acct VALUES (3, 30)");
  Ok(a(), "UPDATE acct SET v = v + 1 WHERE k = 1");
  Ok(a(), "DELETE FROM acct WHERE k = 2");
  // The transaction reads its own writes; the other connection does not.
  EXPECT_THAT(Select(a(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "3|30"));
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|10", "2|20"));
  EXPECT_EQ(Ok(a(), "COMMIT"), "COMMIT");
  EXPECT_EQ(a().TxStatus(), PQTRANS_IDLE);
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "3|30"));
}

TEST_F(TransactionTest, RollbackDiscardsEverything) {
  Ok(a(), "BEGIN");
  Ok(a(), "INSERT INTO acct VALUES (3, 30)");
  Ok(a(), "UPDATE acct SET v = 0");
  Ok(a(), "DELETE FROM acct WHERE k = 1");
  EXPECT_EQ(Ok(a(), "ROLLBACK"), "ROLLBACK");
  EXPECT_THAT(Select(a(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|10", "2|20"));
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|10", "2|20"));
}

TEST_F(TransactionTest, FailedStatementAbortsTheBlockAndCommitRollsBack) {
  Ok(a(), "BEGIN");
  Ok(a(), "INSERT INTO acct VALUES (3, 30)");
  QueryResult failed = a().Exec("SELECT 1 / 0");
  EXPECT_EQ(failed.sqlstate, "22012");
  EXPECT_EQ(a().TxStatus(), PQTRANS_INERROR);

  QueryResult ignored = a().Exec("SELECT 1");
  EXPECT_FALSE(ignored.ok);
  EXPECT_EQ(ignored.sqlstate, "25P02");
  QueryResult ignored_write = a().Exec("INSERT INTO acct VALUES (4, 40)");
  EXPECT_EQ(ignored_write.sqlstate, "25P02");

  // COMMIT of a failed block succeeds as a command but reports ROLLBACK.
  QueryResult commit = a().Exec("COMMIT");
  EXPECT_TRUE(commit.ok) << commit.sqlstate << " " << commit.message;
  EXPECT_EQ(commit.tag, "ROLLBACK");
  EXPECT_EQ(a().TxStatus(), PQTRANS_IDLE);
  EXPECT_THAT(Select(b(), "SELECT k FROM acct ORDER BY k"), ElementsAre("1", "2"));
  EXPECT_THAT(Select(a(), "SELECT k FROM acct ORDER BY k"), ElementsAre("1", "2"));

  // A failed block can also be left with ROLLBACK.
  Ok(a(), "BEGIN");
  EXPECT_EQ(a().Exec("SELECT nope FROM acct").sqlstate, "42703");
  EXPECT_EQ(Ok(a(), "ROLLBACK"), "ROLLBACK");
  EXPECT_THAT(Select(a(), "SELECT count(*) FROM acct"), ElementsAre("2"));
}

// Snapshot isolation is what PostgreSQL calls REPEATABLE READ, and that is
// what CairnDB says it gives; SERIALIZABLE is refused, never pretended.
TEST_F(TransactionTest, IsolationIsRepeatableReadAndSerializableIsRefused) {
  EXPECT_THAT(Select(a(), "SHOW transaction_isolation"), ElementsAre("repeatable read"));
  EXPECT_EQ(a().Exec("BEGIN ISOLATION LEVEL SERIALIZABLE").sqlstate, "0A000");
  EXPECT_EQ(a().TxStatus(), PQTRANS_IDLE);

  Ok(a(), "BEGIN");
  QueryResult serializable = a().Exec("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(serializable.sqlstate, "0A000");
  EXPECT_THAT(serializable.message, ::testing::HasSubstr("REPEATABLE READ"));
  EXPECT_EQ(Ok(a(), "ROLLBACK"), "ROLLBACK");

  Ok(a(), "BEGIN");
  Ok(a(), "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("10"));
  EXPECT_EQ(Ok(a(), "COMMIT"), "COMMIT");
}

TEST_F(TransactionTest, TransactionReadsFromOneSnapshot) {
  Ok(b(), "BEGIN");
  EXPECT_THAT(Select(b(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("10"));
  Ok(a(), "UPDATE acct SET v = 11 WHERE k = 1");
  Ok(a(), "INSERT INTO acct VALUES (3, 30)");
  // REPEATABLE READ: b's transaction keeps reading its snapshot.
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|10", "2|20"));
  Ok(b(), "COMMIT");
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "2|20", "3|30"));
}

// As in PostgreSQL's REPEATABLE READ: b's UPDATE of the row a updated
// waits for a; once a commits, b's UPDATE fails with 40001 (the row changed
// after b's snapshot), and b's COMMIT answers ROLLBACK.
TEST_F(TransactionTest, WriteWriteConflictWaitsThenFailsTheStatementWith40001) {
  Ok(a(), "BEGIN");
  Ok(b(), "BEGIN");
  // Both read first, so both snapshots predate either write.
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("10"));
  EXPECT_THAT(Select(b(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("10"));
  Ok(a(), "UPDATE acct SET v = v + 1 WHERE k = 1");
  Ok(b(), "INSERT INTO acct VALUES (9, 90)");
  absl::Notification b_done;
  QueryResult b_update;
  std::thread t([&] {
    b_update = b().Exec("UPDATE acct SET v = v + 100 WHERE k = 1");
    b_done.Notify();
  });
  EXPECT_FALSE(b_done.WaitForNotificationWithTimeout(absl::Milliseconds(300)))
      << "b's UPDATE should wait for a's row lock";
  EXPECT_EQ(Ok(a(), "COMMIT"), "COMMIT");
  t.join();
  EXPECT_FALSE(b_update.ok);
  EXPECT_EQ(b_update.sqlstate, "40001") << b_update.message;
  EXPECT_THAT(b_update.message, ::testing::HasSubstr("restart transaction"));
  EXPECT_EQ(b().Exec("COMMIT").tag, "ROLLBACK");
  EXPECT_EQ(b().TxStatus(), PQTRANS_IDLE);
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "2|20"));
  EXPECT_THAT(Select(a(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "2|20"));
}

// A row another transaction changed after this one's snapshot fails the
// UPDATE or DELETE at once, not at COMMIT.
TEST_F(TransactionTest, UpdateOrDeleteOfARowChangedSinceTheSnapshotFailsAtTheStatement) {
  for (const char* statement :
       {"UPDATE acct SET v = v + 1 WHERE k = 1", "DELETE FROM acct WHERE k = 1"}) {
    SCOPED_TRACE(statement);
    Ok(a(), "BEGIN");
    EXPECT_THAT(Select(a(), "SELECT count(*) FROM acct"), ElementsAre("2"));  // the snapshot
    Ok(b(), "UPDATE acct SET v = v * 2 WHERE k = 1");
    QueryResult r = a().Exec(statement);
    EXPECT_EQ(r.sqlstate, "40001") << r.message;
    EXPECT_EQ(a().TxStatus(), PQTRANS_INERROR);
    EXPECT_EQ(a().Exec("COMMIT").tag, "ROLLBACK");
  }
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|40", "2|20"));
}

// SELECT ... FOR UPDATE: a read-modify-write under contention waits for the
// row instead of failing at COMMIT. b's autocommit UPDATE waits while a
// holds the row, then applies on top of a's change (it is retried on a
// fresh snapshot).
TEST_F(TransactionTest, SelectForUpdateMakesOtherWritersWait) {
  Ok(a(), "BEGIN");
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 1 FOR UPDATE"), ElementsAre("10"));
  absl::Notification b_done;
  QueryResult b_update;
  std::thread t([&] {
    b_update = b().Exec("UPDATE acct SET v = v * 10 WHERE k = 1");
    b_done.Notify();
  });
  EXPECT_FALSE(b_done.WaitForNotificationWithTimeout(absl::Milliseconds(300)))
      << "b's UPDATE should wait for a's row lock";
  Ok(a(), "UPDATE acct SET v = v + 1 WHERE k = 1");
  EXPECT_EQ(Ok(a(), "COMMIT"), "COMMIT");
  t.join();
  EXPECT_TRUE(b_update.ok) << b_update.sqlstate << " " << b_update.message;
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("110"));

  // NOWAIT fails at once instead; FOR SHARE locks too; SKIP LOCKED and
  // locking aggregates are refused.
  Ok(a(), "BEGIN");
  Select(a(), "SELECT v FROM acct WHERE k = 2 FOR SHARE");
  Ok(b(), "BEGIN");
  QueryResult nowait = b().Exec("SELECT v FROM acct WHERE k = 2 FOR UPDATE NOWAIT");
  EXPECT_EQ(nowait.sqlstate, "55P03") << nowait.message;
  Ok(b(), "ROLLBACK");
  Ok(a(), "COMMIT");
  EXPECT_EQ(b().Exec("SELECT v FROM acct FOR UPDATE SKIP LOCKED").sqlstate, "0A000");
  EXPECT_EQ(b().Exec("SELECT count(*) FROM acct FOR UPDATE").sqlstate, "0A000");
}

// Two read-modify-write loops on one counter with SELECT ... FOR UPDATE in
// explicit transactions: with the row lock every increment lands, and the
// ones that lose a race fail at the SELECT (retried), never at COMMIT.
TEST_F(TransactionTest, ReadModifyWriteWithForUpdateLosesNoIncrement) {
  constexpr int kPerClient = 15;
  std::atomic<int> commit_failures{0};
  auto client = [&](PgConn& c) {
    for (int done = 0; done < kPerClient;) {
      Ok(c, "BEGIN");
      QueryResult r = c.Exec("SELECT v FROM acct WHERE k = 2 FOR UPDATE");
      if (!r.ok) {
        EXPECT_EQ(r.sqlstate, "40001") << r.message;
        Ok(c, "ROLLBACK");
        continue;
      }
      const int v = std::stoi(Rows(r).at(0));
      Ok(c, "UPDATE acct SET v = " + std::to_string(v + 1) + " WHERE k = 2");
      QueryResult commit = c.Exec("COMMIT");
      if (!commit.ok || commit.tag != "COMMIT") {
        ++commit_failures;
        continue;
      }
      ++done;
    }
  };
  std::thread ta([&] { client(a()); });
  std::thread tb([&] { client(b()); });
  ta.join();
  tb.join();
  EXPECT_EQ(commit_failures.load(), 0);
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 2"),
              ElementsAre(std::to_string(20 + 2 * kPerClient)));
}

// Autocommit statements that conflict are retried inside the node while no
// result has reached the client: concurrent increments all land, and no
// client sees 40001.
TEST_F(TransactionTest, ConflictingAutocommitStatementsAreRetriedInvisibly) {
  constexpr int kClients = 4;
  constexpr int kPerClient = 25;
  const int64_t retries_before = RetriesSoFar();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      PgConn c(node_.Dsn());
      for (int n = 0; n < kPerClient; ++n) {
        QueryResult r = c.Exec("UPDATE acct SET v = v + 1 WHERE k = 1");
        if (!r.ok) {
          ++failures;
          ADD_FAILURE() << r.sqlstate << " " << r.message;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 1"),
              ElementsAre(std::to_string(10 + kClients * kPerClient)));
  // The statements did conflict: the node retried them.
  EXPECT_GT(RetriesSoFar(), retries_before);
}

TEST_F(TransactionTest, DisconnectInsideATransactionDiscardsIt) {
  Ok(a(), "BEGIN");
  Ok(a(), "INSERT INTO acct VALUES (3, 30)");
  Ok(a(), "UPDATE acct SET v = 0 WHERE k = 1");
  conn_a_.reset();  // the client goes away without COMMIT
  // Nothing of it is visible, and it leaves nothing in the way of writers.
  EXPECT_EQ(Ok(b(), "UPDATE acct SET v = v + 1 WHERE k = 1"), "UPDATE 1");
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "2|20"));
}

// Regression test. A simple Query message
// holding several statements runs them as one implicit transaction, unless
// they include transaction control (PostgreSQL protocol docs, "Multiple
// Statements in a Simple Query"): when a later statement fails, the earlier
// ones are rolled back. CairnDB used to commit each statement on its own.
TEST_F(TransactionTest, MultiStatementQueryIsOneImplicitTransaction) {
  QueryResult r = a().Exec("INSERT INTO acct VALUES (3, 30); UPDATE acct SET v = 0; SELECT 1 / 0");
  EXPECT_EQ(r.sqlstate, "22012");
  EXPECT_EQ(a().TxStatus(), PQTRANS_IDLE);
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|10", "2|20"));

  // Without an error, all of it commits.
  r = a().Exec("INSERT INTO acct VALUES (4, 40); UPDATE acct SET v = v + 1 WHERE k = 4");
  EXPECT_TRUE(r.ok) << r.sqlstate << " " << r.message;
  EXPECT_EQ(r.tag, "UPDATE 1");
  EXPECT_THAT(Select(b(), "SELECT v FROM acct WHERE k = 4"), ElementsAre("41"));
}

// The same conflict through libpqxx's transaction classes, as an
// application would write it: commit() throws serialization_failure.
TEST_F(TransactionTest, LibpqxxWorkSeesSerializationFailure) {
  pqxx::connection c1(node_.Dsn());
  pqxx::connection c2(node_.Dsn());
  {
    pqxx::work w1(c1);
    pqxx::work w2(c2);
    EXPECT_EQ(w1.exec("SELECT v FROM acct WHERE k = 2")[0][0].as<int>(), 20);
    EXPECT_EQ(w2.exec("SELECT v FROM acct WHERE k = 2")[0][0].as<int>(), 20);
    w1.exec("UPDATE acct SET v = 21 WHERE k = 2");
    // w2's UPDATE waits for w1's row lock, and fails once w1 commits.
    std::thread t([&] {
      EXPECT_THROW(w2.exec("UPDATE acct SET v = 22 WHERE k = 2"), pqxx::serialization_failure);
    });
    w1.commit();
    t.join();
  }  // w2 is aborted (ROLLBACK) here.
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 2"), ElementsAre("21"));

  // A retry in a fresh transaction then succeeds.
  pqxx::work retry(c2);
  retry.exec("UPDATE acct SET v = v + 1 WHERE k = 2");
  retry.commit();
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 2"), ElementsAre("22"));
}

}  // namespace
}  // namespace cairn::e2e
