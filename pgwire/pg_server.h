#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "executor/sql_session.h"
#include "pgwire/tls_context.h"

namespace cairn::pgwire {

class Connection;

struct PgServerOptions {
  // Reported to clients as server_version; psql and drivers parse it as a
  // PostgreSQL version number.
  std::string server_version = "15.0";
  // Connections beyond this many are refused with FATAL 53300.
  int max_connections = 1000;
  // Clients on a loopback address are trusted to be who they say (as
  // PostgreSQL's default pg_hba.conf for local connections); all others
  // must give the role's password. False: loopback clients too.
  bool trust_loopback = true;
  // Clients on other addresses too (a private network's cluster).
  bool trust_remote = false;
  // TLS for clients that ask (SSLRequest); none when null.
  std::shared_ptr<TlsContext> tls;
};

// PgServer accepts PostgreSQL v3 protocol clients on one TCP address and
// serves each connection on a thread of its own (see connection.h), with a
// session from `factory`. A long query therefore holds only its own
// connection. Accepting runs on one more thread, driven by a Boost.Asio
// io_context.
//
// Lifecycle: construct, Start() once, Stop() (or destroy). `factory` must
// outlive the server and be safe to call from many threads.
// Thread safety: all methods may be called from any thread.
class PgServer {
 public:
  explicit PgServer(executor::SessionFactory* factory, PgServerOptions options = {});
  ~PgServer();  // Stop()s
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Binds `host:port` (port 0 picks a free port) and starts accepting.
  // Fails if the address cannot be bound or the server was started before.
  [[nodiscard]] absl::Status Start(std::string_view host, uint16_t port);

  // Stops accepting, shuts down every connection and waits for their
  // threads. A statement that is executing runs to completion first.
  // Idempotent.
  void Stop();
  // From now on new clients are turned away (57P03); those connected stay.
  void SetDraining() { draining_.store(true); }

  // The bound port. REQUIRES: Start() succeeded.
  uint16_t port() const { return port_; }

 private:
  struct Slot {
    std::unique_ptr<Connection> connection;
    std::thread thread;
  };

  // Run on the accept thread.
  void AcceptNext();
  void OnAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  // Run on a connection's thread.
  void ServeConnection(uint64_t id, Connection* connection);
  // Joins the threads of connections that have ended.
  void ReapFinished();
  // A CancelRequest for connection `process_id` (checked against its key).
  void CancelStatement(int32_t process_id, int32_t secret_key);

  // Constant after construction.
  executor::SessionFactory* const factory_;
  const PgServerOptions options_;

  // Set by Start() before the accept thread runs; then constant.
  uint16_t port_ = 0;
  std::thread accept_thread_;

  // Used by the accept thread only (and by Start/Stop around its lifetime).
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // backs off after accept errors
  absl::BitGen bitgen_;                    // BackendKeyData secrets
  const std::string scram_mock_seed_;      // random, for this server's life

  std::atomic<bool> draining_{false};
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint64_t, Slot> connections_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> finished_ ABSL_GUARDED_BY(mu_);  // ended, not yet joined
};

}  // namespace cairn::pgwire
