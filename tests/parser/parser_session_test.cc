// Transaction control, SET/SHOW/RESET, EXPLAIN.
#include "parser/parser.h"
#include "parser_test_util.h"

namespace cairn::parser {
namespace {

using testing::Canonical;
using testing::ParseAs;

TEST(ParserSessionTest, Transactions) {
  EXPECT_EQ(Canonical("BEGIN"), "BEGIN");
  EXPECT_EQ(Canonical("begin work"), "BEGIN");
  EXPECT_EQ(Canonical("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY"),
            "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY");
  EXPECT_EQ(Canonical("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE"),
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE");
  EXPECT_EQ(Canonical("COMMIT"), "COMMIT");
  EXPECT_EQ(Canonical("END TRANSACTION"), "COMMIT");
  EXPECT_EQ(Canonical("ROLLBACK WORK"), "ROLLBACK");
  EXPECT_EQ(Canonical("ABORT"), "ROLLBACK");
  EXPECT_EQ(Canonical("SAVEPOINT s1"), "SAVEPOINT s1");
  EXPECT_EQ(Canonical("RELEASE s1"), "RELEASE SAVEPOINT s1");
  EXPECT_EQ(Canonical("ROLLBACK TO SAVEPOINT s1"), "ROLLBACK TO SAVEPOINT s1");

  auto begin = ParseAs<ast::TransactionStatement>("BEGIN ISOLATION LEVEL READ COMMITTED");
  EXPECT_EQ(begin->txn_kind, ast::TransactionStmtKind::kBegin);
  EXPECT_EQ(begin->modes.isolation, ast::IsolationLevel::kReadCommitted);
  EXPECT_FALSE(begin->start_transaction);
  auto start = ParseAs<ast::TransactionStatement>("START TRANSACTION");
  EXPECT_TRUE(start->start_transaction);
  auto end = ParseAs<ast::TransactionStatement>("END");
  EXPECT_EQ(end->txn_kind, ast::TransactionStmtKind::kCommit);
}

TEST(ParserSessionTest, Set) {
  EXPECT_EQ(Canonical("SET search_path = public, \"$user\""),
            "SET search_path TO 'public', '$user'");
  EXPECT_EQ(Canonical("set extra_float_digits to 3"), "SET extra_float_digits TO '3'");
  EXPECT_EQ(Canonical("SET LOCAL statement_timeout = '5s'"),
            "SET LOCAL statement_timeout TO '5s'");
  EXPECT_EQ(Canonical("SET SESSION DateStyle TO ISO, MDY"), "SET datestyle TO 'iso', 'mdy'");
  EXPECT_EQ(Canonical("SET TIME ZONE 'UTC'"), "SET timezone TO 'UTC'");
  EXPECT_EQ(Canonical("SET TIME ZONE LOCAL"), "SET timezone TO DEFAULT");
  EXPECT_EQ(Canonical("SET x.y = DEFAULT"), "SET x.y TO DEFAULT");
  EXPECT_EQ(Canonical("SET NAMES 'UTF8'"), "SET client_encoding TO 'UTF8'");
  EXPECT_EQ(Canonical("SET enable_seqscan = on"), "SET enable_seqscan TO 'on'");
  EXPECT_EQ(Canonical("SET x = -1.5"), "SET x TO '-1.5'");
  EXPECT_EQ(Canonical("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
  EXPECT_EQ(Canonical("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"),
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");

  auto stmt = ParseAs<ast::SetStatement>("SET application_name = 'psql'");
  EXPECT_EQ(stmt->set_kind, ast::SetKind::kValue);
  EXPECT_EQ(stmt->name, "application_name");
  EXPECT_EQ(stmt->values, std::vector<std::string>{"psql"});
  auto txn = ParseAs<ast::SetStatement>("SET TRANSACTION READ ONLY");
  EXPECT_EQ(txn->set_kind, ast::SetKind::kTransaction);
  EXPECT_EQ(txn->modes.read_only, true);
}

TEST(ParserSessionTest, ShowAndReset) {
  EXPECT_EQ(Canonical("SHOW server_version"), "SHOW server_version");
  EXPECT_EQ(Canonical("show ALL"), "SHOW ALL");
  EXPECT_EQ(Canonical("SHOW TIME ZONE"), "SHOW timezone");
  EXPECT_EQ(Canonical("SHOW TRANSACTION ISOLATION LEVEL"), "SHOW transaction_isolation");
  EXPECT_EQ(Canonical("SHOW DateStyle"), "SHOW datestyle");
  EXPECT_EQ(Canonical("RESET search_path"), "RESET search_path");
  EXPECT_EQ(Canonical("RESET ALL"), "RESET ALL");
  auto stmt = ParseAs<ast::ShowStatement>("SHOW ALL");
  EXPECT_EQ(stmt->name, "all");
}

TEST(ParserSessionTest, Explain) {
  EXPECT_EQ(Canonical("EXPLAIN SELECT 1"), "EXPLAIN SELECT 1");
  EXPECT_EQ(Canonical("EXPLAIN ANALYZE SELECT * FROM t"), "EXPLAIN (ANALYZE) SELECT * FROM t");
  EXPECT_EQ(Canonical("EXPLAIN (ANALYZE false, FORMAT json, costs) DELETE FROM t"),
            "EXPLAIN (ANALYZE 'false', FORMAT 'json', COSTS) DELETE FROM t");
  auto stmt = ParseAs<ast::ExplainStatement>("EXPLAIN ANALYZE VERBOSE INSERT INTO t VALUES (1)");
  EXPECT_TRUE(stmt->analyze);
  EXPECT_TRUE(stmt->verbose);
  ASSERT_NE(stmt->statement, nullptr);
  EXPECT_EQ(stmt->statement->kind, ast::StatementKind::kInsert);
  EXPECT_EQ(stmt->statement->location, 24);
  auto off = ParseAs<ast::ExplainStatement>("EXPLAIN (ANALYZE off) UPDATE t SET a = 1");
  EXPECT_FALSE(off->analyze);
  testing::ExpectSyntaxError("EXPLAIN (foo) SELECT 1", "unrecognized EXPLAIN option \"foo\"", 10);
  testing::ExpectSyntaxError("EXPLAIN CREATE TABLE t (a int)",
                             "syntax error at or near \"CREATE\"", 9);
}

TEST(ParserSessionTest, MultipleStatements) {
  auto result = ParseStatements("BEGIN; INSERT INTO t VALUES (1); COMMIT");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0]->kind, ast::StatementKind::kTransaction);
  EXPECT_EQ((*result)[1]->kind, ast::StatementKind::kInsert);
  EXPECT_EQ((*result)[2]->kind, ast::StatementKind::kTransaction);
}

}  // namespace
}  // namespace cairn::parser
