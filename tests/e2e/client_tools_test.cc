// Real client programs against a node: psql (-c, -f, a script on stdin,
// ON_ERROR_STOP) and Python's psycopg2. Expected outputs are what psql 15
// prints against PostgreSQL 15 for the same input.

#include <unistd.h>

#include <fstream>
#include <string>

#include "cairn_process.h"
#include "clients.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

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
