#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/sql_type.h"
#include "common/value.h"

namespace cairn::executor {

// What pgwire sees of SQL execution: one SqlSession per client connection.
// pgwire owns the protocol (framing, formats, ReadyForQuery); the session owns
// SQL semantics (statements, the transaction block, settings).
// A session is used by one connection thread at a time.

// The transaction state that ReadyForQuery reports.
enum class TxnStatus { kIdle, kInBlock, kFailed };  // 'I', 'T', 'E'

struct ResultColumn {
  std::string name;
  SqlType type;
};

// The outcome of one statement.
struct StatementResult {
  // True for statements that produce a row set (SELECT, RETURNING, SHOW,
  // EXPLAIN): pgwire sends RowDescription and DataRows for them.
  bool returns_rows = false;
  std::vector<ResultColumn> columns;
  std::vector<Row> rows;
  // The CommandComplete tag: "SELECT 5", "INSERT 0 3", "CREATE TABLE", ...
  std::string command_tag;
  // Settings changed by this statement that clients track (SET TimeZone,
  // ...): pgwire reports each as a ParameterStatus message.
  std::vector<std::pair<std::string, std::string>> changed_parameters;
};

// The client's end of COPY ... FROM STDIN and COPY ... TO STDOUT, which
// pgwire speaks as the CopyIn and CopyOut sub-protocols.
class CopyChannel {
 public:
  virtual ~CopyChannel() = default;
  // COPY FROM STDIN: tells the client to send `columns` columns of text
  // (CopyInResponse), then hands out its data.
  virtual absl::Status BeginCopyIn(int columns) = 0;
  // The next chunk of data (a CopyData); nullopt once the client is done
  // (CopyDone). 57014 if the client gave up (CopyFail), 08P01 for a message
  // that has no place in COPY, and an error if the connection is lost.
  virtual absl::StatusOr<std::optional<std::string>> ReadCopyData() = 0;
  // COPY TO STDOUT: CopyOutResponse, the rows' data, CopyDone.
  virtual absl::Status BeginCopyOut(int columns) = 0;
  virtual absl::Status WriteCopyData(std::string_view data) = 0;
  virtual absl::Status EndCopyOut() = 0;
};

// Receives the results of a Query message as each statement finishes.
class QueryObserver {
 public:
  virtual ~QueryObserver() = default;
  virtual void OnResult(const StatementResult& result) = 0;
  // The query text was empty (only whitespace, semicolons or comments).
  virtual void OnEmptyQuery() = 0;
  // Where COPY's data comes from and goes to; null where there is no
  // client to copy with (COPY then fails with 0A000).
  virtual CopyChannel* copy_channel() { return nullptr; }
};

// A statement parsed once for the extended query protocol (Parse), run any
// number of times with parameter values (Bind, Execute). What Describe
// reports of it is fixed at Parse.
class PreparedStatement {
 public:
  virtual ~PreparedStatement() = default;
  // One per parameter $1..$n (n: the highest referenced, or the number
  // declared if more): the type the client declared, else the one the
  // parameter's use implies, else text.
  virtual const std::vector<SqlType>& parameter_types() const = 0;
  // Whether running it produces rows (SELECT, RETURNING, SHOW...), and
  // their columns; false: Describe answers NoData.
  virtual bool returns_rows() const = 0;
  virtual const std::vector<ResultColumn>& columns() const = 0;
  // An empty query string: Execute answers EmptyQueryResponse.
  virtual bool empty() const = 0;
};

class SqlSession {
 public:
  virtual ~SqlSession() = default;

  // Runs every statement of one simple-protocol Query message in order,
  // reporting each result to `observer`. Stops at the first error and returns
  // it (carrying its SQLSTATE and, where known, position); results reported
  // before it stand.
  virtual absl::Status ExecuteQuery(std::string_view sql, QueryObserver* observer) = 0;

  // Parses and plans one statement with parameters $1..$n for the extended
  // query protocol. `declared` gives the types the client named (kUnknown:
  // infer). 42601 for more than one statement; 25P02 in a failed
  // transaction block, except for COMMIT and ROLLBACK.
  virtual absl::StatusOr<std::shared_ptr<PreparedStatement>> Prepare(
      std::string_view sql, const std::vector<SqlType>& declared) = 0;

  // Runs `statement` (from this session's Prepare) with `params`, one per
  // parameter type, already converted to those types. Outside a
  // transaction block the statements executed up to the next Sync share one
  // implicit transaction, as in PostgreSQL; Sync() ends it.
  virtual absl::StatusOr<StatementResult> ExecutePrepared(PreparedStatement& statement,
                                                          const std::vector<Value>& params) = 0;
  // The extended protocol's Sync: commits the implicit transaction of the
  // statements executed since the last Sync, or rolls it back after an
  // error (the session's own, or `error_reported` by the protocol layer,
  // such as a bad parameter). Returns the commit's error, if any.
  virtual absl::Status Sync(bool error_reported) = 0;

  virtual TxnStatus txn_status() const = 0;

  // Asks the statement running now, if any, to stop with 57014. Safe from
  // any thread: a CancelRequest arrives on another connection.
  virtual void Cancel() = 0;
  // idle_in_transaction_session_timeout in milliseconds; 0: none.
  virtual int64_t IdleInTransactionTimeoutMs() const = 0;

  // A setting the client asked for at connection start (the startup
  // packet's "-c name=value" options), applied as SET would apply it, and
  // kept as what RESET returns to. Its error ends the connection.
  virtual absl::Status ApplyStartupSetting(const std::string& name, const std::string& value) = 0;

  // The ParameterStatus values sent after authentication.
  virtual std::vector<std::pair<std::string, std::string>> InitialParameters() const = 0;

  // Called when the client goes away: rolls back an open transaction.
  virtual void Close() = 0;
};

// Creates sessions for new connections; shared by all connection threads.
class SessionFactory {
 public:
  virtual ~SessionFactory() = default;
  // Fails with invalid_catalog_name (3D000) for an unknown database, 28000
  // for a role that does not exist or may not log in, 42501 without CONNECT
  // on the database.
  virtual absl::StatusOr<std::unique_ptr<SqlSession>> NewSession(std::string_view user,
                                                                 std::string_view database) = 0;

  // What password authentication needs of a role.
  struct LoginRole {
    std::string secret;          // common/password.h; "" when it has none
    bool expired = false;        // VALID UNTIL has passed
  };
  // nullopt when no such role exists.
  virtual absl::StatusOr<std::optional<LoginRole>> LookupLogin(std::string_view user) {
    return std::nullopt;
  }
};

}  // namespace cairn::executor
