#pragma once

// Small helpers shared by the end-to-end tests.
//
// PgConn is a thin libpq connection for what libpqxx 6.4 hides: the full
// command tag (PQcmdStatus, e.g. "COMMIT" vs "ROLLBACK"), the SQLSTATE of
// every error (libpqxx's serialization_failure carries none), the
// transaction status, and telling "the server said no" from "the connection
// broke". One PgConn belongs to one thread at a time.
//
// Rows() renders results as "v1|v2|..." lines with NULL as "NULL", for
// compact expectations; it works on both libpq and libpqxx results.

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

#include "pqxx/pqxx"

namespace cairn::e2e {

struct QueryResult {
  bool ok = false;
  bool connection_lost = false;  // the connection is no longer usable
  std::string sqlstate;          // "" when ok
  std::string message;           // primary error message
  std::string tag;               // command tag, e.g. "INSERT 0 2"
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class PgConn {
 public:
  explicit PgConn(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {
    PQsetNoticeReceiver(conn_, &PgConn::OnNotice, this);
  }
  ~PgConn() { PQfinish(conn_); }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(conn_); }
  PGTransactionStatusType TxStatus() const { return PQtransactionStatus(conn_); }
  PGconn* raw() { return conn_; }

  // SQLSTATEs of notices, warnings, and of errors the server sent while the
  // session was idle (libpq hands those to the notice receiver, e.g. the
  // FATAL a server sends to idle sessions as it shuts down).
  const std::vector<std::string>& notices() const { return notices_; }

  // Reads whatever the server sent while the session was idle, until the
  // connection is closed or nothing more is waiting; true if it is closed.
  bool ReadIdleInput() {
    for (int i = 0; i < 16 && PQstatus(conn_) == CONNECTION_OK; ++i) {
      if (PQconsumeInput(conn_) == 0) break;
      PQisBusy(conn_);  // parses what was read
    }
    PQisBusy(conn_);
    return PQstatus(conn_) != CONNECTION_OK;
  }

  // Runs `sql` with the simple query protocol; with several statements, the
  // result is the last one's (or the first error).
  QueryResult Exec(const std::string& sql) {
    QueryResult out;
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      out.ok = true;
      out.tag = PQcmdStatus(res);
      for (int r = 0; r < PQntuples(res); ++r) {
        std::vector<std::optional<std::string>> row;
        for (int c = 0; c < PQnfields(res); ++c) {
          if (PQgetisnull(res, r, c)) {
            row.push_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
          }
        }
        out.rows.push_back(std::move(row));
      }
    } else {
      const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
      const char* primary =
          res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
      out.sqlstate = state != nullptr ? state : "";
      out.message = primary != nullptr ? primary : PQerrorMessage(conn_);
    }
    out.connection_lost = PQstatus(conn_) != CONNECTION_OK;
    // An error without a SQLSTATE comes from libpq itself: the server went away.
    if (!out.ok && out.sqlstate.empty()) out.connection_lost = true;
    PQclear(res);
    return out;
  }

 private:
  static void OnNotice(void* self, const PGresult* res) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    static_cast<PgConn*>(self)->notices_.push_back(state != nullptr ? state : "");
  }

  PGconn* conn_;
  std::vector<std::string> notices_;
};

inline std::vector<std::string> Rows(const QueryResult& result) {
  std::vector<std::string> out;
  for (const auto& row : result.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "|";
      line += row[i].has_value() ? *row[i] : "NULL";
    }
    out.push_back(line);
  }
  return out;
}

inline std::vector<std::string> Rows(const pqxx::result& result) {
  std::vector<std::string> out;
  for (const auto& row : result) {
    std::string line;
    for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
      if (i > 0) line += "|";
      line += row[i].is_null() ? "NULL" : row[i].c_str();
    }
    out.push_back(line);
  }
  return out;
}

// Runs one statement outside any client-side transaction object (libpqxx
// 6.4 has no connection-level exec), so explicit BEGIN/COMMIT pass through.
inline pqxx::result PqxxExec(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  pqxx::result r = tx.exec(sql);
  tx.commit();
  return r;
}

// The SQLSTATE a statement fails with through libpqxx ("" if it succeeds;
// "<no sqlstate>" for a libpqxx exception without one).
inline std::string PqxxSqlstate(pqxx::connection& conn, const std::string& sql) {
  try {
    PqxxExec(conn, sql);
    return "";
  } catch (const pqxx::sql_error& e) {
    return e.sqlstate();
  } catch (const std::exception& e) {
    return std::string("<no sqlstate: ") + e.what() + ">";
  }
}

}  // namespace cairn::e2e
