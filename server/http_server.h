#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "server/node_options.h"

namespace cairn::server {

// The node's HTTP status endpoint (Boost.Beast): GET /health answers 200
// while the node serves SQL and 503 otherwise; GET /metrics renders the
// metric registry as Prometheus text; GET / is the status page (HTML). One request per connection,
// served on one thread: it is for operators and scrapers, not for load.
class HttpServer {
 public:
  using HealthFn = std::function<bool()>;
  using PageFn = std::function<std::string()>;

  HttpServer(HealthFn healthy, PageFn status_page);
  ~HttpServer();

  absl::Status Start(const HostPort& addr);
  void Stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HealthFn healthy_;
  PageFn status_page_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace cairn::server
