// Snapshot isolation under contention, checked by an invariant rather than
// exact outputs: client threads move money between a few accounts in
// transactions (retrying on 40001) while reader threads sum all balances in
// transactions of their own. Every sum a reader sees, and the final one,
// must equal the opening total, and no balance may be lost to a partial
// commit.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
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

constexpr int kAccounts = 8;
constexpr int kOpeningBalance = 1000;
constexpr int kWriters = 4;
constexpr int kReaders = 2;
constexpr int kTransfersPerWriter = 60;

TEST_F(NodeTest, ConcurrentTransfersKeepTheTotal) {
  const uint64_t seed = cairn::testing::TestSeed(7);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  {
    PgConn setup(node_.Dsn());
    ASSERT_TRUE(setup.ok()) << setup.error();
    ASSERT_TRUE(setup.Exec("CREATE TABLE bank (id INT PRIMARY KEY, balance BIGINT NOT NULL)").ok);
    std::string values;
    for (int i = 0; i < kAccounts; ++i) {
      values += (i ? ", (" : "(") + std::to_string(i) + ", " +
                std::to_string(kOpeningBalance) + ")";
    }
    ASSERT_TRUE(setup.Exec("INSERT INTO bank VALUES " + values).ok);
  }
  const std::string total = std::to_string(kAccounts * kOpeningBalance);

  std::atomic<bool> writers_done{false};
  std::atomic<int> committed{0}, conflicts{0}, reads{0};
  std::vector<std::string> errors(kWriters + kReaders);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(seed * 1000 + w);
      PgConn pg(node_.Dsn());
      if (!pg.ok()) {
        errors[w] = "connect: " + pg.error();
        return;
      }
      for (int t = 0; t < kTransfersPerWriter; ++t) {
        const int from = static_cast<int>(rng() % kAccounts);
        const int to = static_cast<int>((from + 1 + rng() % (kAccounts - 1)) % kAccounts);
        const std::string amount = std::to_string(1 + rng() % 50);
        // Retry the same transfer until it commits.
        for (int attempt = 0;; ++attempt) {
          if (attempt == 200) {
            errors[w] = "transfer never committed after 200 attempts";
            return;
          }
          const std::string statements[] = {
              "BEGIN",
              "UPDATE bank SET balance = balance - " + amount +
                  " WHERE id = " + std::to_string(from),
              "UPDATE bank SET balance = balance + " + amount + " WHERE id = " + std::to_string(to),
              "COMMIT",
          };
          bool retry = false;
          for (const std::string& sql : statements) {
            QueryResult r = pg.Exec(sql);
            if (r.ok && !(sql == "COMMIT" && r.tag != "COMMIT")) continue;
            if (r.ok || r.sqlstate == "40001") {
              retry = true;  // COMMIT answered ROLLBACK, or a conflict
              break;
            }
            errors[w] = sql + ": " + r.sqlstate + " " + r.message;
            return;
          }
          if (!retry) break;
          conflicts.fetch_add(1);
          if (pg.TxStatus() != PQTRANS_IDLE && !pg.Exec("ROLLBACK").ok) {
            errors[w] = "ROLLBACK failed";
            return;
          }
        }
        committed.fetch_add(1);
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::string& error = errors[kWriters + r];
      PgConn pg(node_.Dsn());
      if (!pg.ok()) {
        error = "connect: " + pg.error();
        return;
      }
      // At least one read after the writers finish, so the final state is
      // checked too.
      for (bool last = false; !last;) {
        last = writers_done.load();
        // Two reads in one transaction: one snapshot, the same total.
        const std::string statements[] = {
            "BEGIN",
            "SELECT sum(balance), count(*) FROM bank",
            "SELECT sum(balance) FROM bank WHERE id % 2 = 0",
            "SELECT sum(balance) FROM bank WHERE id % 2 = 1",
            "COMMIT",
        };
        std::vector<QueryResult> results;
        for (const std::string& sql : statements) {
          results.push_back(pg.Exec(sql));
          if (!results.back().ok) {
            error = sql + ": " + results.back().sqlstate + " " + results.back().message;
            return;
          }
        }
        const std::vector<std::string> whole = Rows(results[1]);
        const std::string want = total + "|" + std::to_string(kAccounts);
        if (whole.size() != 1 || whole[0] != want) {
          error = "a reader saw sum|count " + (whole.empty() ? "<none>" : whole[0]);
          return;
        }
        const int64_t even = std::stoll(results[2].rows.at(0).at(0).value_or("0"));
        const int64_t odd = std::stoll(results[3].rows.at(0).at(0).value_or("0"));
        if (even + odd != kAccounts * kOpeningBalance) {
          error = "the halves of one snapshot sum to " + std::to_string(even + odd);
          return;
        }
        reads.fetch_add(1);
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writers_done.store(true);
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();

  for (size_t i = 0; i < errors.size(); ++i) EXPECT_EQ(errors[i], "") << "thread " << i;
  EXPECT_EQ(committed.load(), kWriters * kTransfersPerWriter);
  std::printf("bank: %d transfers committed, %d conflicts retried, %d consistent reads\n",
              committed.load(), conflicts.load(), reads.load());

  PgConn check(node_.Dsn());
  ASSERT_TRUE(check.ok()) << check.error();
  QueryResult final_sum = check.Exec("SELECT sum(balance), count(*) FROM bank");
  ASSERT_TRUE(final_sum.ok) << final_sum.sqlstate << " " << final_sum.message;
  EXPECT_EQ(Rows(final_sum), std::vector<std::string>{total + "|" + std::to_string(kAccounts)});
}

}  // namespace
}  // namespace cairn::e2e
