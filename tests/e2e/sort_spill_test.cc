// Sorts and hash aggregations whose input outgrows work_mem spill to
// temporary files: a sort writes sorted runs and merges them (the same rows
// in the same order as in memory, equal keys in input order, every type read
// back as it was); an aggregation keeps the groups that fit and partitions
// the rows of the others to files, aggregated after (the same groups and
// results as in memory).

#include <string>
#include <vector>

#include "cairn_process.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;

TEST_F(NodeTest, SortSpillsToDiskAndKeepsTheOrder) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE ss (id INT PRIMARY KEY, k INT, t TEXT, n NUMERIC(8,2), "
                      "d DATE, iv INTERVAL, arr INT[], f FLOAT8, b BOOL)")
                  .ok);
  ASSERT_TRUE(
      pg.Exec("INSERT INTO ss SELECT g, (g * 37) % 101, repeat(chr(65 + g % 26), g % 40), "
              "(g % 1000) / 7.0, date '2024-01-01' + g % 400, g * interval '1 minute', "
              "ARRAY[g, NULL, g % 3], g / 3.0, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 2 = 0 END "
              "FROM generate_series(1, 20000) g")
          .ok);
  const std::string query = "SELECT k, id, t, n, d, iv, arr, f, b FROM ss ORDER BY k DESC, t";
  QueryResult in_memory = pg.Exec(query);
  ASSERT_TRUE(in_memory.ok) << in_memory.message;
  ASSERT_TRUE(pg.Exec("SET work_mem = '64kB'").ok);
  EXPECT_EQ(Rows(pg.Exec("SHOW work_mem")), std::vector<std::string>{"64kB"});
  QueryResult spilled = pg.Exec(query);
  ASSERT_TRUE(spilled.ok) << spilled.message;
  ASSERT_EQ(spilled.rows.size(), 20000u);
  EXPECT_TRUE(Rows(spilled) == Rows(in_memory));
  // Ties on (k, t) keep the scan's order: ids ascending.
  for (size_t i = 1; i < spilled.rows.size(); ++i) {
    const auto& a = spilled.rows[i - 1];
    const auto& b = spilled.rows[i];
    if (a[0] == b[0] && a[2] == b[2]) {
      ASSERT_LT(std::stoi(a[1].value()), std::stoi(b[1].value())) << "row " << i;
    }
  }
  EXPECT_EQ(pg.Exec("SET work_mem = '10kB'").sqlstate, "22023");
}

TEST_F(NodeTest, HashAggregationSpillsToDisk) {
  PgConn pg(node_.Dsn());
  ASSERT_TRUE(pg.ok()) << pg.error();
  ASSERT_TRUE(pg.Exec("CREATE TABLE ga (id INT PRIMARY KEY, g INT, t TEXT, v INT)").ok);
  ASSERT_TRUE(pg.Exec("INSERT INTO ga SELECT i, (i * 7919) % 6000, 'name' || (i % 6000), i % 13 "
                      "FROM generate_series(1, 30000) i")
                  .ok);
  const std::string query =
      "SELECT g, t, count(*), sum(v), count(DISTINCT v), string_agg(v::text, ',' ORDER BY id), "
      "array_agg(id ORDER BY id) FROM ga GROUP BY g, t ORDER BY g, t";
  QueryResult in_memory = pg.Exec(query);
  ASSERT_TRUE(in_memory.ok) << in_memory.message;
  ASSERT_EQ(in_memory.rows.size(), 6000u);
  ASSERT_TRUE(pg.Exec("SET work_mem = '64kB'").ok);
  QueryResult spilled = pg.Exec(query);
  ASSERT_TRUE(spilled.ok) << spilled.message;
  EXPECT_TRUE(Rows(spilled) == Rows(in_memory));
  // Without ORDER BY the groups come in another order, but the same ones.
  QueryResult unordered = pg.Exec("SELECT g, count(*) FROM ga GROUP BY g");
  ASSERT_TRUE(unordered.ok) << unordered.message;
  EXPECT_EQ(unordered.rows.size(), 6000u);
}

}  // namespace
}  // namespace cairn::e2e
