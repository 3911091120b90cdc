#include "pgwire/scram_exchange.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/error_code.h"

namespace cairn::pgwire {
namespace {

absl::Status Malformed(std::string_view detail) {
  return WithDetail(MakeError(ErrorCode::kProtocolViolation, "malformed SCRAM message"), detail);
}

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The value of attribute `name` ("r=...") at the front of `part`.
bool Attribute(std::string_view part, char name, std::string_view* value) {
  if (part.size() < 2 || part[0] != name || part[1] != '=') return false;
  *value = part.substr(2);
  return true;
}

}  // namespace

ScramExchange::ScramExchange(std::string user, std::optional<password::ScramSecret> secret,
                             std::string_view mock_seed)
    : user_(std::move(user)), secret_(std::move(secret)) {
  if (secret_) {
    effective_ = *secret_;
  } else {
    effective_.iterations = password::kScramIterations;
    effective_.salt = password::Sha256(absl::StrCat(AV(mock_seed), user_)).substr(0, 16);
  }
}

absl::StatusOr<std::string> ScramExchange::ClientFirst(std::string_view message) {
  // gs2-header: a channel-binding flag, an (empty) authzid, then the bare
  // message "n=user,r=nonce[,extensions]".
  std::vector<absl::string_view> parts = absl::StrSplit(AV(message), ',');
  if (parts.size() < 4) return Malformed("Expected a GS2 header and a client nonce.");
  if (parts[0] == "p" || absl::StartsWith(parts[0], "p=")) {
    return WithDetail(MakeError(ErrorCode::kProtocolViolation,
                                "channel binding is not supported by this server"),
                      "The client selected SCRAM-SHA-256-PLUS, which was not offered.");
  }
  if (parts[0] != "n" && parts[0] != "y") return Malformed("Unexpected channel-binding flag.");
  if (!parts[1].empty()) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "client uses authorization identity, but it is not supported");
  }
  gs2_header_ = absl::StrCat(parts[0], ",,");
  client_first_bare_ = std::string(message.substr(gs2_header_.size()));
  std::string_view ignored_user;
  std::string_view client_nonce;
  // PostgreSQL ignores the user name here: the startup packet's counts.
  if (!Attribute(std::string_view(parts[2].data(), parts[2].size()), 'n', &ignored_user) ||
      !Attribute(std::string_view(parts[3].data(), parts[3].size()), 'r', &client_nonce) ||
      client_nonce.empty()) {
    return Malformed("Expected a user name and a client nonce.");
  }
  for (char c : client_nonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return Malformed("The client nonce is not printable.");
  }
  if (parts.size() > 4 && absl::StartsWith(parts[4], "m=")) {
    return Malformed("Mandatory extensions are not supported.");
  }
  nonce_ = absl::StrCat(AV(client_nonce), absl::Base64Escape(password::RandomBytes(18)));
  server_first_ = absl::StrCat("r=", nonce_, ",s=", absl::Base64Escape(effective_.salt),
                               ",i=", effective_.iterations);
  return server_first_;
}

absl::StatusOr<std::string> ScramExchange::ClientFinal(std::string_view message) {
  if (server_first_.empty()) return Malformed("Unexpected client-final-message.");
  // client-final-message-without-proof ",p=" proof; the proof comes last.
  const size_t proof_at = message.rfind(",p=");
  if (proof_at == std::string_view::npos) return Malformed("Proof missing.");
  const std::string_view without_proof = message.substr(0, proof_at);
  std::string proof;
  if (!absl::Base64Unescape(AV(message.substr(proof_at + 3)), &proof) ||
      proof.size() != password::kScramKeyLength) {
    return Malformed("Malformed proof in client-final-message.");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(AV(without_proof), ',');
  std::string_view binding;
  std::string_view nonce;
  if (parts.size() < 2 ||
      !Attribute(std::string_view(parts[0].data(), parts[0].size()), 'c', &binding) ||
      !Attribute(std::string_view(parts[1].data(), parts[1].size()), 'r', &nonce)) {
    return Malformed("Expected channel binding and nonce attributes.");
  }
  std::string decoded_binding;
  if (!absl::Base64Unescape(AV(binding), &decoded_binding) || decoded_binding != gs2_header_) {
    return MakeError(ErrorCode::kProtocolViolation,
                     "SCRAM channel binding check failed");
  }
  if (nonce != nonce_) return Malformed("Unexpected SCRAM nonce.");

  auto failed = MakeError(ErrorCode::kInvalidPassword,
                          absl::StrFormat("password authentication failed for user \"%s\"", user_));
  if (!secret_) return failed;
  const std::string auth_message =
      absl::StrCat(client_first_bare_, ",", server_first_, ",", AV(without_proof));
  const std::string signature = password::HmacSha256(secret_->stored_key, auth_message);
  std::string client_key(password::kScramKeyLength, '\0');
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] = proof[i] ^ signature[i];
  if (!password::SecureEquals(password::Sha256(client_key), secret_->stored_key)) return failed;
  return absl::StrCat("v=", absl::Base64Escape(password::HmacSha256(secret_->server_key,
                                                                     auth_message)));
}

}  // namespace cairn::pgwire
