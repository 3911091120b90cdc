#pragma once

// The .test script format of tests/sql (README.md there) and a libpq
// runner for its statements, shared by the script runner (tests/sql) and
// the differential tests against PostgreSQL (tests/differential).

#include <libpq-fe.h>

#include <filesystem>
#include <string>
#include <vector>

namespace cairn::testing {

struct Record {
  enum class Kind { kStatementOk, kStatementError, kStatementCount, kQuery };
  Kind kind = Kind::kStatementOk;
  int line = 0;  // 1-based line of the header
  std::string sql;
  std::string sqlstate;               // kStatementError; empty: any error
  std::string count;                  // kStatementCount: expected affected rows
  bool rowsort = false;               // kQuery
  bool has_separator = false;         // kQuery: "----" present
  std::vector<std::string> expected;  // kQuery
  int sql_end = 0;                    // 0-based index of the line after the SQL
  int result_end = 0;                 // 0-based index of the line after the results
};

struct Script {
  std::vector<std::string> lines;
  std::vector<Record> records;
};

// Parses a script; on a syntax error returns false with `error` set.
bool ParseScript(const std::filesystem::path& path, Script* script, std::string* error);

// What one statement did.
struct Outcome {
  bool ok = false;      // the statement succeeded
  bool broken = false;  // the connection is gone or stuck
  std::string sqlstate;
  std::string message;
  std::string cmd_tuples;  // affected rows of INSERT/UPDATE/DELETE/...
  bool has_rows = false;
  std::vector<std::string> rows;  // PostgreSQL text format, '|' between columns
};

// Runs one SQL string with the simple query protocol, waiting at most
// `timeout_s` seconds; the outcome is that of the last result, or of the
// first error. NULL is "NULL", the empty string "(empty)".
Outcome Execute(PGconn* conn, const std::string& sql, int timeout_s);

// Connects to `dsn` (URI or key=value), with the database replaced by
// `dbname` when it is not empty; null with `error` set on failure.
PGconn* Connect(const std::string& dsn, const std::string& dbname, std::string* error);

}  // namespace cairn::testing
