// Real client programs against a node: psql (-c, -f, a script on stdin,
// ON_ERROR_STOP) and Python's psycopg2. Expected outputs are what psql 15
// prints against PostgreSQL 15 for the same input.

#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "cairn_process.h"
#include "clients.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::HasSubstr;
using ::testing::Not;

// 'text' for /bin/sh.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool HavePsql() {
  std::string ignored;
  return RunCommand("command -v psql", &ignored) == 0;
}

class PsqlTest : public NodeTest {
 protected:
  void SetUp() override {
    if (!HavePsql()) GTEST_SKIP() << "psql is not installed (scripts/install-deps installs it)";
    NodeTest::SetUp();
  }

  // psql against the node with `args` appended; output is stdout and stderr.
  int Psql(const std::string& args, std::string* output) {
    std::string command = "PGCONNECT_TIMEOUT=10 PGCLIENTENCODING=UTF8 psql -h 127.0.0.1 -p " +
                          std::to_string(node_.sql_port()) +
                          " -U root -X -v ON_ERROR_STOP=1 postgres " + args;
    return RunCommand(command, output);
  }

  std::string WriteScript(const std::string& name, const std::string& text) {
    std::string path = node_.data_dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
};

constexpr const char* kScript =
    "-- a comment line\n"
    "CREATE TABLE s (k INT PRIMARY KEY, v TEXT);\n"
    "INSERT INTO s VALUES (1, 'one'),\n"
    "                     (2, 'two');\n"
    "BEGIN;\n"
    "UPDATE s SET v = 'uno' WHERE k = 1;\n"
    "COMMIT;\n"
    "SELECT k, v FROM s ORDER BY k;\n"
    "SELECT count(*) AS n FROM s WHERE k > 5;\n";

constexpr const char* kScriptOutput =
    "CREATE TABLE\n"
    "INSERT 0 2\n"
    "BEGIN\n"
    "UPDATE 1\n"
    "COMMIT\n"
    " k |  v  \n"
    "---+-----\n"
    " 1 | uno\n"
    " 2 | two\n"
    "(2 rows)\n"
    "\n"
    " n \n"
    "---\n"
    " 0\n"
    "(1 row)\n"
    "\n";

TEST_F(PsqlTest, CommandFlag) {
  std::string out;
  ASSERT_EQ(Psql("-c " + ShellQuote("CREATE TABLE t (k INT PRIMARY KEY, v TEXT)") + " -c " +
                     ShellQuote("INSERT INTO t VALUES (1, 'one'), (2, 'two')"),
                 &out),
            0)
      << out;
  EXPECT_EQ(out, "CREATE TABLE\nINSERT 0 2\n");
  ASSERT_EQ(Psql("-c " + ShellQuote("SELECT k, v FROM t ORDER BY k"), &out), 0) << out;
  EXPECT_EQ(out,
            " k |  v  \n"
            "---+-----\n"
            " 1 | one\n"
            " 2 | two\n"
            "(2 rows)\n"
            "\n");
  // Unaligned, tuples only: what scripts parse.
  ASSERT_EQ(Psql("-At -c " + ShellQuote("SELECT k, v, NULL FROM t ORDER BY k DESC"), &out), 0)
      << out;
  EXPECT_EQ(out, "2|two|\n1|one|\n");
}

// psql's \dt reads pg_class, pg_namespace and pg_am through regex and
// visibility functions.
TEST_F(PsqlTest, ListTables) {
  std::string out;
  ASSERT_EQ(Psql("-c " + ShellQuote("CREATE TABLE b (k INT PRIMARY KEY)") + " -c " +
                     ShellQuote("CREATE TABLE a (v TEXT)"),
                 &out),
            0)
      << out;
  ASSERT_EQ(Psql("-c '\\dt'", &out), 0) << out;
  EXPECT_EQ(out,
            "       List of relations\n"
            " Schema | Name | Type  | Owner \n"
            "--------+------+-------+-------\n"
            " public | a    | table | root\n"
            " public | b    | table | root\n"
            "(2 rows)\n"
            "\n");
}

// psql's describe commands read most of pg_catalog: \d t (pg_attribute,
// pg_attrdef, pg_index, pg_constraint, pg_policy, publications, the reg*
// casts), \l (pg_database, datacl), \du (pg_roles, ARRAY(subquery)), \di,
// \dn; tab completion reads pg_class and pg_attribute.
TEST_F(PsqlTest, DescribeCommands) {
  std::string out;
  ASSERT_EQ(Psql("-c " + ShellQuote("CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL "
                                    "DEFAULT 'x', price NUMERIC(10,2), tags TEXT[])") +
                     " -c " + ShellQuote("CREATE ROLE reader LOGIN CREATEDB") + " -c " +
                     ShellQuote("GRANT SELECT ON items TO reader"),
                 &out),
            0)
      << out;
  ASSERT_EQ(Psql("-c '\\d items'", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Table \"public.items\""));
  EXPECT_THAT(out, HasSubstr(" id     | integer       |           | not null | \n"));
  EXPECT_THAT(out, HasSubstr(" name   | text          |           | not null | 'x'\n"));
  EXPECT_THAT(out, HasSubstr(" price  | numeric(10,2) |           |          | \n"));
  EXPECT_THAT(out, HasSubstr(" tags   | text[]        |           |          | \n"));
  EXPECT_THAT(out, HasSubstr("Indexes:\n    \"items_pkey\" PRIMARY KEY, btree (id)\n"));

  ASSERT_EQ(Psql("-c '\\di'", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(" public | items_pkey | index | root  | items\n"));
  ASSERT_EQ(Psql("-c '\\dn'", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(" public | root\n"));
  ASSERT_EQ(Psql("-c '\\du'", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(" reader    | Create DB                         | {}\n"));
  EXPECT_THAT(out, HasSubstr(" root      | Superuser, Create role, Create DB | {}\n"));
  ASSERT_EQ(Psql("-c '\\l'", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr(" defaultdb | root  | UTF8     |"));
  EXPECT_THAT(out, HasSubstr(" postgres  | root  | UTF8     |"));
  ASSERT_EQ(Psql("-c '\\dp items'", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("root=arwdDxt/root+"));
  EXPECT_THAT(out, HasSubstr("reader=r/root"));

  // What psql 15 asks to complete "SELECT * FROM it<tab>" and a column.
  ASSERT_EQ(Psql("-At -c " + ShellQuote(
                     "SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c "
                     "WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE "
                     "'it%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> "
                     "(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog') "
                     "UNION ALL SELECT NULL::pg_catalog.text, n.nspname FROM "
                     "pg_catalog.pg_namespace n WHERE n.nspname LIKE 'it%' AND n.nspname NOT "
                     "LIKE E'pg\\\\_%' LIMIT 1000"),
                 &out),
            0)
      << out;
  EXPECT_EQ(out, "items|\n");
  ASSERT_EQ(Psql("-At -c " + ShellQuote(
                     "SELECT pg_catalog.quote_ident(attname) FROM pg_catalog.pg_attribute a, "
                     "pg_catalog.pg_class c WHERE c.oid = a.attrelid AND a.attnum > 0 AND NOT "
                     "a.attisdropped AND substring(pg_catalog.quote_ident(attname),1,1)='p' AND "
                     "(pg_catalog.quote_ident(relname)='items' OR '\"' || relname || "
                     "'\"'='items') AND pg_catalog.pg_table_is_visible(c.oid) LIMIT 1000"),
                 &out),
            0)
      << out;
  EXPECT_EQ(out, "price\n");
}

TEST_F(PsqlTest, ScriptFile) {
  std::string out;
  ASSERT_EQ(Psql("-f " + ShellQuote(WriteScript("script.sql", kScript)), &out), 0) << out;
  EXPECT_EQ(out, kScriptOutput);
}

TEST_F(PsqlTest, ScriptOnStdin) {
  std::string out;
  ASSERT_EQ(Psql("< " + ShellQuote(WriteScript("stdin.sql", kScript)), &out), 0) << out;
  EXPECT_EQ(out, kScriptOutput);
}

TEST_F(PsqlTest, OnErrorStopHaltsTheScript) {
  std::string script = WriteScript(
      "error.sql",
      "CREATE TABLE t (k INT PRIMARY KEY);\n"
      "INSERT INTO t VALUES (1);\n"
      "SELECT * FROM nope;\n"
      "INSERT INTO t VALUES (2);\n");
  std::string out;
  EXPECT_EQ(Psql("-f " + ShellQuote(script), &out), 3) << out;
  EXPECT_THAT(out, HasSubstr("error.sql:3: ERROR:  relation \"nope\" does not exist"));
  EXPECT_THAT(out, Not(HasSubstr("INSERT 0 1\nINSERT 0 1")));
  ASSERT_EQ(Psql("-At -c " + ShellQuote("SELECT k FROM t ORDER BY k"), &out), 0) << out;
  EXPECT_EQ(out, "1\n");
}

TEST_F(NodeTest, Psycopg2Connects) {
  std::string out;
  if (access("/usr/bin/python3", X_OK) != 0 ||
      RunCommand("/usr/bin/python3 -c 'import psycopg2'", &out) != 0) {
    GTEST_SKIP() << "/usr/bin/python3 lacks psycopg2 (scripts/install-deps installs "
                    "python3-psycopg2): "
                 << out;
  }
  // psycopg2 sends SHOW default_transaction_isolation and wraps statements in
  // BEGIN ... COMMIT.
  std::string program =
      "import psycopg2\n"
      "c = psycopg2.connect(host='127.0.0.1', port=" +
      std::to_string(node_.sql_port()) +
      ", dbname='postgres', user='root', connect_timeout=10)\n"
      "cur = c.cursor()\n"
      "cur.execute('SELECT 1')\n"
      "print(cur.fetchone()[0])\n"
      "cur.execute('CREATE TABLE py (k INT PRIMARY KEY, v TEXT)')\n"
      "cur.execute('INSERT INTO py VALUES (%s, %s)', (1, \"it's\"))\n"
      "c.commit()\n"
      "cur.execute('SELECT v FROM py WHERE k = %s', (1,))\n"
      "print(cur.fetchone()[0])\n"
      "c.rollback()\n"
      "c.close()\n";
  EXPECT_EQ(RunCommand("/usr/bin/python3 -c " + ShellQuote(program), &out), 0) << out;
  EXPECT_EQ(out, "1\nit's\n");
}

// psycopg 3 (server-side binding, binary results), asyncpg (binary
// protocol, prepared statements, executemany) and SQLAlchemy 1.4 (DDL from
// metadata, ORM CRUD, table listing), as Debian packages them.
TEST_F(NodeTest, Psycopg3AsyncpgAndSqlAlchemy) {
  std::string out;
  if (RunCommand("/usr/bin/python3 -c 'import psycopg, asyncpg, sqlalchemy'", &out) != 0) {
    GTEST_SKIP() << "/usr/bin/python3 lacks psycopg, asyncpg or sqlalchemy (scripts/install-deps "
                    "installs python3-psycopg, python3-asyncpg, python3-sqlalchemy): "
                 << out;
  }
  const std::string port = std::to_string(node_.sql_port());
  std::string program =
      "import asyncio\n"
      "import psycopg\n"
      "with psycopg.connect('host=127.0.0.1 port=" + port + " user=root dbname=postgres') as c:\n"
      "    c.execute('CREATE TABLE p3 (k INT PRIMARY KEY, v TEXT, n NUMERIC(6,2))')\n"
      "    c.execute('INSERT INTO p3 VALUES (%s, %s, %s)', (1, 'one', 1.5))\n"
      "    with c.cursor() as cur:\n"
      "        cur.executemany('INSERT INTO p3 VALUES (%s, %s, %s)', [(2, 'two', 2), (3, None, None)])\n"
      "        cur.execute('SELECT k, v, n FROM p3 WHERE k >= %s ORDER BY k', (1,))\n"
      "        print(cur.fetchall())\n"
      "        cur.execute('SELECT k FROM p3 WHERE v = %s', ('two',), binary=True)\n"
      "        print(cur.fetchall())\n"
      "import asyncpg\n"
      "async def main():\n"
      "    conn = await asyncpg.connect(host='127.0.0.1', port=" + port + ", user='root', database='postgres')\n"
      "    rows = await conn.fetch('SELECT k, v, n FROM p3 WHERE k > $1 ORDER BY k', 1)\n"
      "    print([tuple(r) for r in rows])\n"
      "    await conn.executemany('INSERT INTO p3 VALUES ($1, $2, $3)', [(10, 'ten', 10), (11, 'x', 11.25)])\n"
      "    print(await conn.fetchval('SELECT sum(n) FROM p3'))\n"
      "    await conn.close()\n"
      "asyncio.run(main())\n"
      "from sqlalchemy import create_engine, Column, Integer, String, Numeric, inspect, select\n"
      "from sqlalchemy import MetaData, Table\n"
      "from sqlalchemy.orm import declarative_base, Session\n"
      "engine = create_engine('postgresql+psycopg2://root@127.0.0.1:" + port + "/postgres')\n"
      "Base = declarative_base()\n"
      "class Item(Base):\n"
      "    __tablename__ = 'sa_items'\n"
      "    id = Column(Integer, primary_key=True)\n"
      "    name = Column(String(50), nullable=False)\n"
      "    price = Column(Numeric(8, 2))\n"
      "Base.metadata.create_all(engine)\n"
      "with Session(engine) as s:\n"
      "    s.add_all([Item(id=1, name='a', price=1.5), Item(id=2, name='b')])\n"
      "    s.commit()\n"
      "    s.get(Item, 1).name = 'A'\n"
      "    s.commit()\n"
      "    s.delete(s.get(Item, 2))\n"
      "    s.commit()\n"
      "    print([(i.id, i.name, str(i.price)) for i in s.scalars(select(Item))])\n"
      "print(sorted(inspect(engine).get_table_names()))\n"
      "# Reflection: columns, the primary key, and a Table loaded from the catalog.\n"
      "insp = inspect(engine)\n"
      "print([(c['name'], str(c['type']), c['nullable']) for c in insp.get_columns('sa_items')])\n"
      "print(insp.get_pk_constraint('sa_items')['constrained_columns'], insp.get_indexes('sa_items'))\n"
      "print([c.name for c in Table('sa_items', MetaData(), autoload_with=engine).columns])\n";
  EXPECT_EQ(RunCommand("/usr/bin/python3 -c " + ShellQuote(program) + " 2>&1", &out), 0) << out;
  EXPECT_EQ(out,
            "[(1, 'one', Decimal('1.50')), (2, 'two', Decimal('2.00')), (3, None, None)]\n"
            "[(2,)]\n"
            "[(2, 'two', Decimal('2.00')), (3, None, None)]\n"
            "24.75\n"
            "[(1, 'A', '1.50')]\n"
            "['p3', 'sa_items']\n"
            "[('id', 'INTEGER', False), ('name', 'VARCHAR(50)', False), ('price', "
            "'NUMERIC(8, 2)', True)]\n"
            "['id'] []\n"
            "['id', 'name', 'price']\n");
}

// sysbench (Debian's, pgsql driver), unmodified: prepare (which creates a
// secondary index on k), run and cleanup of oltp_point_select,
// oltp_read_only and oltp_read_write. Conflicting transactions fail with
// 40001 and sysbench retries them, as it does with PostgreSQL's deadlocks.
TEST_F(NodeTest, Sysbench) {
  std::string out;
  if (RunCommand("sysbench --help 2>&1 | grep -q 'pgsql - PostgreSQL driver'", &out) != 0) {
    GTEST_SKIP() << "sysbench with the pgsql driver is not installed (scripts/install-deps)";
  }
  const std::string options =
      "--db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port=" + std::to_string(node_.sql_port()) +
      " --pgsql-user=root --pgsql-db=postgres --tables=1 --table-size=500 --threads=2 --time=2 "
      "--report-interval=0";
  for (const std::string test : {"oltp_point_select", "oltp_read_only", "oltp_read_write"}) {
    for (const std::string step : {"prepare", "run", "cleanup"}) {
      ASSERT_EQ(RunCommand("timeout 120 sysbench " + test + " " + options + " " + step + " 2>&1",
                           &out),
                0)
          << test << " " << step << ": " << out;
      EXPECT_EQ(out.find("FATAL"), std::string::npos) << test << " " << step << ": " << out;
      if (step == "run") EXPECT_NE(out.find("transactions:"), std::string::npos) << out;
      if (step == "prepare") {
        // The table and its secondary index, entries matching rows.
        PgConn pg(node_.Dsn());
        EXPECT_EQ(Rows(pg.Exec("SELECT indexname FROM pg_indexes WHERE tablename = 'sbtest1' "
                               "ORDER BY 1")),
                  (std::vector<std::string>{"k_1", "sbtest1_pkey"}));
        EXPECT_EQ(Rows(pg.Exec("SELECT cairn_check_indexes('sbtest1')")),
                  std::vector<std::string>{"500"});
      }
    }
  }
}

// pgbench -i builds its tables (COPY, then ALTER TABLE ADD PRIMARY KEY),
// and its default TPC-B-like script runs, retrying conflicts.
TEST_F(NodeTest, PgbenchInitAndDefaultScript) {
  std::string out;
  if (RunCommand("command -v pgbench", &out) != 0) GTEST_SKIP() << "pgbench is not installed";
  const std::string target =
      "-h 127.0.0.1 -p " + std::to_string(node_.sql_port()) + " -U root postgres";
  ASSERT_EQ(RunCommand("timeout 120 pgbench -i -s 1 " + target + " 2>&1", &out), 0) << out;
  ASSERT_EQ(RunCommand("timeout 120 pgbench -c 2 -j 2 -t 20 --max-tries=100 " + target + " 2>&1",
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("number of transactions actually processed: 40/40"), std::string::npos)
      << out;
}

// pgjdbc (Debian's libpostgresql-jdbc-java): tests/e2e/clients/JdbcClient.java,
// compiled with javac for the test.
TEST_F(NodeTest, Jdbc) {
  const std::string jar = "/usr/share/java/postgresql.jar";
  std::string out;
  if (access(jar.c_str(), R_OK) != 0 || RunCommand("javac -version 2>&1", &out) != 0) {
    GTEST_SKIP() << "javac or " << jar
                 << " missing (scripts/install-deps installs default-jdk-headless and "
                    "libpostgresql-jdbc-java): "
                 << out;
  }
  const std::string classes = node_.data_dir() + "/jdbc_classes";
  const std::string source = std::string(CAIRN_SOURCE_DIR) + "/tests/e2e/clients/JdbcClient.java";
  ASSERT_EQ(RunCommand("mkdir -p " + classes + " && javac -d " + classes + " " + source + " 2>&1",
                       &out),
            0)
      << out;
  ASSERT_EQ(RunCommand("java -cp " + classes + ":" + jar + " JdbcClient " +
                           std::to_string(node_.sql_port()) + " 2>&1",
                       &out),
            0)
      << out;
  EXPECT_EQ(out,
            "PostgreSQL 15\n"
            "batch 5\n"
            "updated 1\n"
            "5 amount numeric\n"
            "1|name 1|1.25|2024-02-11|2024-02-11 10:00:01.0\n"
            "2|name 2|3.25|2024-02-12|2024-02-11 10:00:02.0\n"
            "error 23505\n");
}

// A psycopg2 named cursor is a server-side one: DECLARE ... CURSOR WITHOUT
// HOLD FOR, then FETCH FORWARD itersize FROM it, then CLOSE.
TEST_F(NodeTest, Psycopg2ServerSideCursor) {
  std::string out;
  if (RunCommand("/usr/bin/python3 -c 'import psycopg2'", &out) != 0) {
    GTEST_SKIP() << "/usr/bin/python3 lacks psycopg2: " << out;
  }
  std::string program =
      "import psycopg2\n"
      "c = psycopg2.connect(host='127.0.0.1', port=" +
      std::to_string(node_.sql_port()) +
      ", dbname='postgres', user='root', connect_timeout=10)\n"
      "cur = c.cursor()\n"
      "cur.execute('CREATE TABLE big (k INT PRIMARY KEY)')\n"
      "cur.execute('INSERT INTO big SELECT g FROM generate_series(1, 2500) g')\n"
      "c.commit()\n"
      "named = c.cursor('stream')\n"
      "named.itersize = 1000\n"
      "named.execute('SELECT k FROM big ORDER BY k')\n"
      "total = count = 0\n"
      "for (k,) in named:\n"
      "    total += k\n"
      "    count += 1\n"
      "print(count, total)\n"
      "named.close()\n"
      "part = c.cursor('part')\n"
      "part.execute('SELECT k FROM big WHERE k > %s ORDER BY k', (2490,))\n"
      "print(part.fetchmany(3), part.fetchone())\n"
      "part.scroll(0, mode='absolute')\n"
      "print(part.fetchone())\n"
      "c.commit()\n"
      "c.close()\n";
  EXPECT_EQ(RunCommand("/usr/bin/python3 -c " + ShellQuote(program), &out), 0) << out;
  EXPECT_EQ(out, "2500 3126250\n[(2491,), (2492,), (2493,)] (2494,)\n(2491,)\n");
}

}  // namespace
}  // namespace cairn::e2e
