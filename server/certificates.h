#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"

// `cairn cert`: the certificates a node's TLS needs (pgwire/tls_context.h),
// made with OpenSSL in `certs_dir`:
//
//   create-ca                 ca.crt, ca.key: a CA to sign the others
//   create-node HOST...       node.crt, node.key: the server's, valid for
//                             each HOST (an IP address or a DNS name), so
//                             that sslmode=verify-full can check the name
//   create-client USER        client.USER.crt, client.USER.key: proves
//                             USER's identity instead of a password
//
// Keys are ECDSA P-256, written readable by their owner only; certificates
// are SHA-256-signed X.509 v3.
namespace cairn::server {

absl::Status CreateCaCertificate(const std::string& certs_dir, int days);
absl::Status CreateNodeCertificate(const std::string& certs_dir,
                                   const std::vector<std::string>& hosts, int days);
absl::Status CreateClientCertificate(const std::string& certs_dir, const std::string& user,
                                     int days);

// Runs `cairn cert ARGS...`; returns the process exit code.
int RunCertCommand(const std::vector<std::string>& args);

}  // namespace cairn::server
