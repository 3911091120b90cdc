#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// A role's stored password, in PostgreSQL's formats (pg_authid.rolpassword),
// so that a secret created by either system means the same to both:
//
//   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>   (RFC 5802/7677,
//                                                                 base64 fields)
//   md5<hex MD5 of password || user name>
//
// The server never keeps the password itself, only what lets it check a
// client's proof of it.
namespace cairn::password {

inline constexpr int kScramIterations = 4096;  // PostgreSQL's scram_iterations
inline constexpr size_t kScramKeyLength = 32;  // SHA-256

struct ScramSecret {
  int iterations = 0;
  std::string salt;        // raw bytes
  std::string stored_key;  // H(ClientKey), raw
  std::string server_key;  // HMAC(SaltedPassword, "Server Key"), raw
};

// A new SCRAM-SHA-256 secret for `password`, with a random salt.
std::string MakeScramSecret(std::string_view password);
std::string MakeScramSecret(std::string_view password, std::string_view salt, int iterations);
// md5 || hex(MD5(password || user)).
std::string MakeMd5Secret(std::string_view password, std::string_view user);

bool IsScramSecret(std::string_view secret);
bool IsMd5Secret(std::string_view secret);
// The fields of a SCRAM-SHA-256 secret; InvalidArgument when it is not one.
absl::StatusOr<ScramSecret> ParseScramSecret(std::string_view secret);

// What CREATE/ALTER ROLE ... PASSWORD stores for `password`: a secret given
// already hashed (md5 or SCRAM, as pg_dump writes them) is kept as it is;
// anything else is hashed with `method`, "scram-sha-256" or "md5".
std::string SecretForPassword(std::string_view password, std::string_view user,
                              std::string_view method);

// Primitives, shared with the authentication exchange.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Md5Hex(std::string_view data);
std::string RandomBytes(size_t n);
// Constant-time comparison, so a timing does not reveal how much of a
// proof was right.
bool SecureEquals(std::string_view a, std::string_view b);

}  // namespace cairn::password
