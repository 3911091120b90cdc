// CREATE INDEX outside a transaction block builds the index while the
// table takes writes (executor/online_index_build.h): writers insert,
// update (moving indexed values and primary keys) and delete rows during
// the build, and afterwards cairn_check_indexes finds exactly one entry per
// row per index. The build waits for a transaction that began before it;
// a unique build over duplicate values fails with 23505 and leaves no
// index behind.

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cairn_process.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "test_seed.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;

constexpr int kWriters = 3;
constexpr int kRows = 3000;

// Writers run until `stop`, each statement in a transaction of its own or,
// now and then, two in a block; counts what committed.
void RunWriter(const std::string& dsn, uint64_t seed, const std::atomic<bool>& stop,
               std::atomic<int>* committed, std::string* error) {
  std::mt19937_64 rng(seed);
  PgConn pg(dsn);
  if (!pg.ok()) {
    *error = "connect: " + pg.error();
    return;
  }
  auto key = [&] { return std::to_string(rng() % (kRows + 500)); };
  while (!stop.load()) {
    std::string sql;
    switch (rng() % 5) {
      case 0:
        sql = "INSERT INTO ob VALUES (" + key() + ", " + std::to_string(rng() % 100) + ", 'w" +
              std::to_string(rng() % 7) + "')";
        break;
      case 1:
        sql = "UPDATE ob SET grp = grp + 1 WHERE id = " + key();
        break;
      case 2:
        sql = "UPDATE ob SET id = id + 7000, tag = 'moved' WHERE id = " + key();
        break;
      case 3:
        sql = "DELETE FROM ob WHERE id = " + key();
        break;
      default:
        sql = "UPDATE ob SET tag = NULL WHERE id = " + key();
        break;
    }
    const bool block = rng() % 4 == 0;
    if (block && !pg.Exec("BEGIN").ok) {
      *error = "BEGIN failed";
      return;
    }
    QueryResult r = pg.Exec(sql);
    if (!r.ok && r.sqlstate != "23505" && r.sqlstate != "40001") {
      *error = sql + ": " + r.sqlstate + " " + r.message;
      return;
    }
    if (block) {
      QueryResult end = pg.Exec(r.ok ? "COMMIT" : "ROLLBACK");
      if (!end.ok && end.sqlstate != "40001") {
        *error = "end of block: " + end.sqlstate + " " + end.message;
        return;
      }
      if (end.tag != "COMMIT") continue;
    }
    if (r.ok) committed->fetch_add(1);
  }
}

TEST_F(NodeTest, IndexBuiltWhileWritersRunMatchesRows) {
  const uint64_t seed = cairn::testing::TestSeed(23);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  PgConn ddl(node_.Dsn());
  ASSERT_TRUE(ddl.ok()) << ddl.error();
  ASSERT_TRUE(ddl.Exec("CREATE TABLE ob (id INT PRIMARY KEY, grp INT, tag TEXT)").ok);
  ASSERT_TRUE(ddl.Exec("INSERT INTO ob SELECT g, g % 100, 't' || (g % 13) FROM "
                       "generate_series(1, " +
                       std::to_string(kRows) + ") g")
                  .ok);

  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back(RunWriter, node_.Dsn(), seed * 10 + w, std::cref(stop), &committed,
                         &errors[w]);
  }
  // Let the writers get going, then build two indexes while they write.
  while (committed.load() < 20) std::this_thread::yield();
  const int before = committed.load();
  QueryResult grp = ddl.Exec("CREATE INDEX ob_grp ON ob (grp, tag)");
  QueryResult tag = ddl.Exec("CREATE INDEX ob_tag ON ob (tag DESC)");
  const int during = committed.load() - before;
  // And some writes after, through the new indexes.
  const int after_target = committed.load() + 50;
  while (committed.load() < after_target && errors[0].empty()) std::this_thread::yield();
  stop.store(true);
  for (auto& t : writers) t.join();
  ASSERT_TRUE(grp.ok) << grp.sqlstate << " " << grp.message;
  ASSERT_TRUE(tag.ok) << tag.sqlstate << " " << tag.message;
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  std::printf("writes committed during the two builds: %d\n", during);
  EXPECT_GT(during, 0) << "the writers did not overlap the builds";

  QueryResult rows = ddl.Exec("SELECT count(*) FROM ob");
  ASSERT_TRUE(rows.ok) << rows.message;
  const int64_t count = std::stoll(rows.rows.at(0).at(0).value());
  QueryResult checked = ddl.Exec("SELECT cairn_check_indexes('ob')");
  ASSERT_TRUE(checked.ok) << checked.sqlstate << " " << checked.message;
  EXPECT_EQ(Rows(checked), std::vector<std::string>{std::to_string(2 * count)});
  // Readers use them now.
  QueryResult plan = ddl.Exec("EXPLAIN SELECT id FROM ob WHERE grp = 5");
  ASSERT_TRUE(plan.ok) << plan.message;
  std::string plan_text;
  for (const std::string& line : Rows(plan)) plan_text += line + "\n";
  EXPECT_NE(plan_text.find("using ob_grp"), std::string::npos) << plan_text;
}

TEST_F(NodeTest, IndexBuildWaitsForOlderTransaction) {
  PgConn ddl(node_.Dsn());
  PgConn older(node_.Dsn());
  ASSERT_TRUE(ddl.ok() && older.ok());
  ASSERT_TRUE(ddl.Exec("CREATE TABLE ow (id INT PRIMARY KEY, v INT)").ok);
  ASSERT_TRUE(ddl.Exec("INSERT INTO ow VALUES (1, 10), (2, 20)").ok);
  // A transaction that read the table before the index existed, and writes.
  ASSERT_TRUE(older.Exec("BEGIN").ok);
  ASSERT_TRUE(older.Exec("SELECT * FROM ow").ok);
  ASSERT_TRUE(older.Exec("INSERT INTO ow VALUES (3, 30)").ok);

  std::future<QueryResult> build =
      std::async(std::launch::async, [&] { return ddl.Exec("CREATE INDEX ow_v ON ow (v)"); });
  // It cannot finish while that transaction is open.
  EXPECT_EQ(build.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);
  QueryResult commit = older.Exec("COMMIT");
  ASSERT_TRUE(commit.ok) << commit.message;
  EXPECT_EQ(commit.tag, "COMMIT");
  QueryResult built = build.get();
  ASSERT_TRUE(built.ok) << built.sqlstate << " " << built.message;
  EXPECT_EQ(Rows(ddl.Exec("SELECT cairn_check_indexes('ow')")), std::vector<std::string>{"3"});
  EXPECT_EQ(Rows(ddl.Exec("SELECT id FROM ow WHERE v = 30")), std::vector<std::string>{"3"});
}

TEST_F(NodeTest, FailedUniqueBuildLeavesNoIndex) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE ou (id INT PRIMARY KEY, email TEXT)").ok);
  ASSERT_TRUE(
      pg.Exec("INSERT INTO ou SELECT g, 'e' || (g % 500) FROM generate_series(1, 2000) g").ok);
  QueryResult r = pg.Exec("CREATE UNIQUE INDEX ou_email ON ou (email)");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.sqlstate, "23505");
  EXPECT_EQ(r.message, "could not create unique index \"ou_email\"");
  EXPECT_EQ(Rows(pg.Exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'ou'")),
            std::vector<std::string>{"1"});  // the primary key's only
  // The name is free again, and writes go on.
  ASSERT_TRUE(pg.Exec("INSERT INTO ou VALUES (5000, 'e1')").ok);
  ASSERT_TRUE(pg.Exec("DELETE FROM ou WHERE id > 500").ok);
  QueryResult again = pg.Exec("CREATE UNIQUE INDEX ou_email ON ou (email)");
  ASSERT_TRUE(again.ok) << again.sqlstate << " " << again.message;
  EXPECT_EQ(Rows(pg.Exec("SELECT cairn_check_indexes('ou')")), std::vector<std::string>{"500"});
  QueryResult dup = pg.Exec("INSERT INTO ou VALUES (6000, 'e7')");
  EXPECT_EQ(dup.sqlstate, "23505");
}

}  // namespace
}  // namespace cairn::e2e
