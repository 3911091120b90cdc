// Plan fragments evaluated at a leaseholder on another node than the
// gateway (the fragment and its answer cross the Cluster service): results
// as with pushdown off, and errors raised there reach the client as they
// would from the gateway, SQLSTATE and statement position alike.

#include <libpq-fe.h>

#include "cluster_fixture.h"

namespace cairn::cluster {
namespace {

// What a failed statement reports: SQLSTATE and statement position
// (PG_DIAG_STATEMENT_POSITION, "" when the error has none).
struct ErrorReport {
  std::string sqlstate;
  std::string position;
  std::string message;
};

ErrorReport ErrorOf(PgConn& pg, const std::string& sql) {
  ErrorReport out;
  PGresult* res = PQexec(pg.raw(), sql.c_str());
  if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
    auto field = [&](int code) {
      const char* f = PQresultErrorField(res, code);
      return std::string(f != nullptr ? f : "");
    };
    out.sqlstate = field(PG_DIAG_SQLSTATE);
    out.position = field(PG_DIAG_STATEMENT_POSITION);
    out.message = field(PG_DIAG_MESSAGE_PRIMARY);
  }
  PQclear(res);
  return out;
}

// The table's one range has its lease on one of the two nodes: through the
// other, the fragment is evaluated remotely. Both nodes are asked, so the
// test holds wherever the lease is.
TEST_F(ClusterTest, PushdownErrorsThroughARemoteLeaseholder) {
  ASSERT_TRUE(StartCluster(2));
  ExecOk(1, "CREATE TABLE pe (id INT PRIMARY KEY, g INT, v INT, s TEXT)");
  ExecOk(1,
         "INSERT INTO pe SELECT i, i % 5, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 100 END, "
         "'s' || i FROM generate_series(1, 2000) i");
  absl::StatusOr<std::vector<RangeRow>> ranges = ShowRanges(2, "pe");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  std::printf("[cluster] pe: %s\n", Describe(*ranges).c_str());

  for (int via : {1, 2}) {
    SCOPED_TRACE("through node " + std::to_string(via));
    std::unique_ptr<PgConn> on = Connect(node(via).Dsn());
    std::unique_ptr<PgConn> off = Connect(node(via).Dsn());
    ASSERT_TRUE(on->ok() && off->ok());
    ASSERT_TRUE(on->Exec("SET enable_pushdown = on").ok);
    ASSERT_TRUE(off->Exec("SET enable_pushdown = off").ok);

    for (const std::string& query :
         {std::string("SELECT g, count(*), count(v), sum(v), min(s), max(v) FROM pe GROUP BY g "
                      "ORDER BY g"),
          std::string("SELECT id, s FROM pe WHERE v IS NULL AND s LIKE '%5' ORDER BY id"),
          std::string("SELECT count(*) FROM pe WHERE id > 1990")}) {
      QueryResult with = on->Exec(query);
      QueryResult without = off->Exec(query);
      ASSERT_TRUE(with.ok) << query << ": " << with.sqlstate << " " << with.message;
      ASSERT_TRUE(without.ok) << query << ": " << without.sqlstate << " " << without.message;
      EXPECT_EQ(Rows(with), Rows(without)) << query;
    }

    for (const std::string& query :
         {std::string("SELECT count(*) FROM pe WHERE v / 0 = 1"),
          std::string("SELECT id FROM pe WHERE s::int > 0"),
          std::string("SELECT g, sum(v / (id - id)) FROM pe GROUP BY g")}) {
      const ErrorReport with = ErrorOf(*on, query);
      const ErrorReport without = ErrorOf(*off, query);
      EXPECT_FALSE(without.sqlstate.empty()) << query;
      EXPECT_FALSE(without.position.empty()) << query;
      EXPECT_EQ(with.sqlstate, without.sqlstate) << query << ": " << with.message;
      EXPECT_EQ(with.message, without.message) << query;
      // The position points the client at the expression that failed.
      EXPECT_EQ(with.position, without.position) << query << ": " << with.message;
    }
  }
}

}  // namespace
}  // namespace cairn::cluster
