// The SQL script runner: every tests/sql/*.test file is one GoogleTest case,
// run in a fresh database of its own, against a `cairn` node started here or
// against any server given by CAIRN_SQL_TEST_DSN (PostgreSQL 15, to check that
// the expectations are PostgreSQL's). The script format is in README.md.
//
//   CAIRN_BINARY          the cairn binary (ctest sets it; default <build>/cairn)
//   CAIRN_KEEP_DATA=1     keep the node's directory (data and log) after a
//                         failure
//   CAIRN_SQL_TEST_DSN    run against this server instead of starting a node
//   CAIRN_SQL_TEST_DIR    where the .test files are (default: this folder)
//   CAIRN_SQL_REWRITE=1   (or --rewrite) write the actual output back into the
//                         files; review the diff
//   CAIRN_SQL_STATEMENT_TIMEOUT  seconds one statement may take (default 60)
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cairn_process.h"
#include "gtest/gtest.h"
#include "libpq-fe.h"

namespace {

namespace fs = std::filesystem;
using ::cairn::testing::CairnProcess;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Options

struct Options {
  std::string dsn;          // empty: start a node
  fs::path dir;             // the .test files
  bool rewrite = false;
  int statement_timeout_s = 60;
};

Options& GetOptions() {
  static Options options;
  return options;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// ---------------------------------------------------------------------------
// Script format

struct Record {
  enum class Kind { kStatementOk, kStatementError, kStatementCount, kQuery };
  Kind kind = Kind::kStatementOk;
  int line = 0;                 // 1-based line of the header
  std::string sql;
  std::string sqlstate;         // kStatementError; empty: any error
  std::string count;            // kStatementCount: expected affected rows
  bool rowsort = false;         // kQuery
  bool has_separator = false;   // kQuery: "----" present
  std::vector<std::string> expected;  // kQuery
  int sql_end = 0;              // 0-based index of the line after the SQL
  int result_end = 0;           // 0-based index of the line after the results
};

struct Script {
  std::vector<std::string> lines;
  std::vector<Record> records;
};

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Parses a script; on a syntax error returns false with `error` set.
bool ParseScript(const fs::path& path, Script* script, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path.string();
    return false;
  }
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    script->lines.push_back(line);
  }
  const auto& lines = script->lines;
  const int n = static_cast<int>(lines.size());
  int i = 0;
  auto fail = [&](int at, const std::string& what) {
    *error = path.filename().string() + ":" + std::to_string(at + 1) + ": " + what;
    return false;
  };
  while (i < n) {
    if (IsBlank(lines[i]) || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = i + 1;
    std::vector<std::string> w = Words(lines[i]);
    if (w[0] == "statement" && w.size() == 2 && w[1] == "ok") {
      r.kind = Record::Kind::kStatementOk;
    } else if (w[0] == "statement" && w.size() >= 2 && w.size() <= 3 && w[1] == "error") {
      r.kind = Record::Kind::kStatementError;
      if (w.size() == 3) {
        r.sqlstate = w[2];
        if (r.sqlstate.size() != 5) return fail(i, "SQLSTATE must have 5 characters: " + r.sqlstate);
      }
    } else if (w[0] == "statement" && w.size() == 3 && w[1] == "count") {
      r.kind = Record::Kind::kStatementCount;
      r.count = w[2];
      if (r.count.find_first_not_of("0123456789") != std::string::npos)
        return fail(i, "statement count needs a number");
    } else if (w[0] == "query" && (w.size() == 1 || (w.size() == 2 && (w[1] == "rowsort" || w[1] == "nosort")))) {
      r.kind = Record::Kind::kQuery;
      r.rowsort = w.size() == 2 && w[1] == "rowsort";
    } else {
      return fail(i, "expected 'statement ok', 'statement error [SQLSTATE]', "
                     "'statement count N' or 'query [rowsort]', got: " + lines[i]);
    }
    ++i;
    std::string sql;
    while (i < n && !IsBlank(lines[i]) && lines[i] != "----") {
      if (!sql.empty()) sql += '\n';
      sql += lines[i];
      ++i;
    }
    if (sql.empty()) return fail(r.line - 1, "record without SQL");
    r.sql = sql;
    r.sql_end = i;
    if (r.kind == Record::Kind::kQuery) {
      if (i >= n || lines[i] != "----") return fail(i, "query without '----' after its SQL");
      r.has_separator = true;
      ++i;
      while (i < n && !IsBlank(lines[i])) r.expected.push_back(lines[i++]);
      r.result_end = i;
    } else if (i < n && lines[i] == "----") {
      return fail(i, "'----' after a statement (use 'query')");
    }
    script->records.push_back(std::move(r));
  }
  return true;
}

// ---------------------------------------------------------------------------
// Running statements

struct Outcome {
  bool ok = false;              // the statement succeeded
  bool broken = false;          // the connection is gone or stuck
  std::string sqlstate;
  std::string message;
  std::string cmd_tuples;       // affected rows of INSERT/UPDATE/DELETE/...
  bool has_rows = false;
  std::vector<std::string> rows;  // PostgreSQL text format, '|' between columns
};

std::string FormatValue(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return "NULL";
  const char* v = PQgetvalue(res, row, col);
  if (*v == '\0') return "(empty)";
  return v;
}

// Runs one SQL string with the simple query protocol, waiting at most
// `timeout_s` seconds; the outcome is that of the last result, or of the
// first error.
Outcome Execute(PGconn* conn, const std::string& sql, int timeout_s) {
  Outcome out;
  if (PQstatus(conn) != CONNECTION_OK) {
    out.broken = true;
    out.message = std::string("connection lost: ") + PQerrorMessage(conn);
    return out;
  }
  if (!PQsendQuery(conn, sql.c_str())) {
    out.broken = true;
    out.message = std::string("cannot send: ") + PQerrorMessage(conn);
    return out;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  bool have_error = false;
  bool timed_out = false;
  for (;;) {
    while (PQisBusy(conn)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      pollfd pfd{PQsocket(conn), POLLIN, 0};
      int rc = poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (rc < 0 && errno != EINTR) {
        out.broken = true;
        out.message = std::string("poll: ") + std::strerror(errno);
        return out;
      }
      if (!PQconsumeInput(conn)) {
        out.broken = true;
        out.message = std::string("connection lost: ") + PQerrorMessage(conn);
        return out;
      }
    }
    if (timed_out) break;
    PGresult* res = PQgetResult(conn);
    if (res == nullptr) break;
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      if (!have_error) {
        have_error = true;
        out.ok = false;
        const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char* msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        out.sqlstate = state ? state : "";
        out.message = msg ? msg : PQresultErrorMessage(res);
        out.has_rows = false;
        out.rows.clear();
      }
    } else if (!have_error) {
      out.ok = true;
      out.cmd_tuples = PQcmdTuples(res);
      out.has_rows = st == PGRES_TUPLES_OK;
      out.rows.clear();
      if (out.has_rows) {
        const int nrows = PQntuples(res), ncols = PQnfields(res);
        for (int r = 0; r < nrows; ++r) {
          std::string row;
          for (int c = 0; c < ncols; ++c) {
            if (c) row += '|';
            row += FormatValue(res, r, c);
          }
          out.rows.push_back(std::move(row));
        }
      }
    }
    PQclear(res);
  }
  if (timed_out) {
    if (PGcancel* cancel = PQgetCancel(conn)) {
      char buf[256];
      PQcancel(cancel, buf, sizeof buf);
      PQfreeCancel(cancel);
    }
    out = Outcome{};
    out.broken = true;  // the connection may still be inside the statement
    out.message = "timed out after " + std::to_string(timeout_s) + "s";
  }
  if (PQstatus(conn) != CONNECTION_OK && !out.ok && out.sqlstate.empty()) {
    out.broken = true;
    if (out.message.empty()) out.message = std::string("connection lost: ") + PQerrorMessage(conn);
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

// Connects to `dsn` (URI or key=value), with the database replaced by
// `dbname` when it is not empty.
PGconn* Connect(const std::string& dsn, const std::string& dbname, std::string* error) {
  // With expand_dbname, the first "dbname" is the whole DSN; a later one
  // names the database.
  std::vector<const char*> keys = {"dbname", "connect_timeout"};
  std::vector<const char*> values = {dsn.c_str(), "10"};
  if (!dbname.empty()) {
    keys.push_back("dbname");
    values.push_back(dbname.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    *error = conn ? PQerrorMessage(conn) : "out of memory";
    if (conn) PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return conn;
}

// ---------------------------------------------------------------------------
// The server

// The server every file runs against: a node (tests/support's CairnProcess)
// started once for the whole binary, or CAIRN_SQL_TEST_DSN. A node that died
// is reported and started again on the same data directory.
class Server : public ::testing::Environment {
 public:
  static Server* Get() {
    static Server* server = new Server;
    return server;
  }

  void SetUp() override {
    if (!GetOptions().dsn.empty()) {
      dsn_ = GetOptions().dsn;
      return;
    }
    StartNode();
  }

  void TearDown() override {
    if (!node_) return;
    // Stop() reports a node that is gone or does not exit in time itself.
    const int code = node_->Stop(std::chrono::seconds(30));
    if (code > 0) ADD_FAILURE() << "cairn stopped badly: it exited with " << code << " on SIGTERM";
    // When anything failed, this prints the end of the node's log (and keeps
    // its directory with CAIRN_KEEP_DATA set).
    node_.reset();
  }

  // The DSN to use now; empty (with a failure added) when there is no server.
  // A node that died is reported and started again on its data directory,
  // so the databases and committed rows of the files are still there.
  std::string Dsn() {
    if (node_ && !node_->Alive()) RestartNode();
    return dsn_;
  }

  // After a lost connection: true when the node died of it (reported, and
  // restarted). Gives the process a moment to be seen as gone.
  bool CheckNodeAfterLostConnection() {
    if (!node_) return false;
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    while (node_->Alive()) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    RestartNode();
    return true;
  }

 private:
  void RestartNode() {
    ADD_FAILURE() << "the cairn node died (it exited with " << node_->exit_code() << "); log "
                  << node_->log_path() << ":\n"
                  << node_->LogTail(30) << "starting it again on the same data directory";
    dsn_.clear();
    ::testing::AssertionResult started = node_->Start(kStartDeadline);
    if (!started) {
      ADD_FAILURE() << "cannot restart " << node_->binary() << ": " << started.message();
      return;
    }
    dsn_ = node_->Dsn();
  }

  void StartNode() {
    dsn_.clear();
    node_ = std::make_unique<CairnProcess>();
    ::testing::AssertionResult started = node_->Start(kStartDeadline);
    if (!started) {
      ADD_FAILURE() << "cannot start " << node_->binary() << ": " << started.message();
      node_.reset();  // prints the end of the node's log
      return;
    }
    dsn_ = node_->Dsn();
  }

  static constexpr std::chrono::seconds kStartDeadline{60};

  std::unique_ptr<CairnProcess> node_;
  std::string dsn_;
};

// ---------------------------------------------------------------------------
// One file

std::string Indent(const std::vector<std::string>& rows) {
  if (rows.empty()) return "    (no rows)\n";
  std::string out;
  for (const auto& r : rows) out += "    " + r + "\n";
  return out;
}

std::string IndentSql(const std::string& sql) {
  std::string out = "    ";
  for (char c : sql) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out + "\n";
}

std::string TrimRight(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string DescribeOutcome(const Outcome& o) {
  if (o.broken) return "connection failure: " + TrimRight(o.message);
  if (!o.ok) return "error " + o.sqlstate + ": " + TrimRight(o.message);
  if (o.has_rows) return "ok, " + std::to_string(o.rows.size()) + " row(s)";
  return o.cmd_tuples.empty() ? "ok" : "ok, " + o.cmd_tuples + " row(s) affected";
}

std::string DatabaseName(const std::string& stem) {
  std::string name = "sqltest_";
  for (char c : stem) name += std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_';
  return name;
}

void RunFile(const fs::path& path) {
  const Options& options = GetOptions();
  const std::string file = path.filename().string();
  Script script;
  std::string error;
  ASSERT_TRUE(ParseScript(path, &script, &error)) << error;

  const std::string dsn = Server::Get()->Dsn();
  ASSERT_FALSE(dsn.empty()) << "no server to run against";

  // A fresh database for this file.
  const std::string db = DatabaseName(path.stem().string());
  PGconn* admin = Connect(dsn, "", &error);
  ASSERT_NE(admin, nullptr) << "cannot connect to " << dsn << ": " << error;
  for (const std::string& sql : {"DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db}) {
    Outcome o = Execute(admin, sql, options.statement_timeout_s);
    if (!o.ok) {
      PQfinish(admin);
      FAIL() << sql << ": " << DescribeOutcome(o);
    }
  }
  PQfinish(admin);
  PGconn* conn = Connect(dsn, db, &error);
  ASSERT_NE(conn, nullptr) << "cannot connect to database " << db << ": " << error;

  std::map<int, std::vector<std::string>> replace;  // line index -> new lines, for --rewrite
  bool broken = false;
  int reconnects = 0;
  constexpr int kMaxReconnects = 3;
  for (const Record& r : script.records) {
    if (broken) break;
    Outcome o = Execute(conn, r.sql, options.statement_timeout_s);
    if (o.broken) {
      const bool died = Server::Get()->CheckNodeAfterLostConnection();
      PQfinish(conn);
      conn = nullptr;
      std::string dsn_now = Server::Get()->Dsn();
      if (++reconnects <= kMaxReconnects && !dsn_now.empty()) conn = Connect(dsn_now, db, &error);
      ADD_FAILURE_AT(path.c_str(), r.line)
          << DescribeOutcome(o) << (died ? " (the node died)" : "") << "\n  SQL:\n" << IndentSql(r.sql)
          << (conn ? "  reconnected; the session's settings and open transaction are lost"
                   : "  the rest of the file is skipped");
      if (conn == nullptr) {
        broken = true;
        break;
      }
      continue;
    }
    switch (r.kind) {
      case Record::Kind::kStatementOk:
      case Record::Kind::kStatementCount:
        if (!o.ok) {
          ADD_FAILURE_AT(path.c_str(), r.line) << "statement failed\n  SQL:\n"
                                               << IndentSql(r.sql) << "  expected: ok\n  actual:   "
                                               << DescribeOutcome(o);
          if (options.rewrite) replace[r.line - 1] = {"statement error " + o.sqlstate};
        } else if (r.kind == Record::Kind::kStatementCount && o.cmd_tuples != r.count) {
          ADD_FAILURE_AT(path.c_str(), r.line) << "wrong row count\n  SQL:\n"
                                               << IndentSql(r.sql) << "  expected: " << r.count
                                               << " row(s)\n  actual:   " << DescribeOutcome(o);
          if (options.rewrite) replace[r.line - 1] = {"statement count " + o.cmd_tuples};
        }
        break;
      case Record::Kind::kStatementError:
        if (o.ok || (!r.sqlstate.empty() && o.sqlstate != r.sqlstate)) {
          ADD_FAILURE_AT(path.c_str(), r.line) << (o.ok ? "statement succeeded" : "wrong error")
                                               << "\n  SQL:\n" << IndentSql(r.sql) << "  expected: error "
                                               << (r.sqlstate.empty() ? "(any)" : r.sqlstate)
                                               << "\n  actual:   " << DescribeOutcome(o);
          if (options.rewrite) {
            replace[r.line - 1] = {o.ok ? std::string("statement ok") : "statement error " + o.sqlstate};
          }
        }
        break;
      case Record::Kind::kQuery: {
        if (!o.ok || !o.has_rows) {
          ADD_FAILURE_AT(path.c_str(), r.line) << "query did not return rows\n  SQL:\n"
                                               << IndentSql(r.sql) << "  expected:\n" << Indent(r.expected)
                                               << "  actual:   " << DescribeOutcome(o);
          break;
        }
        std::vector<std::string> expected = r.expected, actual = o.rows;
        if (r.rowsort) {
          std::sort(expected.begin(), expected.end());
          std::sort(actual.begin(), actual.end());
        }
        if (expected != actual) {
          ADD_FAILURE_AT(path.c_str(), r.line) << "wrong result\n  SQL:\n"
                                               << IndentSql(r.sql) << "  expected:\n" << Indent(expected)
                                               << "  actual:\n" << Indent(actual);
          if (options.rewrite) {
            std::vector<std::string> lines = actual;
            lines.insert(lines.begin(), "----");
            // Replaces the separator and the old result lines.
            replace[r.sql_end] = lines;
            for (int i = r.sql_end + 1; i < r.result_end; ++i) replace[i] = {};
          }
        }
        break;
      }
    }
  }
  if (conn) PQfinish(conn);

  // Best effort: the database only matters to a later run on the same server.
  if (!broken && (admin = Connect(Server::Get()->Dsn(), "", &error)) != nullptr) {
    Outcome dropped = Execute(admin, "DROP DATABASE " + db, options.statement_timeout_s);
    if (!dropped.ok) {
      std::fprintf(stderr, "%s: note: DROP DATABASE %s: %s\n", file.c_str(), db.c_str(),
                   DescribeOutcome(dropped).c_str());
    }
    PQfinish(admin);
  }

  if (options.rewrite && !replace.empty()) {
    std::ofstream out(path, std::ios::trunc);
    for (int i = 0; i < static_cast<int>(script.lines.size()); ++i) {
      auto it = replace.find(i);
      if (it == replace.end()) {
        out << script.lines[i] << "\n";
      } else {
        for (const auto& l : it->second) out << l << "\n";
      }
    }
    std::fprintf(stderr, "%s: rewritten\n", path.c_str());
  }
}

class SqlFileTest : public ::testing::Test {
 public:
  explicit SqlFileTest(fs::path path) : path_(std::move(path)) {}
  void TestBody() override { RunFile(path_); }

 private:
  fs::path path_;
};

std::string TestName(const std::string& stem) {
  std::string name;
  for (char c : stem) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Options& options = GetOptions();
  options.dsn = Env("CAIRN_SQL_TEST_DSN");
  options.dir = Env("CAIRN_SQL_TEST_DIR").empty() ? fs::path(CAIRN_SQL_TEST_DIR) : fs::path(Env("CAIRN_SQL_TEST_DIR"));
  options.rewrite = Env("CAIRN_SQL_REWRITE") == "1";
  if (!Env("CAIRN_SQL_STATEMENT_TIMEOUT").empty()) {
    options.statement_timeout_s = std::max(1, std::atoi(Env("CAIRN_SQL_STATEMENT_TIMEOUT").c_str()));
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--rewrite") {
      options.rewrite = true;
    } else if (arg.rfind("--dsn=", 0) == 0) {
      options.dsn = arg.substr(6);
    } else {
      std::fprintf(stderr,
                   "usage: %s [gtest flags] [--rewrite] [--dsn=DSN]\n"
                   "env: CAIRN_BINARY, CAIRN_SQL_TEST_DSN, CAIRN_SQL_TEST_DIR, CAIRN_SQL_REWRITE=1,\n"
                   "     CAIRN_SQL_STATEMENT_TIMEOUT\n",
                   argv[0]);
      return 2;
    }
  }

  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options.dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") files.push_back(entry.path());
  }
  if (ec || files.empty()) {
    std::fprintf(stderr, "no .test files in %s\n", options.dir.c_str());
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    ::testing::RegisterTest("SqlLogicTest", TestName(f.stem().string()).c_str(), nullptr, nullptr, f.c_str(), 1,
                            [f]() -> ::testing::Test* { return new SqlFileTest(f); });
  }
  if (!options.dsn.empty()) std::fprintf(stderr, "running against %s\n", options.dsn.c_str());
  ::testing::AddGlobalTestEnvironment(Server::Get());
  return RUN_ALL_TESTS();
}
