// Secondary indexes stay in step with their rows: client threads insert,
// update (moving indexed values, primary keys too) and delete rows of a
// table with a unique and a non-unique index, in transactions that may
// conflict; afterwards cairn_check_indexes finds exactly one entry per row
// per index. And of clients racing to insert the same unique value, exactly
// one wins; the others get 23505.

#include <atomic>
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

constexpr int kWriters = 4;
constexpr int kStatementsPerWriter = 80;
constexpr int kKeys = 40;

TEST_F(NodeTest, IndexesMatchRowsAfterConcurrentWrites) {
  const uint64_t seed = cairn::testing::TestSeed(11);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  {
    PgConn setup(node_.Dsn());
    ASSERT_TRUE(setup.ok()) << setup.error();
    ASSERT_TRUE(setup.Exec("CREATE TABLE ic (id INT PRIMARY KEY, email TEXT UNIQUE, team INT, "
                           "note TEXT)")
                    .ok);
    ASSERT_TRUE(setup.Exec("CREATE INDEX ic_team ON ic (team DESC, note)").ok);
  }
  std::vector<std::string> errors(kWriters);
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(seed * 100 + w);
      PgConn pg(node_.Dsn());
      if (!pg.ok()) {
        errors[w] = "connect: " + pg.error();
        return;
      }
      auto key = [&] { return std::to_string(rng() % kKeys); };
      auto email = [&] {
        return rng() % 4 == 0 ? std::string("NULL") : "'e" + std::to_string(rng() % kKeys) + "'";
      };
      for (int i = 0; i < kStatementsPerWriter; ++i) {
        std::string sql;
        switch (rng() % 5) {
          case 0:
          case 1:
            sql = "INSERT INTO ic VALUES (" + key() + ", " + email() + ", " +
                  std::to_string(rng() % 5) + ", 'n" + std::to_string(rng() % 3) + "')";
            break;
          case 2: sql = "UPDATE ic SET email = " + email() + " WHERE id = " + key(); break;
          case 3:
            sql = "UPDATE ic SET id = id + " + std::to_string(1 + rng() % 3) +
                  ", team = team + 1 WHERE id = " + key();
            break;
          default: sql = "DELETE FROM ic WHERE id = " + key(); break;
        }
        // In a block of two statements now and then, so conflicts abort
        // whole transactions.
        const bool block = rng() % 3 == 0;
        if (block && !pg.Exec("BEGIN").ok) {
          errors[w] = "BEGIN failed";
          return;
        }
        QueryResult r = pg.Exec(sql);
        if (!r.ok && r.sqlstate != "23505" && r.sqlstate != "40001") {
          errors[w] = sql + ": " + r.sqlstate + " " + r.message;
          return;
        }
        if (block) {
          QueryResult end = pg.Exec(r.ok && rng() % 2 == 0 ? "COMMIT" : "ROLLBACK");
          if (!end.ok && end.sqlstate != "40001" && end.sqlstate != "23505") {
            errors[w] = "end of block: " + end.sqlstate + " " + end.message;
            return;
          }
        }
        if (r.ok) committed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  EXPECT_GT(committed.load(), 0);

  PgConn check(node_.Dsn());
  ASSERT_TRUE(check.ok()) << check.error();
  QueryResult rows = check.Exec("SELECT count(*), count(email) FROM ic");
  ASSERT_TRUE(rows.ok) << rows.message;
  const int64_t count = std::stoll(rows.rows.at(0).at(0).value());
  QueryResult checked = check.Exec("SELECT cairn_check_indexes('ic')");
  ASSERT_TRUE(checked.ok) << checked.sqlstate << " " << checked.message;
  // One entry per row in each of the two indexes.
  EXPECT_EQ(Rows(checked), std::vector<std::string>{std::to_string(2 * count)});
  // And the unique column holds no value twice.
  QueryResult dup = check.Exec(
      "SELECT count(*) FROM (SELECT email FROM ic WHERE email IS NOT NULL GROUP BY email "
      "HAVING count(*) > 1) d");
  ASSERT_TRUE(dup.ok) << dup.message;
  EXPECT_EQ(Rows(dup), std::vector<std::string>{"0"});
}

TEST_F(NodeTest, OneOfRacingUniqueInsertsWins) {
  {
    PgConn setup(node_.Dsn());
    ASSERT_TRUE(setup.ok()) << setup.error();
    ASSERT_TRUE(setup.Exec("CREATE TABLE race (id INT PRIMARY KEY, email TEXT)").ok);
    ASSERT_TRUE(setup.Exec("CREATE UNIQUE INDEX race_email ON race (email)").ok);
  }
  constexpr int kRacers = 6;
  std::vector<std::string> outcomes(kRacers);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      PgConn pg(node_.Dsn());
      if (!pg.ok()) {
        outcomes[i] = "connect";
        return;
      }
      ready.fetch_add(1);
      while (ready.load() < kRacers) std::this_thread::yield();
      QueryResult r =
          pg.Exec("INSERT INTO race VALUES (" + std::to_string(i) + ", 'same@example.com')");
      outcomes[i] = r.ok ? "ok" : r.sqlstate;
    });
  }
  for (auto& t : threads) t.join();
  int wins = 0;
  for (const std::string& o : outcomes) {
    if (o == "ok") {
      ++wins;
    } else {
      EXPECT_EQ(o, "23505");
    }
  }
  EXPECT_EQ(wins, 1);
  PgConn check(node_.Dsn());
  EXPECT_EQ(Rows(check.Exec("SELECT count(*) FROM race")), std::vector<std::string>{"1"});
  EXPECT_EQ(Rows(check.Exec("SELECT cairn_check_indexes('race')")), std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace cairn::e2e
