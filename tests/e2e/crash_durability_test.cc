// Crash durability: clients commit transactions while the node is killed
// with SIGKILL (or stopped with SIGTERM) at a random moment; after a restart
// every acknowledged commit must be there, and every transaction must be all
// or nothing.
//
// SIGKILL ends the process but not the machine: what the node wrote without
// fsync is still in the page cache. The test checks that commits are
// acknowledged only after they reach the engine and that recovery puts them
// back together, not that they reach the disk.
//
// Workload: each client thread k runs, in a loop,
//   BEGIN; INSERT INTO items VALUES (<new id>, k); UPDATE counters SET n = n + 1
//   WHERE thread = k; COMMIT
// and records the outcome of each id: acknowledged (COMMIT answered COMMIT),
// rejected (an SQL error, so it rolled back), or in doubt (the connection
// died after COMMIT was sent). A thread stops at the first lost connection,
// so it has at most one transaction in doubt per crash.
//
// Invariants checked after each restart, per thread k:
//   acknowledged(k) ⊆ present(k) ⊆ acknowledged(k) ∪ in_doubt(k)
//   counters[k] == |present(k)|          (the two writes commit together)
//   nothing rejected, or resolved absent after an earlier crash, reappears.
// In-doubt ids are then resolved by what was found: present ones count as
// acknowledged from then on, absent ones as rejected.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cairn_process.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "test_seed.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::CairnProcess;

constexpr int kThreads = 4;
constexpr int kCrashes = 3;
// Commits to wait for before the fault may come, so every fault hits a
// running workload.
constexpr int kMinCommitsBeforeKill = 20;

// What one client thread knows about its own transactions; touched only by
// that thread while the workload runs, and by the test between runs.
struct Ledger {
  int64_t next_seq = 0;
  std::set<int64_t> acknowledged;
  std::set<int64_t> in_doubt;  // from the latest crash only
  std::set<int64_t> absent;    // rejected, or in doubt and found absent
  std::vector<std::string> unexpected;  // errors a healthy node should not give
};

int64_t IdFor(int thread, int64_t seq) { return int64_t{thread} * 1'000'000'000 + seq; }

// One client thread's workload, until its connection breaks or `stop`.
void RunClient(const std::string& dsn, int thread, Ledger* ledger, std::atomic<bool>* stop,
               std::atomic<int>* acknowledged) {
  PgConn pg(dsn);
  if (!pg.ok()) return;  // the node is already gone
  const std::string k = std::to_string(thread);
  while (!stop->load()) {
    const int64_t id = IdFor(thread, ledger->next_seq++);
    const std::string statements[] = {
        "BEGIN",
        "INSERT INTO items VALUES (" + std::to_string(id) + ", " + k + ")",
        "UPDATE counters SET n = n + 1 WHERE thread = " + k,
    };
    bool failed = false;
    for (const std::string& sql : statements) {
      QueryResult r = pg.Exec(sql);
      if (r.ok) continue;
      // No COMMIT was sent: this id can never have committed.
      ledger->absent.insert(id);
      if (r.connection_lost) return;
      // Locks left by a killed transaction make writes fail with 40001
      // until they are resolved; the client retries, like any application.
      if (r.sqlstate != "40001") {
        ledger->unexpected.push_back(sql + ": " + r.sqlstate + " " + r.message);
      }
      QueryResult rollback = pg.Exec("ROLLBACK");
      if (rollback.connection_lost) return;
      failed = true;
      break;
    }
    if (failed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // retry backoff
      continue;
    }
    QueryResult commit = pg.Exec("COMMIT");
    if (commit.ok && commit.tag == "COMMIT") {
      ledger->acknowledged.insert(id);
      acknowledged->fetch_add(1);
    } else if (commit.connection_lost) {
      ledger->in_doubt.insert(id);
      return;
    } else {
      ledger->absent.insert(id);
      if (commit.sqlstate != "40001") {
        ledger->unexpected.push_back("COMMIT: " + commit.tag + " " + commit.sqlstate + " " +
                                     commit.message);
      }
    }
  }
}

// The workload and its checks, over any number of faults.
class LedgerWorkload {
 public:
  explicit LedgerWorkload(CairnProcess* node) : node_(node), ledgers_(kThreads) {}

  ::testing::AssertionResult CreateTables() {
    PgConn setup(node_->Dsn());
    if (!setup.ok()) return ::testing::AssertionFailure() << setup.error();
    static_assert(kThreads == 4, "one counters row per thread");
    for (const char* sql : {"CREATE TABLE items (id BIGINT PRIMARY KEY, thread INT)",
                            "CREATE TABLE counters (thread INT PRIMARY KEY, n BIGINT)",
                            "INSERT INTO counters VALUES (0, 0), (1, 0), (2, 0), (3, 0)"}) {
      QueryResult r = setup.Exec(sql);
      if (!r.ok) return ::testing::AssertionFailure() << sql << ": " << r.message;
    }
    return ::testing::AssertionSuccess();
  }

  // Runs the clients until they commit kMinCommitsBeforeKill transactions,
  // then for `load_time` more, then calls `fault` (which must end the node)
  // and waits for the clients to stop.
  ::testing::AssertionResult Run(std::chrono::milliseconds load_time,
                                 const std::function<void()>& fault) {
    std::atomic<bool> stop{false};
    std::atomic<int> acknowledged{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < kThreads; ++t) {
      clients.emplace_back(RunClient, node_->Dsn(), t, &ledgers_[t], &stop, &acknowledged);
    }
    // Wait for the workload to be committing, so that every fault hits a
    // running workload.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acknowledged.load() < kMinCommitsBeforeKill &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const bool loaded = acknowledged.load() >= kMinCommitsBeforeKill;
    if (loaded) std::this_thread::sleep_for(load_time);  // the fault's timing, from the seed
    fault();
    stop.store(true);
    for (auto& c : clients) c.join();
    if (!loaded) {
      return ::testing::AssertionFailure() << "only " << acknowledged.load() << " commits in 30 s";
    }
    return ::testing::AssertionSuccess();
  }

  // Checks the invariants against the restarted node, then resolves the
  // in-doubt ids by what it found. Prints a summary line.
  void Verify(const std::string& label) {
    PgConn check(node_->Dsn());
    ASSERT_TRUE(check.ok()) << check.error();
    // Both reads from one snapshot.
    ASSERT_TRUE(check.Exec("BEGIN").ok);
    QueryResult items = check.Exec("SELECT id, thread FROM items");
    QueryResult counters = check.Exec("SELECT thread, n FROM counters ORDER BY thread");
    ASSERT_TRUE(check.Exec("COMMIT").ok);
    ASSERT_TRUE(items.ok) << items.sqlstate << " " << items.message;
    ASSERT_TRUE(counters.ok) << counters.sqlstate << " " << counters.message;

    std::vector<std::set<int64_t>> present(kThreads);
    for (const auto& row : items.rows) {
      const int64_t id = std::stoll(row[0].value());
      const int thread = std::stoi(row[1].value());
      ASSERT_TRUE(thread >= 0 && thread < kThreads) << "id " << id;
      EXPECT_EQ(id / 1'000'000'000, thread) << "id " << id << " in the wrong thread";
      present[thread].insert(id);
    }
    ASSERT_EQ(counters.rows.size(), static_cast<size_t>(kThreads));

    int total_acked = 0, total_in_doubt = 0, in_doubt_committed = 0;
    for (int t = 0; t < kThreads; ++t) {
      SCOPED_TRACE("thread " + std::to_string(t));
      Ledger& ledger = ledgers_[t];
      for (const std::string& e : ledger.unexpected) ADD_FAILURE() << "unexpected error: " << e;
      ledger.unexpected.clear();
      for (int64_t id : ledger.acknowledged) {
        EXPECT_TRUE(present[t].count(id)) << "acknowledged commit of id " << id << " lost";
      }
      for (int64_t id : present[t]) {
        EXPECT_TRUE(ledger.acknowledged.count(id) || ledger.in_doubt.count(id))
            << "id " << id << " is present but was never committed"
            << (ledger.absent.count(id) ? " (it was rejected, or absent after an earlier fault)"
                                        : "");
      }
      EXPECT_LE(ledger.in_doubt.size(), 1u);
      // Atomicity: the counter moved exactly once per row that exists.
      EXPECT_EQ(counters.rows[t][0].value(), std::to_string(t));
      EXPECT_EQ(counters.rows[t][1].value(), std::to_string(present[t].size()))
          << "counter and rows disagree: a transaction was applied in part";

      total_acked += static_cast<int>(ledger.acknowledged.size());
      total_in_doubt += static_cast<int>(ledger.in_doubt.size());
      for (int64_t id : ledger.in_doubt) {
        if (present[t].count(id)) {
          ledger.acknowledged.insert(id);
          ++in_doubt_committed;
        } else {
          ledger.absent.insert(id);
        }
      }
      ledger.in_doubt.clear();
    }
    std::printf("%s: %d commits acknowledged so far, %d in doubt (%d of them committed)\n",
                label.c_str(), total_acked, total_in_doubt, in_doubt_committed);
  }

 private:
  CairnProcess* node_;
  std::vector<Ledger> ledgers_;
};

TEST(CrashDurabilityTest, AcknowledgedCommitsSurviveKillNineAndTransactionsStayAtomic) {
  const uint64_t seed = cairn::testing::TestSeed(20261124);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  std::printf("crash durability: %s\n", cairn::testing::SeedTrace(seed).c_str());
  std::mt19937_64 rng(seed);

  CairnProcess node;
  ASSERT_TRUE(node.Start());
  LedgerWorkload workload(&node);
  ASSERT_TRUE(workload.CreateTables());
  for (int crash = 1; crash <= kCrashes; ++crash) {
    SCOPED_TRACE("crash " + std::to_string(crash));
    const auto load_time = std::chrono::milliseconds(200 + rng() % 1000);
    ASSERT_TRUE(workload.Run(load_time, [&] { node.Kill(); }));
    ASSERT_TRUE(node.Start()) << "restart after SIGKILL";
    if (crash == 2) {
      // Crash again as soon as the node serves, before anything reads the
      // data: recovering twice must give the same result.
      node.Kill();
      ASSERT_TRUE(node.Start()) << "restart after a second SIGKILL";
    }
    ASSERT_NO_FATAL_FAILURE(workload.Verify("SIGKILL " + std::to_string(crash) + " after " +
                                            std::to_string(load_time.count()) + " ms of load"));
    if (HasFailure()) break;
  }
  EXPECT_EQ(node.Stop(), 0);
}

// SIGTERM in the middle of the same workload: the node drains and exits 0
// within a few seconds, and loses nothing it acknowledged.
TEST(CrashDurabilityTest, CleanShutdownUnderLoadExitsZeroAndKeepsCommits) {
  const uint64_t seed = cairn::testing::TestSeed(20261125);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);

  CairnProcess node;
  ASSERT_TRUE(node.Start());
  LedgerWorkload workload(&node);
  ASSERT_TRUE(workload.CreateTables());
  const auto load_time = std::chrono::milliseconds(100 + rng() % 500);
  int exit_code = -2;
  ASSERT_TRUE(workload.Run(load_time, [&] { exit_code = node.Stop(std::chrono::seconds(5)); }));
  EXPECT_EQ(exit_code, 0);
  ASSERT_TRUE(node.Start()) << "restart after SIGTERM";
  ASSERT_NO_FATAL_FAILURE(workload.Verify("SIGTERM after " + std::to_string(load_time.count()) +
                                          " ms of load"));
  EXPECT_EQ(node.Stop(), 0);
}

}  // namespace
}  // namespace cairn::e2e
