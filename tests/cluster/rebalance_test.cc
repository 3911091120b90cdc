// Placement seen from outside: a fourth node that joins a three-node
// cluster receives its share of the replicas and leases (moved to it from
// the others, whose old replicas the replica GC removes), and serves the
// data that was there before it came; a node decommissioned with `cairn node
// decommission` gives every replica up, after which it can be stopped
// without the cluster missing anything.

#include <sys/wait.h>

#include <cstdio>

#include "cluster_fixture.h"

namespace cairn::cluster {
namespace {

// Tables made before the fourth node joins: with the meta range and the
// first data range, ten ranges, thirty replicas.
constexpr int kTables = 8;

// Whether `counts` are each within 20% of their mean, or one of it where
// 20% is less than one (a count is a whole number); if not, *why says which.
bool Balanced(const std::vector<int64_t>& counts, const std::string& what, std::string* why) {
  double sum = 0;
  for (int64_t c : counts) sum += static_cast<double>(c);
  const double mean = sum / static_cast<double>(counts.size());
  const double tolerance = std::max(0.2 * mean, 1.0);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (std::abs(static_cast<double>(counts[i]) - mean) > tolerance) {
      *why = absl::StrCat("node ", i + 1, " has ", counts[i], " ", what, ", mean ", mean,
                          " +/- ", tolerance);
      return false;
    }
  }
  return true;
}

TEST_F(ClusterTest, FourthNodeReceivesItsShare) {
  ASSERT_TRUE(StartCluster(3));
  for (int t = 1; t <= kTables; ++t) {
    ExecOk(1 + t % 3, absl::StrCat("CREATE TABLE share", t, " (k INT PRIMARY KEY, v TEXT)"));
    ExecOk(1 + t % 3, absl::StrCat("INSERT INTO share", t,
                                   " SELECT g, 'row ' || g FROM generate_series(1, 50) AS g"));
  }
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges));
  const int64_t range_count = static_cast<int64_t>(ranges.size());
  std::printf("[cluster] 3 nodes, %lld ranges: %s\n", static_cast<long long>(range_count),
              Describe(ranges).c_str());

  ASSERT_TRUE(AddNode());
  const auto joined = Clock::now();
  // Every replica accounted for (a moved replica removed from its old node,
  // none left behind), node 4 holding its share, replica and lease counts
  // balanced, every range whole again.
  std::vector<NodeRow> placed;
  ASSERT_TRUE(WaitForNodes(
      1,
      [&](const std::vector<NodeRow>& rows, std::string* why) {
        placed = rows;
        if (rows.size() != 4) {
          *why = absl::StrCat(rows.size(), " nodes");
          return false;
        }
        std::vector<int64_t> replicas, leases;
        int64_t total = 0;
        for (const NodeRow& row : rows) {
          if (!row.is_live) {
            *why = absl::StrCat("node ", row.node_id, " is not live");
            return false;
          }
          replicas.push_back(row.ranges);
          leases.push_back(row.leases);
          total += row.ranges;
        }
        if (total != static_cast<int64_t>(kReplicationFactor) * range_count) {
          *why = absl::StrCat(total, " replicas in all, want ", kReplicationFactor * range_count);
          return false;
        }
        return Balanced(replicas, "replicas", why) && Balanced(leases, "leases", why);
      },
      "4 live nodes, 3 replicas of each range in all, replicas and leases balanced",
      2 * kMembershipDeadline));
  const int64_t balanced_ms = ElapsedMs(joined);
  ASSERT_TRUE(WaitForFullyReplicated(4, {}, &ranges));
  std::printf("[cluster] node 4 joined; balanced after %lld ms: %s; ranges: %s\n",
              static_cast<long long>(balanced_ms), Describe(placed).c_str(),
              Describe(ranges).c_str());
  const NodeRow* fourth = FindRow(placed, 4);
  ASSERT_NE(fourth, nullptr);
  EXPECT_GE(fourth->ranges, 3 * range_count / 4 - 1) << "node 4 holds less than its share";

  // The data that was there before node 4 came, through node 4, which
  // finds ranges it does not lead through their records in the meta range.
  for (int t = 1; t <= kTables; ++t) {
    EXPECT_EQ(QueryRows(4, absl::StrCat("SELECT count(*), sum(k) FROM share", t)),
              std::vector<std::string>{"50|1275"})
        << "table share" << t << " through node 4";
  }
  std::string metrics;
  ASSERT_EQ(node(4).HttpGet("/metrics", &metrics), 200);
  EXPECT_GT(MetricValue(metrics, "cairn_range_lookups_from_meta_total").value_or(0), 0)
      << "node 4 never found a range through its meta record";
}

TEST_F(ClusterTest, DecommissionedNodeGivesUpEveryReplica) {
  ASSERT_TRUE(StartCluster(4));
  for (int t = 1; t <= 4; ++t) {
    ExecOk(1, absl::StrCat("CREATE TABLE leaving", t, " (k INT PRIMARY KEY, v TEXT)"));
    ExecOk(1 + t % 4, absl::StrCat("INSERT INTO leaving", t,
                                   " SELECT g, 'row ' || g FROM generate_series(1, 40) AS g"));
  }
  // Node 4 holds replicas before it leaves: the balancing moves gave it some.
  ASSERT_TRUE(WaitForNodes(
      1,
      [](const std::vector<NodeRow>& rows, std::string* why) {
        const NodeRow* fourth = FindRow(rows, 4);
        *why = "node 4 holds no replica yet";
        return fourth != nullptr && fourth->ranges >= 2;
      },
      "node 4 holding replicas", 2 * kMembershipDeadline));

  const auto started = Clock::now();
  std::string output;
  const int code = RunCairn(
      node(1).binary(),
      absl::StrCat("node decommission 4 --host ", LocalAddress(node(1).rpc_port()),
                   " --timeout 90s"),
      &output);
  std::printf("[cluster] cairn node decommission 4 (via node 1) exited %d after %lld ms:\n%s",
              code, static_cast<long long>(ElapsedMs(started)), output.c_str());
  ASSERT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("node 4 holds no replicas"));

  // No range keeps a replica on node 4; every range is whole on 1-3.
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges,
                                     [](const std::vector<RangeRow>& rows, std::string* why) {
                                       for (const RangeRow& row : rows) {
                                         if (Contains(row.replicas, 4) ||
                                             Contains(row.learners, 4)) {
                                           *why = absl::StrCat("range ", row.range_id,
                                                               " still has node 4");
                                           return false;
                                         }
                                       }
                                       return true;
                                     },
                                     "none on node 4"));
  output.clear();
  ASSERT_EQ(RunCairn(node(2).binary(),
                     absl::StrCat("node status --host ", LocalAddress(node(2).rpc_port())), &output),
            0)
      << output;
  std::printf("[cluster] cairn node status (via node 2):\n%s", output.c_str());
  EXPECT_THAT(output, HasSubstr("is_decommissioning"));

  // Stopped, it is not missed: every row is there and writes go on.
  node(4).Stop();
  for (int via = 1; via <= 3; ++via) {
    for (int t = 1; t <= 4; ++t) {
      EXPECT_EQ(QueryRows(via, absl::StrCat("SELECT count(*) FROM leaving", t)),
                std::vector<std::string>{"40"})
          << "table leaving" << t << " through node " << via;
    }
  }
  EXPECT_EQ(ExecOk(2, "INSERT INTO leaving1 VALUES (1000, 'after')"), "INSERT 0 1");

  // Asking for a node that does not exist is an error, not a wait.
  output.clear();
  EXPECT_EQ(RunCairn(node(1).binary(),
                     absl::StrCat("node decommission 9 --host ", LocalAddress(node(1).rpc_port())),
                     &output),
            1)
      << output;
  EXPECT_THAT(output, HasSubstr("not a member"));
}

}  // namespace
}  // namespace cairn::cluster
