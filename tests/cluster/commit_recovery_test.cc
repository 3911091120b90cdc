// A transaction's coordinator killed (SIGKILL, through a failpoint:
// common/failpoint.h) at each point of a commit across three ranges leaves
// nothing half visible: through the other nodes every row shows the
// transaction's change or none does, as its primary decided, and the locks
// it left are cleared by the next reader -- a write of every row right
// after succeeds.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cluster_fixture.h"
#include "gtest/gtest.h"

namespace cairn::cluster {
namespace {

struct CrashPoint {
  const char* failpoint;
  // How the statement reaches the commit: an explicit block (its rows are
  // locked at the UPDATE, then prewritten at COMMIT) or one autocommit
  // statement (prewritten at once).
  bool explicit_block;
  bool commits;  // what the primary decided when the coordinator died
};

TEST_F(ClusterTest, CoordinatorKilledMidCommitLeavesNothingHalfVisible) {
  ASSERT_TRUE(StartCluster(3));
  ExecOk(1, "CREATE TABLE acct (k INT PRIMARY KEY, v INT NOT NULL)");
  ExecOk(1, "INSERT INTO acct VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0)");
  ExecOk(1, "ALTER TABLE acct SPLIT AT VALUES (3), (5)");  // rows in three ranges
  int expected = 0;                                        // every row's v

  const CrashPoint points[] = {
      {"kv.prewrite.after_one_range", false, false},
      {"txn.commit.after_prewrite", true, false},
      {"txn.commit.after_primary", true, true},
  };
  for (const CrashPoint& point : points) {
    SCOPED_TRACE(point.failpoint);
    if (node(3).running()) ASSERT_EQ(node(3).Stop(), 0);
    node(3).set_extra_env({absl::StrCat("CAIRN_FAILPOINTS=", point.failpoint)});
    ASSERT_TRUE(node(3).Start());

    // Node 3 coordinates an increment of every row, and dies in its commit.
    auto conn = Connect(node(3).Dsn());
    ASSERT_TRUE(conn->ok()) << conn->error();
    QueryResult commit;
    if (point.explicit_block) {
      ASSERT_TRUE(conn->Exec("BEGIN").ok);
      QueryResult update = conn->Exec("UPDATE acct SET v = v + 1");
      ASSERT_TRUE(update.ok) << update.sqlstate << " " << update.message;
      commit = conn->Exec("COMMIT");
    } else {
      commit = conn->Exec("UPDATE acct SET v = v + 1");
    }
    EXPECT_TRUE(commit.connection_lost)
        << "the commit returned: " << commit.tag << " " << commit.sqlstate << " " << commit.message;
    ASSERT_TRUE(WaitFor(
        [&](std::string* state) {
          const bool dead = !node(3).Alive();
          *state = dead ? absl::StrCat("exit code ", node(3).exit_code()) : "running";
          return dead;
        },
        std::chrono::seconds(10), "node 3 killed by its failpoint"));
    EXPECT_EQ(node(3).exit_code(), 128 + 9);
    if (point.commits) ++expected;

    // All or nothing, through each surviving node.
    const std::string all_rows = absl::StrJoin(
        {absl::StrCat("1|", expected), absl::StrCat("2|", expected), absl::StrCat("3|", expected),
         absl::StrCat("4|", expected), absl::StrCat("5|", expected), absl::StrCat("6|", expected)},
        ",");
    for (int via : {1, 2}) {
      std::vector<std::string> rows = QueryRows(via, "SELECT k, v FROM acct ORDER BY k");
      EXPECT_EQ(absl::StrJoin(rows, ","), all_rows) << "through node " << via;
    }
    // Nothing is left in the way of writers.
    EXPECT_EQ(ExecOk(2, "UPDATE acct SET v = v + 1"), "UPDATE 6");
    ++expected;
    std::printf(
        "[cluster] %s: coordinator killed mid-commit (%s); the rows show %s; every "
        "row written again through node 2\n",
        point.failpoint, point.explicit_block ? "BEGIN ... COMMIT" : "autocommit",
        point.commits ? "its change (the primary had committed)" : "no change");
  }
  node(3).set_extra_env({});
  ASSERT_TRUE(node(3).Start());
  EXPECT_EQ(QueryRows(3, "SELECT DISTINCT v FROM acct"),
            std::vector<std::string>{std::to_string(expected)});
}

}  // namespace
}  // namespace cairn::cluster
