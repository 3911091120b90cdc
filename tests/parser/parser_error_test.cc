// Errors: PostgreSQL's messages, SQLSTATEs and 1-based character positions.
#include <algorithm>
#include <atomic>
#include <thread>

#include "parser/parser.h"
#include "parser_test_util.h"

namespace cairn::parser {
namespace {

using testing::ExpectError;
using testing::ExpectSyntaxError;

TEST(ParserErrorTest, SyntaxErrors) {
  ExpectSyntaxError("SELEC 1", "syntax error at or near \"SELEC\"", 1);
  ExpectSyntaxError("SELECT * FROM", "syntax error at end of input", 14);
  ExpectSyntaxError("SELECT * FROM t WHERE   ", "syntax error at end of input", 25);
  ExpectSyntaxError("SELECT FROM FROM t", "syntax error at or near \"FROM\"", 13);
  ExpectSyntaxError("SELECT 1 +", "syntax error at end of input", 11);
  ExpectSyntaxError("SELECT 1 2", "syntax error at or near \"2\"", 10);
  ExpectSyntaxError("SELECT select", "syntax error at or near \"select\"", 8);
  ExpectSyntaxError("SELECT a = b = c", "syntax error at or near \"=\"", 14);
  ExpectSyntaxError("SELECT a LIKE b LIKE c", "syntax error at or near \"LIKE\"", 17);
  ExpectSyntaxError("CREATE TABLE t (a int,)", "syntax error at or near \")\"", 23);
  ExpectSyntaxError("DROP TABLE", "syntax error at end of input", 11);
  ExpectSyntaxError("SELECT 1 AS", "syntax error at end of input", 12);
  ExpectSyntaxError("SELECT * FROM t LIMIT 1 LIMIT 2", "syntax error at or near \"LIMIT\"", 25);
  // `?` is jsonb's key-exists operator: a trailing one lacks its operand.
  ExpectSyntaxError("SELECT 1 ?", "syntax error at end of input", 11);
  ExpectSyntaxError("SELECT * FROM (t)", "syntax error at or near \")\"", 17);
  ExpectSyntaxError("ALTER TABLE t RENAME TO u, ADD c int", "syntax error at or near \",\"", 26);
  ExpectSyntaxError("INSERT INTO t VALUES (1) RETURNING", "syntax error at end of input", 35);
  ExpectSyntaxError("UPDATE t SET a = 1 WHERE", "syntax error at end of input", 25);
  ExpectSyntaxError("SHOW", "syntax error at end of input", 5);
  ExpectSyntaxError("FOO BAR", "syntax error at or near \"FOO\"", 1);
}

TEST(ParserErrorTest, ErrorsInLaterStatementsFailTheWholeQuery) {
  ExpectSyntaxError("SELECT 1; SELEC 2", "syntax error at or near \"SELEC\"", 11);
  ExpectSyntaxError("SELECT 1;\nSELECT 2 FROM;", "syntax error at or near \";\"", 24);
}

TEST(ParserErrorTest, PositionsCountCharacters) {
  ExpectSyntaxError("SELECT '\xc3\xa9\xc3\xa9' FRM t", "syntax error at or near \"t\"", 17);
  ExpectSyntaxError("SELECT \xe2\x82\xac FROM FROM", "syntax error at or near \"FROM\"", 15);
}

TEST(ParserErrorTest, LexicalErrors) {
  ExpectSyntaxError("SELECT 'abc", "unterminated quoted string at or near \"'abc\"", 8);
  ExpectSyntaxError("SELECT E'ab\\'", "unterminated quoted string at or near \"E'ab\\'\"", 8);
  ExpectSyntaxError("SELECT \"abc", "unterminated quoted identifier at or near \"\"abc\"", 8);
  ExpectSyntaxError("SELECT 1 /* x", "unterminated /* comment at or near \"/* x\"", 10);
  ExpectSyntaxError("SELECT 1 /* a /* b */", "unterminated /* comment at or near \"/* a /* b */\"",
                    10);
  ExpectSyntaxError("SELECT $$abc", "unterminated dollar-quoted string at or near \"$$abc\"", 8);
  ExpectSyntaxError("SELECT 1; SELECT 'x", "unterminated quoted string at or near \"'x\"", 18);
  // A syntax error ahead of the bad token is reported first, as PostgreSQL
  // reads tokens only as far as the error.
  ExpectSyntaxError("SELECT FROM FROM 'x", "syntax error at or near \"FROM\"", 13);
  ExpectSyntaxError("SELECT \"\"", "zero-length delimited identifier at or near \"\"\"\"", 8);
  ExpectSyntaxError("SELECT E'\\xff'", "invalid byte sequence for encoding \"UTF8\": 0xff", 8);
  ExpectSyntaxError("SELECT E'\\u12'", "invalid Unicode escape", 8);
  ExpectSyntaxError("SELECT $99999999999", "parameter number too large at or near \"$99999999999\"",
                    8);
  ExpectSyntaxError(std::string("SELECT '\xff'"),
                    "invalid byte sequence for encoding \"UTF8\": 0xff", 0);
  ExpectSyntaxError(std::string("SELECT 1\0", 9),
                    "invalid byte sequence for encoding \"UTF8\": 0x00", 0);
}

TEST(ParserErrorTest, SemanticSyntaxErrors) {
  ExpectSyntaxError("INSERT INTO t VALUES (1), (1, 2)", "VALUES lists must all be the same length",
                    28);
  ExpectSyntaxError("UPDATE t SET (a, b) = (1)",
                    "number of columns does not match number of values", 24);
  ExpectSyntaxError("SELECT * FROM (SELECT 1)", "subquery in FROM must have an alias", 15);
  ExpectSyntaxError("SELECT * FROM a.b.c.d",
                    "improper qualified name (too many dotted names): a.b.c.d", 15);
  ExpectSyntaxError("(SELECT 1 LIMIT 1) LIMIT 2", "multiple LIMIT clauses not allowed", 20);
  ExpectSyntaxError("(SELECT 1 ORDER BY 1) ORDER BY 1", "multiple ORDER BY clauses not allowed",
                    23);
  ExpectSyntaxError("INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 1",
                    "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                    26);
}

TEST(ParserErrorTest, TooDeeplyNested) {
  const std::string deep = "SELECT " + std::string(1000, '(') + "1" + std::string(1000, ')');
  auto result = ParseStatements(deep);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(GetErrorCode(result.status()), ErrorCode::kFeatureNotSupported);
  // Up to the limit (200 levels) is fine, also for subqueries and CASE.
  const std::string ok = "SELECT " + std::string(199, '(') + "1" + std::string(199, ')');
  EXPECT_TRUE(ParseStatements(ok).ok());
  std::string subqueries = "SELECT 1";
  for (int i = 0; i < 99; ++i) subqueries = "SELECT (" + subqueries + ")";
  EXPECT_TRUE(ParseStatements(subqueries).ok());
  std::string cases = "1";
  for (int i = 0; i < 190; ++i) cases = "CASE WHEN a THEN " + cases + " END";
  EXPECT_TRUE(ParseStatements("SELECT " + cases).ok());
  std::string nots = "SELECT ";
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  EXPECT_FALSE(ParseStatements(nots + "TRUE").ok());
}

// Depth of an expression tree, following BinaryExpr children.
int Depth(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::kBinary) return 1;
  const auto& b = e.As<ast::BinaryExpr>();
  return 1 + std::max(Depth(*b.left), Depth(*b.right));
}

TEST(ParserErrorTest, LongChains) {
  // Long AND/OR chains are accepted and built balanced, so that nothing
  // that walks the tree recursively runs out of stack.
  std::string ors = "a = 0";
  for (int i = 1; i < 50000; ++i) ors += " OR a = " + std::to_string(i);
  auto expr = ParseExpression(ors);
  ASSERT_TRUE(expr.ok()) << expr.status();
  EXPECT_LE(Depth(**expr), 20);
  // Short ones keep the shape they were written in.
  auto short_chain = ParseExpression("a OR b OR c OR d");
  ASSERT_TRUE(short_chain.ok());
  EXPECT_EQ((*short_chain)->ToString(), "(((a OR b) OR c) OR d)");
  // Other operators are not associative; past the depth limit they fail
  // cleanly, as PostgreSQL does with "stack depth limit exceeded".
  std::string sum = "1";
  for (int i = 0; i < 900; ++i) sum += " + 1";
  EXPECT_TRUE(ParseExpression(sum).ok());
  for (int i = 0; i < 9000; ++i) sum += " + 1";
  auto too_long = ParseExpression(sum);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(GetErrorCode(too_long.status()), ErrorCode::kFeatureNotSupported);
  std::string unions = "SELECT 0";
  for (int i = 1; i < 5000; ++i) unions += " UNION SELECT " + std::to_string(i);
  EXPECT_EQ(GetErrorCode(ParseStatements(unions).status()), ErrorCode::kFeatureNotSupported);
  std::string casts = "x";
  for (int i = 0; i < 5000; ++i) casts += "::int";
  EXPECT_EQ(GetErrorCode(ParseExpression(casts).status()), ErrorCode::kFeatureNotSupported);
}

TEST(ParserErrorTest, ParseExpressionErrors) {
  auto result = ParseExpression("1 +");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(GetErrorCode(result.status()), ErrorCode::kSyntaxError);
  EXPECT_EQ(GetErrorPosition(result.status()), std::optional<int>(4));
  EXPECT_FALSE(ParseExpression("1; SELECT 2").ok());
  EXPECT_FALSE(ParseExpression("").ok());
}

TEST(ParserErrorTest, ConcurrentParses) {
  // The ANTLR decision caches are shared by all parsers.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 200; ++i) {
        const std::string sql = "SELECT a + " + std::to_string(t * 1000 + i) +
                                " FROM t WHERE b IN (SELECT c FROM u) ORDER BY 1";
        auto result = ParseStatements(sql);
        if (!result.ok() || result->size() != 1) ++failures;
        if (ParseStatements("SELECT FROM WHERE").ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace cairn::parser
