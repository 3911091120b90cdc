#include "pgwire/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"

namespace cairn::pgwire {

std::string TlsErrorText() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

absl::StatusOr<std::shared_ptr<TlsContext>> TlsContext::Load(const std::string& certs_dir) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    return MakeError(ErrorCode::kInternal, absl::StrCat("TLS: ", TlsErrorText()));
  }
  std::shared_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  const std::string cert = certs_dir + "/node.crt";
  const std::string key = certs_dir + "/node.key";
  const std::string ca = certs_dir + "/ca.crt";
  auto fail = [](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("TLS: ", what, ": ", TlsErrorText()));
  };
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) return fail(cert);
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) return fail(key);
  if (SSL_CTX_check_private_key(ctx) != 1) return fail(key + " does not match " + cert);
  if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) return fail(ca);
  // Clients may present a certificate signed by the CA (`cairn cert
  // create-client`), which then proves the user it names; none is required.
  // One that does not verify fails the handshake.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str())) {
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace cairn::pgwire
