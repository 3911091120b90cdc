// CREATE/DROP DATABASE, TABLE and INDEX, ALTER TABLE, TRUNCATE, and types.
#include "parser/parser.h"
#include "parser_test_util.h"

namespace cairn::parser {
namespace {

using testing::Canonical;
using testing::ParseAs;

TEST(ParserDdlTest, Databases) {
  EXPECT_EQ(Canonical("create database Shop"), "CREATE DATABASE shop");
  EXPECT_EQ(Canonical("DROP DATABASE IF EXISTS \"Shop\""), "DROP DATABASE IF EXISTS \"Shop\"");
  auto stmt = ParseAs<ast::DropDatabaseStatement>("DROP DATABASE x");
  EXPECT_FALSE(stmt->if_exists);
  EXPECT_EQ(stmt->name.name, "x");
  EXPECT_EQ(stmt->name.position, 15);
}

TEST(ParserDdlTest, CreateTable) {
  EXPECT_EQ(
      Canonical("CREATE TABLE IF NOT EXISTS accounts (\n"
                "  id BIGSERIAL PRIMARY KEY,\n"
                "  name VARCHAR(100) NOT NULL UNIQUE,\n"
                "  balance NUMERIC(12, 2) DEFAULT 0 CHECK (balance >= 0),\n"
                "  owner INT REFERENCES users (id) ON DELETE CASCADE,\n"
                "  note text NULL,\n"
                "  CONSTRAINT acc_uniq UNIQUE (name, owner)\n"
                ")"),
      "CREATE TABLE IF NOT EXISTS accounts (id bigserial PRIMARY KEY, "
      "name character varying(100) NOT NULL UNIQUE, "
      "balance numeric(12,2) DEFAULT 0 CHECK ((balance >= 0)), "
      "owner integer REFERENCES users (id) ON DELETE CASCADE, note text NULL, "
      "CONSTRAINT acc_uniq UNIQUE (name, owner))");
  EXPECT_EQ(Canonical("CREATE TABLE t (a int, b int, PRIMARY KEY (a, b), CHECK (a < b), "
                      "FOREIGN KEY (b) REFERENCES u)"),
            "CREATE TABLE t (a integer, b integer, PRIMARY KEY (a, b), CHECK ((a < b)), "
            "FOREIGN KEY (b) REFERENCES u)");
  EXPECT_EQ(Canonical("CREATE TABLE t ()"), "CREATE TABLE t ()");
  // pgbench -i creates its tables this way.
  EXPECT_EQ(Canonical("create table pgbench_tellers(tid int not null,bid int,tbalance int,"
                      "filler char(84)) with (fillfactor=100)"),
            "CREATE TABLE pgbench_tellers (tid integer NOT NULL, bid integer, tbalance integer, "
            "filler character(84)) WITH (FILLFACTOR = '100')");

  auto stmt = ParseAs<ast::CreateTableStatement>(
      "CREATE TABLE t (k INT NOT NULL DEFAULT 5, v TEXT, CONSTRAINT pk PRIMARY KEY (k))");
  EXPECT_EQ(stmt->name.name, "t");
  ASSERT_EQ(stmt->columns.size(), 2u);
  const ast::ColumnDef& k = stmt->columns[0];
  EXPECT_EQ(k.name.name, "k");
  EXPECT_EQ(k.type.name, "int4");
  EXPECT_TRUE(k.not_null());
  ASSERT_NE(k.default_expr(), nullptr);
  EXPECT_EQ(k.default_expr()->ToString(), "5");
  EXPECT_FALSE(stmt->columns[1].not_null());
  ASSERT_EQ(stmt->constraints.size(), 1u);
  EXPECT_EQ(stmt->constraints[0].kind, ast::ConstraintKind::kPrimaryKey);
  EXPECT_EQ(stmt->constraints[0].name, "pk");
  EXPECT_EQ(stmt->constraints[0].columns[0].name, "k");
}

TEST(ParserDdlTest, KeywordColumnNames) {
  EXPECT_EQ(Canonical("CREATE TABLE kv (key text PRIMARY KEY, value bytea, name text, "
                      "date date, timestamp timestamp, data int, type int, count int)"),
            "CREATE TABLE kv (\"key\" text PRIMARY KEY, value bytea, name text, date date, "
            "timestamp timestamp without time zone, \"data\" integer, \"type\" integer, "
            "count integer)");
}

TEST(ParserDdlTest, TypeNames) {
  struct Case {
    const char* sql;
    TypeId id;
    int32_t precision;
    int32_t scale;
    bool serial;
  };
  const Case cases[] = {
      {"smallint", TypeId::kInt16, -1, -1, false},
      {"int2", TypeId::kInt16, -1, -1, false},
      {"INTEGER", TypeId::kInt32, -1, -1, false},
      {"int", TypeId::kInt32, -1, -1, false},
      {"int4", TypeId::kInt32, -1, -1, false},
      {"bigint", TypeId::kInt64, -1, -1, false},
      {"int8", TypeId::kInt64, -1, -1, false},
      {"boolean", TypeId::kBool, -1, -1, false},
      {"bool", TypeId::kBool, -1, -1, false},
      {"real", TypeId::kFloat32, -1, -1, false},
      {"float4", TypeId::kFloat32, -1, -1, false},
      {"float(24)", TypeId::kFloat32, -1, -1, false},
      {"double precision", TypeId::kFloat64, -1, -1, false},
      {"float8", TypeId::kFloat64, -1, -1, false},
      {"float", TypeId::kFloat64, -1, -1, false},
      {"float(53)", TypeId::kFloat64, -1, -1, false},
      {"numeric", TypeId::kNumeric, -1, -1, false},
      {"numeric(10)", TypeId::kNumeric, 10, 0, false},
      {"NUMERIC(10, 2)", TypeId::kNumeric, 10, 2, false},
      {"decimal(5,1)", TypeId::kNumeric, 5, 1, false},
      {"text", TypeId::kText, -1, -1, false},
      {"varchar(20)", TypeId::kVarchar, 20, -1, false},
      {"varchar", TypeId::kVarchar, -1, -1, false},
      {"character varying(3)", TypeId::kVarchar, 3, -1, false},
      {"char(4)", TypeId::kChar, 4, -1, false},
      {"character(2)", TypeId::kChar, 2, -1, false},
      {"char", TypeId::kChar, 1, -1, false},
      {"character", TypeId::kChar, 1, -1, false},
      {"bytea", TypeId::kBytea, -1, -1, false},
      {"date", TypeId::kDate, -1, -1, false},
      {"timestamp", TypeId::kTimestamp, -1, -1, false},
      {"timestamp without time zone", TypeId::kTimestamp, -1, -1, false},
      {"timestamp(3) with time zone", TypeId::kTimestampTz, -1, -1, false},
      {"timestamptz", TypeId::kTimestampTz, -1, -1, false},
      {"serial", TypeId::kInt32, -1, -1, true},
      {"bigserial", TypeId::kInt64, -1, -1, true},
      {"smallserial", TypeId::kInt16, -1, -1, true},
      {"pg_catalog.int8", TypeId::kInt64, -1, -1, false},
  };
  for (const Case& c : cases) {
    auto stmt = ParseAs<ast::CreateTableStatement>(std::string("CREATE TABLE t (c ") + c.sql + ")");
    ASSERT_NE(stmt, nullptr) << c.sql;
    auto resolved = ast::ResolveType(stmt->columns[0].type);
    ASSERT_TRUE(resolved.ok()) << c.sql << ": " << resolved.status();
    EXPECT_EQ(resolved->type.id, c.id) << c.sql;
    EXPECT_EQ(resolved->type.precision, c.precision) << c.sql;
    EXPECT_EQ(resolved->type.scale, c.scale) << c.sql;
    EXPECT_EQ(resolved->serial, c.serial) << c.sql;
    // The printed type parses back to the same type.
    auto again = ParseAs<ast::CreateTableStatement>(stmt->ToString());
    ASSERT_NE(again, nullptr) << stmt->ToString();
    auto resolved_again = ast::ResolveType(again->columns[0].type);
    ASSERT_TRUE(resolved_again.ok()) << stmt->ToString();
    EXPECT_EQ(resolved_again->type, resolved->type) << stmt->ToString();
  }
}

TEST(ParserDdlTest, TypeErrors) {
  auto resolve = [](const char* sql) {
    auto stmt = ParseAs<ast::CreateTableStatement>(std::string("CREATE TABLE t (c ") + sql + ")");
    return ast::ResolveType(stmt->columns[0].type).status();
  };
  absl::Status s = resolve("foo");
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kUndefinedObject);
  EXPECT_EQ(std::string(s.message()), "type \"foo\" does not exist");
  EXPECT_EQ(GetErrorPosition(s), std::optional<int>(19));
  EXPECT_EQ(GetErrorCode(resolve("money")), ErrorCode::kFeatureNotSupported);
  EXPECT_EQ(GetErrorCode(resolve("varchar(0)")), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(GetErrorCode(resolve("numeric(0)")), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(GetErrorCode(resolve("numeric(1001, 2)")), ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(GetErrorCode(resolve("int(3)")), ErrorCode::kSyntaxError);
  // Quoted names are taken literally: no aliases.
  EXPECT_EQ(GetErrorCode(resolve("\"int\"")), ErrorCode::kUndefinedObject);
  EXPECT_EQ(GetErrorCode(resolve("\"char\"")), ErrorCode::kFeatureNotSupported);
  EXPECT_TRUE(resolve("\"int4\"").ok());
  EXPECT_EQ(GetErrorCode(resolve("myschema.int4")), ErrorCode::kUndefinedObject);
  testing::ExpectError("CREATE TABLE t (c float(54))", ErrorCode::kInvalidParameterValue,
                       "precision for type float must be less than 54 bits", 19);
  testing::ExpectSyntaxError("CREATE TABLE t (c int with time zone)",
                             "syntax error at or near \"with\"", 23);
}

TEST(ParserDdlTest, DropTable) {
  EXPECT_EQ(Canonical("DROP TABLE a"), "DROP TABLE a");
  EXPECT_EQ(Canonical("drop table if exists a, s.b cascade"),
            "DROP TABLE IF EXISTS a, s.b CASCADE");
  auto stmt = ParseAs<ast::DropTableStatement>("DROP TABLE IF EXISTS a, b");
  EXPECT_TRUE(stmt->if_exists);
  ASSERT_EQ(stmt->names.size(), 2u);
  EXPECT_EQ(stmt->names[1].name, "b");
  EXPECT_EQ(stmt->names[1].position, 25);
}

TEST(ParserDdlTest, Indexes) {
  EXPECT_EQ(Canonical("CREATE INDEX idx ON t (a)"), "CREATE INDEX idx ON t (a)");
  EXPECT_EQ(Canonical("create unique index if not exists i2 on s.t using btree "
                      "(a desc nulls first, (lower(b))) include (c) where a > 0"),
            "CREATE UNIQUE INDEX IF NOT EXISTS i2 ON s.t USING btree "
            "(a DESC NULLS FIRST, (lower(b))) INCLUDE (c) WHERE (a > 0)");
  EXPECT_EQ(Canonical("CREATE INDEX ON t (a) STORING (b)"), "CREATE INDEX ON t (a) INCLUDE (b)");
  EXPECT_EQ(Canonical("DROP INDEX IF EXISTS i1, i2"), "DROP INDEX IF EXISTS i1, i2");
  auto stmt = ParseAs<ast::CreateIndexStatement>("CREATE UNIQUE INDEX i ON t (a, b DESC)");
  EXPECT_TRUE(stmt->unique);
  EXPECT_EQ(stmt->name.name, "i");
  EXPECT_EQ(stmt->table.name, "t");
  ASSERT_EQ(stmt->elems.size(), 2u);
  EXPECT_EQ(stmt->elems[1].column.name, "b");
  EXPECT_EQ(stmt->elems[1].direction, ast::SortDirection::kDesc);
}

TEST(ParserDdlTest, AlterTableAndTruncate) {
  EXPECT_EQ(Canonical("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0, DROP COLUMN IF EXISTS d"),
            "ALTER TABLE t ADD COLUMN c integer NOT NULL DEFAULT 0, DROP COLUMN IF EXISTS d");
  EXPECT_EQ(Canonical("ALTER TABLE t ADD c text"), "ALTER TABLE t ADD COLUMN c text");
  EXPECT_EQ(Canonical("ALTER TABLE t ALTER COLUMN c SET DEFAULT 1, ALTER c DROP DEFAULT, "
                      "ALTER c SET NOT NULL, ALTER c DROP NOT NULL, ALTER c TYPE bigint"),
            "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1, ALTER COLUMN c DROP DEFAULT, "
            "ALTER COLUMN c SET NOT NULL, ALTER COLUMN c DROP NOT NULL, "
            "ALTER COLUMN c TYPE bigint");
  EXPECT_EQ(Canonical("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)"),
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)");
  EXPECT_EQ(Canonical("ALTER TABLE t RENAME TO u"), "ALTER TABLE t RENAME TO u");
  EXPECT_EQ(Canonical("ALTER TABLE t RENAME a TO b"), "ALTER TABLE t RENAME COLUMN a TO b");
  EXPECT_EQ(Canonical("TRUNCATE TABLE a, b"), "TRUNCATE a, b");
  EXPECT_EQ(Canonical("vacuum analyze pgbench_branches"), "VACUUM ANALYZE pgbench_branches");
  EXPECT_EQ(Canonical("VACUUM"), "VACUUM");
  EXPECT_EQ(Canonical("ANALYZE VERBOSE a, b"), "ANALYZE VERBOSE a, b");
  auto vacuum = ParseAs<ast::VacuumStatement>("ANALYZE t");
  EXPECT_FALSE(vacuum->vacuum);
  EXPECT_TRUE(vacuum->analyze);
  EXPECT_EQ(Canonical("truncate a"), "TRUNCATE a");
}

}  // namespace
}  // namespace cairn::parser
