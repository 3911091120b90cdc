// INSERT, UPDATE, DELETE.
#include "parser/parser.h"
#include "parser_test_util.h"

namespace cairn::parser {
namespace {

using testing::Canonical;
using testing::ParseAs;

TEST(ParserDmlTest, InsertValues) {
  EXPECT_EQ(Canonical("insert into t values (1, 'a'), (2, DEFAULT)"),
            "INSERT INTO t VALUES (1, 'a'), (2, DEFAULT)");
  EXPECT_EQ(Canonical("INSERT INTO s.t (a, \"B\") VALUES ($1, $2) RETURNING *"),
            "INSERT INTO s.t (a, \"B\") VALUES ($1, $2) RETURNING *");
  EXPECT_EQ(Canonical("INSERT INTO t DEFAULT VALUES RETURNING id, a + 1 AS b"),
            "INSERT INTO t DEFAULT VALUES RETURNING id, (a + 1) AS b");

  auto stmt = ParseAs<ast::InsertStatement>("INSERT INTO t (a, b) VALUES (1, DEFAULT)");
  EXPECT_EQ(stmt->table.name, "t");
  EXPECT_EQ(stmt->table.position, 13);
  ASSERT_EQ(stmt->columns.size(), 2u);
  EXPECT_EQ(stmt->columns[1].name, "b");
  EXPECT_EQ(stmt->columns[1].position, 19);
  ASSERT_NE(stmt->source, nullptr);
  ASSERT_EQ(stmt->source->kind, ast::QueryNodeKind::kValues);
  const auto& rows = stmt->source->As<ast::ValuesNode>().rows;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1]->kind, ast::ExprKind::kDefault);

  auto defaults = ParseAs<ast::InsertStatement>("INSERT INTO t DEFAULT VALUES");
  EXPECT_EQ(defaults->source, nullptr);
}

TEST(ParserDmlTest, InsertSelectAndConflict) {
  EXPECT_EQ(Canonical("INSERT INTO t SELECT * FROM u WHERE x > 0"),
            "INSERT INTO t SELECT * FROM u WHERE (x > 0)");
  EXPECT_EQ(Canonical("INSERT INTO t (a) (SELECT 1)"), "INSERT INTO t (a) SELECT 1");
  EXPECT_EQ(Canonical("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x"),
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x");
  EXPECT_EQ(Canonical("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING"),
            "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
  EXPECT_EQ(Canonical("INSERT INTO t AS x VALUES (1, 2) ON CONFLICT (a) DO UPDATE "
                      "SET b = excluded.b, c = DEFAULT WHERE x.b < 5 RETURNING a"),
            "INSERT INTO t AS x VALUES (1, 2) ON CONFLICT (a) DO UPDATE "
            "SET b = excluded.b, c = DEFAULT WHERE (x.b < 5) RETURNING a");
  auto stmt = ParseAs<ast::InsertStatement>(
      "INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING");
  ASSERT_NE(stmt->on_conflict, nullptr);
  EXPECT_EQ(stmt->on_conflict->constraint, "t_pkey");
  EXPECT_EQ(stmt->on_conflict->action, ast::OnConflictAction::kNothing);
}

TEST(ParserDmlTest, Update) {
  EXPECT_EQ(Canonical("UPDATE t SET a = 1, b = DEFAULT WHERE id = 3 RETURNING *"),
            "UPDATE t SET a = 1, b = DEFAULT WHERE (id = 3) RETURNING *");
  EXPECT_EQ(Canonical("UPDATE t AS x SET a = u.a FROM u WHERE x.id = u.id"),
            "UPDATE t AS x SET a = u.a FROM u WHERE (x.id = u.id)");
  EXPECT_EQ(Canonical("UPDATE t x SET a = a + 1"), "UPDATE t AS x SET a = (a + 1)");
  // SET is not taken for an alias.
  EXPECT_EQ(Canonical("UPDATE t set set = 1"), "UPDATE t SET \"set\" = 1");
  EXPECT_EQ(Canonical("UPDATE t SET (a, b) = (1, DEFAULT)"), "UPDATE t SET a = 1, b = DEFAULT");

  auto stmt = ParseAs<ast::UpdateStatement>("UPDATE t SET key = 1, value = 'v'");
  ASSERT_EQ(stmt->set.size(), 2u);
  EXPECT_EQ(stmt->set[0].column.name, "key");
  EXPECT_EQ(stmt->set[0].column.position, 14);
  EXPECT_EQ(stmt->set[1].column.name, "value");
  EXPECT_EQ(stmt->where, nullptr);
}

TEST(ParserDmlTest, Delete) {
  EXPECT_EQ(Canonical("DELETE FROM t"), "DELETE FROM t");
  EXPECT_EQ(Canonical("delete from t where a in (1, 2) returning a"),
            "DELETE FROM t WHERE (a IN (1, 2)) RETURNING a");
  EXPECT_EQ(Canonical("DELETE FROM t AS x USING u WHERE x.id = u.id"),
            "DELETE FROM t AS x USING u WHERE (x.id = u.id)");
  auto stmt = ParseAs<ast::DeleteStatement>("DELETE FROM t WHERE a = 1");
  EXPECT_EQ(stmt->table.name, "t");
  ASSERT_NE(stmt->where, nullptr);
  EXPECT_EQ(stmt->where->position, 23);
}

TEST(ParserDmlTest, Copy) {
  EXPECT_EQ(Canonical("copy pgbench_accounts from stdin"), "COPY pgbench_accounts FROM STDIN");
  EXPECT_EQ(Canonical("COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER, NULL 'x')"),
            "COPY t (a, b) FROM STDIN WITH (FORMAT 'csv', HEADER, NULL 'x')");
  EXPECT_EQ(Canonical("COPY t TO STDOUT WITH CSV HEADER DELIMITER AS ';'"),
            "COPY t TO STDOUT WITH (FORMAT 'csv', HEADER, DELIMITER ';')");
  EXPECT_EQ(Canonical("COPY (SELECT * FROM t) TO STDOUT"), "COPY (SELECT * FROM t) TO STDOUT");
  auto stmt = ParseAs<ast::CopyStatement>("COPY t FROM STDIN (FREEZE on)");
  EXPECT_TRUE(stmt->is_from);
  EXPECT_EQ(stmt->table.name, "t");
  ASSERT_EQ(stmt->options.size(), 1u);
  EXPECT_EQ(stmt->options[0].name, "freeze");
  EXPECT_EQ(stmt->options[0].value, "on");
}

}  // namespace
}  // namespace cairn::parser
