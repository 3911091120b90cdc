// Jepsen-style set test on a real cluster: clients INSERT distinct integers
// through random nodes while the nemesis (nemesis.h) kills, pauses and
// splits the table where the inserts are going. After healing, the table is
// read through every node: every acknowledged insert must be there, nothing
// no client attempted may be, an insert the database refused (40001, 40P01,
// 55P03: nothing written) must not be either, and every node must return
// the same set. Inserts of unknown outcome may be present or absent.
//
// Short form (make test): 3 nodes, CAIRN_JEPSEN_SECONDS (default 20). Long
// form, many seeds:
//   bench/jepsen_soak.sh build 300 20
//   one seed, two minutes a run (from build/):
//   CAIRN_TEST_SEED=7 CAIRN_JEPSEN_SECONDS=120 tests/cluster/jepsen_test --gtest_filter='*Set*'

#include "jepsen_workload.h"

namespace cairn::cluster {
namespace {

constexpr int kClients = 6;
constexpr char kInitialSplits[] = "ALTER TABLE st SPLIT AT VALUES (2000), (6000), (12000)";

struct SetClientReport {
  ClientTally tally;
  std::vector<int64_t> ok, fail, unknown;
};

std::string Sample(const std::vector<int64_t>& values) {
  std::vector<int64_t> head(values.begin(), values.begin() + std::min<size_t>(values.size(), 20));
  return absl::StrCat(absl::StrJoin(head, ","), values.size() > head.size() ? ",..." : "");
}

TEST_F(JepsenTest, SetThreeNodes) {
  const uint64_t seed = cairn::testing::TestSeed(4);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  const std::chrono::seconds length = JepsenRunLength();
  ASSERT_TRUE(StartJepsenCluster(3, 3));
  ExecOk(1, "CREATE TABLE st (v BIGINT PRIMARY KEY)");
  // Ranges the inserts run through one after the other (a thousand or so
  // a second on two cores), led by different nodes.
  ASSERT_EQ(ExecOk(1, kInitialSplits), "ALTER TABLE");
  std::vector<RangeRow> placed;
  ASSERT_TRUE(WaitForSpreadLeases("st", 4, 3, &placed));
  std::printf("[jepsen] set: st in %zu ranges: %s\n", placed.size(), Describe(placed).c_str());

  // The next value to insert, shared by the clients: values are distinct
  // and the table grows at one end, where the nemesis splits it.
  std::atomic<int64_t> next{1};
  std::set<int64_t> split_at = {2000, 6000, 12000};
  NemesisOptions options = DefaultNemesisOptions("st");
  options.split_sql = [&](std::mt19937_64& rng) {
    int64_t key = 0;
    do {
      key = next.load() + 20 + static_cast<int64_t>(rng() % 200);
    } while (split_at.contains(key));
    split_at.insert(key);
    return absl::StrCat("ALTER TABLE st SPLIT AT VALUES (", key, ")");
  };
  Nemesis nemesis(Processes(), seed, options);

  const std::vector<std::string> dsns = Dsns();
  const auto origin = Clock::now();
  std::vector<SetClientReport> reports(kClients);
  ClientPool clients(kClients, [&](int client, const std::atomic<bool>& stop) {
    NodeRoute route(dsns, seed * 1000 + client);
    SetClientReport& report = reports[client];
    while (!stop.load()) {
      JepsenSession* session = route.Session(&report.tally);
      if (session == nullptr) {
        std::this_thread::sleep_for(kClientBackoff);
        continue;
      }
      const int64_t value = next.fetch_add(1);
      const std::string sql = absl::StrCat("INSERT INTO st VALUES (", value, ")");
      ClientResult r = session->Exec(sql);
      if (r.ok && r.tag == "INSERT 0 1") {
        ++report.tally.ok;
        report.ok.push_back(value);
        continue;
      }
      if (r.ok) {
        report.tally.unexpected.push_back(absl::StrCat(sql, " answered ", r.tag));
      } else {
        report.tally.Error(r, sql);
      }
      if (Classify(r) == ErrorClass::kNoEffect) {
        ++report.tally.fail;
        report.fail.push_back(value);
      } else {
        ++report.tally.unknown;
        report.unknown.push_back(value);
        route.Reset();
      }
      std::this_thread::sleep_for(kClientBackoff);
    }
  });
  RunFaults(nemesis, clients, origin, length);

  RunSummary summary;
  std::set<int64_t> acked, refused, unknown;
  for (const SetClientReport& r : reports) {
    summary.tally.Merge(r.tally);
    acked.insert(r.ok.begin(), r.ok.end());
    refused.insert(r.fail.begin(), r.fail.end());
    unknown.insert(r.unknown.begin(), r.unknown.end());
  }
  const int64_t attempted_below = next.load();

  std::vector<std::string> anomalies;
  std::optional<std::set<int64_t>> first;
  size_t unknown_present = 0;
  for (int via = 1; via <= 3; ++via) {
    ClientResult r = QueryHealed(via, "SELECT v FROM st");
    if (!r.ok) {
      anomalies.push_back(absl::StrCat("the final read through node ", via,
                                       " failed: ", ErrorKey(r), " ", r.message));
      continue;
    }
    std::set<int64_t> present;
    for (const auto& row : r.rows) {
      int64_t value = 0;
      if (row.size() == 1 && row[0] && absl::SimpleAtoi(*row[0], &value)) present.insert(value);
    }
    if (present.size() != r.rows.size()) {
      anomalies.push_back(absl::StrCat("through node ", via, ": ", r.rows.size(), " rows but ",
                                       present.size(), " distinct values"));
    }
    std::vector<int64_t> lost, never_attempted, refused_present;
    for (int64_t v : acked) {
      if (!present.contains(v)) lost.push_back(v);
    }
    unknown_present = 0;
    for (int64_t v : present) {
      if (refused.contains(v)) refused_present.push_back(v);
      if (unknown.contains(v)) ++unknown_present;
      if (!acked.contains(v) && !refused.contains(v) && !unknown.contains(v)) {
        never_attempted.push_back(v);
      }
    }
    if (!lost.empty()) {
      anomalies.push_back(absl::StrCat(lost.size(), " acknowledged inserts LOST through node ", via,
                                       ": ", Sample(lost)));
    }
    if (!never_attempted.empty()) {
      anomalies.push_back(absl::StrCat(never_attempted.size(), " values no client inserted (of ",
                                       attempted_below - 1, " attempted) through node ", via, ": ",
                                       Sample(never_attempted)));
    }
    if (!refused_present.empty()) {
      anomalies.push_back(absl::StrCat(refused_present.size(),
                                       " inserts refused with 40001/40P01/55P03 are present "
                                       "through node ",
                                       via, ": ", Sample(refused_present)));
    }
    if (!first) {
      first = present;
    } else if (present != *first) {
      anomalies.push_back(absl::StrCat("node ", via, " returns ", present.size(),
                                       " values, node 1 ", first->size(), ": not the same set"));
    }
  }

  summary.workload = "set";
  summary.nodes = 3;
  summary.seed = seed;
  summary.seconds = length.count();
  summary.faults = nemesis.Summary();
  summary.verdict = anomalies.empty() ? absl::StrCat("valid (all ", acked.size(),
                                                     " acknowledged present through every node; ",
                                                     unknown_present, " of ", unknown.size(),
                                                     " of unknown outcome present; none of ",
                                                     refused.size(), " refused present)")
                                      : absl::StrCat("INVALID: ", absl::StrJoin(anomalies, "; "));
  PrintSummary(summary);
  EXPECT_THAT(anomalies, ::testing::IsEmpty()) << "seed " << seed;
  EXPECT_THAT(summary.tally.unexpected, ::testing::IsEmpty())
      << "errors no fault explains; seed " << seed;
  EXPECT_GT(acked.size(), 0u) << "no insert acknowledged";
  for (const std::string& line : nemesis.log()) std::printf("[nemesis log] %s\n", line.c_str());
}

}  // namespace
}  // namespace cairn::cluster
