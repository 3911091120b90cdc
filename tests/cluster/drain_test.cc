// `cairn node drain` before a restart: under a steady writer, the drained node
// hands every lease to the others and gets none back, turns new SQL clients
// away with 57P03 and answers 503 on /health, while no acknowledged write is
// lost and the writer sees no error a retry does not cure; restarted, the node
// is an ordinary member again.

#include <set>
#include <string>

#include "cluster_fixture.h"
#include "insert_writer.h"

namespace cairn::cluster {
namespace {

using ::cairn::testing::StartupErrorSqlstate;
using ::testing::HasSubstr;

TEST_F(ClusterTest, DrainedNodeHandsOverItsLeasesAndTurnsNewClientsAway) {
  const auto began = Clock::now();
  auto at = [&] { return static_cast<long long>(ElapsedMs(began)); };
  ASSERT_TRUE(StartCluster(3));
  ExecOk(1, "CREATE TABLE failover (k BIGINT PRIMARY KEY, via INT NOT NULL)");
  ExecOk(1, "ALTER TABLE failover SPLIT AT VALUES (1000100), (1000200), (1000300)");
  ASSERT_TRUE(WaitForNodes(
      1,
      [](const std::vector<NodeRow>& rows, std::string* why) {
        const NodeRow* second = FindRow(rows, 2);
        *why = "node 2 leads no range yet";
        return second != nullptr && second->leases >= 1;
      },
      "node 2 leading a range", 2 * kMembershipDeadline));

  InsertWriterThread writer(node(1).Dsn(), 1, 1'000'000);
  auto writes_flow = [&](int more, const std::string& when) {
    const int since = writer.acked();
    return WaitFor(
        [&](std::string* state) {
          *state = writer.gave_up() ? "the writer gave up: " + writer.report().error
                                    : absl::StrCat(writer.acked() - since, " more acknowledged");
          return writer.gave_up() || writer.acked() >= since + more;
        },
        kMembershipDeadline, absl::StrCat(more, " writes acknowledged through node 1 ", when));
  };
  ASSERT_TRUE(writes_flow(50, "before the drain"));

  std::string output;
  const auto drain_started = Clock::now();
  const int code = RunCairn(
      node(2).binary(),
      absl::StrCat("node drain --host ", LocalAddress(node(2).rpc_port()), " --timeout 30s"),
      &output);
  std::printf(
      "[cluster] +%lld ms: injected `cairn node drain` of node 2: exit %d after %lld ms: %s", at(),
      code, static_cast<long long>(ElapsedMs(drain_started)), output.c_str());
  ASSERT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr("is drained"));

  // Its record says so, and its leases stay away while writes go on.
  ASSERT_TRUE(WaitForNodes(
      1,
      [](const std::vector<NodeRow>& rows, std::string* why) {
        const NodeRow* second = FindRow(rows, 2);
        *why = second == nullptr ? "node 2 unlisted"
                                 : absl::StrCat("node 2: ", second->leases, " leases, draining ",
                                                second->is_draining);
        return second != nullptr && second->is_draining && second->leases == 0;
      },
      "node 2 draining with no lease"));
  EXPECT_EQ(StartupErrorSqlstate(node(2).sql_port(), "root", "postgres"), "57P03");
  EXPECT_EQ(node(2).HttpGet("/health"), 503);
  ASSERT_TRUE(writes_flow(100, "after the drain"));
  absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(3);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const NodeRow* second = FindRow(*rows, 2);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->leases, 0) << "a lease went back to the draining node: " << Describe(*rows);
  std::printf(
      "[cluster] +%lld ms: checked: node 2 draining with 0 leases (%s), new client "
      "refused with 57P03, /health 503, writes flowing\n",
      at(), Describe(*rows).c_str());

  // The restart a drain prepares for: the node comes back an ordinary member.
  ASSERT_TRUE(node(2).Restart());
  ASSERT_TRUE(WaitForNodes(
      1,
      [](const std::vector<NodeRow>& rows, std::string* why) {
        const NodeRow* second = FindRow(rows, 2);
        *why = "node 2 still draining or not live";
        return second != nullptr && second->is_live && !second->is_draining;
      },
      "node 2 live, not draining, after its restart"));
  EXPECT_EQ(node(2).HttpGet("/health"), 200);
  ASSERT_TRUE(writes_flow(50, "after node 2's restart"));
  writer.Stop();

  const InsertWriterReport& report = writer.report();
  EXPECT_EQ(report.error, "") << "errors: " << DescribeErrors(report);
  std::set<int64_t> must_exist;
  for (const auto& [key, acked_at] : report.acked) must_exist.insert(key);
  for (int64_t key : report.taken_on_retry) must_exist.insert(key);
  std::set<int64_t> found;
  for (const std::string& k : QueryRows(3, "SELECT k FROM failover")) {
    int64_t key = 0;
    ASSERT_TRUE(absl::SimpleAtoi(k, &key)) << k;
    found.insert(key);
  }
  size_t missing = 0;
  for (int64_t key : must_exist) missing += found.contains(key) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "acknowledged writes lost";
  std::printf(
      "[cluster] +%lld ms: writer: %zu acknowledged, %zu unknown, errors: %s; all %zu "
      "acknowledged rows read back through node 3 (%zu missing); node 2 restarted, live "
      "and not draining\n",
      at(), report.acked.size(), report.unknown.size(), DescribeErrors(report).c_str(),
      must_exist.size(), missing);
}

}  // namespace
}  // namespace cairn::cluster
