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
#include "sql_script.h"
#include "gtest/gtest.h"
#include "libpq-fe.h"

namespace {

namespace fs = std::filesystem;
using ::cairn::testing::CairnProcess;
using ::cairn::testing::Connect;
using ::cairn::testing::Execute;
using ::cairn::testing::Outcome;
using ::cairn::testing::ParseScript;
using ::cairn::testing::Record;
using ::cairn::testing::Script;
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
