// EXPLAIN names the access path the planner picked for a primary-key
// predicate: a point get, a range scan, or a full scan.

#include <string>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::HasSubstr;
using ::testing::Not;

class ExplainTest : public NodeTest {
 protected:
  // The plan text, one line per row.
  std::string Explain(PgConn& pg, const std::string& query) {
    QueryResult r = pg.Exec("EXPLAIN " + query);
    EXPECT_TRUE(r.ok) << query << ": " << r.sqlstate << " " << r.message;
    std::string text;
    for (const auto& line : Rows(r)) text += line + "\n";
    return text;
  }
};

TEST_F(ExplainTest, PrimaryKeyPredicatesPickTheAccessPath) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE t (pk INT PRIMARY KEY, v INT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO t VALUES (1, 1), (5, 5), (7, 7), (12, 12)").ok);

  std::string point = Explain(pg, "SELECT * FROM t WHERE pk = 5");
  EXPECT_THAT(point, HasSubstr("Point Get"));
  EXPECT_THAT(point, Not(HasSubstr("Full Scan")));

  std::string range = Explain(pg, "SELECT * FROM t WHERE pk > 5 AND pk < 10");
  EXPECT_THAT(range, HasSubstr("Range Scan"));
  EXPECT_THAT(range, Not(HasSubstr("Full Scan")));

  EXPECT_THAT(Explain(pg, "SELECT * FROM t WHERE v = 5"), HasSubstr("Full Scan"));

  // EXPLAIN only plans: the queries still answer correctly when run.
  EXPECT_THAT(Rows(pg.Exec("SELECT * FROM t WHERE pk = 5")), ::testing::ElementsAre("5|5"));
  EXPECT_THAT(Rows(pg.Exec("SELECT pk FROM t WHERE pk > 5 AND pk < 10")),
              ::testing::ElementsAre("7"));
  EXPECT_THAT(Rows(pg.Exec("SELECT pk FROM t WHERE v = 5")), ::testing::ElementsAre("5"));
}

}  // namespace
}  // namespace cairn::e2e
