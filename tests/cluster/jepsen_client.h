// The client side of the Jepsen-style tests: a SQL session whose every
// statement has a deadline kept by the client (a SIGSTOPped node keeps its
// sockets open and cannot enforce its own statement_timeout), the sorting of
// errors into "nothing happened" and "it may have happened", per-client
// tallies of outcomes and errors, and the clock operations are timed with.
//
// Thread safety: a JepsenSession belongs to one client thread; ClientTally
// is per thread and merged after the threads are joined.
#pragma once

#include <poll.h>

#include <cerrno>

#include "cluster_fixture.h"
#include "linearizability_checker.h"

namespace cairn::cluster {

// The server-side statement_timeout of the clients' sessions: a statement
// stuck behind a dead or paused leaseholder fails (57014) instead of
// holding the client for the whole run.
constexpr int kJepsenStatementTimeoutMs = 5'000;
// The client-side bound on one statement (or on connecting): a bit more than
// the statement_timeout, for a node that is paused and cannot time out.
constexpr std::chrono::milliseconds kClientDeadline(8'000);
// The final reads, once every node is healed, read whole tables (tens of
// thousands of rows after a long set run, well under a second): bounds of
// their own, generous, but short enough that a range left without a
// leaseholder fails the test in minutes rather than outlasting ctest.
constexpr int kFinalStatementTimeoutMs = 20'000;
constexpr std::chrono::milliseconds kFinalReadDeadline(25'000);
// libpq's connect_timeout, in seconds (2 is its minimum).
constexpr int kConnectTimeoutSeconds = 2;
// The pause before a client tries again after an error (pacing only).
constexpr std::chrono::milliseconds kClientBackoff(50);

// A DSN for `node` with a short connect_timeout: a client whose node is
// paused moves on to another instead of waiting libpq's default.
inline std::string JepsenDsn(const CairnProcess& node) {
  return absl::StrCat("host=127.0.0.1 port=", node.sql_port(),
                      " dbname=postgres user=root connect_timeout=", kConnectTimeoutSeconds);
}

// A statement's result; timed_out: the client gave up waiting (the
// connection is then closed).
struct ClientResult : QueryResult {
  bool timed_out = false;
};

// What an error says about a write the statement (or the COMMIT) carried.
enum class ErrorClass {
  kNone,        // no error
  kNoEffect,    // the server refused it: nothing was written (40001, 40P01, 55P03)
  kMaybe,       // it may or may not have been written: a dropped
                // connection, a timeout, 40003, 08xxx, 57P01
  kUnexpected,  // an error no fault explains; reported, and treated as kMaybe
};

inline ErrorClass Classify(const ClientResult& r) {
  if (r.ok) return ErrorClass::kNone;
  if (r.timed_out || r.connection_lost) return ErrorClass::kMaybe;
  for (const char* state : {"40001", "40P01", "55P03"}) {
    if (r.sqlstate == state) return ErrorClass::kNoEffect;
  }
  if (absl::StartsWith(r.sqlstate, "08")) return ErrorClass::kMaybe;
  for (const char* state : {"40003", "57014", "57P01"}) {
    if (r.sqlstate == state) return ErrorClass::kMaybe;
  }
  return ErrorClass::kUnexpected;
}

// The key errors are counted under: the SQLSTATE, or what happened to the
// connection.
inline std::string ErrorKey(const ClientResult& r) {
  if (r.timed_out) return "client-timeout";
  if (r.connection_lost && r.sqlstate.empty()) return "connection-lost";
  return r.sqlstate;
}

// Nanoseconds of the steady clock since `origin`: the time line of a run.
inline int64_t SinceNs(Clock::time_point origin) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count();
}

// A session on one node. Connecting (in the constructor) and every Exec are
// bounded by kClientDeadline; once a statement times out or the connection
// drops, ok() is false and the owner opens another session.
class JepsenSession {
 public:
  explicit JepsenSession(const std::string& dsn,
                         int statement_timeout_ms = kJepsenStatementTimeoutMs)
      : pg_(std::make_unique<PgConn>(dsn)) {
    if (!pg_->ok()) return;
    ClientResult set = Exec(absl::StrCat("SET statement_timeout = ", statement_timeout_ms));
    if (!set.ok) broken_ = true;
  }
  JepsenSession(const JepsenSession&) = delete;
  JepsenSession& operator=(const JepsenSession&) = delete;

  bool ok() const { return !broken_ && pg_->ok(); }
  std::string error() const { return pg_->error(); }
  PGTransactionStatusType TxStatus() const { return pg_->TxStatus(); }

  // Runs `sql` (simple protocol; with several statements, the first error or
  // the last result, as PQexec), waiting at most `deadline`.
  ClientResult Exec(const std::string& sql, std::chrono::milliseconds deadline = kClientDeadline) {
    ClientResult out;
    PGconn* conn = pg_->raw();
    const auto until = Clock::now() + deadline;
    if (PQsendQuery(conn, sql.c_str()) == 0) {
      out.connection_lost = true;
      out.message = PQerrorMessage(conn);
      broken_ = true;
      return out;
    }
    PGresult* kept = nullptr;  // the first error, else the last result
    for (;;) {
      while (PQisBusy(conn) != 0) {
        const int64_t left_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left_ms <= 0) {
          PQclear(kept);
          out.timed_out = true;
          out.connection_lost = true;
          out.message =
              absl::StrCat("no answer within ", deadline.count(), " ms (client deadline)");
          broken_ = true;
          return out;
        }
        pollfd pfd{PQsocket(conn), POLLIN, 0};
        const int ready = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left_ms, 100)));
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0 && PQconsumeInput(conn) == 0) break;  // the connection broke
      }
      if (PQisBusy(conn) != 0) {
        PQclear(kept);
        out.connection_lost = true;
        out.message = PQerrorMessage(conn);
        broken_ = true;
        return out;
      }
      PGresult* res = PQgetResult(conn);
      if (res == nullptr) break;
      const ExecStatusType status = PQresultStatus(res);
      const bool is_error = status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK;
      const bool kept_error = kept != nullptr && PQresultStatus(kept) != PGRES_COMMAND_OK &&
                              PQresultStatus(kept) != PGRES_TUPLES_OK;
      if (kept_error && !is_error) {
        PQclear(res);
      } else {
        PQclear(kept);
        kept = res;
      }
    }
    if (kept == nullptr) {
      out.connection_lost = true;
      out.message = PQerrorMessage(conn);
    } else {
      const ExecStatusType status = PQresultStatus(kept);
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        out.ok = true;
        out.tag = PQcmdStatus(kept);
        for (int r = 0; r < PQntuples(kept); ++r) {
          std::vector<std::optional<std::string>> row;
          for (int c = 0; c < PQnfields(kept); ++c) {
            if (PQgetisnull(kept, r, c)) {
              row.push_back(std::nullopt);
            } else {
              row.emplace_back(std::string(PQgetvalue(kept, r, c), PQgetlength(kept, r, c)));
            }
          }
          out.rows.push_back(std::move(row));
        }
      } else {
        const char* state = PQresultErrorField(kept, PG_DIAG_SQLSTATE);
        const char* primary = PQresultErrorField(kept, PG_DIAG_MESSAGE_PRIMARY);
        out.sqlstate = state != nullptr ? state : "";
        out.message = primary != nullptr ? primary : PQerrorMessage(conn);
      }
      PQclear(kept);
    }
    out.connection_lost = out.connection_lost || PQstatus(conn) != CONNECTION_OK;
    if (!out.ok && out.sqlstate.empty()) out.connection_lost = true;
    if (out.connection_lost) broken_ = true;
    return out;
  }

 private:
  std::unique_ptr<PgConn> pg_;
  bool broken_ = false;
};

// `text` with each run of whitespace (libpq's messages have newlines) as
// one space.
inline std::string OneLine(const std::string& text) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

// One client's counts: operations by outcome, and errors by ErrorKey with
// the latest message. Unexpected errors (ErrorClass::kUnexpected) are kept
// in full, for the report.
struct ClientTally {
  int64_t ok = 0;
  int64_t fail = 0;
  int64_t unknown = 0;
  std::map<std::string, std::pair<int64_t, std::string>> errors;
  std::vector<std::string> unexpected;

  void Error(const ClientResult& r, const std::string& sql) {
    auto& [count, message] = errors[ErrorKey(r)];
    ++count;
    message = OneLine(r.message);
    if (Classify(r) == ErrorClass::kUnexpected && unexpected.size() < 20) {
      unexpected.push_back(absl::StrCat(sql, ": ", r.sqlstate, " ", r.message));
    }
  }
  void Merge(const ClientTally& other) {
    ok += other.ok;
    fail += other.fail;
    unknown += other.unknown;
    for (const auto& [key, seen] : other.errors) {
      errors[key].first += seen.first;
      errors[key].second = seen.second;
    }
    unexpected.insert(unexpected.end(), other.unexpected.begin(), other.unexpected.end());
  }
  std::string DescribeErrors() const {
    std::vector<std::string> parts;
    for (const auto& [key, seen] : errors) {
      parts.push_back(absl::StrCat(key, " x", seen.first, " (", seen.second, ")"));
    }
    return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
  }
};

// Client threads running `body(client index, stop)` until stopped; joined
// at the latest by the destructor, so that a test that gives up early does
// not leave them running.
class ClientPool {
 public:
  using Body = std::function<void(int client, const std::atomic<bool>& stop)>;
  ClientPool(int clients, const Body& body) {
    for (int i = 0; i < clients; ++i) threads_.emplace_back([this, i, body] { body(i, stop_); });
  }
  ~ClientPool() { Stop(); }
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;
  void Stop() {
    stop_.store(true);
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// A client's way to the cluster: a session through a node picked at random,
// replaced by one through another node (at random among the others) once
// the session breaks or the client gives it up.
class NodeRoute {
 public:
  NodeRoute(std::vector<std::string> dsns, uint64_t seed) : dsns_(std::move(dsns)), rng_(seed) {}

  // The current session, opening one if there is none; nullptr when the
  // node picked cannot be reached (the caller counts it and tries again).
  JepsenSession* Session(ClientTally* tally) {
    if (session_ != nullptr && session_->ok()) return session_.get();
    session_.reset();
    const int last = node_;
    do {
      node_ = static_cast<int>(rng_() % dsns_.size()) + 1;
    } while (node_ == last && dsns_.size() > 1);
    auto session = std::make_unique<JepsenSession>(dsns_[node_ - 1]);
    if (!session->ok()) {
      ++tally->errors["connect"].first;
      tally->errors["connect"].second = OneLine(session->error());
      return nullptr;
    }
    session_ = std::move(session);
    return session_.get();
  }
  // Drops the session: the next Session() picks a node again.
  void Reset() { session_.reset(); }
  int node() const { return node_; }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::vector<std::string> dsns_;
  std::mt19937_64 rng_;
  std::unique_ptr<JepsenSession> session_;
  int node_ = 0;
};

}  // namespace cairn::cluster
