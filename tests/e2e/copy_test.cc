// COPY FROM STDIN and TO STDOUT through libpq and psql against a real node:
// text and CSV formats with their options, column lists and defaults, the
// errors a bad row gives (with the line in CONTEXT) and that a failed COPY
// leaves nothing behind. Expected outputs are PostgreSQL 15's: with
// CAIRN_TEST_PEER_DSN set (bench/postgres_peer.sh start prints one), the
// libpq tests run against that server instead, which is how they were checked.

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cairn_process.h"
#include "clients.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;

struct CopyOutcome {
  bool ok = false;
  std::string tag;       // "COPY 3"
  std::string sqlstate;  // when not ok
  std::string message;
  std::string context;
};

class CopyTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    if (HasFatalFailure()) return;
    const char* peer = std::getenv("CAIRN_TEST_PEER_DSN");
    dsn_ = peer != nullptr ? peer : node_.Dsn();
    conn_ = PQconnectdb(dsn_.c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  void TearDown() override {
    if (conn_ != nullptr) PQfinish(conn_);
    NodeTest::TearDown();
  }

  QueryResult Exec(const std::string& sql) {
    QueryResult out;
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(res);
    out.ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!out.ok) {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      out.sqlstate = state != nullptr ? state : "";
      out.message = PQresultErrorMessage(res);
    }
    for (int r = 0; r < PQntuples(res); ++r) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < PQnfields(res); ++c) {
        row.emplace_back(PQgetisnull(res, r, c) ? std::nullopt
                                                : std::optional<std::string>(PQgetvalue(res, r, c)));
      }
      out.rows.push_back(std::move(row));
    }
    PQclear(res);
    return out;
  }
  void MustExec(const std::string& sql) {
    QueryResult r = Exec(sql);
    ASSERT_TRUE(r.ok) << sql << ": " << r.message;
  }

  // COPY ... FROM STDIN with `chunks` as the CopyData messages; with
  // `fail`, ends with CopyFail instead of CopyDone.
  CopyOutcome CopyIn(const std::string& sql, const std::vector<std::string>& chunks,
                     const char* fail = nullptr) {
    CopyOutcome out;
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) != PGRES_COPY_IN) {
      Fill(res, &out);
      PQclear(res);
      return out;
    }
    PQclear(res);
    for (const std::string& chunk : chunks) {
      if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) break;
    }
    PQputCopyEnd(conn_, fail);
    while ((res = PQgetResult(conn_)) != nullptr) {
      Fill(res, &out);
      PQclear(res);
    }
    return out;
  }

  // COPY ... TO STDOUT: everything it sent.
  std::string CopyOut(const std::string& sql, CopyOutcome* outcome = nullptr) {
    std::string data;
    CopyOutcome out;
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) == PGRES_COPY_OUT) {
      PQclear(res);
      char* buf = nullptr;
      int n;
      while ((n = PQgetCopyData(conn_, &buf, 0)) > 0) {
        data.append(buf, n);
        PQfreemem(buf);
      }
      while ((res = PQgetResult(conn_)) != nullptr) {
        Fill(res, &out);
        PQclear(res);
      }
    } else {
      Fill(res, &out);
      PQclear(res);
    }
    if (outcome != nullptr) *outcome = out;
    return data;
  }

  static void Fill(PGresult* res, CopyOutcome* out) {
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
      out->ok = true;
      out->tag = PQcmdStatus(res);
      return;
    }
    out->ok = false;
    auto field = [&](int code) {
      const char* v = PQresultErrorField(res, code);
      return std::string(v != nullptr ? v : "");
    };
    out->sqlstate = field(PG_DIAG_SQLSTATE);
    out->message = field(PG_DIAG_MESSAGE_PRIMARY);
    out->context = field(PG_DIAG_CONTEXT);
  }

  std::string dsn_;
  PGconn* conn_ = nullptr;
};

TEST_F(CopyTest, TextFormatRoundTrip) {
  MustExec("DROP TABLE IF EXISTS t");
  MustExec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c NUMERIC(6,2), d DATE)");
  // Lines split across CopyData messages, escapes, NULLs.
  CopyOutcome in = CopyIn("COPY t FROM STDIN",
                          {"1\thello\t1.5\t2024-01-02\n2\t\\N\t2\t\\N\n3\tta\\tb\\\\c",
                           "\\nd\t-0.25\t2000-02-29\n4\t\\x41\\101\t0\t2024-12-31\n"});
  ASSERT_TRUE(in.ok) << in.sqlstate << " " << in.message << " " << in.context;
  EXPECT_EQ(in.tag, "COPY 4");
  QueryResult r = Exec("SELECT b FROM t WHERE a = 3");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.rows[0][0], "ta\tb\\c\nd");
  EXPECT_EQ(CopyOut("COPY t TO STDOUT"),
            "1\thello\t1.50\t2024-01-02\n"
            "2\t\\N\t2.00\t\\N\n"
            "3\tta\\tb\\\\c\\nd\t-0.25\t2000-02-29\n"
            "4\tAA\t0.00\t2024-12-31\n");
  EXPECT_EQ(CopyOut("COPY t (d, a) TO STDOUT WITH (DELIMITER '|', NULL 'nil')"),
            "2024-01-02|1\nnil|2\n2000-02-29|3\n2024-12-31|4\n");
  // The first line sets the line ending; a stray carriage return is an error.
  in = CopyIn("COPY t FROM STDIN", {"7\tseven\t7\t\\N\r\n8\teight\t8\t\\N\r\n"});
  ASSERT_TRUE(in.ok) << in.message;
  EXPECT_EQ(in.tag, "COPY 2");
  in = CopyIn("COPY t FROM STDIN", {"9\tnine\t9\t\\N\n10\tten\r\t10\t\\N\n"});
  EXPECT_EQ(in.sqlstate, "22P04");
  EXPECT_EQ(in.message, "literal carriage return found in data");
  // The end-of-data marker stops reading.
  in = CopyIn("COPY t FROM STDIN", {"5\tfive\t5\t\\N\n\\.\n6\tsix\t6\t\\N\n"});
  ASSERT_TRUE(in.ok) << in.message;
  EXPECT_EQ(in.tag, "COPY 1");
}

TEST_F(CopyTest, CsvWithHeaderQuotesAndNulls) {
  MustExec("DROP TABLE IF EXISTS c");
  MustExec("CREATE TABLE c (id INTEGER PRIMARY KEY, s TEXT, n INTEGER)");
  CopyOutcome in = CopyIn("COPY c FROM STDIN WITH (FORMAT csv, HEADER)",
                          {"id,s,n\n1,plain,10\n2,\"with, comma\",\n3,\"multi\nline \"\"quoted\"\"\",30\n",
                           "4,\"\",40\n5,,\n"});
  ASSERT_TRUE(in.ok) << in.sqlstate << " " << in.message << " " << in.context;
  EXPECT_EQ(in.tag, "COPY 5");
  QueryResult r = Exec("SELECT id, s IS NULL, n IS NULL FROM c ORDER BY id");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(Rows(r), (std::vector<std::string>{"1|f|f", "2|f|t", "3|f|f", "4|f|f", "5|t|t"}));
  EXPECT_EQ(CopyOut("COPY c TO STDOUT WITH (FORMAT csv, HEADER)"),
            "id,s,n\n1,plain,10\n2,\"with, comma\",\n3,\"multi\nline \"\"quoted\"\"\",30\n"
            "4,\"\",40\n5,,\n");
  EXPECT_EQ(CopyOut("COPY (SELECT id, n FROM c WHERE n > 15 ORDER BY id) TO STDOUT CSV"),
            "3,30\n4,40\n");
  // Legacy option spelling, a custom delimiter and NULL marker.
  in = CopyIn("COPY c FROM STDIN WITH CSV DELIMITER ';' NULL 'x'", {"6;x;60\n7;'q';x\n"});
  ASSERT_TRUE(in.ok) << in.message;
  r = Exec("SELECT s, n FROM c WHERE id >= 6 ORDER BY id");
  EXPECT_EQ(Rows(r), (std::vector<std::string>{"NULL|60", "'q'|NULL"}));
}

TEST_F(CopyTest, ColumnListsTakeDefaults) {
  MustExec("DROP TABLE IF EXISTS d");
  MustExec("CREATE TABLE d (id SERIAL PRIMARY KEY, name TEXT NOT NULL, qty INTEGER DEFAULT 7)");
  CopyOutcome in = CopyIn("COPY d (name) FROM STDIN", {"apple\npear\n"});
  ASSERT_TRUE(in.ok) << in.message;
  EXPECT_EQ(Rows(Exec("SELECT id, name, qty FROM d ORDER BY id")),
            (std::vector<std::string>{"1|apple|7", "2|pear|7"}));
  CopyOutcome bad = CopyIn("COPY d (nope) FROM STDIN", {});
  EXPECT_EQ(bad.sqlstate, "42703");
  bad = CopyIn("COPY d (name, name) FROM STDIN", {});
  EXPECT_EQ(bad.sqlstate, "42701");
  bad = CopyIn("COPY d (qty) FROM STDIN", {"1\n"});
  EXPECT_EQ(bad.sqlstate, "23502");
}

TEST_F(CopyTest, ABadRowFailsTheWholeCopyWithItsLine) {
  MustExec("DROP TABLE IF EXISTS e");
  MustExec("CREATE TABLE e (a INTEGER PRIMARY KEY, b NUMERIC(4,1))");
  CopyOutcome out = CopyIn("COPY e FROM STDIN", {"1\t1.5\n2\tzz\n3\t3\n"});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.sqlstate, "22P02");
  EXPECT_EQ(out.message, "invalid input syntax for type numeric: \"zz\"");
  EXPECT_EQ(out.context, "COPY e, line 2, column b: \"zz\"");
  EXPECT_EQ(Rows(Exec("SELECT count(*) FROM e")), std::vector<std::string>{"0"});

  out = CopyIn("COPY e FROM STDIN", {"1\t1\n2\n"});
  EXPECT_EQ(out.sqlstate, "22P04");
  EXPECT_EQ(out.message, "missing data for column \"b\"");
  EXPECT_EQ(out.context, "COPY e, line 2: \"2\"");
  out = CopyIn("COPY e FROM STDIN", {"1\t1\t1\n"});
  EXPECT_EQ(out.sqlstate, "22P04");
  EXPECT_EQ(out.message, "extra data after last expected column");
  out = CopyIn("COPY e FROM STDIN WITH (FORMAT csv)", {"1,\"open\n"});
  EXPECT_EQ(out.sqlstate, "22P04");
  EXPECT_EQ(out.message, "unterminated CSV quoted field");
  out = CopyIn("COPY e FROM STDIN", {"1\t1\n1\t2\n"});
  EXPECT_EQ(out.sqlstate, "23505");
  out = CopyIn("COPY e FROM STDIN", {"1\t1\n"}, "client gave up");
  EXPECT_EQ(out.sqlstate, "57014");
  EXPECT_EQ(out.message, "COPY from stdin failed: client gave up");
  EXPECT_EQ(Rows(Exec("SELECT count(*) FROM e")), std::vector<std::string>{"0"});

  // Inside a transaction block the copied rows go with the block.
  MustExec("BEGIN");
  ASSERT_TRUE(CopyIn("COPY e FROM STDIN", {"9\t9\n"}).ok);
  EXPECT_EQ(Rows(Exec("SELECT count(*) FROM e")), std::vector<std::string>{"1"});
  MustExec("ROLLBACK");
  EXPECT_EQ(Rows(Exec("SELECT count(*) FROM e")), std::vector<std::string>{"0"});
}

TEST_F(CopyTest, OptionErrors) {
  MustExec("DROP TABLE IF EXISTS o");
  MustExec("CREATE TABLE o (a INTEGER PRIMARY KEY)");
  EXPECT_EQ(CopyIn("COPY o FROM STDIN WITH (FORMAT xml)", {}).sqlstate, "22023");
  EXPECT_EQ(CopyIn("COPY o FROM STDIN WITH (BOGUS 1)", {}).sqlstate, "42601");
  EXPECT_EQ(CopyIn("COPY o FROM STDIN WITH (DELIMITER 'ab')", {}).sqlstate, "0A000");
  EXPECT_EQ(CopyIn("COPY o FROM STDIN WITH (QUOTE '''')", {}).sqlstate, "0A000");
  EXPECT_EQ(CopyIn("COPY o FROM STDIN WITH (HEADER, HEADER)", {}).sqlstate, "42601");
  EXPECT_EQ(CopyIn("COPY nowhere FROM STDIN", {}).sqlstate, "42P01");
}

// psql's \copy reads a file on the client and streams it with COPY FROM STDIN.
TEST_F(NodeTest, PsqlBackslashCopy) {
  const std::string file = absl::StrCat(::testing::TempDir(), "/copy_", node_.sql_port(), ".csv");
  {
    std::ofstream out(file);
    for (int i = 1; i <= 1000; ++i) out << i << ",name " << i << "\n";
  }
  std::string output;
  int code = RunCommand(absl::StrCat("psql -X -v ON_ERROR_STOP=1 '", node_.Dsn(),
                                     "' -c 'CREATE TABLE pc (id INTEGER PRIMARY KEY, name TEXT)' "
                                     "-c \"\\copy pc from '", file, "' csv\" "
                                     "-c 'SELECT count(*), max(name) FROM pc' 2>&1"),
                        &output);
  std::remove(file.c_str());
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("COPY 1000"), std::string::npos) << output;
  EXPECT_NE(output.find("1000 | name 999"), std::string::npos) << output;
}

}  // namespace
}  // namespace cairn::e2e
