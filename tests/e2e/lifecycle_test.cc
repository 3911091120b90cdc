// Node lifecycle: clean restarts keep committed data, the HTTP status
// endpoints, login to an unknown database, many concurrent sessions, and a
// clean SIGTERM with idle sessions still open.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "pqxx/pqxx"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::cairn::testing::StartupErrorSqlstate;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Runs `sql`, expecting success.
QueryResult Ok(PgConn& c, const std::string& sql) {
  QueryResult r = c.Exec(sql);
  EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
  return r;
}

TEST_F(NodeTest, RestartKeepsCommittedRowsAndTables) {
  {
    PgConn pg(node_.Dsn("postgres"));
    ASSERT_TRUE(pg.ok()) << pg.error();
    Ok(pg, "CREATE TABLE kept (id SERIAL PRIMARY KEY, v TEXT)");
    Ok(pg, "INSERT INTO kept (v) VALUES ('a'), ('b')");
    Ok(pg, "BEGIN");
    Ok(pg, "INSERT INTO kept (v) VALUES ('c')");
    Ok(pg, "UPDATE kept SET v = 'A' WHERE v = 'a'");
    Ok(pg, "COMMIT");
    Ok(pg, "DELETE FROM kept WHERE v = 'b'");
    Ok(pg, "CREATE TABLE empty_table (k INT PRIMARY KEY)");

    PgConn other_db(node_.Dsn("defaultdb"));
    ASSERT_TRUE(other_db.ok()) << other_db.error();
    Ok(other_db, "CREATE TABLE kept (k INT PRIMARY KEY, v TEXT)");
    Ok(other_db, "INSERT INTO kept VALUES (1, 'in defaultdb')");

    // A transaction still open at SIGTERM is not committed.
    PgConn open_txn(node_.Dsn());
    ASSERT_TRUE(open_txn.ok()) << open_txn.error();
    Ok(open_txn, "BEGIN");
    Ok(open_txn, "INSERT INTO kept (v) VALUES ('uncommitted')");

    EXPECT_EQ(node_.Stop(), 0);
    EXPECT_EQ(node_.HttpGet("/health"), 0) << "still answering after exit";
  }
  ASSERT_TRUE(node_.Start());

  PgConn pg(node_.Dsn("postgres"));
  ASSERT_TRUE(pg.ok()) << pg.error();
  EXPECT_THAT(Rows(Ok(pg, "SELECT id, v FROM kept ORDER BY id")), ElementsAre("1|A", "3|c"));
  EXPECT_THAT(Rows(Ok(pg, "SELECT count(*) FROM empty_table")), ElementsAre("0"));
  PgConn other_db(node_.Dsn("defaultdb"));
  ASSERT_TRUE(other_db.ok()) << other_db.error();
  EXPECT_THAT(Rows(Ok(other_db, "SELECT k, v FROM kept")), ElementsAre("1|in defaultdb"));

  // The table stays writable; the SERIAL sequence does not hand out an id
  // it handed out before the restart.
  QueryResult next = Ok(pg, "INSERT INTO kept (v) VALUES ('d') RETURNING id");
  ASSERT_EQ(next.rows.size(), 1u);
  EXPECT_GT(std::stoi(next.rows[0][0].value_or("0")), 4);
  EXPECT_EQ(pg.Exec("CREATE TABLE kept (k INT PRIMARY KEY)").sqlstate, "42P07");

  // A second restart, straight after the first, loses nothing either.
  ASSERT_TRUE(node_.Restart());
  PgConn again(node_.Dsn());
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_THAT(Rows(Ok(again, "SELECT v FROM kept ORDER BY id")), ElementsAre("A", "c", "d"));
}

TEST_F(NodeTest, HealthAndMetricsEndpoints) {
  std::string body;
  EXPECT_EQ(node_.HttpGet("/health", &body), 200);
  EXPECT_EQ(body, "ok\n");
  // Touch the write path so the Raft counters have moved.
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  Ok(pg, "CREATE TABLE m (k INT PRIMARY KEY)");
  Ok(pg, "INSERT INTO m VALUES (1)");
  EXPECT_EQ(node_.HttpGet("/metrics", &body), 200);
  EXPECT_THAT(body, HasSubstr("\ncairn_raft_fsyncs_total "));
  EXPECT_THAT(body, HasSubstr("# TYPE cairn_raft_fsyncs_total counter"));
  EXPECT_EQ(node_.HttpGet("/no-such-page"), 404);
  EXPECT_EQ(node_.HttpGet("/health"), 200);
}

TEST_F(NodeTest, UnknownDatabaseIsRejectedWith3D000) {
  EXPECT_EQ(StartupErrorSqlstate(node_.sql_port(), "root", "no_such_db"), "3D000");
  EXPECT_EQ(StartupErrorSqlstate(node_.sql_port(), "root", "postgres"), "");
  EXPECT_EQ(StartupErrorSqlstate(node_.sql_port(), "root", "defaultdb"), "");
  try {
    pqxx::connection c(node_.Dsn("no_such_db"));
    ADD_FAILURE() << "connected to a database that does not exist";
  } catch (const pqxx::broken_connection& e) {
    EXPECT_THAT(e.what(), HasSubstr("database \"no_such_db\" does not exist"));
  }
  // The node keeps serving.
  PgConn pg(node_.Dsn());
  EXPECT_TRUE(pg.ok()) << pg.error();
}

TEST_F(NodeTest, ManyConcurrentSessionsThenCleanShutdownWithIdleSessions) {
  constexpr int kSessions = 16;
  constexpr int kRowsEach = 5;
  {
    PgConn setup(node_.Dsn());
    ASSERT_TRUE(setup.ok()) << setup.error();
    Ok(setup, "CREATE TABLE busy (session INT, i INT, v INT, PRIMARY KEY (session, i))");
  }
  // Every session connects, writes its own rows (so no conflicts), updates
  // them in a transaction, reads them back, and then stays open, idle.
  std::vector<std::unique_ptr<PgConn>> sessions(kSessions);
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kSessions);
  {
    std::vector<std::thread> threads;
    for (int s = 0; s < kSessions; ++s) {
      threads.emplace_back([&, s] {
        auto fail = [&](const std::string& what) {
          errors[s] = what;
          failures.fetch_add(1);
        };
        sessions[s] = std::make_unique<PgConn>(node_.Dsn());
        PgConn& pg = *sessions[s];
        if (!pg.ok()) return fail("connect: " + pg.error());
        const std::string self = std::to_string(s);
        for (int i = 0; i < kRowsEach; ++i) {
          QueryResult r = pg.Exec("INSERT INTO busy VALUES (" + self + ", " + std::to_string(i) +
                                  ", " + std::to_string(i * 10) + ")");
          if (!r.ok) return fail("insert: " + r.sqlstate + " " + r.message);
        }
        for (const std::string& sql :
             {std::string("BEGIN"), "UPDATE busy SET v = v + 1 WHERE session = " + self,
              std::string("COMMIT")}) {
          QueryResult r = pg.Exec(sql);
          if (!r.ok) return fail(sql + ": " + r.sqlstate + " " + r.message);
        }
        QueryResult r = pg.Exec("SELECT count(*), sum(v) FROM busy WHERE session = " + self);
        std::vector<std::string> want = {std::to_string(kRowsEach) + "|" +
                                         std::to_string(10 * kRowsEach * (kRowsEach - 1) / 2 +
                                                        kRowsEach)};
        if (!r.ok || Rows(r) != want) return fail("readback: " + r.sqlstate + " " + r.message);
      });
    }
    for (auto& t : threads) t.join();
  }
  for (int s = 0; s < kSessions; ++s) EXPECT_EQ(errors[s], "") << "session " << s;
  ASSERT_EQ(failures.load(), 0);
  {
    PgConn check(node_.Dsn());
    ASSERT_TRUE(check.ok()) << check.error();
    EXPECT_THAT(Rows(Ok(check, "SELECT count(*) FROM busy")),
                ElementsAre(std::to_string(kSessions * kRowsEach)));
  }

  // SIGTERM with 16 idle sessions open: the node exits 0, promptly.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(node_.Stop(std::chrono::seconds(5)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The idle sessions find their connections gone.
  for (int s = 0; s < kSessions; ++s) {
    QueryResult r = sessions[s]->Exec("SELECT 1");
    EXPECT_FALSE(r.ok) << "session " << s << " still answered";
  }
}

// Regression test: on SIGTERM the node closed idle sessions without a word,
// so clients reported "server closed the connection unexpectedly".
// PostgreSQL (fast shutdown) first sends each session FATAL 57P01
// admin_shutdown, "terminating connection due to administrator command",
// which poolers and drivers recognise.
TEST_F(NodeTest, ShutdownTellsIdleSessionsWith57P01) {
  PgConn idle(node_.Dsn());
  ASSERT_TRUE(idle.ok()) << idle.error();
  PgConn in_txn(node_.Dsn());
  ASSERT_TRUE(in_txn.ok()) << in_txn.error();
  Ok(in_txn, "BEGIN");
  EXPECT_EQ(node_.Stop(), 0);
  for (PgConn* c : {&idle, &in_txn}) {
    EXPECT_TRUE(c->ReadIdleInput()) << "connection still open after the node exited";
    EXPECT_THAT(c->notices(), ::testing::Contains("57P01"));
  }
}

}  // namespace
}  // namespace cairn::e2e
