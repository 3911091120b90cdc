// Plan fragments at the ranges' leaseholders (SET enable_pushdown): over a
// table of several ranges, every query answers the same with pushdown on
// and off (filters with NULLs, LIKE, CASE, functions, projections, LIMIT
// and OFFSET, partial aggregates merged at the gateway, covering index
// scans, prepared statements); EXPLAIN says what was pushed, and nothing is
// for locking reads and writes; a transaction's aggregates see its own
// writes; errors raised at a leaseholder keep their SQLSTATE; EXPLAIN
// ANALYZE runs a pushed aggregate.

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::CairnProcess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kRows = 20000;

// One node and its tables for the whole suite: loading them once keeps the
// suite fast. Tests only read them, or write them in transactions that roll
// back; a test that commits writes makes a table of its own.
class PushdownTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = std::make_unique<CairnProcess>();
    if (!node_->Start()) return;
    PgConn pg(node_->Dsn());
    if (!pg.ok()) return;
    const std::vector<std::string> setup = {
        "CREATE TABLE pd (id INT PRIMARY KEY, g INT, v INT, n NUMERIC(10,2), f FLOAT8, s TEXT, "
        "b BOOL, d DATE, iv INTERVAL, pad TEXT)",
        "INSERT INTO pd SELECT i, "
        "CASE WHEN i % 17 = 0 THEN NULL ELSE i % 10 END, "
        "CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 7919) % 1000 - 500 END, "
        "CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 1000) / 4.0 END, "
        "CASE WHEN i % 19 = 0 THEN NULL ELSE (i % 4000) / 4.0 END, "
        "CASE WHEN i % 23 = 0 THEN NULL ELSE 'Name' || (i % 300) END, "
        "CASE WHEN i % 29 = 0 THEN NULL ELSE i % 3 <> 0 END, "
        "date '2024-01-01' + i % 500, (i % 100) * interval '1 hour', repeat('x', 100) "
        "FROM generate_series(1, " +
            std::to_string(kRows) + ") i",
        "ALTER TABLE pd SPLIT AT VALUES (2500), (5000), (10000), (15000)",
        "CREATE INDEX pd_g ON pd (g) INCLUDE (v)",
        "CREATE TABLE empty_t (id INT PRIMARY KEY, v INT)",
        "CREATE TABLE small (k INT PRIMARY KEY, label TEXT)",
        "INSERT INTO small SELECT i, 'label' || i FROM generate_series(0, 7) i",
        "CREATE TABLE nopk (a INT, b TEXT)",
        "INSERT INTO nopk SELECT i % 37, 'b' || i FROM generate_series(1, 3000) i",
        "CREATE TABLE ck (k INT, id INT, v INT, PRIMARY KEY (k, id))",
        "INSERT INTO ck SELECT i % 4, i, i % 9 FROM generate_series(1, 4000) i",
        "ALTER TABLE ck SPLIT AT VALUES (1, 2000), (2, 100)",
    };
    for (const std::string& sql : setup) {
      QueryResult r = pg.Exec(sql);
      if (!r.ok) {
        setup_error_ = sql + ": " + r.sqlstate + " " + r.message;
        return;
      }
    }
    ready_ = true;
  }
  static void TearDownTestSuite() { node_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(ready_) << (setup_error_.empty() ? "the node did not start" : setup_error_);
    on_ = std::make_unique<PgConn>(node_->Dsn());
    off_ = std::make_unique<PgConn>(node_->Dsn());
    ASSERT_TRUE(on_->ok()) << on_->error();
    ASSERT_TRUE(off_->ok()) << off_->error();
    ASSERT_TRUE(on_->Exec("SET enable_pushdown = on").ok);
    ASSERT_TRUE(off_->Exec("SET enable_pushdown = off").ok);
    ASSERT_EQ(Rows(off_->Exec("SHOW enable_pushdown")), std::vector<std::string>{"off"});
  }

  // `query`'s rows on `pg`, failing the test on an error.
  static std::vector<std::string> RowsOf(PgConn& pg, const std::string& query) {
    QueryResult r = pg.Exec(query);
    EXPECT_TRUE(r.ok) << query << ": " << r.sqlstate << " " << r.message;
    return Rows(r);
  }

  // The same rows with pushdown on and off (in any order unless `ordered`);
  // returns them.
  std::vector<std::string> ExpectSame(const std::string& query, bool ordered = false) {
    std::vector<std::string> with = RowsOf(*on_, query);
    std::vector<std::string> without = RowsOf(*off_, query);
    if (!ordered) {
      std::sort(with.begin(), with.end());
      std::sort(without.begin(), without.end());
    }
    EXPECT_EQ(with.size(), without.size()) << query;
    EXPECT_TRUE(with == without) << query << "\n" << Diff(without, with);
    return with;
  }

  // The first rows that differ, for a readable failure.
  static std::string Diff(const std::vector<std::string>& expected,
                          const std::vector<std::string>& actual) {
    std::string out;
    int shown = 0;
    for (size_t i = 0; i < std::max(expected.size(), actual.size()) && shown < 8; ++i) {
      const std::string e = i < expected.size() ? expected[i] : "<none>";
      const std::string a = i < actual.size() ? actual[i] : "<none>";
      if (e == a) continue;
      out += "  row " + std::to_string(i) + ": pushdown off " + e + ", on " + a + "\n";
      ++shown;
    }
    return out;
  }

  static std::string Explain(PgConn& pg, const std::string& query) {
    QueryResult r = pg.Exec("EXPLAIN " + query);
    EXPECT_TRUE(r.ok) << query << ": " << r.sqlstate << " " << r.message;
    std::string text;
    for (const auto& line : Rows(r)) text += line + "\n";
    return text;
  }

  // Runs prepared `name` with text parameters on `pg`; rows as "a|b" lines.
  static std::vector<std::string> RunPrepared(
      PgConn& pg, const std::string& name, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.has_value() ? p->c_str() : nullptr);
    PGresult* r = PQexecPrepared(pg.raw(), name.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0);
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << name << ": " << PQresultErrorMessage(r);
    std::vector<std::string> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string line;
      for (int c = 0; c < PQnfields(r); ++c) {
        if (c > 0) line += "|";
        line += PQgetisnull(r, i, c) ? "NULL" : PQgetvalue(r, i, c);
      }
      rows.push_back(line);
    }
    PQclear(r);
    return rows;
  }

  static bool Prepare(PgConn& pg, const std::string& name, const std::string& sql) {
    PGresult* r = PQprepare(pg.raw(), name.c_str(), sql.c_str(), 0, nullptr);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    EXPECT_TRUE(ok) << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
    return ok;
  }

  static std::unique_ptr<CairnProcess> node_;
  static bool ready_;
  static std::string setup_error_;
  std::unique_ptr<PgConn> on_;
  std::unique_ptr<PgConn> off_;
};

std::unique_ptr<CairnProcess> PushdownTest::node_;
bool PushdownTest::ready_ = false;
std::string PushdownTest::setup_error_;

TEST_F(PushdownTest, FiltersAndProjectionsAnswerAlike) {
  // Filters with NULLs, LIKE, CASE, arithmetic, functions.
  EXPECT_EQ(ExpectSame("SELECT id, g, v FROM pd WHERE v IS NULL").size(), 1538u);
  ExpectSame("SELECT id, s FROM pd WHERE s LIKE 'Name1_%' AND g IS NOT NULL");
  ExpectSame("SELECT id, s FROM pd WHERE s NOT ILIKE 'name2%' AND v > 480");
  ExpectSame("SELECT id FROM pd WHERE lower(s) = 'name42' OR abs(v) < 3");
  ExpectSame(
      "SELECT id, CASE WHEN v > 0 THEN 'pos' WHEN v < 0 THEN 'neg' ELSE 'zero' END "
      "FROM pd WHERE coalesce(g, -1) = -1");
  ExpectSame("SELECT id, v * 2 + g, n / 2, f - 1 FROM pd WHERE (v + 1) % 7 = 0 AND g <> 3");
  ExpectSame("SELECT id, upper(s) || '-' || length(s) FROM pd WHERE v IN (1, 2, 3, NULL)");
  ExpectSame("SELECT id FROM pd WHERE NOT (v > 0) OR b IS NULL");
  ExpectSame(
      "SELECT id, iv, d FROM pd WHERE d BETWEEN '2024-03-01' AND '2024-03-05' "
      "AND iv > interval '90 hours'");
  ExpectSame("SELECT id, n FROM pd WHERE n > 249.5 OR n IS NULL AND f < 2");
  // Every column, over rows large enough to take several answers per range.
  EXPECT_EQ(ExpectSame("SELECT * FROM pd WHERE id % 2 = 0").size(), 10000u);
  // A key range across split points.
  EXPECT_EQ(ExpectSame("SELECT * FROM pd WHERE id > 4990 AND id < 5020", true).size(), 29u);
  // A predicate a leaseholder cannot evaluate (a subquery): applied at the
  // gateway to the columns sent.
  ExpectSame("SELECT id, v FROM pd WHERE v > (SELECT max(v) - 3 FROM pd WHERE g = 1)");
  ExpectSame("SELECT count(*) FROM pd WHERE g IN (SELECT g FROM pd WHERE id < 5)");
  // Columns read above the scan: a correlated subquery, a window, a join,
  // ORDER BY a column not selected, UNION ALL, DISTINCT.
  ExpectSame(
      "SELECT id, (SELECT label || pd.v FROM small WHERE small.k = pd.g) FROM pd "
      "WHERE id < 300");
  ExpectSame("SELECT id, sum(v) OVER (PARTITION BY g) FROM pd WHERE id < 300");
  ExpectSame(
      "SELECT a.g, count(*), sum(b.v) FROM pd a JOIN pd b ON a.id = b.id + 1 "
      "WHERE a.v > 400 GROUP BY a.g");
  ExpectSame("SELECT id FROM pd WHERE g = 1 ORDER BY s DESC, id LIMIT 7", true);
  ExpectSame("SELECT id FROM pd WHERE v = 1 UNION ALL SELECT id FROM pd WHERE v = 2");
  ExpectSame("SELECT DISTINCT g FROM pd WHERE v < -490");
  // A table without a primary key (a hidden row id), and one with a
  // composite key.
  ExpectSame("SELECT * FROM nopk WHERE a = 5");
  ExpectSame("SELECT a, count(*), max(b) FROM nopk GROUP BY a");
  ExpectSame("SELECT id, v FROM ck WHERE k = 1 ORDER BY k, id LIMIT 20", true);
  ExpectSame("SELECT k, v, count(*), min(id), max(id) FROM ck WHERE id % 3 = 0 GROUP BY k, v");
}

TEST_F(PushdownTest, AggregatesAnswerAlike) {
  // Per group, every mergeable aggregate, over NULLs too.
  EXPECT_EQ(ExpectSame("SELECT g, count(*), count(v), sum(v), avg(v), min(v), max(v), "
                       "bool_and(b), bool_or(b), every(v > -500) FROM pd GROUP BY g")
                .size(),
            11u);
  // Without GROUP BY, over every type that sums and compares.
  ExpectSame(
      "SELECT count(*), count(n), sum(n), avg(n), min(s), max(s), sum(f), avg(f), "
      "sum(iv), avg(iv), min(d), max(d), min(iv), max(n) FROM pd");
  ExpectSame("SELECT count(*), sum(v) FROM pd WHERE g = 3");
  ExpectSame("SELECT count(*) FROM pd WHERE g IS NULL");
  EXPECT_EQ(ExpectSame("SELECT count(*), sum(length(pad)) FROM pd"),
            std::vector<std::string>{"20000|2000000"});
  // count(*) over no rows: one row, 0 (and NULL for the others).
  EXPECT_EQ(ExpectSame("SELECT count(*), sum(v), min(s), avg(n), bool_and(b) FROM pd "
                       "WHERE v > 10000"),
            std::vector<std::string>{"0|NULL|NULL|NULL|NULL"});
  EXPECT_EQ(ExpectSame("SELECT count(*), max(v) FROM empty_t"), std::vector<std::string>{"0|NULL"});
  EXPECT_TRUE(ExpectSame("SELECT g, count(*) FROM pd WHERE v > 10000 GROUP BY g").empty());
  // Groups many ranges share, on several keys and on expressions.
  ExpectSame("SELECT g, s, count(*), sum(v) FROM pd WHERE v > 0 GROUP BY g, s");
  ExpectSame("SELECT v > 0, count(*), min(id), max(id) FROM pd GROUP BY v > 0");
  ExpectSame("SELECT lower(s), count(*) FROM pd GROUP BY lower(s) ORDER BY 2 DESC, 1 LIMIT 5",
             true);
  ExpectSame("SELECT id % 7000, count(*), sum(v) FROM pd GROUP BY id % 7000");
  ExpectSame("SELECT b, count(*), min(iv), max(d), avg(f) FROM pd GROUP BY b");
  // HAVING and ORDER BY over merged results; aggregates of expressions.
  ExpectSame("SELECT g, count(*) FROM pd GROUP BY g HAVING count(*) > 1882 ORDER BY g", true);
  ExpectSame(
      "SELECT sum(v * 2), avg(abs(v)), max(lower(s)), min(coalesce(g, -1)), "
      "sum(CASE WHEN b THEN 1 ELSE 0 END) FROM pd WHERE id > 3000");
  // GROUP BY without aggregates: the leaseholders send the groups alone.
  EXPECT_EQ(ExpectSame("SELECT g FROM pd GROUP BY g").size(), 11u);
  // Partial rows spilled to disk by a Finalize Hash Aggregate past work_mem.
  const std::string many_groups = "SELECT id % 9000, count(*), sum(v), min(s) FROM pd GROUP BY 1";
  const std::vector<std::string> in_memory = ExpectSame(many_groups);
  ASSERT_TRUE(on_->Exec("SET work_mem = '64kB'").ok);
  std::vector<std::string> spilled = RowsOf(*on_, many_groups);
  ASSERT_TRUE(on_->Exec("RESET work_mem").ok);
  std::sort(spilled.begin(), spilled.end());
  EXPECT_EQ(spilled.size(), 9000u);
  EXPECT_TRUE(spilled == in_memory) << Diff(in_memory, spilled);
  // Aggregates that do not merge still answer right over a pushed scan.
  ExpectSame("SELECT count(DISTINCT s), sum(DISTINCT g) FROM pd WHERE b");
  ExpectSame("SELECT g, string_agg(s, ',' ORDER BY id) FROM pd WHERE id < 500 GROUP BY g");
}

TEST_F(PushdownTest, LimitsAnswerAlike) {
  // LIMIT with ORDER BY the key (no sort: the limit is pushed) and OFFSET.
  ExpectSame("SELECT id, v FROM pd WHERE v > 400 ORDER BY id LIMIT 10 OFFSET 5", true);
  EXPECT_EQ(ExpectSame("SELECT id FROM pd ORDER BY id LIMIT 5 OFFSET 19990", true),
            (std::vector<std::string>{"19991", "19992", "19993", "19994", "19995"}));
  ExpectSame("SELECT id, s FROM pd WHERE s LIKE '%99' ORDER BY id LIMIT 50", true);
  // ORDER BY the key without LIMIT: ranges read in parallel, rows in key order.
  EXPECT_EQ(ExpectSame("SELECT id, v FROM pd WHERE v > 0 ORDER BY id", true).size(), 9208u);
  // Without ORDER BY: the rows come in key order either way.
  ExpectSame("SELECT id, v FROM pd WHERE v > 400 LIMIT 10");
  ExpectSame("SELECT id FROM pd WHERE g = 4 LIMIT 3 OFFSET 1800");
  EXPECT_TRUE(ExpectSame("SELECT id FROM pd LIMIT 0").empty());
  EXPECT_EQ(ExpectSame("SELECT id FROM pd WHERE id > 19998 LIMIT 10").size(), 2u);
  // A LIMIT over a sort, and over an aggregate: not pushed, still right.
  ExpectSame("SELECT id, v FROM pd WHERE g = 2 ORDER BY v DESC, id LIMIT 12 OFFSET 3", true);
  ExpectSame("SELECT g, count(*) FROM pd GROUP BY g ORDER BY g LIMIT 4", true);
}

TEST_F(PushdownTest, CoveringIndexScansAnswerAlike) {
  const std::string grouped = "SELECT g, sum(v), count(*), min(v) FROM pd WHERE g > 5 GROUP BY g";
  EXPECT_THAT(Explain(*on_, grouped), HasSubstr("pd_g"));
  EXPECT_EQ(ExpectSame(grouped).size(), 4u);
  const std::string filtered = "SELECT v FROM pd WHERE g = 2 AND v < 0";
  EXPECT_THAT(Explain(*on_, filtered), HasSubstr("Pushed to leaseholders"));
  ExpectSame(filtered);
  ExpectSame("SELECT g, v FROM pd WHERE g >= 8 AND v IS NULL");
  ExpectSame("SELECT count(*), count(v) FROM pd WHERE g = 0");
}

TEST_F(PushdownTest, PreparedStatementsAnswerAlike) {
  struct Prepared {
    std::string sql;
    std::vector<std::vector<std::optional<std::string>>> runs;
  };
  const std::vector<Prepared> statements = {
      {"SELECT count(*), sum(v), avg(n) FROM pd WHERE g + 0 = $1 AND s LIKE $2",
       {{"3", "Name1%"}, {"7", "%5"}, {std::nullopt, "%"}}},
      {"SELECT id, v FROM pd WHERE v > $1 ORDER BY id LIMIT $2", {{"450", "8"}, {"-600", "3"}}},
      {"SELECT g, min(v), max(v), count(*) FROM pd WHERE id BETWEEN $1 AND $2 GROUP BY g "
       "ORDER BY g",
       {{"2000", "12000"}, {"4999", "5001"}}},
      {"SELECT id FROM pd WHERE lower(s) = lower($1) AND v + $2 > 0 ORDER BY id",
       {{"NAME7", "100"}, {"name8", "-400"}}},
  };
  for (size_t i = 0; i < statements.size(); ++i) {
    const std::string name = "p" + std::to_string(i);
    ASSERT_TRUE(Prepare(*on_, name, statements[i].sql));
    ASSERT_TRUE(Prepare(*off_, name, statements[i].sql));
    EXPECT_THAT(Explain(*on_, statements[i].sql), HasSubstr("Pushed to leaseholders"));
    for (const auto& params : statements[i].runs) {
      std::vector<std::string> with = RunPrepared(*on_, name, params);
      std::vector<std::string> without = RunPrepared(*off_, name, params);
      EXPECT_EQ(with, without) << statements[i].sql << "\n" << Diff(without, with);
      EXPECT_FALSE(without.empty()) << statements[i].sql;
    }
  }
}

TEST_F(PushdownTest, ExplainSaysWhatIsPushed) {
  // The setting takes PostgreSQL's Boolean spellings.
  PgConn pg(node_->Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  EXPECT_EQ(Rows(pg.Exec("SHOW enable_pushdown")), std::vector<std::string>{"on"});
  ASSERT_TRUE(pg.Exec("SET enable_pushdown = false").ok);
  EXPECT_EQ(Rows(pg.Exec("SHOW enable_pushdown")), std::vector<std::string>{"off"});
  EXPECT_THAT(Explain(pg, "SELECT count(*) FROM pd"), Not(HasSubstr("Pushed to leaseholders")));
  EXPECT_EQ(pg.Exec("SET enable_pushdown = maybe").sqlstate, "22023");
  ASSERT_TRUE(pg.Exec("RESET enable_pushdown").ok);
  EXPECT_THAT(Explain(pg, "SELECT count(*) FROM pd"), HasSubstr("Pushed to leaseholders"));

  const std::string scan = Explain(*on_, "SELECT id, s FROM pd WHERE v > 5");
  EXPECT_THAT(scan, HasSubstr("Pushed to leaseholders: filter, columns ("));
  EXPECT_THAT(Explain(*off_, "SELECT id, s FROM pd WHERE v > 5"),
              Not(HasSubstr("Pushed to leaseholders")));

  const std::string count = Explain(*on_, "SELECT count(*) FROM pd");
  EXPECT_THAT(count, HasSubstr("Finalize Aggregate"));
  EXPECT_THAT(count, HasSubstr("partial aggregate (count(*))"));
  const std::string grouped = Explain(*on_, "SELECT g, sum(v), avg(n) FROM pd GROUP BY g");
  EXPECT_THAT(grouped, HasSubstr("Finalize Hash Aggregate"));
  EXPECT_THAT(grouped, HasSubstr("Pushed to leaseholders"));
  EXPECT_THAT(Explain(*off_, "SELECT g, sum(v) FROM pd GROUP BY g"), Not(HasSubstr("Finalize")));

  const std::string limited = Explain(*on_, "SELECT id FROM pd WHERE g = 1 ORDER BY id LIMIT 5");
  EXPECT_THAT(limited, HasSubstr("limit 5"));

  // A predicate the leaseholders cannot evaluate stays at the gateway, and
  // the aggregate above does not merge partial states.
  const std::string subquery =
      Explain(*on_, "SELECT count(*) FROM pd WHERE v > (SELECT avg(v) FROM pd)");
  EXPECT_THAT(subquery, HasSubstr("Pushed to leaseholders: columns"));
  EXPECT_THAT(subquery, Not(HasSubstr("Pushed to leaseholders: filter")));
  EXPECT_THAT(Explain(*on_, "SELECT count(DISTINCT g) FROM pd"), Not(HasSubstr("Finalize")));

  // Locking reads and writes read their rows in the transaction.
  for (const std::string& sql :
       {std::string("SELECT * FROM pd WHERE v > 5 FOR UPDATE"),
        std::string("UPDATE pd SET v = v + 1 WHERE g = 3"),
        std::string("DELETE FROM pd WHERE v < 0"),
        std::string("INSERT INTO empty_t SELECT id, v FROM pd WHERE g = 9")}) {
    const std::string plan = Explain(*on_, sql);
    EXPECT_THAT(plan, Not(HasSubstr("Pushed to leaseholders"))) << sql << "\n" << plan;
    EXPECT_THAT(plan, Not(HasSubstr("Finalize"))) << sql << "\n" << plan;
  }
}

// A transaction's own inserts, deletes and updates are in its aggregates:
// the leaseholders do not see them, so the scans evaluate the fragment at
// the gateway.
TEST_F(PushdownTest, TransactionSeesItsOwnWrites) {
  PgConn& pg = *on_;
  const std::vector<std::string> before = RowsOf(pg, "SELECT count(*), sum(v) FROM pd WHERE g = 3");
  ASSERT_EQ(before.size(), 1u);
  ASSERT_TRUE(pg.Exec("BEGIN").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO pd (id, g, v, s) VALUES (30001, 3, 100000, 'new'), "
                      "(30002, NULL, 5, 'new')")
                  .ok);
  const std::string count_g3 = "SELECT count(*), sum(v) FROM pd WHERE g = 3";
  EXPECT_THAT(Explain(pg, count_g3), HasSubstr("Finalize Aggregate"));
  std::vector<std::string> inserted = RowsOf(pg, count_g3);
  ASSERT_TRUE(pg.Exec("SET enable_pushdown = off").ok);
  EXPECT_EQ(inserted, RowsOf(pg, count_g3));
  ASSERT_TRUE(pg.Exec("SET enable_pushdown = on").ok);
  const std::string before_count = before[0].substr(0, before[0].find('|'));
  const std::string before_sum = before[0].substr(before[0].find('|') + 1);
  EXPECT_EQ(inserted, std::vector<std::string>{std::to_string(std::stoll(before_count) + 1) + "|" +
                                               std::to_string(std::stoll(before_sum) + 100000)});
  EXPECT_EQ(RowsOf(pg, "SELECT count(*) FROM pd"), std::vector<std::string>{"20002"});
  EXPECT_EQ(RowsOf(pg, "SELECT count(*), max(v) FROM pd WHERE s = 'new'"),
            std::vector<std::string>{"2|100000"});
  // Through the covering index too.
  EXPECT_EQ(RowsOf(pg, "SELECT max(v) FROM pd WHERE g = 3"), std::vector<std::string>{"100000"});

  ASSERT_TRUE(pg.Exec("DELETE FROM pd WHERE id <= 100 OR id = 30002").ok);
  EXPECT_EQ(RowsOf(pg, "SELECT count(*) FROM pd"), std::vector<std::string>{"19901"});
  EXPECT_EQ(RowsOf(pg, "SELECT count(*) FROM pd WHERE id < 200"), std::vector<std::string>{"99"});
  EXPECT_EQ(RowsOf(pg, "SELECT min(id) FROM pd"), std::vector<std::string>{"101"});
  EXPECT_EQ(RowsOf(pg, "SELECT id FROM pd ORDER BY id LIMIT 2"),
            (std::vector<std::string>{"101", "102"}));

  ASSERT_TRUE(pg.Exec("UPDATE pd SET v = 1000000 WHERE id = 5000").ok);
  EXPECT_EQ(RowsOf(pg, "SELECT max(v) FROM pd"), std::vector<std::string>{"1000000"});
  const std::string grouped = "SELECT g, count(*), sum(v), min(v) FROM pd GROUP BY g";
  std::vector<std::string> with = RowsOf(pg, grouped);
  ASSERT_TRUE(pg.Exec("SET enable_pushdown = off").ok);
  std::vector<std::string> without = RowsOf(pg, grouped);
  ASSERT_TRUE(pg.Exec("SET enable_pushdown = on").ok);
  std::sort(with.begin(), with.end());
  std::sort(without.begin(), without.end());
  EXPECT_EQ(with, without);
  ASSERT_TRUE(pg.Exec("ROLLBACK").ok);

  // Gone with the transaction.
  EXPECT_EQ(RowsOf(pg, "SELECT count(*) FROM pd"), std::vector<std::string>{"20000"});
  EXPECT_EQ(RowsOf(pg, count_g3), before);
}

// Pushed reads see the transaction's snapshot, and AS OF SYSTEM TIME's:
// rows committed later by others are not in them.
TEST_F(PushdownTest, ReadsKeepTheirSnapshot) {
  ASSERT_TRUE(off_->Exec("CREATE TABLE snap (id INT PRIMARY KEY, v INT)").ok);
  ASSERT_TRUE(off_->Exec("INSERT INTO snap SELECT i, i % 10 FROM generate_series(1, 1000) i").ok);
  ASSERT_TRUE(off_->Exec("ALTER TABLE snap SPLIT AT VALUES (300), (600)").ok);
  const std::string query = "SELECT v, count(*), sum(id) FROM snap GROUP BY v ORDER BY v";
  const std::vector<std::string> before = ExpectSame(query, true);
  ASSERT_EQ(before.size(), 10u);
  // The server's clock, then a wait until it has moved past it.
  const std::string mark = RowsOf(*on_, "SELECT now()::text").at(0);
  while (RowsOf(*on_, "SELECT clock_timestamp() > '" + mark + "'::timestamptz + interval '2 ms'") !=
         std::vector<std::string>{"t"}) {
  }

  ASSERT_TRUE(on_->Exec("BEGIN").ok);
  EXPECT_EQ(RowsOf(*on_, query), before);
  ASSERT_TRUE(off_->Exec("INSERT INTO snap VALUES (1001, 1), (1002, 2), (2000, 3)").ok);
  ASSERT_TRUE(off_->Exec("DELETE FROM snap WHERE id IN (10, 700)").ok);
  EXPECT_EQ(RowsOf(*on_, query), before);
  ASSERT_TRUE(on_->Exec("COMMIT").ok);

  const std::vector<std::string> after = ExpectSame(query, true);
  EXPECT_NE(after, before);
  EXPECT_EQ(ExpectSame("SELECT count(*) FROM snap"), std::vector<std::string>{"1001"});
  const std::string historical = "SELECT v, count(*), sum(id) FROM snap AS OF SYSTEM TIME '" +
                                 mark + "' GROUP BY v ORDER BY v";
  EXPECT_EQ(ExpectSame(historical, true), before);
}

// An error raised at a leaseholder reaches the client with its SQLSTATE.
TEST_F(PushdownTest, ErrorsKeepTheirSqlstate) {
  for (PgConn* pg : {on_.get(), off_.get()}) {
    QueryResult div = pg->Exec("SELECT count(*) FROM pd WHERE v / 0 = 1");
    EXPECT_FALSE(div.ok);
    EXPECT_EQ(div.sqlstate, "22012") << div.message;
    QueryResult in_aggregate = pg->Exec("SELECT g, sum(v / (id - id)) FROM pd GROUP BY g");
    EXPECT_EQ(in_aggregate.sqlstate, "22012") << in_aggregate.message;
    QueryResult cast = pg->Exec("SELECT id FROM pd WHERE s::int > 0");
    EXPECT_EQ(cast.sqlstate, "22P02") << cast.message;
    // The session goes on.
    EXPECT_EQ(RowsOf(*pg, "SELECT count(*) FROM pd WHERE id <= 10"),
              std::vector<std::string>{"10"});
  }
  // In a transaction block too: the block is then aborted.
  ASSERT_TRUE(on_->Exec("BEGIN").ok);
  EXPECT_EQ(on_->Exec("SELECT count(*) FROM pd WHERE v / 0 = 1").sqlstate, "22012");
  EXPECT_EQ(on_->Exec("SELECT 1").sqlstate, "25P02");
  ASSERT_TRUE(on_->Exec("ROLLBACK").ok);
}

TEST_F(PushdownTest, ExplainAnalyzeRunsAPushedAggregate) {
  QueryResult r = on_->Exec("EXPLAIN ANALYZE SELECT g, count(*), sum(v) FROM pd GROUP BY g");
  ASSERT_TRUE(r.ok) << r.sqlstate << " " << r.message;
  std::string text;
  for (const auto& line : Rows(r)) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("Finalize Hash Aggregate"));
  EXPECT_THAT(text, HasSubstr("Pushed to leaseholders"));
  EXPECT_THAT(text, HasSubstr("rows=11 "));  // the merged groups
  // The scan yields partial rows, a few per range, not the table's rows.
  EXPECT_THAT(text, Not(HasSubstr("rows=20000 ")));
  QueryResult plain = on_->Exec("EXPLAIN ANALYZE SELECT count(*) FROM pd WHERE v > 0");
  ASSERT_TRUE(plain.ok) << plain.sqlstate << " " << plain.message;
  std::string plain_text;
  for (const auto& line : Rows(plain)) plain_text += line + "\n";
  EXPECT_THAT(plain_text, HasSubstr("Finalize Aggregate"));
  EXPECT_THAT(plain_text, HasSubstr("rows=1 "));
}

}  // namespace
}  // namespace cairn::e2e
