// EXPLAIN names the access path the planner picked for a primary-key
// predicate: a point get, a range scan, or a full scan.

#include <chrono>
#include <string>
#include <thread>

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

// A predicate fixing a secondary index's leading columns reads through the
// index (a unique one fully fixed first); rows are the same either way.
TEST_F(ExplainTest, SecondaryIndexPredicatesUseTheIndex) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE u (id INT PRIMARY KEY, email TEXT UNIQUE, team INT, "
                      "name TEXT)")
                  .ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO u SELECT g, 'e' || g, g % 4, 'n' || (g % 3) FROM "
                      "generate_series(1, 40) g")
                  .ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX u_team_name ON u (team DESC, name)").ok);

  EXPECT_THAT(Explain(pg, "SELECT * FROM u WHERE email = 'e7'"),
              HasSubstr("Index Scan on u using u_email_key (email = 'e7')"));
  EXPECT_THAT(Explain(pg, "SELECT * FROM u WHERE team = 1 AND name = 'n2'"),
              HasSubstr("Index Scan on u using u_team_name (team = 1 AND name = 'n2')"));
  EXPECT_THAT(Explain(pg, "SELECT * FROM u WHERE name = 'n2'"), HasSubstr("Full Scan"));
  // The primary key wins over an index.
  EXPECT_THAT(Explain(pg, "SELECT * FROM u WHERE id = 3 AND team = 3"), HasSubstr("Point Get"));

  EXPECT_THAT(Rows(pg.Exec("SELECT id FROM u WHERE email = 'e7'")), ::testing::ElementsAre("7"));
  EXPECT_THAT(Rows(pg.Exec("SELECT id FROM u WHERE team = 1 AND name = 'n2' ORDER BY id")),
              ::testing::ElementsAre("5", "17", "29"));
  EXPECT_THAT(Rows(pg.Exec("SELECT count(*) FROM u WHERE team = 0")), ::testing::ElementsAre("10"));
  // Writes through the index path keep entries right.
  ASSERT_TRUE(pg.Exec("UPDATE u SET team = 9 WHERE email = 'e8'").ok);
  ASSERT_TRUE(pg.Exec("DELETE FROM u WHERE team = 1 AND name = 'n0'").ok);
  EXPECT_THAT(Rows(pg.Exec("SELECT id FROM u WHERE team = 9")), ::testing::ElementsAre("8"));
  EXPECT_THAT(Rows(pg.Exec("SELECT count(*) FROM u")), ::testing::ElementsAre("37"));
  EXPECT_THAT(Rows(pg.Exec("SELECT cairn_check_indexes('u')")), ::testing::ElementsAre("74"));
}

// Joins on equalities between the two sides hash; the rest of the
// condition stays a filter on the pairs. enable_hashjoin = off gives the
// nested loop back, with the same answers.
TEST_F(ExplainTest, EquiJoinsHash) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE a (id INT PRIMARY KEY, k INT, f FLOAT8)").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE b (id INT PRIMARY KEY, k INT, f FLOAT8)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO a VALUES (1, 1, 1), (2, 2, 2), (3, NULL, 3)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO b VALUES (10, 1, 1), (20, 1, 2), (30, NULL, 3)").ok);
  const std::string query =
      "SELECT a.id, b.id FROM a LEFT JOIN b ON a.k = b.k AND b.id > a.id ORDER BY 1, 2";
  const std::string plan = Explain(pg, query);
  EXPECT_THAT(plan, HasSubstr("Hash Left Join"));
  EXPECT_THAT(plan, HasSubstr("Hash Cond: (a.k = b.k)"));
  EXPECT_THAT(plan, HasSubstr("Join Filter: (b.id > a.id)"));
  const std::vector<std::string> expected = {"1|10", "1|20", "2|NULL", "3|NULL"};
  EXPECT_EQ(Rows(pg.Exec(query)), expected);
  // Floats compare -0 = 0, which hashing would not: they stay in the loop.
  EXPECT_THAT(Explain(pg, "SELECT * FROM a JOIN b ON a.f = b.f"), HasSubstr("Nested Loop"));

  ASSERT_TRUE(pg.Exec("SET enable_hashjoin = off").ok);
  EXPECT_THAT(Explain(pg, query), HasSubstr("Nested Loop Left Join"));
  EXPECT_EQ(Rows(pg.Exec(query)), expected);
  EXPECT_EQ(Rows(pg.Exec("SHOW enable_hashjoin")), std::vector<std::string>{"off"});
  EXPECT_EQ(pg.Exec("SET enable_hashjoin = maybe").sqlstate, "22023");
}

// WHERE parts over one side of a join go down to that side's scan (where
// the primary key serves them); parts over both sides of a comma join
// become its condition, which then hashes. Not past the preserved side of
// an outer join.
TEST_F(ExplainTest, PredicatesMoveDownToTheirInputs) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE p (id INT PRIMARY KEY, k INT)").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE q (id INT PRIMARY KEY, k INT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO p VALUES (1, 1), (2, 2), (3, 3)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO q VALUES (10, 1), (20, 2), (30, NULL)").ok);
  const std::string comma = "SELECT p.id, q.id FROM p, q WHERE p.k = q.k AND p.id = 2";
  const std::string plan = Explain(pg, comma);
  EXPECT_THAT(plan, HasSubstr("Hash Join"));
  EXPECT_THAT(plan, HasSubstr("Point Get on p"));
  EXPECT_THAT(plan, Not(HasSubstr("Nested Loop")));
  EXPECT_EQ(Rows(pg.Exec(comma)), std::vector<std::string>{"2|20"});

  // WHERE on the nullable side of a LEFT JOIN stays above the join (it
  // removes the NULL-extended rows); ON parts over the nullable side go
  // into it.
  const std::string left = "SELECT p.id, q.id FROM p LEFT JOIN q ON p.k = q.k AND q.id > 10 "
                           "WHERE q.id IS NULL ORDER BY 1";
  const std::string left_plan = Explain(pg, left);
  EXPECT_THAT(left_plan, HasSubstr("Range Scan on q"));
  EXPECT_THAT(left_plan, HasSubstr("Filter: (q.id IS NULL)"));
  EXPECT_EQ(Rows(pg.Exec(left)), (std::vector<std::string>{"1|NULL", "3|NULL"}));
}

// ORDER BY a prefix of the primary key, in its directions, reads the rows
// in that order instead of sorting them, so LIMIT stops the scan early.
TEST_F(ExplainTest, PrimaryKeyOrderNeedsNoSort) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE ev (src INT, at INT, v TEXT, PRIMARY KEY (src, at))").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO ev SELECT g % 3, g, 'v' FROM generate_series(1, 3000) g").ok);
  const std::string first = "SELECT src, at FROM ev ORDER BY src, at LIMIT 3";
  EXPECT_THAT(Explain(pg, first), Not(HasSubstr("Sort")));
  EXPECT_EQ(Rows(pg.Exec(first)), (std::vector<std::string>{"0|3", "0|6", "0|9"}));
  const std::string analyzed = Explain(pg, "ANALYZE " + first);
  // The scan stopped after its first batch: far fewer than 3,000 rows.
  EXPECT_THAT(analyzed, HasSubstr("Full Scan on ev"));
  EXPECT_THAT(analyzed, Not(HasSubstr("rows=3000 kv reads")));
  // Within one source, by the key's range.
  EXPECT_THAT(Explain(pg, "SELECT at FROM ev WHERE src = 1 ORDER BY src, at LIMIT 2"),
              Not(HasSubstr("Sort")));
  // Another order still sorts.
  const std::string latest = "SELECT src, at FROM ev ORDER BY src, at DESC LIMIT 2";
  EXPECT_THAT(Explain(pg, latest), HasSubstr("Sort Key"));
  EXPECT_EQ(Rows(pg.Exec(latest)), (std::vector<std::string>{"0|3000", "0|2997"}));
  EXPECT_THAT(Explain(pg, "SELECT v FROM ev ORDER BY v LIMIT 1"), HasSubstr("Sort"));
}

// Bounds on an index's next column after its fixed ones (or on its first)
// read a span of the index, NULLs left out, in both directions.
TEST_F(ExplainTest, IndexRangeScans) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE sc (id INT PRIMARY KEY, grp INT, score INT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO sc SELECT g, g % 3, CASE WHEN g % 7 = 0 THEN NULL ELSE g END "
                      "FROM generate_series(1, 30) g")
                  .ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX sc_score ON sc (score)").ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX sc_grp_score ON sc (grp, score DESC)").ok);
  const std::string range = "SELECT id FROM sc WHERE score > 5 AND score <= 9 ORDER BY id";
  // id is the primary key, which every entry holds: no row is read.
  EXPECT_THAT(Explain(pg, range),
              HasSubstr("Index Only Scan on sc using sc_score (score > 5 AND score <= 9)"));
  EXPECT_EQ(Rows(pg.Exec(range)), (std::vector<std::string>{"6", "8", "9"}));
  const std::string below = "SELECT count(*) FROM sc WHERE score < 8";
  EXPECT_THAT(Explain(pg, below), HasSubstr("using sc_score (score < 8)"));
  EXPECT_EQ(Rows(pg.Exec(below)), std::vector<std::string>{"6"});  // NULLs do not count
  const std::string desc = "SELECT id FROM sc WHERE grp = 1 AND score >= 20 ORDER BY id";
  EXPECT_THAT(Explain(pg, desc), HasSubstr("using sc_grp_score (grp = 1 AND score >= 20)"));
  EXPECT_EQ(Rows(pg.Exec(desc)), (std::vector<std::string>{"22", "25"}));
  EXPECT_EQ(Rows(pg.Exec("SELECT id FROM sc WHERE grp = 1 AND score < 5 ORDER BY id")),
            (std::vector<std::string>{"1", "4"}));
}

// A scan needing only what an index's entries hold (its columns, the
// primary key, INCLUDE columns) answers from the entries; the answers
// stay right while rows and stored columns change.
TEST_F(ExplainTest, CoveringIndexScansReadNoRows) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE acct (id INT PRIMARY KEY, email TEXT, region TEXT, "
                      "balance INT, notes TEXT)")
                  .ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO acct SELECT g, 'a' || g || '@x', 'r' || (g % 4), g * 10, "
                      "'note' FROM generate_series(1, 200) g")
                  .ok);
  ASSERT_TRUE(pg.Exec("CREATE UNIQUE INDEX acct_email ON acct (email) INCLUDE (balance)").ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX acct_region ON acct (region)").ok);

  const std::string by_email = "SELECT id, balance FROM acct WHERE email = 'a7@x'";
  EXPECT_THAT(Explain(pg, by_email), HasSubstr("Index Only Scan on acct using acct_email"));
  EXPECT_EQ(Rows(pg.Exec(by_email)), std::vector<std::string>{"7|70"});
  // notes is not in the entry: the row is read.
  EXPECT_THAT(Explain(pg, "SELECT notes FROM acct WHERE email = 'a7@x'"),
              HasSubstr("Index Scan on acct using acct_email"));
  const std::string in_region = "SELECT count(*), sum(id) FROM acct WHERE region = 'r1'";
  EXPECT_THAT(Explain(pg, in_region), HasSubstr("Index Only Scan on acct using acct_region"));
  EXPECT_EQ(Rows(pg.Exec(in_region)), std::vector<std::string>{"50|4950"});
  // A whole-table count walks the narrowest index instead of the rows.
  EXPECT_THAT(Explain(pg, "SELECT count(*) FROM acct"), HasSubstr("Index Only Scan on acct"));
  EXPECT_EQ(Rows(pg.Exec("SELECT count(*) FROM acct")), std::vector<std::string>{"200"});
  // A correlated subquery's read of the outer row counts as a read.
  const std::string correlated =
      "SELECT a.id FROM acct a WHERE a.region = 'r2' AND EXISTS "
      "(SELECT 1 FROM acct b WHERE b.id = a.id + 1 AND b.notes = a.notes) ORDER BY a.id LIMIT 2";
  EXPECT_THAT(Explain(pg, correlated), HasSubstr("Index Scan on acct using acct_region"));
  EXPECT_EQ(Rows(pg.Exec(correlated)), (std::vector<std::string>{"2", "6"}));

  // Writes keep the stored values: an update of a stored column alone, of
  // the indexed one, a delete, an insert; and a unique entry rewritten in
  // place is no duplicate.
  ASSERT_TRUE(pg.Exec("UPDATE acct SET balance = balance + 1 WHERE id <= 10").ok);
  ASSERT_TRUE(pg.Exec("UPDATE acct SET email = 'moved@x' WHERE id = 8").ok);
  ASSERT_TRUE(pg.Exec("DELETE FROM acct WHERE id = 9").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO acct VALUES (201, 'a9@x', 'r0', 5, NULL)").ok);
  EXPECT_EQ(Rows(pg.Exec(by_email)), std::vector<std::string>{"7|71"});
  EXPECT_EQ(Rows(pg.Exec("SELECT id, balance FROM acct WHERE email = 'moved@x'")),
            std::vector<std::string>{"8|81"});
  EXPECT_EQ(Rows(pg.Exec("SELECT id, balance FROM acct WHERE email = 'a9@x'")),
            std::vector<std::string>{"201|5"});
  QueryResult dup = pg.Exec("INSERT INTO acct VALUES (202, 'a7@x', 'r0', 1, NULL)");
  EXPECT_EQ(dup.sqlstate, "23505");
  EXPECT_EQ(Rows(pg.Exec("SELECT cairn_check_indexes('acct')")), std::vector<std::string>{"400"});
}

// ORDER BY an index's columns (after those an equality fixes) reads the
// index in order; under a LIMIT a full scan turns into that index's scan.
TEST_F(ExplainTest, IndexOrderNeedsNoSort) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE ticket (id INT PRIMARY KEY, queue INT NOT NULL, "
                      "opened INT NOT NULL, title TEXT, due INT)")
                  .ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO ticket SELECT g, g % 5, (g * 37) % 1000, 't' || g, "
                      "CASE WHEN g % 3 = 0 THEN NULL ELSE g END FROM generate_series(1, 1000) g")
                  .ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX ticket_queue_opened ON ticket (queue, opened)").ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX ticket_due ON ticket (due)").ok);

  const std::string newest_in_queue =
      "SELECT id, opened FROM ticket WHERE queue = 2 ORDER BY opened LIMIT 3";
  std::string plan = Explain(pg, newest_in_queue);
  EXPECT_THAT(plan, HasSubstr("using ticket_queue_opened (queue = 2)"));
  EXPECT_THAT(plan, Not(HasSubstr("Sort")));
  EXPECT_EQ(Rows(pg.Exec(newest_in_queue)), (std::vector<std::string>{"892|4", "757|9", "622|14"}));

  const std::string first_opened = "SELECT id, title FROM ticket ORDER BY queue, opened LIMIT 2";
  plan = Explain(pg, first_opened);
  EXPECT_THAT(plan, HasSubstr("Index Scan on ticket using ticket_queue_opened"));
  EXPECT_EQ(Rows(pg.Exec(first_opened)), (std::vector<std::string>{"1000|t1000", "865|t865"}));
  EXPECT_THAT(plan, Not(HasSubstr("Sort")));
  EXPECT_THAT(Explain(pg, "ANALYZE " + first_opened), Not(HasSubstr("rows=1000 kv reads")));

  // due holds NULLs, which the index puts first and ORDER BY due last:
  // only NULLS FIRST (or a bound that leaves NULLs out) reads it in order.
  EXPECT_THAT(Explain(pg, "SELECT id FROM ticket ORDER BY due LIMIT 2"), HasSubstr("Sort"));
  const std::string nulls_first = "SELECT id, due FROM ticket ORDER BY due NULLS FIRST LIMIT 2";
  EXPECT_THAT(Explain(pg, nulls_first), Not(HasSubstr("Sort")));
  EXPECT_EQ(Rows(pg.Exec(nulls_first)), (std::vector<std::string>{"3|NULL", "6|NULL"}));
  const std::string bounded = "SELECT id FROM ticket WHERE due > 500 ORDER BY due LIMIT 2";
  EXPECT_THAT(Explain(pg, bounded), Not(HasSubstr("Sort")));
  EXPECT_EQ(Rows(pg.Exec(bounded)), (std::vector<std::string>{"502", "503"}));
  // Without a LIMIT the rows are read and sorted as before.
  EXPECT_THAT(Explain(pg, "SELECT id FROM ticket ORDER BY queue, opened"), HasSubstr("Sort"));
}

// Inputs that both come in the order of the join keys (their primary
// keys' leading columns) are merged; every join type gives the same rows as
// the hash join, duplicates on both sides, NULL-extended rows included.
TEST_F(ExplainTest, OrderedInputsMerge) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE shipment (region INT, id INT, PRIMARY KEY (region, id))").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE depot (region INT, name TEXT, cap INT, "
                      "PRIMARY KEY (region, name))")
                  .ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO shipment VALUES (1, 10), (1, 11), (2, 20), (4, 40), (4, 41), "
                      "(6, 60)")
                  .ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO depot VALUES (0, 'z', 1), (1, 'a', 5), (1, 'b', 50), "
                      "(3, 'c', 5), (4, 'd', 5), (7, 'e', 5)")
                  .ok);
  const std::string select = "SELECT s.region, s.id, d.region, d.name FROM shipment s ";
  const std::string on = " depot d ON s.region = d.region AND d.cap < 10 ORDER BY 1, 2, 3, 4";
  const std::string inner = select + "JOIN" + on;
  const std::string plan = Explain(pg, inner);
  EXPECT_THAT(plan, HasSubstr("Merge Join"));
  EXPECT_THAT(plan, HasSubstr("Merge Cond: (s.region = d.region)"));
  const std::vector<std::string> inner_rows = {"1|10|1|a", "1|11|1|a", "4|40|4|d", "4|41|4|d"};
  EXPECT_EQ(Rows(pg.Exec(inner)), inner_rows);
  const std::string left = select + "LEFT JOIN" + on;
  EXPECT_THAT(Explain(pg, left), HasSubstr("Merge Left Join"));
  const std::vector<std::string> left_rows = {"1|10|1|a", "1|11|1|a", "2|20|NULL|NULL",
                                              "4|40|4|d", "4|41|4|d", "6|60|NULL|NULL"};
  EXPECT_EQ(Rows(pg.Exec(left)), left_rows);
  const std::string full = select + "FULL JOIN" + on;
  EXPECT_THAT(Explain(pg, full), HasSubstr("Merge Full Join"));
  const std::vector<std::string> full_rows = {
      "1|10|1|a",       "1|11|1|a",      "2|20|NULL|NULL", "4|40|4|d",      "4|41|4|d",
      "6|60|NULL|NULL", "NULL|NULL|0|z", "NULL|NULL|1|b",  "NULL|NULL|3|c", "NULL|NULL|7|e"};
  EXPECT_EQ(Rows(pg.Exec(full)), full_rows);
  const std::string right = select + "RIGHT JOIN" + on;
  EXPECT_EQ(Rows(pg.Exec(right)).size(), 8u);

  // The same rows by hashing.
  ASSERT_TRUE(pg.Exec("SET enable_mergejoin = off").ok);
  EXPECT_THAT(Explain(pg, inner), HasSubstr("Hash Join"));
  EXPECT_EQ(Rows(pg.Exec(inner)), inner_rows);
  EXPECT_EQ(Rows(pg.Exec(left)), left_rows);
  EXPECT_EQ(Rows(pg.Exec(full)), full_rows);
  ASSERT_TRUE(pg.Exec("SET enable_mergejoin = on").ok);
  // Keys that are not the inputs' order hash.
  EXPECT_THAT(Explain(pg, "SELECT * FROM shipment s JOIN depot d ON s.id = d.cap"),
              HasSubstr("Hash Join"));
}

// ORDER BY a key's columns in the opposite directions walks it backwards:
// the last rows come first, and a LIMIT reads only them.
TEST_F(ExplainTest, OppositeOrderWalksTheKeyBackwards) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE post (feed INT, id INT, score INT, body TEXT, "
                      "PRIMARY KEY (feed, id))")
                  .ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO post SELECT g % 4, g, CASE WHEN g % 9 = 0 THEN NULL ELSE "
                      "g % 50 END, 'b' || g FROM generate_series(1, 2000) g")
                  .ok);
  ASSERT_TRUE(pg.Exec("CREATE INDEX post_score ON post (score)").ok);

  const std::string latest = "SELECT feed, id FROM post ORDER BY feed DESC, id DESC LIMIT 3";
  std::string plan = Explain(pg, latest);
  EXPECT_THAT(plan, HasSubstr("Full Scan Backward on post"));
  EXPECT_THAT(plan, Not(HasSubstr("Sort")));
  EXPECT_EQ(Rows(pg.Exec(latest)), (std::vector<std::string>{"3|1999", "3|1995", "3|1991"}));
  EXPECT_THAT(Explain(pg, "ANALYZE " + latest), Not(HasSubstr("rows=2000 kv reads")));

  const std::string in_feed =
      "SELECT id, body FROM post WHERE feed = 2 AND id < 1000 ORDER BY id DESC LIMIT 2";
  EXPECT_THAT(Explain(pg, in_feed), HasSubstr("Range Scan Backward on post"));
  EXPECT_EQ(Rows(pg.Exec(in_feed)), (std::vector<std::string>{"998|b998", "994|b994"}));
  // A whole span backwards, past the first batch.
  EXPECT_EQ(Rows(pg.Exec("SELECT count(*), min(id), max(id) FROM (SELECT id FROM post WHERE "
                         "feed = 1 ORDER BY id DESC) s")),
            std::vector<std::string>{"500|1|1997"});

  // An ascending index read backwards puts its NULLs last: right for
  // DESC NULLS LAST, not for plain DESC (NULLS FIRST).
  const std::string top =
      "SELECT score, feed, id FROM post ORDER BY score DESC NULLS LAST, feed DESC, id DESC LIMIT 3";
  plan = Explain(pg, top);
  EXPECT_THAT(plan, HasSubstr("Index Only Scan Backward on post using post_score"));
  EXPECT_THAT(plan, Not(HasSubstr("Sort")));
  EXPECT_EQ(Rows(pg.Exec(top)), (std::vector<std::string>{"49|3|1999", "49|3|1799", "49|3|1699"}));
  EXPECT_THAT(Explain(pg, "SELECT score FROM post ORDER BY score DESC LIMIT 3"), HasSubstr("Sort"));
  // Rows this transaction wrote and deleted count, backwards too.
  ASSERT_TRUE(pg.Exec("BEGIN").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO post VALUES (3, 5000, 1, 'new')").ok);
  ASSERT_TRUE(pg.Exec("DELETE FROM post WHERE feed = 3 AND id = 1999").ok);
  EXPECT_EQ(Rows(pg.Exec(latest)), (std::vector<std::string>{"3|5000", "3|1995", "3|1991"}));
  ASSERT_TRUE(pg.Exec("ROLLBACK").ok);
}

// A join whose left side is known small and whose keys give the right
// table's primary key reads each match with a point get.
TEST_F(ExplainTest, SmallLeftSideLooksUpByPrimaryKey) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE cust (id INT PRIMARY KEY, name TEXT, vip BOOL)").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE ord (id INT PRIMARY KEY, cust_id INT, total INT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO cust SELECT g, 'c' || g, g % 2 = 0 FROM generate_series(1, 500) g").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO ord VALUES (1, 7, 10), (2, 8, 20), (3, NULL, 30), (4, 9999, 40)").ok);
  const std::string one = "SELECT o.id, c.name FROM ord o JOIN cust c ON o.cust_id = c.id WHERE o.id = 2";
  const std::string plan = Explain(pg, one);
  EXPECT_THAT(plan, HasSubstr("Lookup Join on cust using cust_pkey"));
  EXPECT_THAT(plan, HasSubstr("Lookup Cond: (c.id = o.cust_id)"));
  EXPECT_THAT(plan, Not(HasSubstr("Full Scan on cust")));
  EXPECT_EQ(Rows(pg.Exec(one)), std::vector<std::string>{"2|c8"});
  // Only the one row was read from cust.
  EXPECT_THAT(Explain(pg, "ANALYZE " + one), HasSubstr("kv reads=2"));

  // LEFT, with a NULL key, a key no row has, a filter on the looked-up side
  // and a residual condition.
  const std::string left =
      "SELECT o.id, c.name FROM (SELECT * FROM ord LIMIT 10) o LEFT JOIN cust c "
      "ON o.cust_id = c.id AND c.vip AND o.total < 40 ORDER BY o.id";
  EXPECT_THAT(Explain(pg, left), HasSubstr("Lookup Left Join on cust"));
  EXPECT_EQ(Rows(pg.Exec(left)),
            (std::vector<std::string>{"1|NULL", "2|c8", "3|NULL", "4|NULL"}));
  // A large left side hashes instead.
  EXPECT_THAT(Explain(pg, "SELECT * FROM ord o JOIN cust c ON o.cust_id = c.id"),
              HasSubstr("Hash Join"));
}

// ANALYZE counts rows (pg_class.reltuples), and so does its automatic
// refresh after enough writes; with counts the hash join builds on the
// smaller input, whichever side it is written on.
TEST_F(ExplainTest, StatisticsPickTheBuildSide) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE small (id INT PRIMARY KEY, k INT)").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE big (id INT PRIMARY KEY, k INT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO small SELECT g, g FROM generate_series(1, 20) g").ok);
  EXPECT_EQ(Rows(pg.Exec("SELECT reltuples FROM pg_class WHERE relname = 'small'")),
            std::vector<std::string>{"-1"});
  ASSERT_TRUE(pg.Exec("ANALYZE small").ok);
  EXPECT_EQ(Rows(pg.Exec("SELECT reltuples FROM pg_class WHERE relname = 'small'")),
            std::vector<std::string>{"20"});
  // 2,000 rows written: the automatic refresh counts them.
  ASSERT_TRUE(pg.Exec("INSERT INTO big SELECT g, g % 50 FROM generate_series(1, 2000) g").ok);
  std::vector<std::string> tuples;
  for (int i = 0; i < 500; ++i) {
    tuples = Rows(pg.Exec("SELECT reltuples FROM pg_class WHERE relname = 'big'"));
    if (tuples == std::vector<std::string>{"2000"}) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(tuples, std::vector<std::string>{"2000"});

  // Written small-first, it runs big-first: the hash table holds small's rows.
  const std::string query = "SELECT count(*) FROM small s JOIN big b ON s.k = b.k";
  const std::string plan = Explain(pg, query);
  const size_t big_at = plan.find("Full Scan on big");
  const size_t small_at = plan.find("Full Scan on small");
  ASSERT_NE(big_at, std::string::npos) << plan;
  ASSERT_NE(small_at, std::string::npos) << plan;
  EXPECT_LT(big_at, small_at) << plan;
  // EXPLAIN shows the estimates the choice was made on.
  EXPECT_THAT(plan, HasSubstr("Full Scan on big  (estimated rows=2000)"));
  EXPECT_THAT(plan, HasSubstr("Full Scan on small  (estimated rows=20)"));
  EXPECT_EQ(Rows(pg.Exec(query)), std::vector<std::string>{"800"});
}

// With statistics, a chain of inner joins starts from its smallest input
// and adds connected inputs smallest first; the answer is the same.
TEST_F(ExplainTest, JoinOrderFollowsStatistics) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE jb (id INT PRIMARY KEY, k INT)").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE jm (id INT PRIMARY KEY, k INT, j INT)").ok);
  ASSERT_TRUE(pg.Exec("CREATE TABLE js (id INT PRIMARY KEY, j INT, name TEXT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO jb SELECT g, g % 100 FROM generate_series(1, 3000) g").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO jm SELECT g, g % 100, g % 10 FROM generate_series(1, 200) g").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO js SELECT g, g, 's' || g FROM generate_series(1, 3) g").ok);
  const std::string query =
      "SELECT s.name, count(*) FROM jb b JOIN jm m ON b.k = m.k JOIN js s ON m.j = s.j "
      "GROUP BY s.name ORDER BY s.name";
  const std::vector<std::string> expected = {"s1|600", "s2|600", "s3|600"};
  EXPECT_EQ(Rows(pg.Exec(query)), expected);
  ASSERT_TRUE(pg.Exec("ANALYZE").ok);
  // Joined first (innermost): the two smaller tables; the big one last.
  // (Each hash join then builds on its smaller input, so the big table is
  // the outer join's probe side.)
  const std::string plan = Explain(pg, query);
  const size_t outer = plan.find("Hash Cond: (b.k = m.k)");
  const size_t inner = plan.find("Hash Cond: (m.j = s.j)");
  ASSERT_NE(outer, std::string::npos) << plan;
  ASSERT_NE(inner, std::string::npos) << plan;
  EXPECT_LT(outer, inner) << plan;
  EXPECT_EQ(Rows(pg.Exec(query)), expected);
}

}  // namespace
}  // namespace cairn::e2e
