// Jepsen-style bank test on a real cluster. Accounts spread over ranges of
// their own (ALTER TABLE ... SPLIT AT), whose leases sit on different
// nodes; writer clients move money between two accounts in explicit
// transactions (read both balances, UPDATE both to new absolute values,
// COMMIT), never overdrawing, through random nodes, retrying on conflicts
// and moving to another node when their connection breaks; reader clients
// sum the balances, inside BEGIN ... COMMIT and in plain statements. All
// the while the nemesis (nemesis.h) kills, pauses and splits. Every sum any
// reader sees must be the opening total, no balance may ever read negative,
// and at the end every node must agree on the same balances with the
// opening total.
//
// Each account also has a version, which every transfer sets to one more
// than it read: two committed transfers that read the same version of an
// account are a lost update, and name the transactions that made it.
//
// Short form (make test): 3 nodes and 5 nodes, CAIRN_JEPSEN_SECONDS (default
// 20) each. Long form, many seeds (see the script):
//   bench/jepsen_soak.sh build 300 20       # 300 s runs, 20 seeds
//   one seed, two minutes a run (from build/):
//   CAIRN_TEST_SEED=7 CAIRN_JEPSEN_SECONDS=120 tests/cluster/jepsen_test --gtest_filter='*Bank*'

#include "jepsen_workload.h"

namespace cairn::cluster {
namespace {

// Accounts 100, 200, ..., 800: room between them for splits at fresh keys.
constexpr int kAccounts = 8;
constexpr int64_t kAccountStep = 100;
constexpr int64_t kOpeningBalance = 100;
constexpr int64_t kTotal = kAccounts * kOpeningBalance;
// Two accounts per range to begin with.
constexpr char kInitialSplits[] = "ALTER TABLE bank SPLIT AT VALUES (300), (500), (700)";
// The most one transfer moves (never more than the balance it read).
constexpr int64_t kMaxTransfer = 30;
constexpr int kReaders = 2;

int64_t Account(int index) { return (index + 1) * kAccountStep; }

// Something a client saw that snapshot isolation forbids, and when.
struct Anomaly {
  int64_t at_ms = 0;
  std::string text;
};

// A transfer that reached its COMMIT (ok, or of unknown outcome).
struct TransferRecord {
  int client = 0;
  int node = 0;
  int64_t begin_ms = 0;   // BEGIN sent
  int64_t commit_ms = 0;  // COMMIT answered
  int64_t ids[2] = {0, 0};
  int64_t balance[2] = {0, 0};  // as read
  int64_t version[2] = {0, 0};  // as read; written as one more
  int64_t amount = 0;
  OpOutcome outcome = OpOutcome::kUnknown;
};

std::string Describe(const TransferRecord& t) {
  return absl::StrCat("client ", t.client, " via node ", t.node, " [+", t.begin_ms, " ms, +",
                      t.commit_ms, " ms] ", OutcomeName(t.outcome), ": read ", t.ids[0], "=",
                      t.balance[0], "@v", t.version[0], " ", t.ids[1], "=", t.balance[1], "@v",
                      t.version[1], ", moved ", t.amount);
}

// What one bank client saw; read after the clients are joined.
struct BankClientReport {
  ClientTally tally;
  int64_t reads_ok = 0;
  int64_t skipped = 0;  // transfers from an empty account, rolled back
  std::vector<Anomaly> anomalies;
  std::vector<TransferRecord> transfers;

  void Anomalous(Clock::time_point origin, std::string text) {
    anomalies.push_back({SinceNs(origin) / 1'000'000, std::move(text)});
  }
};

// One transfer: BEGIN; read both balances; UPDATE both; COMMIT. Counts the
// outcome in `report` (ok: committed; fail: nothing was written; unknown:
// the COMMIT's outcome is not known).
void Transfer(NodeRoute& route, int64_t from, int64_t to, Clock::time_point origin,
              BankClientReport* report) {
  ClientTally& tally = report->tally;
  JepsenSession* session = route.Session(&tally);
  if (session == nullptr) {
    std::this_thread::sleep_for(kClientBackoff);
    return;  // nothing was sent
  }
  // A statement before COMMIT failed: nothing was written (Percolator
  // buffers the writes until the commit). Roll back if the session still
  // works, else move to another node.
  auto abandon = [&](const ClientResult& r, const std::string& sql) {
    tally.Error(r, sql);
    ++tally.fail;
    if (session->ok() && session->TxStatus() != PQTRANS_IDLE) session->Exec("ROLLBACK");
    if (!session->ok() || Classify(r) != ErrorClass::kNoEffect) route.Reset();
    std::this_thread::sleep_for(kClientBackoff);
  };
  TransferRecord t;
  t.node = route.node();
  t.begin_ms = SinceNs(origin) / 1'000'000;
  t.ids[0] = from;
  t.ids[1] = to;
  ClientResult r = session->Exec("BEGIN");
  if (!r.ok) return abandon(r, "BEGIN");
  for (int i = 0; i < 2; ++i) {
    const std::string sql = absl::StrCat("SELECT balance, ver FROM bank WHERE id = ", t.ids[i]);
    r = session->Exec(sql);
    if (!r.ok) return abandon(r, sql);
    if (r.rows.size() != 1 || r.rows[0].size() != 2 || !r.rows[0][0] || !r.rows[0][1] ||
        !absl::SimpleAtoi(*r.rows[0][0], &t.balance[i]) ||
        !absl::SimpleAtoi(*r.rows[0][1], &t.version[i])) {
      report->Anomalous(origin, absl::StrCat("via node ", t.node, ": ", sql, " returned ",
                                             absl::StrJoin(Rows(r), ";"), " (not one row)"));
      session->Exec("ROLLBACK");
      return;
    }
    if (t.balance[i] < 0) {
      report->Anomalous(origin, absl::StrCat("via node ", t.node, ": account ", t.ids[i],
                                             " read negative: ", t.balance[i]));
    }
  }
  t.amount =
      std::min<int64_t>(t.balance[0], 1 + static_cast<int64_t>(route.rng()() % kMaxTransfer));
  if (t.amount <= 0) {
    ++report->skipped;
    session->Exec("ROLLBACK");
    return;
  }
  for (int i = 0; i < 2; ++i) {
    const int64_t now = i == 0 ? t.balance[0] - t.amount : t.balance[1] + t.amount;
    const std::string sql = absl::StrCat("UPDATE bank SET balance = ", now,
                                         ", ver = ", t.version[i] + 1, " WHERE id = ", t.ids[i]);
    r = session->Exec(sql);
    if (!r.ok) return abandon(r, sql);
    if (r.tag != "UPDATE 1") {
      report->Anomalous(origin, absl::StrCat("via node ", t.node, ": ", sql, " answered ", r.tag));
    }
  }
  r = session->Exec("COMMIT");
  t.commit_ms = SinceNs(origin) / 1'000'000;
  if (r.ok) {
    if (r.tag == "COMMIT") {
      ++tally.ok;
      t.outcome = OpOutcome::kOk;
      report->transfers.push_back(t);
    } else {
      ++tally.fail;  // ROLLBACK: the transaction had failed
    }
    return;
  }
  tally.Error(r, "COMMIT");
  if (Classify(r) == ErrorClass::kNoEffect) {
    ++tally.fail;
    if (session->ok() && session->TxStatus() != PQTRANS_IDLE) session->Exec("ROLLBACK");
  } else {
    ++tally.unknown;
    t.outcome = OpOutcome::kUnknown;
    report->transfers.push_back(t);
    route.Reset();
  }
  std::this_thread::sleep_for(kClientBackoff);
}

// Lost updates: two committed transfers that read the same version of an
// account (the second should have met the first's write and failed), and
// committed transfers that read a version no transfer wrote. Both name
// the transfers involved.
void CheckVersions(const std::vector<TransferRecord>& transfers, std::vector<Anomaly>* anomalies) {
  // (account, version read) -> transfers, and versions written.
  std::map<std::pair<int64_t, int64_t>, std::vector<const TransferRecord*>> readers;
  std::set<std::pair<int64_t, int64_t>> written;
  for (const TransferRecord& t : transfers) {
    for (int i = 0; i < 2; ++i) {
      readers[{t.ids[i], t.version[i]}].push_back(&t);
      written.insert({t.ids[i], t.version[i] + 1});
    }
  }
  for (const auto& [version, ts] : readers) {
    std::vector<const TransferRecord*> committed;
    for (const TransferRecord* t : ts) {
      if (t->outcome == OpOutcome::kOk) committed.push_back(t);
    }
    if (committed.size() >= 2) {
      std::string text =
          absl::StrCat("LOST UPDATE: ", committed.size(), " committed transfers read account ",
                       version.first, " at version ", version.second, ":");
      for (const TransferRecord* t : ts) absl::StrAppend(&text, "\n      ", Describe(*t));
      anomalies->push_back({committed[1]->commit_ms, text});
    }
    if (version.second > 0 && !committed.empty() && !written.contains(version)) {
      anomalies->push_back(
          {committed[0]->begin_ms,
           absl::StrCat("account ", version.first, " read at version ", version.second,
                        ", which no transfer wrote: ", Describe(*committed[0]))});
    }
  }
}

// A reader's check of one sum(balance), count(*) result.
void CheckSum(const ClientResult& r, const std::string& what, int node, Clock::time_point origin,
              BankClientReport* report) {
  const std::string want = absl::StrCat(kTotal, "|", kAccounts);
  const std::vector<std::string> got = Rows(r);
  if (got.size() != 1 || got[0] != want) {
    report->Anomalous(origin, absl::StrCat("via node ", node, ": ", what, " saw sum|count ",
                                           absl::StrJoin(got, ";"), ", want ", want));
  }
}

// One read: a transaction of two statements (the total, then every
// balance) or, every other time, a plain SELECT of the total.
void Read(NodeRoute& route, bool in_transaction, Clock::time_point origin,
          BankClientReport* report) {
  ClientTally& tally = report->tally;
  JepsenSession* session = route.Session(&tally);
  if (session == nullptr) {
    std::this_thread::sleep_for(kClientBackoff);
    return;
  }
  auto failed = [&](const ClientResult& r, const std::string& sql) {
    tally.Error(r, sql);
    ++tally.fail;
    if (session->ok() && session->TxStatus() != PQTRANS_IDLE) session->Exec("ROLLBACK");
    if (!session->ok() || Classify(r) != ErrorClass::kNoEffect) route.Reset();
    std::this_thread::sleep_for(kClientBackoff);
  };
  const std::string sum_sql = "SELECT sum(balance), count(*) FROM bank";
  if (!in_transaction) {
    ClientResult r = session->Exec(sum_sql);
    if (!r.ok) return failed(r, sum_sql);
    CheckSum(r, "a plain " + sum_sql, route.node(), origin, report);
    ++tally.ok;
    ++report->reads_ok;
    return;
  }
  ClientResult r = session->Exec("BEGIN");
  if (!r.ok) return failed(r, "BEGIN");
  r = session->Exec(sum_sql);
  if (!r.ok) return failed(r, sum_sql);
  const size_t anomalies_before = report->anomalies.size();
  CheckSum(r, sum_sql + " in a transaction", route.node(), origin, report);
  if (report->anomalies.size() > anomalies_before) {
    // The same snapshot asked again, with the aggregate pushed to the
    // leaseholders and without: whether the answer depends on when it is
    // asked or on how it is computed.
    std::string again = "asked again in the same transaction:";
    for (const char* pushdown : {"on", "off"}) {
      session->Exec(absl::StrCat("SET enable_pushdown = ", pushdown));
      ClientResult repeat = session->Exec(sum_sql);
      absl::StrAppend(&again, " pushdown ", pushdown, " ",
                      repeat.ok ? absl::StrJoin(Rows(repeat), ";") : ErrorKey(repeat));
    }
    session->Exec("SET enable_pushdown = on");
    report->anomalies.back().text += absl::StrCat(" (", again, ")");
  }
  const std::string rows_sql = "SELECT id, balance, ver FROM bank ORDER BY id";
  r = session->Exec(rows_sql);
  if (!r.ok) return failed(r, rows_sql);
  int64_t sum = 0;
  bool negative = false;
  for (const auto& row : r.rows) {
    int64_t balance = 0;
    if (row.size() == 3 && row[1] && absl::SimpleAtoi(*row[1], &balance)) {
      sum += balance;
      negative = negative || balance < 0;
    }
  }
  if (report->anomalies.size() > anomalies_before) {
    report->anomalies.back().text +=
        absl::StrCat(" (then its rows: ", absl::StrJoin(Rows(r), " "), ", sum ", sum, ")");
  }
  if (sum != kTotal || r.rows.size() != kAccounts || negative) {
    report->Anomalous(origin,
                      absl::StrCat("via node ", route.node(),
                                   ": the balances read in a transaction (after its sum) were ",
                                   absl::StrJoin(Rows(r), " "), " (sum ", sum, ", want ", kTotal,
                                   negative ? ", one NEGATIVE" : "", ")"));
  }
  r = session->Exec("COMMIT");
  if (!r.ok) return failed(r, "COMMIT");
  ++tally.ok;
  ++report->reads_ok;
}

class JepsenBankTest : public JepsenTest {
 protected:
  void RunBank(int node_count, int replication, int writers, uint64_t default_seed) {
    const uint64_t seed = cairn::testing::TestSeed(default_seed);
    SCOPED_TRACE(cairn::testing::SeedTrace(seed));
    const std::chrono::seconds length = JepsenRunLength();
    ASSERT_TRUE(StartJepsenCluster(node_count, replication));

    ExecOk(1,
           "CREATE TABLE bank (id INT PRIMARY KEY, balance BIGINT NOT NULL, ver BIGINT NOT NULL)");
    std::vector<std::string> values;
    for (int i = 0; i < kAccounts; ++i) {
      values.push_back(absl::StrCat("(", Account(i), ", ", kOpeningBalance, ", 0)"));
    }
    ASSERT_EQ(ExecOk(2, "INSERT INTO bank VALUES " + absl::StrJoin(values, ", ")),
              absl::StrCat("INSERT 0 ", kAccounts));
    ASSERT_EQ(ExecOk(1, kInitialSplits), "ALTER TABLE");
    // The accounts' ranges led by different nodes: a transfer usually
    // spans two leaseholders.
    std::vector<RangeRow> placed;
    ASSERT_TRUE(WaitForSpreadLeases("bank", 4, replication, &placed));
    std::printf("[jepsen] bank: %d accounts of %lld in %zu ranges: %s\n", kAccounts,
                static_cast<long long>(kOpeningBalance), placed.size(), Describe(placed).c_str());

    // Splits at keys between the accounts not split at yet.
    std::set<int64_t> split_at = {300, 500, 700};
    NemesisOptions options = DefaultNemesisOptions("bank");
    options.split_sql = [&split_at](std::mt19937_64& rng) {
      int64_t key = 0;
      do {
        key = kAccountStep + 1 + static_cast<int64_t>(rng() % (kAccounts * kAccountStep));
      } while (split_at.contains(key) || key % kAccountStep == 0);
      split_at.insert(key);
      return absl::StrCat("ALTER TABLE bank SPLIT AT VALUES (", key, ")");
    };
    Nemesis nemesis(Processes(), seed, options);

    const std::vector<std::string> dsns = Dsns();
    const auto origin = Clock::now();
    std::vector<BankClientReport> reports(writers + kReaders);
    ClientPool clients(writers + kReaders, [&](int client, const std::atomic<bool>& stop) {
      NodeRoute route(dsns, seed * 1000 + client);
      BankClientReport* report = &reports[client];
      for (int64_t n = 0; !stop.load(); ++n) {
        if (client < writers) {
          const int from = static_cast<int>(route.rng()() % kAccounts);
          const int to = (from + 1 + static_cast<int>(route.rng()() % (kAccounts - 1))) % kAccounts;
          Transfer(route, Account(from), Account(to), origin, report);
        } else {
          Read(route, n % 2 == 0, origin, report);
        }
      }
    });
    RunFaults(nemesis, clients, origin, length);

    RunSummary summary;
    summary.workload = absl::StrCat("bank/", writers, "-writers");
    summary.nodes = node_count;
    summary.seed = seed;
    summary.seconds = length.count();
    summary.faults = nemesis.Summary();
    std::vector<Anomaly> anomalies;
    std::vector<TransferRecord> transfers;
    int64_t reads = 0, skipped = 0;
    for (const BankClientReport& r : reports) {
      summary.tally.Merge(r.tally);
      anomalies.insert(anomalies.end(), r.anomalies.begin(), r.anomalies.end());
      transfers.insert(transfers.end(), r.transfers.begin(), r.transfers.end());
      reads += r.reads_ok;
      skipped += r.skipped;
    }
    CheckVersions(transfers, &anomalies);
    // How many transfers committed on each account, for sure and perhaps.
    std::map<int64_t, std::pair<int64_t, int64_t>> touched;
    for (const TransferRecord& t : transfers) {
      for (int64_t id : t.ids) {
        (t.outcome == OpOutcome::kOk ? touched[id].first : touched[id].second)++;
      }
    }

    // Every node, healed: the same balances, the opening total, none
    // negative, and each account's version between the transfers on it
    // that committed and those that may have.
    std::optional<std::vector<std::string>> first;
    for (int via = 1; via <= node_count; ++via) {
      ClientResult r = QueryHealed(via, "SELECT id, balance, ver FROM bank ORDER BY id");
      const int64_t at_ms = SinceNs(origin) / 1'000'000;
      if (!r.ok) {
        anomalies.push_back({at_ms, absl::StrCat("the final read through node ", via,
                                                 " failed: ", ErrorKey(r), " ", r.message)});
        continue;
      }
      int64_t sum = 0, lowest = 0;
      for (const auto& row : r.rows) {
        int64_t id = 0, balance = 0, version = 0;
        if (row.size() != 3 || !row[0] || !row[1] || !row[2] || !absl::SimpleAtoi(*row[0], &id) ||
            !absl::SimpleAtoi(*row[1], &balance) || !absl::SimpleAtoi(*row[2], &version)) {
          continue;
        }
        sum += balance;
        lowest = std::min(lowest, balance);
        const auto [committed, perhaps] = touched[id];
        if (via == 1 && (version < committed || version > committed + perhaps)) {
          anomalies.push_back(
              {at_ms,
               absl::StrCat("account ", id, " ends at version ", version, " after ", committed,
                            " committed transfers and ", perhaps, " of unknown outcome")});
        }
      }
      const std::vector<std::string> balances = Rows(r);
      if (sum != kTotal || balances.size() != kAccounts || lowest < 0) {
        anomalies.push_back({at_ms, absl::StrCat("the final balances through node ", via, " are ",
                                                 absl::StrJoin(balances, " "), " (sum ", sum,
                                                 ", want ", kTotal, ")")});
      }
      if (!first) {
        first = balances;
        std::printf("[jepsen] final balance|version: %s\n", absl::StrJoin(balances, " ").c_str());
      } else if (balances != *first) {
        anomalies.push_back(
            {at_ms, absl::StrCat("the final balances through node ", via, " (",
                                 absl::StrJoin(balances, " "), ") differ from node 1's (",
                                 absl::StrJoin(*first, " "), ")")});
      }
    }
    summary.verdict =
        anomalies.empty()
            ? absl::StrCat("valid (", reads, " reads all saw ", kTotal, "; ", transfers.size(),
                           " transfers reached COMMIT, no two committed read one version; ",
                           skipped, " from empty accounts rolled back)")
            : absl::StrCat("INVALID: ", anomalies.size(), " anomalies");
    PrintSummary(summary);
    for (const std::string& line : nemesis.log()) std::printf("[nemesis log] %s\n", line.c_str());
    std::stable_sort(anomalies.begin(), anomalies.end(),
                     [](const Anomaly& a, const Anomaly& b) { return a.at_ms < b.at_ms; });
    for (size_t i = 0; i < anomalies.size() && i < 40; ++i) {
      std::printf("[jepsen] ANOMALY +%lld ms: %s\n", static_cast<long long>(anomalies[i].at_ms),
                  anomalies[i].text.c_str());
    }
    EXPECT_TRUE(anomalies.empty())
        << anomalies.size() << " anomalies (listed above), the first: +" << anomalies.front().at_ms
        << " ms: " << anomalies.front().text << "; seed " << seed;
    EXPECT_THAT(summary.tally.unexpected, ::testing::IsEmpty())
        << "errors no fault explains; seed " << seed;
    EXPECT_GT(summary.tally.ok, 0) << "no operation succeeded";
  }
};

TEST_F(JepsenBankTest, ThreeNodes) { RunBank(3, 3, /*writers=*/4, /*default_seed=*/1); }

// Five nodes, every range on all five: two nodes may be down at once and
// every Raft group keeps a quorum.
TEST_F(JepsenBankTest, FiveNodes) { RunBank(5, 5, /*writers=*/5, /*default_seed=*/2); }

}  // namespace
}  // namespace cairn::cluster
