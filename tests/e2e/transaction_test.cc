// Explicit transactions seen from two client connections: visibility only
// after COMMIT, ROLLBACK, the aborted-block state after a failed statement,
// one snapshot per transaction (REPEATABLE READ), and write-write conflicts
// surfacing as 40001.

#include <memory>
#include <string>
#include <vector>

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

TEST_F(TransactionTest, WriteWriteConflictFailsTheSecondCommitWith40001) {
  Ok(a(), "BEGIN");
  Ok(b(), "BEGIN");
  // Both read first, so both snapshots predate either write.
  EXPECT_THAT(Select(a(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("10"));
  EXPECT_THAT(Select(b(), "SELECT v FROM acct WHERE k = 1"), ElementsAre("10"));
  Ok(a(), "UPDATE acct SET v = v + 1 WHERE k = 1");
  // Under snapshot isolation b's conflicting write may fail at once or at
  // COMMIT; either way with 40001, and b's changes must not survive.
  Ok(b(), "INSERT INTO acct VALUES (9, 90)");
  QueryResult b_update = b().Exec("UPDATE acct SET v = v + 100 WHERE k = 1");
  EXPECT_EQ(Ok(a(), "COMMIT"), "COMMIT");
  QueryResult b_commit = b().Exec("COMMIT");
  if (b_update.ok) {
    EXPECT_FALSE(b_commit.ok) << "second COMMIT succeeded with tag " << b_commit.tag;
    EXPECT_EQ(b_commit.sqlstate, "40001") << b_commit.message;
  } else {
    EXPECT_EQ(b_update.sqlstate, "40001") << b_update.message;
    EXPECT_EQ(b_commit.tag, "ROLLBACK");
  }
  EXPECT_EQ(b().TxStatus(), PQTRANS_IDLE);
  EXPECT_THAT(Select(b(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "2|20"));
  EXPECT_THAT(Select(a(), "SELECT k, v FROM acct ORDER BY k"), ElementsAre("1|11", "2|20"));
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
    bool failed_early = false;
    try {
      w2.exec("UPDATE acct SET v = 22 WHERE k = 2");
    } catch (const pqxx::serialization_failure&) {
      failed_early = true;
    }
    w1.commit();
    if (!failed_early) {
      EXPECT_THROW(w2.commit(), pqxx::serialization_failure);
    }
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
