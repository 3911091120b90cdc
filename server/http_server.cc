#include "server/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace cairn::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

HttpServer::HttpServer(HealthFn healthy, PageFn status_page)
    : impl_(std::make_unique<Impl>()),
      healthy_(std::move(healthy)),
      status_page_(std::move(status_page)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const HostPort& addr) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(addr.host, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("bad HTTP address ", addr.host));
  tcp::endpoint endpoint(address, addr.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     absl::StrCat("cannot listen on ", addr.ToString(), ": ", ec.message()));
  }
  port_ = impl_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] {
    while (!stopping_.load()) {
      boost::system::error_code accept_ec;
      tcp::socket socket(impl_->io);
      impl_->acceptor.accept(socket, accept_ec);
      if (accept_ec) {
        if (stopping_.load()) break;
        continue;
      }
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      boost::system::error_code read_ec;
      http::read(socket, buffer, request, read_ec);
      if (read_ec) continue;
      http::response<http::string_body> response;
      response.version(request.version());
      response.keep_alive(false);
      std::string target(request.target());
      if (target == "/health") {
        bool ok = healthy_();
        response.result(ok ? http::status::ok : http::status::service_unavailable);
        response.set(http::field::content_type, "text/plain");
        response.body() = ok ? "ok\n" : "unavailable\n";
      } else if (target == "/metrics") {
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/plain; version=0.0.4");
        response.body() = MetricRegistry::Global().RenderPrometheus();
      } else if (target == "/" || target == "/index.html") {
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/html; charset=utf-8");
        response.body() = status_page_();
      } else {
        response.result(http::status::not_found);
        response.set(http::field::content_type, "text/plain");
        response.body() = "not found\n";
      }
      response.prepare_payload();
      boost::system::error_code write_ec;
      http::write(socket, response, write_ec);
      socket.shutdown(tcp::socket::shutdown_both, write_ec);
    }
  });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  boost::system::error_code ec;
  impl_->acceptor.cancel(ec);
  impl_->acceptor.close(ec);
  // A blocking accept is not always woken by close(): poke it.
  if (port_ != 0) {
    tcp::socket poke(impl_->io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace cairn::server
