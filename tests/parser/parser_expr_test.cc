// Expressions: precedence, literal typing, positions, printing.
#include "parser/parser.h"
#include "parser_test_util.h"

namespace cairn::parser {
namespace {

using testing::Expr;
using testing::ExprText;

TEST(ParserExprTest, ArithmeticPrecedence) {
  EXPECT_EQ(ExprText("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(ExprText("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(ExprText("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(ExprText("8 / 4 % 3 * 2"), "(((8 / 4) % 3) * 2)");
  // ^ binds tighter than *, is left-associative, and unary minus binds
  // tighter still: -2 ^ 2 is 4 in PostgreSQL.
  EXPECT_EQ(ExprText("2 * 3 ^ 2"), "(2 * (3 ^ 2))");
  EXPECT_EQ(ExprText("2 ^ 3 ^ 2"), "((2 ^ 3) ^ 2)");
  EXPECT_EQ(ExprText("-2 ^ 2"), "(-2 ^ 2)");
  EXPECT_EQ(ExprText("- a ^ 2"), "((- a) ^ 2)");
  EXPECT_EQ(ExprText("2 ^ -a"), "(2 ^ (- a))");
}

TEST(ParserExprTest, ConcatBindsLooserThanAddition) {
  EXPECT_EQ(ExprText("'a' || 1 + 2"), "('a' || (1 + 2))");
  EXPECT_EQ(ExprText("a || b || c"), "((a || b) || c)");
  EXPECT_EQ(ExprText("a ~ 'x' || 'y'"), "((a ~ 'x') || 'y')");
  EXPECT_EQ(ExprText("a !~* b"), "(a !~* b)");
}

TEST(ParserExprTest, BooleanPrecedence) {
  EXPECT_EQ(ExprText("a OR b AND c"), "(a OR (b AND c))");
  EXPECT_EQ(ExprText("a AND b OR c AND d"), "((a AND b) OR (c AND d))");
  EXPECT_EQ(ExprText("NOT a AND b"), "((NOT a) AND b)");
  EXPECT_EQ(ExprText("NOT a = b"), "(NOT (a = b))");
  EXPECT_EQ(ExprText("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(ExprText("a = 1 OR b <> 2 AND c != 3"), "((a = 1) OR ((b <> 2) AND (c <> 3)))");
}

TEST(ParserExprTest, ComparisonAndIs) {
  EXPECT_EQ(ExprText("a < b + 1"), "(a < (b + 1))");
  EXPECT_EQ(ExprText("a <= b"), "(a <= b)");
  EXPECT_EQ(ExprText("a >= b"), "(a >= b)");
  EXPECT_EQ(ExprText("a > b"), "(a > b)");
  // IS binds looser than comparison, as in PostgreSQL.
  EXPECT_EQ(ExprText("a = b IS NULL"), "((a = b) IS NULL)");
  EXPECT_EQ(ExprText("a IS NOT NULL AND b IS NULL"), "((a IS NOT NULL) AND (b IS NULL))");
  EXPECT_EQ(ExprText("a ISNULL"), "(a IS NULL)");
  EXPECT_EQ(ExprText("a NOTNULL"), "(a IS NOT NULL)");
  EXPECT_EQ(ExprText("a IS TRUE"), "(a IS TRUE)");
  EXPECT_EQ(ExprText("a IS NOT FALSE"), "(a IS NOT FALSE)");
  EXPECT_EQ(ExprText("a IS UNKNOWN"), "(a IS UNKNOWN)");
  EXPECT_EQ(ExprText("a IS DISTINCT FROM b"), "(a IS DISTINCT FROM b)");
  EXPECT_EQ(ExprText("a IS NOT DISTINCT FROM b + 1"), "(a IS NOT DISTINCT FROM (b + 1))");
}

TEST(ParserExprTest, BetweenInLike) {
  EXPECT_EQ(ExprText("a BETWEEN 1 AND 2 AND b"), "((a BETWEEN 1 AND 2) AND b)");
  EXPECT_EQ(ExprText("a NOT BETWEEN b + 1 AND c * 2"), "(a NOT BETWEEN (b + 1) AND (c * 2))");
  EXPECT_EQ(ExprText("a BETWEEN SYMMETRIC 2 AND 1"), "(a BETWEEN SYMMETRIC 2 AND 1)");
  EXPECT_EQ(ExprText("a IN (1, 2, 3)"), "(a IN (1, 2, 3))");
  EXPECT_EQ(ExprText("a NOT IN ('x')"), "(a NOT IN ('x'))");
  EXPECT_EQ(ExprText("a LIKE 'x%'"), "(a LIKE 'x%')");
  EXPECT_EQ(ExprText("a NOT ILIKE 'x%' ESCAPE '!'"), "(a NOT ILIKE 'x%' ESCAPE '!')");
  // LIKE binds tighter than =.
  EXPECT_EQ(ExprText("a = b LIKE c"), "(a = (b LIKE c))");
  EXPECT_EQ(ExprText("a || b LIKE c"), "((a || b) LIKE c)");

  auto in = Expr("x IN (1, 2)");
  ASSERT_EQ(in->kind, ast::ExprKind::kInList);
  EXPECT_EQ(in->As<ast::InListExpr>().list.size(), 2u);
  EXPECT_FALSE(in->As<ast::InListExpr>().negated);
}

TEST(ParserExprTest, Subqueries) {
  EXPECT_EQ(ExprText("a IN (SELECT b FROM t)"), "(a IN (SELECT b FROM t))");
  EXPECT_EQ(ExprText("a NOT IN (SELECT b FROM t)"), "(a NOT IN (SELECT b FROM t))");
  EXPECT_EQ(ExprText("EXISTS (SELECT 1)"), "EXISTS (SELECT 1)");
  EXPECT_EQ(ExprText("NOT EXISTS (SELECT 1)"), "(NOT EXISTS (SELECT 1))");
  EXPECT_EQ(ExprText("(SELECT max(a) FROM t) + 1"), "((SELECT max(a) FROM t) + 1)");
  EXPECT_EQ(ExprText("a = ANY (SELECT b FROM t)"), "(a = ANY (SELECT b FROM t))");
  EXPECT_EQ(ExprText("a > ALL (SELECT b FROM t)"), "(a > ALL (SELECT b FROM t))");
  EXPECT_EQ(ExprText("a < SOME (SELECT b FROM t)"), "(a < ANY (SELECT b FROM t))");
  EXPECT_EQ(ExprText("((SELECT 1))"), "(SELECT 1)");

  auto in = Expr("a IN (SELECT 1)");
  ASSERT_EQ(in->kind, ast::ExprKind::kSubquery);
  EXPECT_EQ(in->As<ast::SubqueryExpr>().subquery_kind, ast::SubqueryKind::kIn);
}

TEST(ParserExprTest, Casts) {
  EXPECT_EQ(ExprText("a::int"), "a::integer");
  EXPECT_EQ(ExprText("a::text::varchar(10)"), "a::text::character varying(10)");
  EXPECT_EQ(ExprText("CAST(a AS bigint)"), "CAST(a AS bigint)");
  EXPECT_EQ(ExprText("CAST(a AS double precision)"), "CAST(a AS double precision)");
  // :: binds tighter than unary minus and than any binary operator.
  EXPECT_EQ(ExprText("-a::int"), "(- a::integer)");
  EXPECT_EQ(ExprText("1 + 2::int"), "(1 + 2::integer)");
  EXPECT_EQ(ExprText("(1 + 2)::int"), "(1 + 2)::integer");
  EXPECT_EQ(ExprText("(-1)::int"), "(-1)::integer");
  EXPECT_EQ(ExprText("'1'::numeric(10, 2)"), "'1'::numeric(10,2)");
  EXPECT_EQ(ExprText("a::timestamp with time zone"), "a::timestamp with time zone");
  EXPECT_EQ(ExprText("a::timestamp without time zone"), "a::timestamp without time zone");
  EXPECT_EQ(ExprText("a::timestamptz"), "a::timestamp with time zone");
  EXPECT_EQ(ExprText("a::character varying"), "a::character varying");
  EXPECT_EQ(ExprText("a::char"), "a::character(1)");
  EXPECT_EQ(ExprText("a::float(10)"), "a::real");
  EXPECT_EQ(ExprText("a::float"), "a::double precision");
  EXPECT_EQ(ExprText("a::\"char\""), "a::\"char\"");
  EXPECT_EQ(ExprText("a::\"float\""), "a::\"float\"");
  EXPECT_EQ(ExprText("a::interval"), "a::interval");

  auto cast = Expr("x::int");
  ASSERT_EQ(cast->kind, ast::ExprKind::kCast);
  EXPECT_EQ(cast->As<ast::CastExpr>().type.name, "int4");
  EXPECT_EQ(cast->As<ast::CastExpr>().syntax, ast::CastSyntax::kDoubleColon);
  EXPECT_EQ(cast->position, 2);  // the '::'
}

TEST(ParserExprTest, TypedLiterals) {
  EXPECT_EQ(ExprText("DATE '2024-01-01'"), "date '2024-01-01'");
  EXPECT_EQ(ExprText("TIMESTAMP '2024-01-01 10:00'"),
            "timestamp without time zone '2024-01-01 10:00'");
  EXPECT_EQ(ExprText("timestamp with time zone '2024-01-01 10:00+02'"),
            "timestamp with time zone '2024-01-01 10:00+02'");
  EXPECT_EQ(ExprText("int '5'"), "integer '5'");
  EXPECT_EQ(ExprText("INTERVAL '1 day'"), "interval '1 day'");
  EXPECT_EQ(ExprText("INTERVAL '1' DAY"), "'1'::interval day");
  EXPECT_EQ(ExprText("interval '1 2:03' day to minute"), "'1 2:03'::interval day to minute");
  EXPECT_EQ(ExprText("x::interval second(3)"), "x::interval second(3)");
  EXPECT_EQ(ExprText("x::interval(2)"), "x::interval(2)");
  EXPECT_EQ(ExprText("make_interval(1, days => 3)"), "make_interval(1, days => 3)");
  // The field names stay usable as names.
  EXPECT_EQ(ExprText("day + year + interval"), "((\"day\" + \"year\") + \"interval\")");
  auto lit = Expr("DATE '2024-01-01'");
  ASSERT_EQ(lit->kind, ast::ExprKind::kCast);
  const auto& cast = lit->As<ast::CastExpr>();
  EXPECT_EQ(cast.syntax, ast::CastSyntax::kTypedLiteral);
  EXPECT_EQ(cast.type.name, "date");
  ASSERT_EQ(cast.operand->kind, ast::ExprKind::kConstant);
  EXPECT_EQ(cast.operand->As<ast::ConstantExpr>().str_value, "2024-01-01");
}

TEST(ParserExprTest, FunctionsAndCase) {
  EXPECT_EQ(ExprText("count(*)"), "count(*)");
  EXPECT_EQ(ExprText("COUNT(DISTINCT a)"), "count(DISTINCT a)");
  EXPECT_EQ(ExprText("coalesce(a, b, 0)"), "coalesce(a, b, 0)");
  EXPECT_EQ(ExprText("NULLIF(a, 0) + GREATEST(1, 2) - LEAST(3, 4)"),
            "((nullif(a, 0) + greatest(1, 2)) - least(3, 4))");
  EXPECT_EQ(ExprText("now()"), "now()");
  EXPECT_EQ(ExprText("pg_catalog.now()"), "pg_catalog.now()");
  EXPECT_EQ(ExprText("left(s, 2) || right(s, 1)"), "(\"left\"(s, 2) || \"right\"(s, 1))");
  EXPECT_EQ(ExprText("current_date"), "CURRENT_DATE");
  EXPECT_EQ(ExprText("CURRENT_TIMESTAMP - a"), "(CURRENT_TIMESTAMP - a)");
  EXPECT_EQ(ExprText("extract(year FROM ts)"), "EXTRACT(year FROM ts)");
  EXPECT_EQ(ExprText("ts AT TIME ZONE 'UTC'"), "timezone('UTC', ts)");
  EXPECT_EQ(ExprText("CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE 'z' END"),
            "CASE WHEN (a > 0) THEN 'p' WHEN (a < 0) THEN 'n' ELSE 'z' END");
  EXPECT_EQ(ExprText("CASE a WHEN 1 THEN 'one' END"), "CASE a WHEN 1 THEN 'one' END");

  auto fn = Expr("count(*)");
  ASSERT_EQ(fn->kind, ast::ExprKind::kFunction);
  EXPECT_TRUE(fn->As<ast::FunctionExpr>().star);
  auto c = Expr("CASE a WHEN 1 THEN 2 ELSE 3 END");
  ASSERT_EQ(c->kind, ast::ExprKind::kCase);
  EXPECT_NE(c->As<ast::CaseExpr>().operand, nullptr);
  EXPECT_NE(c->As<ast::CaseExpr>().else_result, nullptr);
}

TEST(ParserExprTest, IntegerLiteralTyping) {
  auto check_int = [](std::string_view sql, int64_t value) {
    auto e = Expr(sql);
    ASSERT_EQ(e->kind, ast::ExprKind::kConstant) << sql;
    const auto& c = e->As<ast::ConstantExpr>();
    EXPECT_EQ(c.constant_kind, ast::ConstantKind::kInteger) << sql;
    EXPECT_EQ(c.int_value, value) << sql;
  };
  auto check_numeric = [](std::string_view sql, std::string_view text) {
    auto e = Expr(sql);
    ASSERT_EQ(e->kind, ast::ExprKind::kConstant) << sql;
    const auto& c = e->As<ast::ConstantExpr>();
    EXPECT_EQ(c.constant_kind, ast::ConstantKind::kNumeric) << sql;
    EXPECT_EQ(c.str_value, text) << sql;
  };
  check_int("42", 42);
  check_int("007", 7);
  check_int("2147483648", 2147483648LL);
  check_int("9223372036854775807", INT64_MAX);
  // The minus folds into the literal, as PostgreSQL's doNegate does.
  check_int("-5", -5);
  check_int("-2147483648", -2147483648LL);
  check_int("-9223372036854775808", INT64_MIN);
  check_int("- -5", 5);
  check_numeric("9223372036854775808", "9223372036854775808");
  check_numeric("-9223372036854775809", "-9223372036854775809");
  check_numeric("1.5", "1.5");
  check_numeric("-1.5", "-1.5");
  check_numeric(".5", ".5");
  check_numeric("5.", "5.");
  check_numeric("1e10", "1e10");
  check_numeric("1.5E-3", "1.5E-3");
  EXPECT_EQ(ExprText("-(5)"), "-5");
  EXPECT_EQ(ExprText("- 9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(ExprText("+5"), "(+ 5)");
}

TEST(ParserExprTest, StringLiterals) {
  auto str = [](std::string_view sql) {
    auto e = Expr(sql);
    if (e == nullptr || e->kind != ast::ExprKind::kConstant) return std::string("<not a constant>");
    EXPECT_EQ(e->As<ast::ConstantExpr>().constant_kind, ast::ConstantKind::kString);
    return e->As<ast::ConstantExpr>().str_value;
  };
  EXPECT_EQ(str("'abc'"), "abc");
  EXPECT_EQ(str("''"), "");
  EXPECT_EQ(str("'it''s'"), "it's");
  EXPECT_EQ(str("'back\\slash'"), "back\\slash");  // standard_conforming_strings
  EXPECT_EQ(str("E'a\\nb\\tc'"), "a\nb\tc");
  EXPECT_EQ(str("e'it\\'s'"), "it's");
  EXPECT_EQ(str("E'\\x41\\101\\u00e9\\U0001F600'"), "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(str("E'\\uD83D\\uDE00'"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(str("E'\\\\'"), "\\");
  EXPECT_EQ(str("$$it's $ a \\n$$"), "it's $ a \\n");
  EXPECT_EQ(str("'foo'\n  'bar'"), "foobar");  // continuation across a newline
  EXPECT_EQ(str("'h\xc3\xa9'"), "h\xc3\xa9");
  EXPECT_EQ(ExprText("'it''s'"), "'it''s'");
  EXPECT_EQ(ExprText("E'a\\nb'"), "'a\nb'");
}

TEST(ParserExprTest, OtherLiteralsAndParameters) {
  EXPECT_EQ(ExprText("TRUE AND false"), "(TRUE AND FALSE)");
  EXPECT_EQ(ExprText("NULL"), "NULL");
  EXPECT_EQ(ExprText("$1 + $12"), "($1 + $12)");
  auto p = Expr("$3");
  ASSERT_EQ(p->kind, ast::ExprKind::kParameter);
  EXPECT_EQ(p->As<ast::ParameterExpr>().index, 3);
}

TEST(ParserExprTest, ColumnReferences) {
  EXPECT_EQ(ExprText("Abc"), "abc");
  EXPECT_EQ(ExprText("\"Abc\""), "\"Abc\"");
  EXPECT_EQ(ExprText("t.a"), "t.a");
  EXPECT_EQ(ExprText("s.T.\"A b\""), "s.t.\"A b\"");
  EXPECT_EQ(ExprText("\"a\"\"b\""), "\"a\"\"b\"");
  EXPECT_EQ(ExprText("\"select\""), "\"select\"");
  auto ref = Expr("T.\"MixedCase\"");
  ASSERT_EQ(ref->kind, ast::ExprKind::kColumnRef);
  const auto& col = ref->As<ast::ColumnRefExpr>();
  ASSERT_EQ(col.names.size(), 2u);
  EXPECT_EQ(col.names[0], "t");
  EXPECT_EQ(col.column(), "MixedCase");
  EXPECT_EQ(col.qualifier(), std::vector<std::string>{"t"});
  // Non-ASCII letters are identifier characters and are not case-folded.
  EXPECT_EQ(Expr("Na\xc3\xafve")->As<ast::ColumnRefExpr>().column(), "na\xc3\xafve");
  EXPECT_EQ(ExprText("\xc3\x89t\xc3\xa9"), "\"\xc3\x89t\xc3\xa9\"");
  // Identifiers are truncated to 63 bytes, as in PostgreSQL.
  auto long_ref = Expr(std::string(70, 'x'));
  EXPECT_EQ(long_ref->As<ast::ColumnRefExpr>().column(), std::string(63, 'x'));
}

TEST(ParserExprTest, KeywordsAsNames) {
  // Non-reserved keywords and type names are ordinary names.
  for (const char* name : {"key", "value", "name", "text", "date", "timestamp", "data", "type",
                           "count", "first", "last", "level", "zone", "time", "index",
                           "database", "start", "begin", "commit", "show", "set", "action",
                           "nulls", "names", "double", "precision", "int", "integer", "year"}) {
    auto e = Expr(name);
    ASSERT_NE(e, nullptr) << name;
    ASSERT_EQ(e->kind, ast::ExprKind::kColumnRef) << name;
    EXPECT_EQ(e->As<ast::ColumnRefExpr>().column(), name);
  }
  EXPECT_EQ(ExprText("date + 1"), "(date + 1)");
  EXPECT_EQ(ExprText("t.key || name"), "(t.\"key\" || name)");
}

TEST(ParserExprTest, Positions) {
  // 1-based character offsets, as PostgreSQL reports them.
  auto e = Expr("a + foo(b)");
  ASSERT_EQ(e->kind, ast::ExprKind::kBinary);
  const auto& bin = e->As<ast::BinaryExpr>();
  EXPECT_EQ(bin.position, 3);
  EXPECT_EQ(bin.left->position, 1);
  EXPECT_EQ(bin.right->position, 5);
  EXPECT_EQ(bin.right->As<ast::FunctionExpr>().args[0]->position, 9);
  // Positions count characters, not bytes.
  auto u = Expr("'\xc3\xa9\xc3\xa9' || zz");
  EXPECT_EQ(u->As<ast::BinaryExpr>().right->position, 9);
  auto neg = Expr("  -5");
  EXPECT_EQ(neg->position, 3);
}

}  // namespace
}  // namespace cairn::parser
