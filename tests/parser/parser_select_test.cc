// Queries: SELECT, FROM items, set operations, VALUES, WITH.
#include "parser/parser.h"
#include "parser_test_util.h"

namespace cairn::parser {
namespace {

using testing::Canonical;
using testing::ParseAs;

const ast::SelectNode& Select(const ast::SelectStatement& stmt) {
  return stmt.query->As<ast::SelectNode>();
}

TEST(ParserSelectTest, Targets) {
  EXPECT_EQ(Canonical("select 1"), "SELECT 1");
  EXPECT_EQ(Canonical("SELECT a, b AS c, d e, t.*, * FROM t"),
            "SELECT a, b AS c, d AS e, t.*, * FROM t");
  EXPECT_EQ(Canonical("SELECT 1 AS from, 2 AS \"Select\""),
            "SELECT 1 AS \"from\", 2 AS \"Select\"");
  EXPECT_EQ(Canonical("SELECT FROM t"), "SELECT FROM t");
  EXPECT_EQ(Canonical("SELECT DISTINCT a FROM t"), "SELECT DISTINCT a FROM t");
  EXPECT_EQ(Canonical("SELECT ALL a FROM t"), "SELECT a FROM t");
  EXPECT_EQ(Canonical("SELECT DISTINCT ON (a, b) a, c FROM t"),
            "SELECT DISTINCT ON (a, b) a, c FROM t");

  auto stmt = ParseAs<ast::SelectStatement>("SELECT a AS x, t.* FROM t");
  const ast::SelectNode& node = Select(*stmt);
  ASSERT_EQ(node.targets.size(), 2u);
  EXPECT_EQ(node.targets[0].alias, "x");
  EXPECT_EQ(node.targets[0].position, 8);
  ASSERT_EQ(node.targets[1].expr->kind, ast::ExprKind::kStar);
  EXPECT_EQ(node.targets[1].expr->As<ast::StarExpr>().qualifier, std::vector<std::string>{"t"});
}

TEST(ParserSelectTest, Clauses) {
  EXPECT_EQ(Canonical("SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 2 "
                      "ORDER BY a DESC NULLS LAST, 2 LIMIT 10 OFFSET 5"),
            "SELECT a, count(*) FROM t WHERE (b > 1) GROUP BY a HAVING (count(*) > 2) "
            "ORDER BY a DESC NULLS LAST, 2 LIMIT 10 OFFSET 5");
  EXPECT_EQ(Canonical("SELECT a FROM t OFFSET 5 ROWS LIMIT ALL"), "SELECT a FROM t OFFSET 5");
  EXPECT_EQ(Canonical("SELECT a FROM t ORDER BY a ASC NULLS FIRST"),
            "SELECT a FROM t ORDER BY a ASC NULLS FIRST");
  EXPECT_EQ(Canonical("SELECT * FROM t WHERE id = $1 FOR UPDATE"),
            "SELECT * FROM t WHERE (id = $1) FOR UPDATE");
  EXPECT_EQ(Canonical("SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED"),
            "SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED");

  auto stmt = ParseAs<ast::SelectStatement>("SELECT a FROM t ORDER BY a DESC LIMIT 3");
  const ast::QueryNode& q = *stmt->query;
  ASSERT_EQ(q.order_by.size(), 1u);
  EXPECT_EQ(q.order_by[0].direction, ast::SortDirection::kDesc);
  ASSERT_NE(q.limit, nullptr);
  EXPECT_EQ(q.offset, nullptr);
}

TEST(ParserSelectTest, FromItems) {
  EXPECT_EQ(Canonical("SELECT * FROM a, b AS x, c y"), "SELECT * FROM a, b AS x, c AS y");
  EXPECT_EQ(Canonical("SELECT * FROM s.t AS x(a, b)"), "SELECT * FROM s.t AS x(a, b)");
  EXPECT_EQ(Canonical("SELECT * FROM a JOIN b ON a.id = b.id"),
            "SELECT * FROM a JOIN b ON (a.id = b.id)");
  EXPECT_EQ(Canonical("SELECT * FROM a INNER JOIN b USING (id, k)"),
            "SELECT * FROM a JOIN b USING (id, k)");
  EXPECT_EQ(Canonical("SELECT * FROM a LEFT OUTER JOIN b ON TRUE RIGHT JOIN c ON FALSE "
                      "FULL JOIN d ON x CROSS JOIN e NATURAL JOIN f NATURAL LEFT JOIN g"),
            "SELECT * FROM a LEFT JOIN b ON TRUE RIGHT JOIN c ON FALSE FULL JOIN d ON x "
            "CROSS JOIN e NATURAL JOIN f NATURAL LEFT JOIN g");
  EXPECT_EQ(Canonical("SELECT * FROM a JOIN (b JOIN c ON p) ON q"),
            "SELECT * FROM a JOIN (b JOIN c ON p) ON q");
  EXPECT_EQ(Canonical("SELECT * FROM (a JOIN b ON p) AS j"),
            "SELECT * FROM (a JOIN b ON p) AS j");
  EXPECT_EQ(Canonical("SELECT * FROM (SELECT 1 AS x) AS s, (VALUES (1), (2)) v(n)"),
            "SELECT * FROM (SELECT 1 AS x) AS s, (VALUES (1), (2)) AS v(n)");

  EXPECT_EQ(Canonical("SELECT g FROM generate_series(1, 10) g, pg_catalog.unnest(x) AS u(n)"),
            "SELECT g FROM generate_series(1, 10) AS g, pg_catalog.unnest(x) AS u(n)");

  auto stmt = ParseAs<ast::SelectStatement>("SELECT * FROM a LEFT JOIN b ON a.x = b.x, c");
  const ast::SelectNode& node = Select(*stmt);
  ASSERT_EQ(node.from.size(), 2u);
  ASSERT_EQ(node.from[0]->kind, ast::TableRefKind::kJoin);
  const auto& join = node.from[0]->As<ast::JoinRef>();
  EXPECT_EQ(join.join_type, ast::JoinType::kLeft);
  EXPECT_EQ(join.left->As<ast::BaseTableRef>().name.name, "a");
  EXPECT_EQ(join.right->As<ast::BaseTableRef>().name.name, "b");
  EXPECT_EQ(join.right->position, 27);
  ASSERT_NE(join.condition, nullptr);
  EXPECT_EQ(node.from[1]->As<ast::BaseTableRef>().name.position, 43);
}

TEST(ParserSelectTest, TableNames) {
  auto stmt = ParseAs<ast::SelectStatement>("SELECT * FROM Db.\"Sch\".Tab AS T");
  const auto& ref = Select(*stmt).from[0]->As<ast::BaseTableRef>();
  EXPECT_EQ(ref.name.catalog, "db");
  EXPECT_EQ(ref.name.schema, "Sch");
  EXPECT_EQ(ref.name.name, "tab");
  EXPECT_EQ(ref.alias.name, "t");
  EXPECT_EQ(ref.position, 15);
}

TEST(ParserSelectTest, SetOperations) {
  EXPECT_EQ(Canonical("SELECT 1 UNION SELECT 2"), "SELECT 1 UNION SELECT 2");
  EXPECT_EQ(Canonical("SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3"),
            "(SELECT 1 UNION ALL SELECT 2) EXCEPT SELECT 3");
  // INTERSECT binds tighter than UNION.
  EXPECT_EQ(Canonical("SELECT 1 UNION SELECT 2 INTERSECT ALL SELECT 3"),
            "SELECT 1 UNION (SELECT 2 INTERSECT ALL SELECT 3)");
  EXPECT_EQ(Canonical("(SELECT a FROM t ORDER BY a LIMIT 1) UNION SELECT 2 ORDER BY 1"),
            "(SELECT a FROM t ORDER BY a LIMIT 1) UNION SELECT 2 ORDER BY 1");
  EXPECT_EQ(Canonical("VALUES (1) UNION VALUES (2)"), "VALUES (1) UNION VALUES (2)");

  auto stmt = ParseAs<ast::SelectStatement>("SELECT 1 EXCEPT DISTINCT SELECT 2 ORDER BY 1");
  ASSERT_EQ(stmt->query->kind, ast::QueryNodeKind::kSetOperation);
  const auto& op = stmt->query->As<ast::SetOperationNode>();
  EXPECT_EQ(op.op, ast::SetOpType::kExcept);
  EXPECT_FALSE(op.all);
  EXPECT_EQ(op.order_by.size(), 1u);
  EXPECT_TRUE(op.left->order_by.empty());
}

TEST(ParserSelectTest, ParenthesizedQueries) {
  // Clauses outside the parentheses join the inner query, as in PostgreSQL.
  EXPECT_EQ(Canonical("((SELECT a FROM t)) ORDER BY a"), "SELECT a FROM t ORDER BY a");
  EXPECT_EQ(Canonical("(SELECT a FROM t LIMIT 5) ORDER BY a"),
            "SELECT a FROM t ORDER BY a LIMIT 5");
}

TEST(ParserSelectTest, Values) {
  EXPECT_EQ(Canonical("VALUES (1, 'a'), (2, 'b') ORDER BY 1"),
            "VALUES (1, 'a'), (2, 'b') ORDER BY 1");
  auto stmt = ParseAs<ast::SelectStatement>("VALUES (1, 2), (3, 4)");
  ASSERT_EQ(stmt->query->kind, ast::QueryNodeKind::kValues);
  EXPECT_EQ(stmt->query->As<ast::ValuesNode>().rows.size(), 2u);
}

TEST(ParserSelectTest, With) {
  EXPECT_EQ(Canonical("WITH x AS (SELECT 1 AS a), y(b) AS (SELECT a FROM x) SELECT * FROM y"),
            "WITH x AS (SELECT 1 AS a), y(b) AS (SELECT a FROM x) SELECT * FROM y");
  EXPECT_EQ(Canonical("WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT n FROM r) SELECT * FROM r"),
            "WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT n FROM r) SELECT * FROM r");
  auto stmt = ParseAs<ast::SelectStatement>("WITH x AS (SELECT 1) SELECT * FROM x");
  ASSERT_NE(stmt->query->with, nullptr);
  EXPECT_EQ(stmt->query->with->ctes[0].name, "x");
}

TEST(ParserSelectTest, KeywordsAsNames) {
  EXPECT_EQ(Canonical("SELECT key, value, name, text, date, timestamp, data, type, count "
                      "FROM data AS type WHERE key = 1"),
            "SELECT \"key\", value, name, text, date, timestamp, \"data\", \"type\", count "
            "FROM \"data\" AS \"type\" WHERE (\"key\" = 1)");
  EXPECT_EQ(Canonical("SELECT count(*) count FROM t"), "SELECT count(*) AS count FROM t");
  EXPECT_EQ(Canonical("SELECT level, zone FROM first"),
            "SELECT \"level\", \"zone\" FROM \"first\"");
}

TEST(ParserSelectTest, StatementSpans) {
  const std::string sql = "  SELECT 1 ;\n/* c */ SELECT 'x;y'  ;; -- end\n";
  auto result = ParseStatements(sql);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 2u);
  const ast::Statement& a = *(*result)[0];
  const ast::Statement& b = *(*result)[1];
  EXPECT_EQ(sql.substr(a.location, a.length), "SELECT 1");
  EXPECT_EQ(sql.substr(b.location, b.length), "SELECT 'x;y'");
  // Spans are in bytes even when positions count characters.
  const std::string u = "SELECT '\xc3\xa9'; SELECT 2";
  auto r2 = ParseStatements(u);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(u.substr((*r2)[1]->location, (*r2)[1]->length), "SELECT 2");
}

TEST(ParserSelectTest, EmptyQueries) {
  for (const char* sql : {"", "   ", ";", ";;", " -- only a comment", "/* a /* nested */ c */;"}) {
    auto result = ParseStatements(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status();
    EXPECT_TRUE(result->empty()) << sql;
  }
  auto result = ParseStatements("SELECT 1;; SELECT 2;");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->size(), 2u);
}

}  // namespace
}  // namespace cairn::parser
