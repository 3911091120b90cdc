// Stopping statements and sessions that run too long: a CancelRequest
// (libpq's PQcancel, psql's Ctrl-C), statement_timeout, and
// idle_in_transaction_session_timeout, against a real node.

#include <libpq-fe.h>

#include <chrono>
#include <string>
#include <thread>

#include "cairn_process.h"
#include "clients.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using Clock = std::chrono::steady_clock;

// Long enough that nothing finishes it in a test's lifetime.
constexpr const char* kLongQuery = "SELECT count(*) FROM generate_series(1, 10000000000)";

// Sends `sql` on `conn` and cancel requests until it ends (a cancel that
// arrives before the statement starts does nothing); expects it to end
// with 57014 "canceling statement due to user request", and reads the
// connection up to its next idle state.
void ExpectCanceledByRequest(PGconn* conn, const char* sql) {
  ASSERT_EQ(PQsendQuery(conn, sql), 1);
  PGcancel* cancel = PQgetCancel(conn);
  const auto until = Clock::now() + std::chrono::seconds(60);
  while (PQisBusy(conn) && Clock::now() < until) {
    char error[256];
    EXPECT_EQ(PQcancel(cancel, error, sizeof error), 1) << error;
    // Wait for the answer, up to 50 ms, before asking again.
    const int fd = PQsocket(conn);
    fd_set read_set;
    FD_ZERO(&read_set);
    FD_SET(fd, &read_set);
    timeval wait{.tv_sec = 0, .tv_usec = 50 * 1000};
    select(fd + 1, &read_set, nullptr, nullptr, &wait);
    PQconsumeInput(conn);
  }
  PQfreeCancel(cancel);
  PGresult* result = PQgetResult(conn);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(PQresultStatus(result), PGRES_FATAL_ERROR);
  EXPECT_STREQ(PQresultErrorField(result, PG_DIAG_SQLSTATE), "57014");
  EXPECT_STREQ(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY),
               "canceling statement due to user request");
  PQclear(result);
  while ((result = PQgetResult(conn)) != nullptr) PQclear(result);
}

TEST_F(NodeTest, CancelRequestStopsTheRunningStatement) {
  PGconn* conn = PQconnectdb(node_.Dsn().c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  ExpectCanceledByRequest(conn, kLongQuery);
  // The session goes on.
  PGresult* result = PQexec(conn, "SELECT 1");
  EXPECT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
}

TEST_F(NodeTest, StatementTimeoutCancelsEachStatementOnItsOwn) {
  PgConn conn(node_.Dsn());
  ASSERT_TRUE(conn.ok()) << conn.error();
  ASSERT_TRUE(conn.Exec("SET statement_timeout = 200").ok);
  EXPECT_EQ(Rows(conn.Exec("SHOW statement_timeout")), std::vector<std::string>{"200ms"});
  QueryResult r = conn.Exec(kLongQuery);
  EXPECT_EQ(r.sqlstate, "57014");
  EXPECT_EQ(r.message, "canceling statement due to statement timeout");
  // Short statements are unaffected; a block survives as failed.
  EXPECT_TRUE(conn.Exec("SELECT 1").ok);
  ASSERT_TRUE(conn.Exec("BEGIN").ok);
  EXPECT_EQ(conn.Exec(kLongQuery).sqlstate, "57014");
  EXPECT_EQ(conn.TxStatus(), PQTRANS_INERROR);
  EXPECT_TRUE(conn.Exec("ROLLBACK").ok);
  ASSERT_TRUE(conn.Exec("SET statement_timeout = '1min'").ok);
  EXPECT_EQ(Rows(conn.Exec("SHOW statement_timeout")), std::vector<std::string>{"1min"});
  EXPECT_EQ(conn.Exec("SET statement_timeout = 'soon'").sqlstate, "22023");
}

TEST_F(NodeTest, IdleInTransactionSessionTimeoutEndsTheSession) {
  PgConn conn(node_.Dsn());
  ASSERT_TRUE(conn.ok()) << conn.error();
  ASSERT_TRUE(conn.Exec("SET idle_in_transaction_session_timeout = '300ms'").ok);
  // Idle outside a transaction: nothing happens.
  ASSERT_TRUE(conn.Exec("SELECT 1").ok);
  ASSERT_TRUE(conn.Exec("BEGIN").ok);
  const auto until = Clock::now() + std::chrono::seconds(30);
  bool closed = false;
  while (!closed && Clock::now() < until) {
    const int fd = PQsocket(conn.raw());
    fd_set read_set;
    FD_ZERO(&read_set);
    FD_SET(fd, &read_set);
    timeval wait{.tv_sec = 1, .tv_usec = 0};
    select(fd + 1, &read_set, nullptr, nullptr, &wait);
    closed = conn.ReadIdleInput();
  }
  EXPECT_TRUE(closed) << "the session outlived its idle-in-transaction timeout";
  EXPECT_NE(std::find(conn.notices().begin(), conn.notices().end(), "25P03"),
            conn.notices().end());
}

// Settings in the connection's options (libpq's options=..., PGOPTIONS)
// are the session's from the start, and what RESET returns to.
TEST_F(NodeTest, ConnectionOptionsSetTheSessionsDefaults) {
  PgConn conn(node_.Dsn() + " options='-c statement_timeout=200 --enable-pushdown=off'");
  ASSERT_TRUE(conn.ok()) << conn.error();
  EXPECT_EQ(Rows(conn.Exec("SHOW statement_timeout")), std::vector<std::string>{"200ms"});
  EXPECT_EQ(Rows(conn.Exec("SHOW enable_pushdown")), std::vector<std::string>{"off"});
  EXPECT_EQ(conn.Exec(kLongQuery).sqlstate, "57014");
  ASSERT_TRUE(conn.Exec("SET statement_timeout = 0").ok);
  ASSERT_TRUE(conn.Exec("RESET statement_timeout").ok);
  EXPECT_EQ(Rows(conn.Exec("SHOW statement_timeout")), std::vector<std::string>{"200ms"});

  PgConn unknown(node_.Dsn() + " options='-c no_such_setting=1'");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("unrecognized configuration parameter \"no_such_setting\""),
            std::string::npos)
      << unknown.error();
}

// A statement waiting for a row lock ends as any other does: at its
// statement_timeout, at lock_timeout (PostgreSQL's 55P03 "canceling
// statement due to lock timeout"), or at a cancel request; not only at the
// node's own 10 s bound.
TEST_F(NodeTest, LockWaitEndsAtStatementTimeoutLockTimeoutOrCancel) {
  PgConn holder(node_.Dsn());
  PgConn waiter(node_.Dsn());
  ASSERT_TRUE(holder.ok()) << holder.error();
  ASSERT_TRUE(waiter.ok()) << waiter.error();
  ASSERT_TRUE(holder.Exec("CREATE TABLE lock_waits (id int PRIMARY KEY, v int)").ok);
  ASSERT_TRUE(holder.Exec("INSERT INTO lock_waits VALUES (1, 0)").ok);
  ASSERT_TRUE(holder.Exec("BEGIN").ok);
  ASSERT_TRUE(holder.Exec("UPDATE lock_waits SET v = 1 WHERE id = 1").ok);

  ASSERT_TRUE(waiter.Exec("SET statement_timeout = 300").ok);
  QueryResult r = waiter.Exec("UPDATE lock_waits SET v = 2 WHERE id = 1");
  EXPECT_EQ(r.sqlstate, "57014") << r.message;
  EXPECT_EQ(r.message, "canceling statement due to statement timeout");

  ASSERT_TRUE(waiter.Exec("SET statement_timeout = 0").ok);
  ASSERT_TRUE(waiter.Exec("SET lock_timeout = '200ms'").ok);
  r = waiter.Exec("UPDATE lock_waits SET v = 2 WHERE id = 1");
  EXPECT_EQ(r.sqlstate, "55P03") << r.message;
  EXPECT_EQ(r.message, "canceling statement due to lock timeout");

  ASSERT_TRUE(waiter.Exec("SET lock_timeout = 0").ok);
  ExpectCanceledByRequest(waiter.raw(), "UPDATE lock_waits SET v = 3 WHERE id = 1");

  // None of the waiters changed the row; once the holder ends, a writer
  // goes through.
  ASSERT_TRUE(holder.Exec("COMMIT").ok);
  EXPECT_EQ(Rows(waiter.Exec("SELECT v FROM lock_waits")), std::vector<std::string>{"1"});
  EXPECT_TRUE(waiter.Exec("UPDATE lock_waits SET v = 4 WHERE id = 1").ok);
  EXPECT_EQ(Rows(holder.Exec("SELECT v FROM lock_waits")), std::vector<std::string>{"4"});
}

}  // namespace
}  // namespace cairn::e2e
