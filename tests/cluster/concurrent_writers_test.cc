// Writers through every node of a cluster at once: transfers checked by the
// bank invariant, and a unique value raced through three nodes.

#include "cluster_fixture.h"

namespace cairn::cluster {
namespace {

// ---------------------------------------------------------------------------
// Transfers through every node at once

constexpr int kAccounts = 10;
constexpr int kOpeningBalance = 100;
// How long the writers run (the length of the workload, not a wait).
constexpr std::chrono::seconds kTransferFor(5);
// A transfer that fails this often in a row is a bug, not contention.
constexpr int kMaxAttempts = 200;
// Sessions a writer may lose (and open anew) before it gives up.
constexpr int kMaxReconnects = 5;
// Each writer reads the total after every kReadEvery transfers.
constexpr int kReadEvery = 8;

// What one writer did; the test thread reads it after join().
struct WriterReport {
  int node = 0;
  int committed = 0;  // transfers whose COMMIT answered COMMIT
  int retried = 0;    // attempts that certainly did not commit and were tried again
  int unknown = 0;    // COMMITs whose outcome is unknown (connection lost, 40003)
  int reads = 0;      // totals read meanwhile, all equal to the opening total
  std::vector<int64_t> delta = std::vector<int64_t>(kAccounts, 0);  // from committed transfers
  std::string error;  // why the writer gave up; "" if it did not
};

enum class Attempt {
  kCommitted,
  kNotCommitted,  // certainly not committed: retry
  kUnknown,       // it may have committed: do not retry
  kFailed,        // an error no retry cures; *error says which
};

// Errors after which the transaction certainly did not commit and a retry
// may succeed: serialization failure, deadlock, lock not available, and
// 40003 before COMMIT (the transaction cannot commit after it).
bool IsTransient(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "40003";
}

// One try at moving `amount` from account `from` to `to` in an explicit
// transaction on `pg`.
Attempt TryTransfer(PgConn& pg, int from, int to, int amount, std::string* error) {
  const std::string statements[] = {
      "BEGIN",
      absl::StrCat("UPDATE accounts SET balance = balance - ", amount, " WHERE id = ", from),
      absl::StrCat("UPDATE accounts SET balance = balance + ", amount, " WHERE id = ", to),
      "COMMIT",
  };
  for (const std::string& sql : statements) {
    const bool is_commit = sql == "COMMIT";
    QueryResult r = pg.Exec(sql);
    if (r.ok) {
      if (is_commit && r.tag != "COMMIT") return Attempt::kNotCommitted;  // answered ROLLBACK
      if (absl::StartsWith(sql, "UPDATE") && r.tag != "UPDATE 1") {
        *error = absl::StrCat(sql, ": tag ", r.tag);
        return Attempt::kFailed;
      }
      continue;
    }
    if (is_commit && (r.connection_lost || r.sqlstate == "40003")) return Attempt::kUnknown;
    if (r.connection_lost) return Attempt::kNotCommitted;  // the caller opens a new session
    if (!IsTransient(r.sqlstate)) {
      *error = absl::StrCat(sql, ": ", r.sqlstate, " ", r.message);
      return Attempt::kFailed;
    }
    if (pg.TxStatus() != PQTRANS_IDLE) {
      QueryResult rollback = pg.Exec("ROLLBACK");
      if (!rollback.ok && !rollback.connection_lost) {
        *error = absl::StrCat("ROLLBACK: ", rollback.sqlstate, " ", rollback.message);
        return Attempt::kFailed;
      }
    }
    return Attempt::kNotCommitted;
  }
  return Attempt::kCommitted;
}

// Moves random amounts between random accounts through `dsn` until `stop`,
// each transfer retried until it commits (or its outcome is unknown), and
// now and then reads the total. Stops early, with report->error, on an error
// no retry cures.
void RunWriter(const std::string& dsn, uint64_t seed, const std::atomic<bool>& stop,
               WriterReport* report) {
  const std::string want_total = absl::StrCat(kAccounts * kOpeningBalance, "|", kAccounts);
  std::mt19937_64 rng(seed);
  std::unique_ptr<PgConn> pg = Connect(dsn);
  int reconnects = 0;
  for (int transfers = 1; !stop.load(); ++transfers) {
    const int from = static_cast<int>(rng() % kAccounts);
    const int to = static_cast<int>((from + 1 + rng() % (kAccounts - 1)) % kAccounts);
    const int amount = static_cast<int>(1 + rng() % 20);
    for (int attempt = 1;; ++attempt) {
      if (attempt > kMaxAttempts) {
        report->error = absl::StrCat("a transfer did not commit in ", kMaxAttempts, " attempts");
        return;
      }
      if (!pg->ok()) {
        if (++reconnects > kMaxReconnects) {
          report->error = absl::StrCat("lost the session ", reconnects, " times: ", pg->error());
          return;
        }
        pg = Connect(dsn);
        continue;
      }
      std::string error;
      const Attempt outcome = TryTransfer(*pg, from, to, amount, &error);
      if (outcome == Attempt::kFailed) {
        report->error = error;
        return;
      }
      if (outcome == Attempt::kUnknown) {
        ++report->unknown;
        break;
      }
      if (outcome == Attempt::kCommitted) {
        ++report->committed;
        report->delta[from] -= amount;
        report->delta[to] += amount;
        break;
      }
      ++report->retried;
      if (stop.load()) break;  // not committed, and time is up
    }
    if (transfers % kReadEvery == 0 && pg->ok()) {
      QueryResult r = pg->Exec("SELECT sum(balance), count(*) FROM accounts");
      if (r.ok) {
        if (Rows(r) != std::vector<std::string>{want_total}) {
          report->error =
              absl::StrCat("read sum|count ", absl::StrJoin(Rows(r), ","), ", want ", want_total);
          return;
        }
        ++report->reads;
      } else if (!r.connection_lost && !IsTransient(r.sqlstate)) {
        report->error = absl::StrCat("reading the total: ", r.sqlstate, " ", r.message);
        return;
      }
    }
  }
}

TEST_F(ClusterTest, ConcurrentWritersThroughEveryNode) {
  const uint64_t seed = cairn::testing::TestSeed(11);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  constexpr int kNodes = 3;
  ASSERT_TRUE(StartCluster(kNodes));
  ASSERT_TRUE(WaitForMembership(1, {true, true, true}));

  ExecOk(1, "CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
  std::vector<std::string> values;
  for (int i = 0; i < kAccounts; ++i)
    values.push_back(absl::StrCat("(", i, ", ", kOpeningBalance, ")"));
  EXPECT_EQ(ExecOk(1, "INSERT INTO accounts VALUES " + absl::StrJoin(values, ", ")),
            absl::StrCat("INSERT 0 ", kAccounts));
  const std::string want_total = absl::StrCat(kAccounts * kOpeningBalance, "|", kAccounts);

  // One writer per node, each on its own node's SQL port.
  std::atomic<bool> stop{false};
  std::vector<WriterReport> reports(kNodes);
  std::vector<std::thread> writers;
  for (int id = 1; id <= kNodes; ++id) {
    reports[id - 1].node = id;
    writers.emplace_back(RunWriter, node(id).Dsn(), seed * 1000 + id, std::cref(stop),
                         &reports[id - 1]);
  }
  std::this_thread::sleep_for(kTransferFor);
  stop.store(true);
  for (std::thread& t : writers) t.join();

  int unknown = 0;
  for (const WriterReport& r : reports) {
    std::printf(
        "[cluster] writer via node %d: %d transfers committed, %d attempts retried, "
        "%d outcomes unknown, %d consistent totals read\n",
        r.node, r.committed, r.retried, r.unknown, r.reads);
    EXPECT_EQ(r.error, "") << "writer via node " << r.node;
    EXPECT_GT(r.committed, 0) << "node " << r.node << " committed no transfer in "
                              << kTransferFor.count() << " s";
    unknown += r.unknown;
  }

  // The total is the opening one, through every node.
  for (int via = 1; via <= kNodes; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT sum(balance), count(*) FROM accounts"),
                ElementsAre(want_total))
        << "through node " << via;
  }
  // Every node sees the same balances, and (unless some COMMIT's outcome was
  // unknown) each is the opening balance plus what the acknowledged
  // transfers moved: none lost, none applied twice.
  const std::vector<std::string> balances =
      QueryRows(1, "SELECT id, balance FROM accounts ORDER BY id");
  for (int via = 2; via <= kNodes; ++via) {
    EXPECT_EQ(QueryRows(via, "SELECT id, balance FROM accounts ORDER BY id"), balances)
        << "balances through node " << via << " differ from those through node 1";
  }
  if (unknown == 0) {
    std::vector<std::string> want;
    for (int i = 0; i < kAccounts; ++i) {
      int64_t balance = kOpeningBalance;
      for (const WriterReport& r : reports) balance += r.delta[i];
      want.push_back(absl::StrCat(i, "|", balance));
    }
    EXPECT_THAT(balances, ElementsAreArray(want))
        << "the balances are not what the acknowledged transfers add up to";
  } else {
    std::printf("[cluster] %d COMMIT outcomes unknown: per-account balances not checked\n",
                unknown);
  }
  std::printf("[cluster] total %s through nodes 1..%d; balances: %s\n", want_total.c_str(), kNodes,
              absl::StrJoin(balances, " ").c_str());
}

// Issue #6: uniqueness holds under concurrent inserts through different
// nodes: for each value, writers on three nodes race to insert a row with
// it (each with its own primary key); one wins, the others get 23505 (a
// 40001 is retried), and no value ever has two rows.
TEST_F(ClusterTest, UniqueValueRacedThroughThreeNodesHasOneRow) {
  constexpr int kValues = 40;
  ASSERT_TRUE(StartCluster(3));
  ASSERT_TRUE(WaitForReplicatedOn(1, {1, 2, 3}));
  ExecOk(1, "CREATE TABLE racers (id INT PRIMARY KEY, u INT NOT NULL, via INT)");
  ExecOk(1, "CREATE UNIQUE INDEX racers_u ON racers (u)");
  std::atomic<int> wins{0}, duplicates{0}, retries{0};
  std::vector<std::string> unexpected;
  absl::Mutex mu;
  std::vector<std::thread> writers;
  for (int via = 1; via <= 3; ++via) {
    writers.emplace_back([&, via] {
      std::unique_ptr<PgConn> pg = Connect(node(via).Dsn());
      for (int value = 0; value < kValues; ++value) {
        const std::string sql = absl::StrCat("INSERT INTO racers VALUES (", value * 10 + via, ", ",
                                             value, ", ", via, ")");
        for (;;) {
          QueryResult r = pg->Exec(sql);
          if (r.ok) {
            wins.fetch_add(1);
          } else if (r.sqlstate == "23505") {
            duplicates.fetch_add(1);
          } else if (r.sqlstate == "40001") {
            retries.fetch_add(1);
            continue;
          } else {
            absl::MutexLock lock(&mu);
            unexpected.push_back(absl::StrCat("via node ", via, ": ", r.sqlstate, " ", r.message));
            if (r.connection_lost) pg = Connect(node(via).Dsn());
          }
          break;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_THAT(unexpected, ::testing::IsEmpty());
  EXPECT_EQ(wins.load(), kValues) << "one insert per value succeeds";
  EXPECT_EQ(duplicates.load(), 2 * kValues) << "the other two get 23505";
  for (int via = 1; via <= 3; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT u FROM racers GROUP BY u HAVING count(*) > 1"),
                ::testing::IsEmpty())
        << "through node " << via;
    EXPECT_THAT(QueryRows(via, "SELECT count(DISTINCT u), count(*) FROM racers"),
                ElementsAre(absl::StrCat(kValues, "|", kValues)))
        << "through node " << via;
  }
  std::printf(
      "[cluster] %d values raced through nodes 1-3: %d inserts won, %d got 23505, %d "
      "retried after 40001\n",
      kValues, wins.load(), duplicates.load(), retries.load());
}

}  // namespace
}  // namespace cairn::cluster
