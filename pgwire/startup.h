#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace cairn::pgwire {

// The first packet a client sends, decoded. Decoding is pure; the
// connection drives the dialogue (answering SSLRequest, authenticating).
enum class StartupKind {
  kStartup,         // StartupMessage: protocol version and parameters
  kSslRequest,      // asks for TLS first
  kGssEncRequest,   // asks for GSSAPI encryption first
  kCancelRequest,   // asks to cancel another connection's query
};

struct StartupRequest {
  StartupKind kind = StartupKind::kStartup;

  // kStartup only.
  uint32_t protocol_version = 0;
  std::string user;      // empty if the client sent none
  std::string database;  // defaults to `user`
  std::string options;   // command-line style options ("-c name=value ...")
  std::string replication;
  // Every other parameter (application_name, client_encoding, DateStyle,
  // ...), in the order sent.
  std::vector<std::pair<std::string, std::string>> parameters;
  // Protocol extension options ("_pq_.name") this server does not know; all
  // of them, since it knows none.
  std::vector<std::string> unrecognized_protocol_options;

  // kCancelRequest only.
  int32_t cancel_process_id = 0;
  int32_t cancel_secret_key = 0;
};

// Decodes a startup packet body (the length word removed). Fails with
// 0A000 for a protocol major version other than 3 and with 08P01 for a
// malformed packet, with PostgreSQL's messages.
absl::StatusOr<StartupRequest> ParseStartupPacket(std::string_view body);

}  // namespace cairn::pgwire
