#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "executor/sql_session.h"
#include "pgwire/message_reader.h"
#include "pgwire/message_writer.h"
#include "pgwire/startup.h"
#include "pgwire/tls_context.h"

typedef struct ssl_st SSL;

namespace cairn::pgwire {

struct ConnectionOptions {
  std::string server_version = "15.0";  // reported as server_version
  int32_t process_id = 0;               // BackendKeyData, unique per connection
  int32_t secret_key = 0;               // BackendKeyData, random per connection
  // The server is at its connection limit: answer the startup packet with
  // FATAL 53300 and close, as PostgreSQL does.
  bool too_many_connections = false;
  // The node is draining (`cairn node drain`): new clients are sent to
  // other nodes with FATAL 57P03, as PostgreSQL turns them away while it
  // shuts down.
  bool draining = false;
  // Forwards a CancelRequest that arrives on this connection to the
  // connection it names (by BackendKeyData). Unset: cancels are ignored.
  std::function<void(int32_t process_id, int32_t secret_key)> cancel;
  // How the client proves who it is (PgServer picks by the peer address):
  // kTrust takes the startup packet's user name; kPassword asks for the
  // role's password, by SCRAM-SHA-256, or by md5 for a role whose secret
  // is an md5 one (PostgreSQL's "md5" method).
  enum class Auth { kTrust, kPassword };
  Auth auth = Auth::kTrust;
  // Derives the made-up SCRAM salt for roles without a secret; per server.
  std::string scram_mock_seed;
  // Offered to a client's SSLRequest; refused ('N') when null.
  std::shared_ptr<TlsContext> tls;
};

// One client connection, served on a thread of its own with blocking socket
// I/O: the startup dialogue (SSL/GSS refusal, trust authentication,
// ParameterStatus, BackendKeyData), then Query messages, each handed to the
// connection's SqlSession, whose results become RowDescription, DataRow,
// CommandComplete and ReadyForQuery. Responses are buffered and written
// when the connection is about to wait for the client (or, for large
// results, every 64 KiB), so a query costs one write.
//
// The extended query protocol (Parse, Bind, Describe, Execute, Close, Sync,
// Flush) keeps prepared statements and portals per connection. Any protocol
// violation is answered with FATAL 08P01 and ends the connection.
//
// Thread safety: Run() is called once, on the connection's thread;
// Shutdown() may be called from any thread at any time.
class Connection {
 public:
  Connection(boost::asio::ip::tcp::socket socket, executor::SessionFactory* factory,
             ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves the client until it sends Terminate, the stream ends or breaks,
  // or Shutdown() is called; then closes the session and the socket.
  void Run();

  // Makes Run() return soon: the socket is shut down in both directions, so
  // a blocked read sees end-of-stream. A statement that is executing is not
  // interrupted; Run() returns once it finishes.
  void Shutdown();

  // Cancels the running statement, if `secret_key` is this connection's
  // (a CancelRequest from another connection). Safe from any thread.
  void Cancel(int32_t secret_key);

 private:
  class ResultWriter;
  // Output is written early once a result set (or COPY TO) has buffered
  // this much.
  static constexpr size_t kFlushThreshold = 64 * 1024;
  class CopyStream;  // copy_stream.cc

  absl::Status Serve();
  absl::Status Startup();
  absl::Status StartSession(const StartupRequest& request);
  // Answers SSLRequest with 'S' and runs the TLS handshake; later I/O goes
  // through it.
  absl::Status StartTls();
  // Password authentication (ConnectionOptions::Auth::kPassword); a
  // failure has been reported to the client (FATAL) when it returns.
  absl::Status Authenticate(const std::string& user);
  // Whether the client's TLS certificate, verified against the CA, names
  // `user` (PostgreSQL's "cert" method).
  bool CertificateProves(const std::string& user) const;
  absl::Status AuthenticateScram(const std::string& user, const std::string& secret);
  absl::Status AuthenticateMd5(const std::string& user, const std::string& secret, bool expired);
  // The client's next PasswordMessage / SASL response body.
  absl::StatusOr<std::string> ReadAuthResponse();
  absl::Status QueryLoop();
  absl::Status HandleQuery(std::string_view body);

  // The extended query protocol (extended_query.cc). Each handler answers
  // one message; an error it returns is reported and the messages up to
  // the next Sync are skipped. A protocol violation ends the connection.
  struct Portal {
    std::shared_ptr<executor::PreparedStatement> statement;
    std::vector<Value> params;
    std::vector<int16_t> result_formats;  // one per result column
    // Once executed: its result, of which rows before next_row were sent
    // (Execute with a row limit suspends the portal in between).
    std::optional<executor::StatementResult> result;
    size_t next_row = 0;
  };
  absl::Status HandleParse(std::string_view body);
  absl::Status HandleBind(std::string_view body);
  absl::Status HandleDescribe(std::string_view body);
  absl::Status HandleExecute(std::string_view body);
  absl::Status HandleClose(std::string_view body);
  // Sync: ends the sequence; outside a transaction block, portals end with
  // the transaction they belonged to.
  void HandleSync();
  // Runs an extended-protocol handler: reports its error and skips to Sync;
  // a protocol violation or shutdown ends the connection (returned).
  absl::Status RunExtended(absl::Status status);
  std::vector<std::pair<std::string, std::string>> InitialParameters(
      const StartupRequest& request) const;

  // Buffers an ERROR ErrorResponse for `error`; the connection goes on.
  void WriteError(const absl::Status& error);
  // Sends a FATAL ErrorResponse and returns `error`, which ends the connection.
  absl::Status Fatal(const absl::Status& error);
  absl::Status Fatal(std::string_view sqlstate, std::string_view message);

  absl::StatusOr<size_t> ReadSome(char* buf, size_t max);
  // Writes the buffered output. After a write error the connection is
  // broken: later output is discarded and Flush keeps failing.
  absl::Status Flush();
  void CloseSocket();

  // Constant after construction.
  executor::SessionFactory* const factory_;
  const ConnectionOptions options_;
  const int fd_;  // the socket's descriptor, for Shutdown()

  // Used only by the thread in Run().
  boost::asio::ip::tcp::socket socket_;
  MessageReader reader_;
  MessageWriter writer_;
  std::unique_ptr<executor::SqlSession> session_;
  SSL* ssl_ = nullptr;             // after StartTls
  bool broken_ = false;            // a write failed
  bool ignore_till_sync_ = false;  // an extended-protocol error was reported
  // Prepared statements and portals by name ("" is the unnamed one).
  absl::flat_hash_map<std::string, std::shared_ptr<executor::PreparedStatement>> statements_;
  absl::flat_hash_map<std::string, Portal> portals_;

  absl::Mutex mu_;
  bool socket_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool encrypted_ ABSL_GUARDED_BY(mu_) = false;  // Shutdown() can't write plaintext then
  // Shutdown() was called: end the session once no statement runs.
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  // The connection thread waits for the client's next message.
  bool idle_ ABSL_GUARDED_BY(mu_) = false;
  // session_, for Cancel() from other threads; null before the session
  // starts and once it is closing.
  executor::SqlSession* cancel_target_ ABSL_GUARDED_BY(mu_) = nullptr;
  // While waiting for the client inside a transaction block:
  // idle_in_transaction_session_timeout (0: wait for ever).
  int64_t read_timeout_ms_ = 0;
};

}  // namespace cairn::pgwire
