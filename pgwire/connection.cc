#include "pgwire/connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <climits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "common/password.h"
#include "pgwire/backend_messages.h"
#include "pgwire/copy_stream.h"
#include "pgwire/pg_metrics.h"
#include "pgwire/protocol.h"
#include "pgwire/scram_exchange.h"
#include "pgwire/startup_options.h"

namespace cairn::pgwire {
namespace {

using Parameters = std::vector<std::pair<std::string, std::string>>;


bool IsProtocolViolation(const absl::Status& status) {
  return GetErrorCode(status) == ErrorCode::kProtocolViolation;
}

// absl::EqualsIgnoreCase, for std::string_view (Debian's abseil has its own
// string_view type).
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(a[i]) != absl::ascii_tolower(b[i])) return false;
  }
  return true;
}

// Sets `name` (matched case-insensitively, as GUC names are) to `value`,
// appending it if absent.
void SetParameter(Parameters& params, std::string_view name, std::string_view value) {
  for (auto& [n, v] : params) {
    if (EqualsIgnoreCase(n, name)) {
      v = std::string(value);
      return;
    }
  }
  params.emplace_back(name, value);
}

bool IsFalse(std::string_view value) {
  for (std::string_view f : {"false", "off", "no", "0"}) {
    if (EqualsIgnoreCase(value, f)) return true;
  }
  return false;
}

}  // namespace

// Turns the statement results of one Query message into messages.
class Connection::ResultWriter final : public executor::QueryObserver {
 public:
  explicit ResultWriter(Connection* conn) : conn_(conn) {}

  void OnResult(const executor::StatementResult& result) override {
    reported_ = true;
    MessageWriter& w = conn_->writer_;
    if (result.returns_rows) {
      WriteRowDescription(w, result.columns);
      for (const Row& row : result.rows) {
        WriteDataRow(w, row);
        // A failed write marks the connection broken; the query runs on.
        if (w.size() >= kFlushThreshold) (void)conn_->Flush();
      }
    }
    WriteCommandComplete(w, result.command_tag);
    for (const auto& [name, value] : result.changed_parameters) {
      SetParameter(changed_, name, value);
    }
  }

  void OnEmptyQuery() override {
    reported_ = true;
    WriteEmptyQueryResponse(conn_->writer_);
  }

  executor::CopyChannel* copy_channel() override { return &copy_; }

  bool reported() const { return reported_; }
  // PostgreSQL reports changed settings once, just before ReadyForQuery.
  void WriteChangedParameters() {
    for (const auto& [name, value] : changed_) WriteParameterStatus(conn_->writer_, name, value);
  }

 private:
  Connection* const conn_;
  CopyStream copy_{conn_};
  bool reported_ = false;
  Parameters changed_;
};

Connection::Connection(boost::asio::ip::tcp::socket socket, executor::SessionFactory* factory,
                       ConnectionOptions options)
    : factory_(factory),
      options_(std::move(options)),
      fd_(socket.native_handle()),
      socket_(std::move(socket)),
      reader_([this](char* buf, size_t max) { return ReadSome(buf, max); }) {}

Connection::~Connection() {
  CloseSocket();
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void Connection::Run() {
  absl::Status status = Serve();
  if (!status.ok()) {
    CAIRN_LOG_DEBUG("pgwire: connection {} ended: {}", options_.process_id, status.ToString());
  }
  (void)Flush();
  {
    absl::MutexLock lock(&mu_);
    cancel_target_ = nullptr;
  }
  if (session_ != nullptr) {
    session_->Close();
    session_.reset();
  }
  CloseSocket();
}

static absl::Status AdminShutdown() {
  return MakeError(ErrorCode::kAdminShutdown, "terminating connection due to administrator command");
}

void Connection::Cancel(int32_t secret_key) {
  absl::MutexLock lock(&mu_);
  if (secret_key != options_.secret_key || cancel_target_ == nullptr) return;
  cancel_target_->Cancel();
}

void Connection::Shutdown() {
  absl::MutexLock lock(&mu_);
  draining_ = true;
  if (socket_closed_) return;
  if (idle_ && !encrypted_) {
    // Tell an idle session why it ends, as PostgreSQL does on a fast
    // shutdown. The connection thread is blocked reading and can't write
    // until it gets mu_ back.
    MessageWriter w;
    WriteErrorResponse(w, ReportFromStatus(Severity::kFatal, AdminShutdown()));
    (void)::send(fd_, w.data().data(), w.data().size(), MSG_NOSIGNAL);
    ::shutdown(fd_, SHUT_RDWR);
  } else if (idle_ || session_ == nullptr) {
    ::shutdown(fd_, SHUT_RDWR);  // still starting up, or idle behind TLS
  }
  // A running statement finishes first; the loop then ends the session.
}

absl::Status Connection::Serve() {
  CAIRN_RETURN_IF_ERROR(Startup());
  if (session_ == nullptr) return absl::OkStatus();  // the client left during startup
  return QueryLoop();
}

absl::Status Connection::Startup() {
  bool ssl_done = false;
  bool gss_done = false;
  for (;;) {
    absl::StatusOr<std::optional<std::string_view>> packet = reader_.ReadStartupPacket();
    if (!packet.ok()) {
      return IsProtocolViolation(packet.status()) ? Fatal(packet.status()) : packet.status();
    }
    if (!packet->has_value()) return absl::OkStatus();
    absl::StatusOr<StartupRequest> request = ParseStartupPacket(**packet);
    if (!request.ok()) return Fatal(request.status());
    switch (request->kind) {
      case StartupKind::kSslRequest:
      case StartupKind::kGssEncRequest: {
        // Each may be asked once. GSSAPI is never offered, TLS when
        // configured. The 'N' goes out before the next read.
        bool& done = request->kind == StartupKind::kSslRequest ? ssl_done : gss_done;
        if (done) {
          const uint32_t code =
              request->kind == StartupKind::kSslRequest ? kSslRequestCode : kGssEncRequestCode;
          return Fatal(MakeError(
              ErrorCode::kFeatureNotSupported,
              absl::StrFormat("unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
                              ProtocolMajor(code), ProtocolMinor(code))));
        }
        done = true;
        if (request->kind == StartupKind::kSslRequest && options_.tls != nullptr &&
            ssl_ == nullptr) {
          CAIRN_RETURN_IF_ERROR(StartTls());
          continue;
        }
        writer_.PutUnframedByte(kEncryptionRefused);
        continue;
      }
      case StartupKind::kCancelRequest:
        // The client expects the connection to close, and no answer,
        // whether or not the key named a running statement.
        if (options_.cancel) {
          options_.cancel(request->cancel_process_id, request->cancel_secret_key);
        }
        return absl::OkStatus();
      case StartupKind::kStartup:
        return StartSession(*request);
    }
  }
}

absl::Status Connection::StartSession(const StartupRequest& request) {
  if (options_.too_many_connections) return Fatal("53300", "sorry, too many clients already");
  if (options_.draining) {
    return Fatal("57P03", "the node is draining: connect to another node of the cluster");
  }
  if (request.user.empty()) {
    return Fatal("28000", "no PostgreSQL user name specified in startup packet");
  }
  if (!request.replication.empty() && !IsFalse(request.replication)) {
    return Fatal(MakeError(ErrorCode::kFeatureNotSupported,
                           "replication connections are not supported"));
  }
  // The "options" parameter (-c name=value ...) is checked before a
  // session exists and applied once one does. Other parameters sent at
  // startup (DateStyle, TimeZone, ...) are drivers' defaults, reported back
  // as CairnDB runs them; only application_name is taken from them.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> startup_settings =
      ParseStartupOptions(request.options);
  if (!startup_settings.ok()) return Fatal(startup_settings.status());
  if (ProtocolMinor(request.protocol_version) > 0 ||
      !request.unrecognized_protocol_options.empty()) {
    WriteNegotiateProtocolVersion(writer_, 0, request.unrecognized_protocol_options);
  }
  if (options_.auth == ConnectionOptions::Auth::kPassword && !CertificateProves(request.user)) {
    CAIRN_RETURN_IF_ERROR(Authenticate(request.user));
  }
  WriteAuthenticationOk(writer_);

  absl::StatusOr<std::unique_ptr<executor::SqlSession>> session =
      factory_->NewSession(request.user, request.database);
  if (!session.ok()) return Fatal(session.status());
  if (*session == nullptr) return Fatal(MakeError(ErrorCode::kInternal, "no session"));
  session_ = std::move(*session);
  {
    absl::MutexLock lock(&mu_);
    cancel_target_ = session_.get();
  }
  for (const auto& [name, value] : *startup_settings) {
    absl::Status applied = session_->ApplyStartupSetting(name, value);
    if (!applied.ok()) return Fatal(applied);
  }

  for (const auto& [name, value] : InitialParameters(request)) {
    WriteParameterStatus(writer_, name, value);
  }
  WriteBackendKeyData(writer_, options_.process_id, options_.secret_key);
  WriteReadyForQuery(writer_, session_->txn_status());
  return absl::OkStatus();
}

absl::Status Connection::StartTls() {
  writer_.PutUnframedByte(kEncryptionAccepted);
  CAIRN_RETURN_IF_ERROR(Flush());
  if (reader_.HasBuffered()) {
    return Fatal("08P01", "received unencrypted data after SSL request");
  }
  SSL* ssl = SSL_new(options_.tls->get());
  if (ssl == nullptr || SSL_set_fd(ssl, fd_) != 1) {
    if (ssl != nullptr) SSL_free(ssl);
    return MakeError(ErrorCode::kInternal, absl::StrCat("TLS: ", TlsErrorText()));
  }
  ERR_clear_error();
  if (SSL_accept(ssl) != 1) {
    // Nothing can be reported: the client did not finish the handshake.
    std::string why = TlsErrorText();
    SSL_free(ssl);
    return MakeError(ErrorCode::kProtocolViolation,
                     absl::StrCat("could not accept SSL connection: ", why));
  }
  ssl_ = ssl;
  absl::MutexLock lock(&mu_);
  encrypted_ = true;
  return absl::OkStatus();
}

bool Connection::CertificateProves(const std::string& user) const {
  if (ssl_ == nullptr) return false;
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return false;
  char name[256] = {0};
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name,
                                          sizeof(name));
  const bool proves = SSL_get_verify_result(ssl_) == X509_V_OK && n > 0 &&
                      std::string_view(name, static_cast<size_t>(n)) == user;
  X509_free(cert);
  return proves;
}

absl::StatusOr<std::string> Connection::ReadAuthResponse() {
  absl::StatusOr<std::optional<FrontendMessage>> message = reader_.ReadMessage();
  if (!message.ok()) {
    return IsProtocolViolation(message.status()) ? Fatal(message.status()) : message.status();
  }
  // psql hangs up here to prompt for the password, then connects again.
  if (!message->has_value()) {
    return MakeError(ErrorCode::kUnavailable, "the client left during authentication");
  }
  if ((*message)->type != frontend::kPassword) {
    return Fatal("08P01", absl::StrFormat("expected password response, got message type %d",
                                          static_cast<int>((*message)->type)));
  }
  return std::string((*message)->body);
}

absl::Status Connection::Authenticate(const std::string& user) {
  absl::StatusOr<std::optional<executor::SessionFactory::LoginRole>> login =
      factory_->LookupLogin(user);
  if (!login.ok()) return Fatal(login.status());
  const std::string secret = login->has_value() ? (*login)->secret : "";
  const bool expired = login->has_value() && (*login)->expired;
  if (password::IsMd5Secret(secret)) return AuthenticateMd5(user, secret, expired);
  // Unknown role, no password, an expired one: the exchange runs on and
  // fails at the end, telling the client no more than a wrong password.
  return AuthenticateScram(user, expired ? "" : secret);
}

absl::Status Connection::AuthenticateScram(const std::string& user, const std::string& secret) {
  std::optional<password::ScramSecret> scram;
  if (absl::StatusOr<password::ScramSecret> parsed = password::ParseScramSecret(secret);
      parsed.ok()) {
    scram = *std::move(parsed);
  }
  ScramExchange exchange(user, std::move(scram), options_.scram_mock_seed);
  writer_.Begin(backend::kAuthentication);
  writer_.PutInt32(kAuthSasl);
  writer_.PutCString(ScramExchange::kMechanism);
  writer_.PutByte('\0');
  writer_.End();

  CAIRN_ASSIGN_OR_RETURN(std::string initial, ReadAuthResponse());
  BodyReader body(initial);
  absl::StatusOr<std::string_view> mechanism = body.ReadCString();
  absl::StatusOr<int32_t> length = mechanism.ok() ? body.ReadInt32() : mechanism.status();
  if (!length.ok()) return Fatal(length.status());
  if (*mechanism != ScramExchange::kMechanism) {
    return Fatal("08P01", "client selected an invalid SASL authentication mechanism");
  }
  absl::StatusOr<std::string_view> data =
      *length < 0 ? std::string_view() : body.ReadBytes(static_cast<size_t>(*length));
  if (!data.ok()) return Fatal(data.status());
  absl::StatusOr<std::string> server_first = exchange.ClientFirst(*data);
  if (!server_first.ok()) return Fatal(server_first.status());
  writer_.Begin(backend::kAuthentication);
  writer_.PutInt32(kAuthSaslContinue);
  writer_.PutBytes(*server_first);
  writer_.End();

  CAIRN_ASSIGN_OR_RETURN(std::string client_final, ReadAuthResponse());
  absl::StatusOr<std::string> server_final = exchange.ClientFinal(client_final);
  if (!server_final.ok()) return Fatal(server_final.status());
  writer_.Begin(backend::kAuthentication);
  writer_.PutInt32(kAuthSaslFinal);
  writer_.PutBytes(*server_final);
  writer_.End();
  return absl::OkStatus();
}

absl::Status Connection::AuthenticateMd5(const std::string& user, const std::string& secret,
                                         bool expired) {
  const std::string salt = password::RandomBytes(4);
  writer_.Begin(backend::kAuthentication);
  writer_.PutInt32(kAuthMd5Password);
  writer_.PutBytes(salt);
  writer_.End();
  CAIRN_ASSIGN_OR_RETURN(std::string response, ReadAuthResponse());
  BodyReader body(response);
  absl::StatusOr<std::string_view> answer = body.ReadCString();
  if (!answer.ok()) return Fatal(answer.status());
  // md5(md5(password || user) || salt), the stored secret being the inner.
  const std::string expected =
      absl::StrCat("md5", password::Md5Hex(absl::StrCat(secret.substr(3), salt)));
  if (expired || !password::SecureEquals(*answer, expected)) {
    return Fatal(MakeError(ErrorCode::kInvalidPassword,
                           absl::StrFormat("password authentication failed for user \"%s\"", user)));
  }
  return absl::OkStatus();
}

Parameters Connection::InitialParameters(const StartupRequest& request) const {
  // What PostgreSQL 15 reports, as fallbacks for what the session does not.
  Parameters params = {
      {"application_name", ""},
      {"client_encoding", "UTF8"},
      {"DateStyle", "ISO, MDY"},
      {"default_transaction_read_only", "off"},
      {"in_hot_standby", "off"},
      {"integer_datetimes", "on"},
      {"IntervalStyle", "postgres"},
      {"is_superuser", "off"},
      {"server_encoding", "UTF8"},
      {"server_version", options_.server_version},
      {"session_authorization", request.user},
      {"standard_conforming_strings", "on"},
      {"TimeZone", "UTC"},
  };
  for (const auto& [name, value] : session_->InitialParameters()) {
    SetParameter(params, name, value);
  }
  // pgwire speaks only UTF-8, whatever the client asked for.
  SetParameter(params, "client_encoding", "UTF8");
  for (const auto& [name, value] : request.parameters) {
    if (EqualsIgnoreCase(name, "application_name")) SetParameter(params, name, value);
  }
  return params;
}

absl::Status Connection::QueryLoop() {
  for (;;) {
    bool draining;
    {
      absl::MutexLock lock(&mu_);
      draining = draining_;
      idle_ = !draining;
    }
    if (draining) return Fatal(AdminShutdown());
    read_timeout_ms_ = session_->txn_status() != executor::TxnStatus::kIdle
                           ? session_->IdleInTransactionTimeoutMs()
                           : 0;
    absl::StatusOr<std::optional<FrontendMessage>> message = reader_.ReadMessage();
    read_timeout_ms_ = 0;
    {
      absl::MutexLock lock(&mu_);
      idle_ = false;
      if (draining_) return absl::OkStatus();  // Shutdown() has told the client
    }
    if (!message.ok()) {
      const ErrorCode code = GetErrorCode(message.status());
      return code == ErrorCode::kProtocolViolation ||
                     code == ErrorCode::kIdleInTransactionSessionTimeout
                 ? Fatal(message.status())
                 : message.status();
    }
    if (!message->has_value()) return absl::OkStatus();  // the client went away
    const FrontendMessage& m = **message;
    if (m.type == frontend::kTerminate) return absl::OkStatus();
    // After an error in an extended-protocol sequence, PostgreSQL discards
    // everything up to the Sync that ends it.
    if (ignore_till_sync_ && m.type != frontend::kSync) continue;

    switch (m.type) {
      case frontend::kQuery:
        CAIRN_RETURN_IF_ERROR(HandleQuery(m.body));
        break;
      case frontend::kParse:
        CAIRN_RETURN_IF_ERROR(RunExtended(HandleParse(m.body)));
        break;
      case frontend::kBind:
        CAIRN_RETURN_IF_ERROR(RunExtended(HandleBind(m.body)));
        break;
      case frontend::kDescribe:
        CAIRN_RETURN_IF_ERROR(RunExtended(HandleDescribe(m.body)));
        break;
      case frontend::kExecute:
        CAIRN_RETURN_IF_ERROR(RunExtended(HandleExecute(m.body)));
        break;
      case frontend::kClose:
        CAIRN_RETURN_IF_ERROR(RunExtended(HandleClose(m.body)));
        break;
      case frontend::kSync: {
        const absl::Status committed = session_->Sync(/*error_reported=*/ignore_till_sync_);
        ignore_till_sync_ = false;
        if (!committed.ok()) {
          if (GetErrorCode(committed) == ErrorCode::kAdminShutdown) return Fatal(committed);
          WriteError(committed);
        }
        HandleSync();
        WriteReadyForQuery(writer_, session_->txn_status());
        break;
      }
      case frontend::kFlush:
        CAIRN_RETURN_IF_ERROR(Flush());
        break;
      case frontend::kFunctionCall:
        WriteError(MakeError(ErrorCode::kFeatureNotSupported,
                             "function call messages are not supported"));
        WriteReadyForQuery(writer_, session_->txn_status());
        break;
      case frontend::kCopyData:
      case frontend::kCopyDone:
      case frontend::kCopyFail:
        break;  // ignored outside COPY, as PostgreSQL does
      default:
        return Fatal(MakeError(ErrorCode::kProtocolViolation,
                               absl::StrFormat("invalid frontend message type %d",
                                               static_cast<unsigned char>(m.type))));
    }
  }
}

absl::Status Connection::HandleQuery(std::string_view body) {
  BodyReader reader(body);
  absl::StatusOr<std::string_view> sql = reader.ReadCString();
  if (!sql.ok() || !reader.AtEnd()) {
    return Fatal(MakeError(ErrorCode::kProtocolViolation, "invalid message format"));
  }
  PgMetrics::Get().queries_total->Add();
  // As in PostgreSQL, a simple Query drops the unnamed statement and portal.
  statements_.erase("");
  portals_.erase("");

  // The text is a view into the reader's buffer, which a COPY FROM STDIN
  // refills while the query runs; the session reads it again afterwards
  // (the slow-statement log), so it gets a copy that lives as long.
  const std::string text(*sql);
  ResultWriter results(this);
  const absl::Status status = session_->ExecuteQuery(text, &results);
  if (!status.ok()) {
    if (GetErrorCode(status) == ErrorCode::kAdminShutdown) return Fatal(status);
    WriteError(status);
  } else if (!results.reported()) {
    WriteEmptyQueryResponse(writer_);  // a session that reported nothing ran nothing
  }
  results.WriteChangedParameters();
  HandleSync();  // portals end with their transaction
  WriteReadyForQuery(writer_, session_->txn_status());
  return absl::OkStatus();
}

void Connection::WriteError(const absl::Status& error) {
  WriteErrorResponse(writer_, ReportFromStatus(Severity::kError, error));
}

absl::Status Connection::Fatal(const absl::Status& error) {
  WriteErrorResponse(writer_, ReportFromStatus(Severity::kFatal, error));
  (void)Flush();
  return error;
}

absl::Status Connection::Fatal(std::string_view sqlstate, std::string_view message) {
  ErrorReport report;
  report.severity = Severity::kFatal;
  report.sqlstate = std::string(sqlstate);
  report.message = std::string(message);
  WriteErrorResponse(writer_, report);
  (void)Flush();
  return absl::FailedPreconditionError(
      absl::StrCat(std::string(sqlstate), ": ", std::string(message)));
}

absl::StatusOr<size_t> Connection::ReadSome(char* buf, size_t max) {
  // About to wait for the client: whatever it is owed goes out first.
  CAIRN_RETURN_IF_ERROR(Flush());
  // Bytes TLS has already decrypted are not on the socket for poll to see.
  if (read_timeout_ms_ > 0 && !(ssl_ != nullptr && SSL_pending(ssl_) > 0)) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    int ready;
    do {
      ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(read_timeout_ms_, INT32_MAX)));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      return MakeError(ErrorCode::kIdleInTransactionSessionTimeout,
                       "terminating connection due to idle-in-transaction timeout");
    }
  }
  if (ssl_ != nullptr) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(max, INT_MAX)));
    if (n > 0) return static_cast<size_t>(n);
    const int error = SSL_get_error(ssl_, n);
    // A peer that closes without close_notify ends the stream all the same.
    if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
      return 0;
    }
    return MakeError(ErrorCode::kUnavailable, absl::StrCat("TLS read: ", TlsErrorText()));
  }
  boost::system::error_code ec;
  const size_t n = socket_.read_some(boost::asio::buffer(buf, max), ec);
  if (ec == boost::asio::error::eof) return 0;
  if (ec) return MakeError(ErrorCode::kUnavailable, absl::StrCat("read: ", ec.message()));
  return n;
}

absl::Status Connection::Flush() {
  if (!broken_ && !writer_.empty() && ssl_ != nullptr) {
    ERR_clear_error();
    size_t written = 0;
    const std::string_view data = writer_.data();
    while (written < data.size()) {
      const int n = SSL_write(ssl_, data.data() + written,
                              static_cast<int>(std::min<size_t>(data.size() - written, INT_MAX)));
      if (n <= 0) {
        CAIRN_LOG_DEBUG("pgwire: connection {} TLS write: {}", options_.process_id, TlsErrorText());
        broken_ = true;
        break;
      }
      written += static_cast<size_t>(n);
    }
  } else if (!broken_ && !writer_.empty()) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(writer_.data()), ec);
    if (ec) {
      CAIRN_LOG_DEBUG("pgwire: connection {} write: {}", options_.process_id, ec.message());
      broken_ = true;
    }
  }
  writer_.Clear();
  if (broken_) return MakeError(ErrorCode::kUnavailable, "connection to client lost");
  return absl::OkStatus();
}

void Connection::CloseSocket() {
  absl::MutexLock lock(&mu_);
  if (socket_closed_) return;
  boost::system::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  socket_closed_ = true;
}

}  // namespace cairn::pgwire
