// A transaction's coordinator killed (SIGKILL, through a failpoint:
// common/failpoint.h) at each point of a commit across three ranges, two-
// phase or async, leaves nothing half visible: through the other nodes
// every row shows the transaction's change or none does, as its locks
// decided (the primary's commit; with async commit, every key locked), and
// the locks it left are cleared by the next reader -- a write of every row right
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
  // Async commit on (kv.async_commit_max_keys): the transaction is
  // committed once every key is locked.
  bool async_commit;
  // What the transaction's locks decided when the coordinator died.
  enum Outcome { kNoChange, kChange, kEither } outcome;
};

const char* Describe(CrashPoint::Outcome outcome) {
  switch (outcome) {
    case CrashPoint::kNoChange:
      return "no change";
    case CrashPoint::kChange:
      return "its change";
    case CrashPoint::kEither:
      return "all or nothing";
  }
  return "";
}

std::string EveryRow(int v) {
  std::vector<std::string> rows;
  for (int k = 1; k <= 6; ++k) rows.push_back(absl::StrCat(k, "|", v));
  return absl::StrJoin(rows, ",");
}

TEST_F(ClusterTest, CoordinatorKilledMidCommitLeavesNothingHalfVisible) {
  ASSERT_TRUE(StartCluster(3));
  ExecOk(1, "CREATE TABLE acct (k INT PRIMARY KEY, v INT NOT NULL)");
  ExecOk(1, "INSERT INTO acct VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0)");
  ExecOk(1, "ALTER TABLE acct SPLIT AT VALUES (3), (5)");  // rows in three ranges
  int expected = 0;                                        // every row's v

  const CrashPoint points[] = {
      {"kv.prewrite.after_one_range", false, false, CrashPoint::kNoChange},
      // The other ranges' prewrites were sent in parallel: if all landed,
      // the transaction committed.
      {"kv.prewrite.after_one_range", false, true, CrashPoint::kEither},
      {"txn.commit.after_async_prewrite", false, true, CrashPoint::kChange},
      {"txn.commit.after_prewrite", true, false, CrashPoint::kNoChange},
      {"txn.commit.after_primary", true, false, CrashPoint::kChange},
  };
  for (const CrashPoint& point : points) {
    SCOPED_TRACE(point.failpoint);
    // Node 3 reads the setting when it starts.
    ExecOk(1, absl::StrCat("SET CLUSTER SETTING kv.async_commit_max_keys = ",
                           point.async_commit ? 256 : 0));
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
    // All or nothing, through each surviving node.
    const std::string seen = absl::StrJoin(QueryRows(1, "SELECT k, v FROM acct ORDER BY k"), ",");
    if (point.outcome == CrashPoint::kChange ||
        (point.outcome == CrashPoint::kEither && seen == EveryRow(expected + 1))) {
      ++expected;
    }
    EXPECT_EQ(seen, EveryRow(expected)) << "through node 1";
    EXPECT_EQ(absl::StrJoin(QueryRows(2, "SELECT k, v FROM acct ORDER BY k"), ","),
              EveryRow(expected))
        << "through node 2";
    // Nothing is left in the way of writers.
    EXPECT_EQ(ExecOk(2, "UPDATE acct SET v = v + 1"), "UPDATE 6");
    ++expected;
    std::printf(
        "[cluster] %s: coordinator killed mid-commit (%s, %s); the rows show %s; "
        "every row written again through node 2\n",
        point.failpoint, point.explicit_block ? "BEGIN ... COMMIT" : "autocommit",
        point.async_commit ? "async commit" : "two-phase commit",
        point.outcome == CrashPoint::kEither ? seen.c_str() : Describe(point.outcome));
  }
  node(3).set_extra_env({});
  ASSERT_TRUE(node(3).Start());
  EXPECT_EQ(QueryRows(3, "SELECT DISTINCT v FROM acct"),
            std::vector<std::string>{std::to_string(expected)});
}

}  // namespace
}  // namespace cairn::cluster
