#include "sql_script.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

namespace cairn::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool IsBlank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string FormatValue(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return "NULL";
  const char* v = PQgetvalue(res, row, col);
  if (*v == '\0') return "(empty)";
  return v;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

// Parses a script; on a syntax error returns false with `error` set.
bool ParseScript(const std::filesystem::path& path, Script* script, std::string* error) {
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
        if (r.sqlstate.size() != 5)
          return fail(i, "SQLSTATE must have 5 characters: " + r.sqlstate);
      }
    } else if (w[0] == "statement" && w.size() == 3 && w[1] == "count") {
      r.kind = Record::Kind::kStatementCount;
      r.count = w[2];
      if (r.count.find_first_not_of("0123456789") != std::string::npos)
        return fail(i, "statement count needs a number");
    } else if (w[0] == "query" &&
               (w.size() == 1 || (w.size() == 2 && (w[1] == "rowsort" || w[1] == "nosort")))) {
      r.kind = Record::Kind::kQuery;
      r.rowsort = w.size() == 2 && w[1] == "rowsort";
    } else {
      return fail(i,
                  "expected 'statement ok', 'statement error [SQLSTATE]', "
                  "'statement count N' or 'query [rowsort]', got: " +
                      lines[i]);
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
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
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

}  // namespace cairn::testing
