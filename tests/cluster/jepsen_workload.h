// What the Jepsen-style tests (jepsen_*_test.cc) share: the run length
// (CAIRN_JEPSEN_SECONDS), the fixture that starts a cluster and waits for
// every range to have its voters, the run itself (clients throughout, the
// nemesis on the test's thread, then a quiet tail with every node healed),
// and the one summary line each run prints.
#pragma once

#include <cstdlib>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "jepsen_client.h"
#include "nemesis.h"

namespace cairn::cluster {

// The length of a run unless CAIRN_JEPSEN_SECONDS says otherwise (the soak
// script, bench/jepsen_soak.sh, sets it).
constexpr int kShortRunSeconds = 20;
// The end of each run has no fault: clients go on for this long with every
// node healed, so that the history ends with the cluster whole.
constexpr std::chrono::seconds kQuietTail(2);

inline std::chrono::seconds JepsenRunLength() {
  const char* env = std::getenv("CAIRN_JEPSEN_SECONDS");
  int seconds = 0;
  if (env != nullptr && absl::SimpleAtoi(env, &seconds) && seconds > 0) {
    return std::chrono::seconds(seconds);
  }
  return std::chrono::seconds(kShortRunSeconds);
}

// The faults to inject: NemesisOptions' default kinds unless
// CAIRN_JEPSEN_FAULTS names some (comma-separated: kill, pause,
// kill-meta-leaseholder, pause-meta-leaseholder, split), to look at one kind
// closely.
inline std::vector<FaultKind> JepsenFaultKinds() {
  const std::vector<FaultKind> all = {FaultKind::kKill, FaultKind::kPause,
                                      FaultKind::kKillMetaLeaseholder,
                                      FaultKind::kPauseMetaLeaseholder, FaultKind::kSplit};
  const char* env = std::getenv("CAIRN_JEPSEN_FAULTS");
  if (env == nullptr || *env == '\0') return NemesisOptions{}.kinds;
  std::vector<FaultKind> kinds;
  for (absl::string_view name : absl::StrSplit(env, ',', absl::SkipWhitespace())) {
    bool known = false;
    for (FaultKind kind : all) {
      if (name == FaultName(kind)) {
        kinds.push_back(kind);
        known = true;
      }
    }
    EXPECT_TRUE(known) << "CAIRN_JEPSEN_FAULTS names an unknown fault: " << name;
  }
  return kinds;
}

// A run's totals for the summary line.
struct RunSummary {
  std::string workload;
  int nodes = 0;
  uint64_t seed = 0;
  int64_t seconds = 0;
  ClientTally tally;
  std::string faults;   // Nemesis::Summary()
  std::string verdict;  // "valid", or what was wrong
};

inline void PrintSummary(const RunSummary& s) {
  std::printf(
      "[jepsen] SUMMARY workload=%s nodes=%d seed=%llu seconds=%lld ops=%lld (ok=%lld fail=%lld "
      "unknown=%lld) faults: %s verdict: %s\n",
      s.workload.c_str(), s.nodes, static_cast<unsigned long long>(s.seed),
      static_cast<long long>(s.seconds),
      static_cast<long long>(s.tally.ok + s.tally.fail + s.tally.unknown),
      static_cast<long long>(s.tally.ok), static_cast<long long>(s.tally.fail),
      static_cast<long long>(s.tally.unknown), s.faults.c_str(), s.verdict.c_str());
  std::printf("[jepsen] errors seen by the clients: %s\n", s.tally.DescribeErrors().c_str());
  std::fflush(stdout);
}

class JepsenTest : public ClusterTest {
 protected:
  // Starts `n` nodes with `replication` voters per range (kv's
  // --replication-factor) and waits until every range has them, each a
  // voter, with a leaseholder among them.
  ::testing::AssertionResult StartJepsenCluster(int n, int replication) {
    ::testing::AssertionResult started =
        StartCluster(n, {absl::StrCat("--replication-factor=", replication)});
    if (!started) return started;
    return WaitForVoters(1, replication);
  }

  ::testing::AssertionResult WaitForVoters(int via, int replication,
                                           const std::string& table = "") {
    return WaitForRanges(
        via, table,
        [&](const std::vector<RangeRow>& rows, std::string* why) {
          if (table.empty() && !TilesKeyspace(rows, why)) return false;
          for (const RangeRow& row : rows) {
            const std::set<int> distinct(row.replicas.begin(), row.replicas.end());
            if (static_cast<int>(distinct.size()) != replication || !row.learners.empty() ||
                !Contains(row.replicas, row.lease_holder)) {
              *why = absl::StrCat("range ", row.range_id, " has voters {",
                                  absl::StrJoin(row.replicas, ","), "}, learners {",
                                  absl::StrJoin(row.learners, ","), "}, lease n", row.lease_holder);
              return false;
            }
          }
          return true;
        },
        absl::StrCat("every range", table.empty() ? "" : " of " + table, " with ", replication,
                     " voters and a leaseholder among them"));
  }

  // Waits until `table`'s `ranges` ranges, each with `replication` voters,
  // are led by min(3, nodes) different nodes (lease balancing spreads
  // them), so that the workload's statements meet several leaseholders and
  // a fault on any one node hits some of them. *placed gets the ranges.
  // Lease balancing evens out each node's count over all ranges, not over
  // one table's: it may settle with the table on two nodes and the system
  // ranges on the third (seen once in 60 runs). After kSpreadPatience two
  // leaseholders will do: transfers still span them.
  ::testing::AssertionResult WaitForSpreadLeases(const std::string& table, size_t ranges,
                                                 int replication, std::vector<RangeRow>* placed) {
    ::testing::AssertionResult voters = WaitForVoters(1, replication, table);
    if (!voters) return voters;
    constexpr absl::Duration kSpreadPatience = absl::Seconds(20);
    const size_t want = std::min<size_t>(3, nodes());
    const absl::Time settle_for_two = absl::Now() + kSpreadPatience;
    return WaitForRanges(
        1, table,
        [&](const std::vector<RangeRow>& rows, std::string* why) {
          std::set<int64_t> holders;
          for (const RangeRow& row : rows) holders.insert(row.lease_holder);
          *why = absl::StrCat(rows.size(), " ranges led by ", holders.size(), " nodes");
          if (rows.size() != ranges) return false;
          return holders.size() >= want || (holders.size() >= 2 && absl::Now() > settle_for_two);
        },
        absl::StrCat("the ", ranges, " ranges of ", table, " led by ", want, " different nodes"),
        2 * kMembershipDeadline, placed);
  }

  int nodes() const { return static_cast<int>(nodes_.size()); }

  std::vector<std::string> Dsns() {
    std::vector<std::string> dsns;
    for (int id = 1; id <= nodes(); ++id) dsns.push_back(JepsenDsn(node(id)));
    return dsns;
  }

  std::vector<CairnProcess*> Processes() {
    std::vector<CairnProcess*> out;
    for (int id = 1; id <= nodes(); ++id) out.push_back(&node(id));
    return out;
  }

  // Options for a nemesis on this cluster and the workload's `table`: a
  // minority down at most, the kinds of fault JepsenFaultKinds() names, a
  // healed node probed with a count of the table.
  NemesisOptions DefaultNemesisOptions(const std::string& table) {
    NemesisOptions options;
    options.max_down = (nodes() - 1) / 2;
    options.table = table;
    options.probe_sql = absl::StrCat("SELECT count(*) FROM ", table);
    options.kinds = JepsenFaultKinds();
    return options;
  }

  // The run: `clients` already running; the nemesis injects faults on this
  // thread until `length` (from `begin`) less the quiet tail, heals, and
  // the clients go on to the end of the tail; then they are stopped.
  void RunFaults(Nemesis& nemesis, ClientPool& clients, Clock::time_point begin,
                 std::chrono::seconds length) {
    const Clock::time_point end = begin + length;
    nemesis.RunUntil(end - kQuietTail);
    const auto now = Clock::now();
    if (now < end) std::this_thread::sleep_for(end - now);
    clients.Stop();
    std::printf("[jepsen] clients stopped %lld ms after the run began; faults: %s\n",
                static_cast<long long>(ElapsedMs(begin)), nemesis.Summary().c_str());
  }

  // Runs `sql` (a final read) through node `via` until it succeeds,
  // retrying transient errors (the cluster may still be settling after the
  // last fault) for up to kMembershipDeadline; each try is bounded by
  // kFinalReadDeadline.
  ClientResult QueryHealed(int via, const std::string& sql) {
    const auto start = Clock::now();
    ClientResult r;
    do {
      JepsenSession session(JepsenDsn(node(via)), kFinalStatementTimeoutMs);
      if (session.ok()) {
        const auto sent = Clock::now();
        r = session.Exec(sql, kFinalReadDeadline);
        std::printf("[jepsen] final read through node %d: %s: %s after %lld ms\n", via, sql.c_str(),
                    r.ok ? absl::StrCat(r.rows.size(), " rows").c_str()
                         : absl::StrCat(ErrorKey(r), " ", r.message).c_str(),
                    static_cast<long long>(ElapsedMs(sent)));
        if (r.ok || Classify(r) == ErrorClass::kUnexpected) return r;
      } else {
        r = ClientResult();
        r.connection_lost = true;
        r.message = session.error();
      }
      std::this_thread::sleep_for(kPollInterval);
    } while (Clock::now() - start < kMembershipDeadline);
    return r;
  }
};

}  // namespace cairn::cluster
