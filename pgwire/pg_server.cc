#include "pgwire/pg_server.h"

#include <chrono>
#include <system_error>
#include <utility>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "common/password.h"
#include "pgwire/connection.h"
#include "pgwire/pg_metrics.h"

namespace cairn::pgwire {
namespace {

using boost::asio::ip::tcp;

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

}  // namespace

PgServer::PgServer(executor::SessionFactory* factory, PgServerOptions options)
    : factory_(factory),
      options_(std::move(options)),
      acceptor_(io_),
      retry_timer_(io_),
      scram_mock_seed_(password::RandomBytes(32)) {}

PgServer::~PgServer() { Stop(); }

absl::Status PgServer::Start(std::string_view host, uint16_t port) {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) return absl::FailedPreconditionError("PgServer was started before");

  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  const std::string host_name = host.empty() ? "0.0.0.0" : std::string(host);
  tcp::resolver::results_type endpoints =
      resolver.resolve(host_name, std::to_string(port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return MakeError(ErrorCode::kUnavailable,
                     absl::StrCat("cannot resolve SQL address ", host_name, ": ", ec.message()));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_.local_endpoint(ec).port();
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return MakeError(ErrorCode::kUnavailable, absl::StrCat("cannot listen on ", host_name, ":",
                                                           port, ": ", ec.message()));
  }

  started_ = true;
  AcceptNext();
  accept_thread_ = std::thread([this] { io_.run(); });
  CAIRN_LOG_INFO("pgwire: listening on {}:{}", host_name, port_);
  return absl::OkStatus();
}

void PgServer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  // The acceptor belongs to the accept thread; closing it there ends
  // io_.run() once the aborted accept has been handled.
  boost::asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
  accept_thread_.join();

  std::vector<Slot> slots;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, slot] : connections_) {
      slot.connection->Shutdown();
      slots.push_back(std::move(slot));
    }
    connections_.clear();
  }
  for (Slot& slot : slots) slot.thread.join();
  slots.clear();  // the connections, now that no thread uses them
  absl::MutexLock lock(&mu_);
  finished_.clear();
}

void PgServer::AcceptNext() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void PgServer::OnAccept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically out of file descriptors: wait rather than spin.
    CAIRN_LOG_WARN("pgwire: accept failed: {}", ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([this](const boost::system::error_code& e) {
      if (!e && acceptor_.is_open()) AcceptNext();
    });
    return;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // replies are small and latency-bound
  PgMetrics::Get().connections_total->Add();
  ReapFinished();

  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;  // the socket closes as it goes out of scope
    const uint64_t id = ++next_id_;
    ConnectionOptions options;
    options.server_version = options_.server_version;
    options.process_id = static_cast<int32_t>((id - 1) % 0x7fffffff + 1);
    options.secret_key = static_cast<int32_t>(absl::Uniform<uint32_t>(bitgen_));
    const size_t open = connections_.size() - finished_.size();
    options.too_many_connections = open >= static_cast<size_t>(options_.max_connections);
    options.draining = draining_.load();
    options.cancel = [this](int32_t process_id, int32_t secret_key) {
      CancelStatement(process_id, secret_key);
    };
    boost::system::error_code peer_error;
    const tcp::endpoint peer = socket.remote_endpoint(peer_error);
    const bool loopback = !peer_error && peer.address().is_loopback();
    const bool trusted = loopback ? options_.trust_loopback : options_.trust_remote;
    options.auth = trusted ? ConnectionOptions::Auth::kTrust : ConnectionOptions::Auth::kPassword;
    options.scram_mock_seed = scram_mock_seed_;
    options.tls = options_.tls;

    Slot& slot = connections_[id];
    slot.connection = std::make_unique<Connection>(std::move(socket), factory_, std::move(options));
    Connection* connection = slot.connection.get();
    try {
      slot.thread = std::thread([this, id, connection] { ServeConnection(id, connection); });
    } catch (const std::system_error& e) {
      CAIRN_LOG_ERROR("pgwire: cannot start a connection thread: {}", e.what());
      connections_.erase(id);
    }
  }
  AcceptNext();
}

void PgServer::ServeConnection(uint64_t id, Connection* connection) {
  const PgMetrics& metrics = PgMetrics::Get();
  metrics.connections_open->Add(1);
  connection->Run();
  metrics.connections_open->Add(-1);
  absl::MutexLock lock(&mu_);
  finished_.push_back(id);
}

void PgServer::CancelStatement(int32_t process_id, int32_t secret_key) {
  absl::MutexLock lock(&mu_);
  // Process ids are connection ids (they wrap only after 2^31 connections).
  auto it = connections_.find(static_cast<uint64_t>(process_id));
  if (it == connections_.end() || it->second.connection == nullptr) return;
  it->second.connection->Cancel(secret_key);  // checks the key
}

void PgServer::ReapFinished() {
  std::vector<Slot> done;
  {
    absl::MutexLock lock(&mu_);
    for (uint64_t id : finished_) {
      auto it = connections_.find(id);
      if (it == connections_.end()) continue;
      done.push_back(std::move(it->second));
      connections_.erase(it);
    }
    finished_.clear();
  }
  // Each thread has at most a return left to run.
  for (Slot& slot : done) slot.thread.join();
}

}  // namespace cairn::pgwire
