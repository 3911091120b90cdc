#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/password.h"

namespace cairn::pgwire {

// The server's side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL
// speaks it inside SASL messages, without channel binding (the server
// never offers SCRAM-SHA-256-PLUS; a client that insists is refused).
//
// With no secret to check against (no such role, no password, an md5 one)
// the exchange runs on with a made-up salt and fails at the end, so that a
// client cannot tell an unknown role from a wrong password.
class ScramExchange {
 public:
  static constexpr std::string_view kMechanism = "SCRAM-SHA-256";

  // `mock_seed`: a per-server secret the made-up salt is derived from, so
  // the same unknown role always shows the same salt.
  ScramExchange(std::string user, std::optional<password::ScramSecret> secret,
                std::string_view mock_seed);

  // client-first-message -> server-first-message. 08P01 when malformed.
  absl::StatusOr<std::string> ClientFirst(std::string_view message);
  // client-final-message -> server-final-message. 28P01 when the proof is
  // wrong (or there was nothing to check it against); 08P01 when malformed.
  absl::StatusOr<std::string> ClientFinal(std::string_view message);

 private:
  const std::string user_;
  const std::optional<password::ScramSecret> secret_;
  password::ScramSecret effective_;  // secret_, or the mock's salt and iterations
  std::string gs2_header_;           // "n,," or "y,,"
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;                // client's and ours
};

}  // namespace cairn::pgwire
