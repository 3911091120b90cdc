// SQL through libpqxx against a real node: every column type of issue #2,
// DML with RETURNING and command tags, query clauses, NULL logic and error
// SQLSTATEs. Expected texts are what PostgreSQL 15 prints for the same
// statements (checked against a PostgreSQL 15.18 server, TimeZone UTC).

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "pqxx/pqxx"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SqlTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    if (HasFatalFailure()) return;
    conn_ = std::make_unique<pqxx::connection>(node_.Dsn());
  }

  pqxx::result Exec(const std::string& sql) { return PqxxExec(*conn_, sql); }
  std::vector<std::string> Query(const std::string& sql) { return Rows(Exec(sql)); }
  std::string Sqlstate(const std::string& sql) { return PqxxSqlstate(*conn_, sql); }

  // Declared after node_ (in NodeTest), so it closes before the node stops.
  std::unique_ptr<pqxx::connection> conn_;
};

constexpr const char* kAllTypesTable =
    "CREATE TABLE all_types (id SERIAL PRIMARY KEY, s SMALLINT, i INTEGER, b BIGINT, "
    "bo BOOLEAN, r REAL, d DOUBLE PRECISION, n NUMERIC(10,2), tx TEXT, vc VARCHAR(5), "
    "c CHAR(3), by BYTEA, da DATE, ts TIMESTAMP, tz TIMESTAMPTZ)";

TEST_F(SqlTest, EveryTypeRoundTripsAsPostgresPrintsIt) {
  Exec(kAllTypesTable);
  pqxx::result inserted = Exec(
      "INSERT INTO all_types (s, i, b, bo, r, d, n, tx, vc, c, by, da, ts, tz) VALUES "
      "(1, 2, 3, true, 1.5, 2.25, 1.5, 'hello', 'abcde', 'ab', '\\x0102', '2024-01-02', "
      "'2024-01-02 03:04:05', '2024-01-02 03:04:05+00'), "
      "(-32768, 2147483647, 9223372036854775807, false, 0.1, 0.30000000000000004, -0.5, '', "
      "'x', 'abc', '\\xDEADBEEF', '1999-12-31', '1999-12-31 23:59:59.5', "
      "'2024-06-01 12:00:00-02') "
      "RETURNING id, n, c");
  EXPECT_EQ(inserted.affected_rows(), 2u);
  EXPECT_THAT(Rows(inserted), ElementsAre("1|1.50|ab ", "2|-0.50|abc"));

  pqxx::result with_default =
      Exec("INSERT INTO all_types (s, i) VALUES (DEFAULT, 7) RETURNING id, s, i");
  EXPECT_THAT(Rows(with_default), ElementsAre("3|NULL|7"));
  EXPECT_THAT(Query("INSERT INTO all_types DEFAULT VALUES RETURNING id"), ElementsAre("4"));

  pqxx::result all = Exec("SELECT * FROM all_types ORDER BY id");
  EXPECT_THAT(
      Rows(all),
      ElementsAre("1|1|2|3|t|1.5|2.25|1.50|hello|abcde|ab |\\x0102|2024-01-02|"
                  "2024-01-02 03:04:05|2024-01-02 03:04:05+00",
                  "2|-32768|2147483647|9223372036854775807|f|0.1|0.30000000000000004|-0.50||x|abc|"
                  "\\xdeadbeef|1999-12-31|1999-12-31 23:59:59.5|2024-06-01 14:00:00+00",
                  "3|NULL|7|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
                  "4|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL"));

  // Type OIDs in the RowDescription, as clients decode by them.
  const std::vector<pqxx::oid> oids = {23 /*serial: int4*/, 21,  23,   20,   16,  700,  701, 1700,
                                       25,                  1043, 1042, 17, 1082, 1114, 1184};
  ASSERT_EQ(all.columns(), oids.size());
  for (size_t i = 0; i < oids.size(); ++i) {
    EXPECT_EQ(all.column_type(static_cast<pqxx::row::size_type>(i)), oids[i])
        << "column " << all.column_name(static_cast<pqxx::row::size_type>(i));
  }
}

TEST_F(SqlTest, ValueEdgeCasesPrintAsPostgres) {
  Exec("CREATE TABLE v (k INT PRIMARY KEY, r REAL, n NUMERIC(10,2), c CHAR(3), vc VARCHAR(5), "
       "by BYTEA, ts TIMESTAMP, tz TIMESTAMPTZ, da DATE, t TEXT)");
  Exec("INSERT INTO v VALUES (1, 3.14159274, 1.005, 'a', 'abc  ', 'abc', "
       "'2024-02-29 23:59:59.123456', '2024-01-01 00:00:00+05:30', '2000-02-29', 'it''s ✓')");
  Exec("INSERT INTO v VALUES (2, -0.0, 99999999.99, '', '', '', '1970-01-01', "
       "'1969-12-31 23:59:59.999999+00', '0001-01-01', '')");
  Exec("INSERT INTO v VALUES (3, 1e-7, -0.001, 'xyz  ', 'x', '\\x00ff', '2024-01-02T03:04:05', "
       "'2024-01-02 03:04:05.5Z', '2024-12-31', NULL)");
  EXPECT_THAT(Query("SELECT * FROM v ORDER BY k"),
              ElementsAre("1|3.1415927|1.01|a  |abc  |\\x616263|2024-02-29 23:59:59.123456|"
                          "2023-12-31 18:30:00+00|2000-02-29|it's ✓",
                          "2|0|99999999.99|   ||\\x|1970-01-01 00:00:00|"
                          "1969-12-31 23:59:59.999999+00|0001-01-01|",
                          "3|1e-07|0.00|xyz|x|\\x00ff|2024-01-02 03:04:05|2024-01-02 03:04:05.5+00|"
                          "2024-12-31|NULL"));
  EXPECT_THAT(Query("SELECT octet_length(by), length(t) FROM v ORDER BY k"),
              ElementsAre("3|6", "0|0", "2|NULL"));
  EXPECT_THAT(Query("SELECT true, false, 'yes'::boolean, 1::smallint, -2::bigint, 2.5::real, "
                    "2.5::float8, 12::numeric(10,2)"),
              ElementsAre("t|f|t|1|-2|2.5|2.5|12.00"));
}

// Regression test: length() and || on a CHAR(n) value kept the blank
// padding. In PostgreSQL trailing blanks of character(n) are
// insignificant: length('a'::char(3)) is 1.
TEST_F(SqlTest, CharLengthIgnoresPadding) {
  Exec("CREATE TABLE ch (k INT PRIMARY KEY, c CHAR(3))");
  Exec("INSERT INTO ch VALUES (1, 'a'), (2, ''), (3, 'xyz')");
  EXPECT_THAT(Query("SELECT c, length(c) FROM ch ORDER BY k"),
              ElementsAre("a  |1", "   |0", "xyz|3"));
  // Converting to text drops the padding too.
  EXPECT_THAT(Query("SELECT c || '.' FROM ch ORDER BY k"), ElementsAre("a.", ".", "xyz."));
}

TEST_F(SqlTest, ColumnDefaults) {
  Exec("CREATE TABLE df (k INT PRIMARY KEY, v INT DEFAULT 42, t TEXT DEFAULT 'x', n INT)");
  EXPECT_EQ(Exec("INSERT INTO df (k) VALUES (1)").affected_rows(), 1u);
  EXPECT_THAT(Query("INSERT INTO df VALUES (2, DEFAULT, DEFAULT, DEFAULT) RETURNING *"),
              ElementsAre("2|42|x|NULL"));
  EXPECT_THAT(Query("INSERT INTO df (k, v) VALUES (3, NULL), (4, DEFAULT) RETURNING k, v, t"),
              ElementsAre("3|NULL|x", "4|42|x"));
  EXPECT_THAT(Query("UPDATE df SET v = DEFAULT WHERE k = 3 RETURNING v"), ElementsAre("42"));
  EXPECT_THAT(Query("SELECT * FROM df ORDER BY k"),
              ElementsAre("1|42|x|NULL", "2|42|x|NULL", "3|42|x|NULL", "4|42|x|NULL"));
}

TEST_F(SqlTest, UpdateAndDeleteWithReturningAndCommandTags) {
  Exec("CREATE TABLE items (id INT PRIMARY KEY, name TEXT, qty INT)");
  pqxx::result ins = Exec("INSERT INTO items (id, name, qty) VALUES (1, 'a', 10), (2, 'b', 20), "
                          "(3, 'c', 30), (4, 'd', 40)");
  EXPECT_EQ(ins.affected_rows(), 4u);

  pqxx::result upd = Exec("UPDATE items SET qty = qty + 1 WHERE id >= 3 RETURNING id, qty");
  EXPECT_EQ(upd.affected_rows(), 2u);
  EXPECT_THAT(Rows(upd), ::testing::UnorderedElementsAre("3|31", "4|41"));
  EXPECT_EQ(Exec("UPDATE items SET qty = 0 WHERE id = 99").affected_rows(), 0u);

  pqxx::result del = Exec("DELETE FROM items WHERE name = 'b' RETURNING *");
  EXPECT_EQ(del.affected_rows(), 1u);
  EXPECT_THAT(Rows(del), ElementsAre("2|b|20"));
  EXPECT_THAT(Query("SELECT id, qty FROM items ORDER BY id"), ElementsAre("1|10", "3|31", "4|41"));

  // Full command tags, which libpqxx does not expose.
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  EXPECT_EQ(pg.Exec("CREATE TABLE tags (k INT PRIMARY KEY)").tag, "CREATE TABLE");
  EXPECT_EQ(pg.Exec("INSERT INTO tags VALUES (1), (2), (3)").tag, "INSERT 0 3");
  EXPECT_EQ(pg.Exec("SELECT * FROM tags").tag, "SELECT 3");
  EXPECT_EQ(pg.Exec("UPDATE tags SET k = k + 10 WHERE k > 1").tag, "UPDATE 2");
  EXPECT_EQ(pg.Exec("DELETE FROM tags WHERE k > 100").tag, "DELETE 0");
  EXPECT_EQ(pg.Exec("DELETE FROM tags").tag, "DELETE 3");
  EXPECT_EQ(pg.Exec("BEGIN").tag, "BEGIN");
  EXPECT_EQ(pg.Exec("COMMIT").tag, "COMMIT");
}

class QueryClauseTest : public SqlTest {
 protected:
  void SetUp() override {
    SqlTest::SetUp();
    if (HasFatalFailure()) return;
    Exec("CREATE TABLE g (k INT PRIMARY KEY, grp TEXT, v INT)");
    Exec("INSERT INTO g VALUES (1,'a',10),(2,'a',20),(3,'b',5),(4,'b',NULL),(5,'c',7),"
         "(6,NULL,1),(7,'a',30)");
  }
};

TEST_F(QueryClauseTest, OrderByLimitOffsetDistinct) {
  EXPECT_THAT(Query("SELECT k FROM g ORDER BY k DESC LIMIT 3 OFFSET 1"),
              ElementsAre("6", "5", "4"));
  EXPECT_THAT(Query("SELECT k FROM g ORDER BY k LIMIT 2"), ElementsAre("1", "2"));
  EXPECT_THAT(Query("SELECT k FROM g ORDER BY k OFFSET 6"), ElementsAre("7"));
  EXPECT_THAT(Query("SELECT k FROM g ORDER BY k LIMIT 0"), IsEmpty());
  // NULLs sort last ascending and first descending.
  EXPECT_THAT(Query("SELECT v FROM g ORDER BY v"),
              ElementsAre("1", "5", "7", "10", "20", "30", "NULL"));
  EXPECT_THAT(Query("SELECT v FROM g ORDER BY v DESC"),
              ElementsAre("NULL", "30", "20", "10", "7", "5", "1"));
  EXPECT_THAT(Query("SELECT grp, k FROM g ORDER BY grp DESC, k LIMIT 3"),
              ElementsAre("NULL|6", "c|5", "b|3"));
  EXPECT_THAT(Query("SELECT DISTINCT grp FROM g ORDER BY grp"),
              ElementsAre("a", "b", "c", "NULL"));
  EXPECT_THAT(Query("SELECT k FROM g WHERE grp LIKE 'a%' ORDER BY k LIMIT 2"),
              ElementsAre("1", "2"));
  EXPECT_THAT(Query("SELECT k FROM g WHERE k BETWEEN 2 AND 4 ORDER BY k"),
              ElementsAre("2", "3", "4"));
}

TEST_F(QueryClauseTest, GroupByHavingAndAggregates) {
  EXPECT_THAT(Query("SELECT grp, count(*), count(v), sum(v), min(v), max(v) FROM g "
                    "GROUP BY grp HAVING count(*) > 1 ORDER BY grp"),
              ElementsAre("a|3|3|60|10|30", "b|2|1|5|5|5"));
  EXPECT_THAT(Query("SELECT grp, sum(v) FROM g GROUP BY grp ORDER BY sum(v) DESC"),
              ElementsAre("a|60", "c|7", "b|5", "NULL|1"));
  EXPECT_THAT(Query("SELECT count(*), count(v), sum(v), min(k), max(grp) FROM g"),
              ElementsAre("7|6|73|1|c"));
  // avg's value (its text scale is checked in NumericDivisionScaleMatchesPostgres).
  pqxx::result avg = Exec("SELECT grp, avg(v) FROM g GROUP BY grp ORDER BY grp");
  ASSERT_EQ(avg.size(), 4u);
  EXPECT_DOUBLE_EQ(std::strtod(avg[0][1].c_str(), nullptr), 20.0);
  EXPECT_DOUBLE_EQ(std::strtod(avg[1][1].c_str(), nullptr), 5.0);
  EXPECT_DOUBLE_EQ(std::strtod(avg[2][1].c_str(), nullptr), 7.0);
  EXPECT_DOUBLE_EQ(std::strtod(avg[3][1].c_str(), nullptr), 1.0);
  // Aggregates over no rows: count is 0, the others NULL.
  EXPECT_THAT(
      Query("SELECT count(*), count(v), sum(v), avg(v), min(v), max(v) FROM g WHERE k > 100"),
      ElementsAre("0|0|NULL|NULL|NULL|NULL"));
}

// Regression test: numeric division (and so avg) printed fewer digits than
// PostgreSQL, which picks the result scale in select_div_scale (at least 16
// significant digits, counted in base-10000 groups).
TEST_F(QueryClauseTest, NumericDivisionScaleMatchesPostgres) {
  EXPECT_THAT(Query("SELECT avg(v) FROM g WHERE grp = 'a'"), ElementsAre("20.0000000000000000"));
  EXPECT_THAT(Query("SELECT avg(k) FROM g WHERE k <= 2"), ElementsAre("1.5000000000000000"));
  EXPECT_THAT(Query("SELECT 1::numeric / 3, 10::numeric / 4"),
              ElementsAre("0.33333333333333333333|2.5000000000000000"));
}

TEST_F(QueryClauseTest, ThreeValuedNullLogic) {
  EXPECT_THAT(Query("SELECT NULL = NULL, NULL AND false, NULL AND true, NULL OR true, "
                    "NULL OR false, NOT NULL, NULL IS NULL, NULL IS NOT NULL"),
              ElementsAre("NULL|f|NULL|t|NULL|NULL|t|f"));
  EXPECT_THAT(Query("SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL < 1, "
                    "NULL::int + 1, 'x' || NULL"),
              ElementsAre("t|NULL|NULL|NULL|NULL|NULL"));
  // WHERE keeps only rows whose predicate is true, not NULL.
  EXPECT_THAT(Query("SELECT k FROM g WHERE NOT (v > 5) ORDER BY k"), ElementsAre("3", "6"));
  EXPECT_THAT(Query("SELECT k FROM g WHERE v > 5 OR v <= 5 ORDER BY k"),
              ElementsAre("1", "2", "3", "5", "6", "7"));
  EXPECT_THAT(Query("SELECT k FROM g WHERE v NOT IN (5, NULL)"), IsEmpty());
  EXPECT_THAT(Query("SELECT k FROM g WHERE v IN (5, 7, NULL) ORDER BY k"), ElementsAre("3", "5"));
  EXPECT_THAT(Query("SELECT k FROM g WHERE v IS NULL OR grp IS NULL ORDER BY k"),
              ElementsAre("4", "6"));
  EXPECT_THAT(Query("SELECT k, v IS DISTINCT FROM NULL, v IS NOT DISTINCT FROM 5 FROM g "
                    "WHERE k BETWEEN 3 AND 4 ORDER BY k"),
              ElementsAre("3|t|t", "4|f|f"));
  EXPECT_THAT(Query("SELECT count(*) FROM g WHERE grp <> 'a'"), ElementsAre("3"));
  EXPECT_THAT(Query("SELECT k, CASE WHEN v > 10 THEN 'big' WHEN v IS NULL THEN 'none' "
                    "ELSE 'small' END FROM g WHERE k <= 4 ORDER BY k"),
              ElementsAre("1|small", "2|big", "3|small", "4|none"));
}

// Regression test: an untyped NULL in the first CASE branch was typed as
// text, so the CASE failed with 42804 "CASE types text and integer cannot
// be matched". PostgreSQL resolves the NULL to the other branches' type.
TEST_F(QueryClauseTest, UntypedNullInCaseTakesTheOtherBranchType) {
  EXPECT_THAT(Query("SELECT k, CASE WHEN v > 5 THEN NULL ELSE v END FROM g WHERE k BETWEEN 2 AND 4 "
                    "ORDER BY k"),
              ElementsAre("2|NULL", "3|5", "4|NULL"));
  EXPECT_THAT(Query("SELECT CASE WHEN true THEN NULL ELSE 1 END"), ElementsAre("NULL"));
}

TEST_F(SqlTest, ErrorsCarryPostgresSqlstates) {
  Exec("CREATE TABLE e (k INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(3), sm SMALLINT)");
  Exec("INSERT INTO e VALUES (1, 1)");

  EXPECT_EQ(Sqlstate("SELEC 1"), "42601");
  EXPECT_EQ(Sqlstate("SELECT * FROM nope"), "42P01");
  EXPECT_EQ(Sqlstate("SELECT nope FROM e"), "42703");
  EXPECT_EQ(Sqlstate("CREATE TABLE e (k INT PRIMARY KEY)"), "42P07");
  EXPECT_EQ(Sqlstate("INSERT INTO e VALUES (1, 2)"), "23505");
  EXPECT_EQ(Sqlstate("INSERT INTO e (k) VALUES (2)"), "23502");
  EXPECT_EQ(Sqlstate("INSERT INTO e VALUES (3, NULL)"), "23502");
  EXPECT_EQ(Sqlstate("UPDATE e SET v = NULL WHERE k = 1"), "23502");
  EXPECT_EQ(Sqlstate("SELECT 1 WHERE 1"), "42804");
  EXPECT_EQ(Sqlstate("INSERT INTO e (k, v) VALUES (true, 1)"), "42804");
  EXPECT_EQ(Sqlstate("INSERT INTO e (k, v, sm) VALUES (5, 1, 40000)"), "22003");
  EXPECT_EQ(Sqlstate("SELECT 2147483647 + 1"), "22003");
  EXPECT_EQ(Sqlstate("SELECT 1 / 0"), "22012");
  EXPECT_EQ(Sqlstate("SELECT 1.0 / 0"), "22012");
  EXPECT_EQ(Sqlstate("SELECT 5 % 0"), "22012");
  EXPECT_EQ(Sqlstate("INSERT INTO e (k, v, s) VALUES (6, 1, 'abcd')"), "22001");
  EXPECT_EQ(Sqlstate("SELECT 'abc'::int"), "22P02");

  // libpqxx maps the classes it knows to its exception types.
  EXPECT_THROW(Exec("SELEC 1"), pqxx::syntax_error);
  EXPECT_THROW(Exec("SELECT * FROM nope"), pqxx::undefined_table);
  EXPECT_THROW(Exec("SELECT nope FROM e"), pqxx::undefined_column);
  EXPECT_THROW(Exec("INSERT INTO e VALUES (1, 2)"), pqxx::unique_violation);
  EXPECT_THROW(Exec("INSERT INTO e (k) VALUES (2)"), pqxx::not_null_violation);
  EXPECT_THROW(Exec("SELECT 1 / 0"), pqxx::data_exception);

  // Failed autocommit statements changed nothing and left the session usable.
  EXPECT_THAT(Query("SELECT k, v FROM e ORDER BY k"), ElementsAre("1|1"));
}

// Regression test: a numeric literal or numeric text with a large negative
// exponent killed the server process (SIGFPE: rescaling to the maximum
// numeric scale divided by a power of ten that had overflowed to 0).
TEST_F(SqlTest, NumericWithLargeNegativeExponentDoesNotKillServer) {
  for (const char* sql : {"SELECT 1.5e-300", "SELECT '1.5e-300'::numeric", "SELECT 1e-158::numeric",
                          "SELECT CAST('1e-100' AS NUMERIC(10,2))"}) {
    SCOPED_TRACE(sql);
    PgConn pg(node_.Dsn());
    ASSERT_TRUE(pg.ok()) << "the node died before this statement: " << pg.error();
    QueryResult r = pg.Exec(sql);
    // A value (PostgreSQL's) or an SQL error are both survivable; a lost
    // connection is not.
    EXPECT_FALSE(r.connection_lost) << r.message;
    ASSERT_EQ(node_.HttpGet("/health"), 200) << "the node died";
  }
}

// Regression test: literals beyond the 38 digits of CairnDB's numeric
// failed with 22003, so a double-precision value written as 1e100 could
// not be inserted; PostgreSQL's numeric has no such limit.
TEST_F(SqlTest, LargeLiteralsFitDoublePrecisionColumns) {
  Exec("CREATE TABLE f (k INT PRIMARY KEY, d DOUBLE PRECISION)");
  EXPECT_EQ(Sqlstate("INSERT INTO f VALUES (1, 1e100), (2, -1.5e-300), (3, 1e38)"), "");
  EXPECT_THAT(Query("SELECT d FROM f ORDER BY k"), ElementsAre("1e+100", "-1.5e-300", "1e+38"));
}

}  // namespace
}  // namespace cairn::e2e
