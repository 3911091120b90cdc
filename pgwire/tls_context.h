#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace cairn::pgwire {

// The server's TLS configuration, loaded once from a certificate directory
// laid out as `cairn cert` writes it (README "TLS"):
//
//   ca.crt     the CA that signed node.crt and clients' certificates: a
//              client that presents one of those, with the user's name as
//              its common name, needs no password
//   node.crt   this node's certificate, with the names clients dial in its
//              subjectAltName (verify-full checks them)
//   node.key   its private key
//
// TLS 1.2 or newer. Thread-safe once made: connections share it.
class TlsContext {
 public:
  // Fails (with the path and OpenSSL's reason) when a file is missing or
  // the key does not match the certificate.
  static absl::StatusOr<std::shared_ptr<TlsContext>> Load(const std::string& certs_dir);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* const ctx_;
};

// OpenSSL's queued error as text ("" when none), consuming the queue.
std::string TlsErrorText();

}  // namespace cairn::pgwire
