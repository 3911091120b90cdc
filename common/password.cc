#include "common/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/error_code.h"

namespace cairn::password {
namespace {

constexpr std::string_view kScramPrefix = "SCRAM-SHA-256$";

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Base64(std::string_view raw) {
  return absl::Base64Escape(absl::string_view(raw.data(), raw.size()));
}

bool Unbase64(absl::string_view text, std::string* out) {
  return absl::Base64Unescape(text, out);
}

}  // namespace

std::string Sha256(std::string_view data) { return Digest(EVP_sha256(), data); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Md5Hex(std::string_view data) {
  return absl::BytesToHexString(Digest(EVP_md5(), data));
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // OpenSSL's generator seeds itself from the kernel; failing that there
    // is no safe fallback for a salt or a nonce.
    std::abort();
  }
  return out;
}

bool SecureEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string MakeScramSecret(std::string_view password) {
  return MakeScramSecret(password, RandomBytes(16), kScramIterations);
}

std::string MakeScramSecret(std::string_view password, std::string_view salt, int iterations) {
  std::string salted(kScramKeyLength, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), kScramKeyLength,
                    reinterpret_cast<unsigned char*>(salted.data()));
  const std::string client_key = HmacSha256(salted, "Client Key");
  const std::string stored_key = Sha256(client_key);
  const std::string server_key = HmacSha256(salted, "Server Key");
  return absl::StrCat(AV(kScramPrefix), iterations, ":", Base64(salt), "$", Base64(stored_key), ":",
                      Base64(server_key));
}

std::string MakeMd5Secret(std::string_view password, std::string_view user) {
  return absl::StrCat("md5", Md5Hex(absl::StrCat(AV(password), AV(user))));
}

bool IsMd5Secret(std::string_view secret) {
  if (secret.size() != 35 || secret.substr(0, 3) != "md5") return false;
  for (char c : secret.substr(3)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsScramSecret(std::string_view secret) { return ParseScramSecret(secret).ok(); }

absl::StatusOr<ScramSecret> ParseScramSecret(std::string_view secret) {
  auto invalid = [] { return MakeError(ErrorCode::kInvalidArgument, "not a SCRAM-SHA-256 secret"); };
  if (secret.substr(0, kScramPrefix.size()) != kScramPrefix) return invalid();
  std::vector<absl::string_view> halves =
      absl::StrSplit(AV(secret.substr(kScramPrefix.size())), '$');
  if (halves.size() != 2) return invalid();
  std::vector<absl::string_view> salting = absl::StrSplit(halves[0], ':');
  std::vector<absl::string_view> keys = absl::StrSplit(halves[1], ':');
  if (salting.size() != 2 || keys.size() != 2) return invalid();
  ScramSecret out;
  if (!absl::SimpleAtoi(salting[0], &out.iterations) || out.iterations <= 0) return invalid();
  if (!Unbase64(salting[1], &out.salt) || out.salt.empty()) return invalid();
  if (!Unbase64(keys[0], &out.stored_key) || out.stored_key.size() != kScramKeyLength) {
    return invalid();
  }
  if (!Unbase64(keys[1], &out.server_key) || out.server_key.size() != kScramKeyLength) {
    return invalid();
  }
  return out;
}

std::string SecretForPassword(std::string_view password, std::string_view user,
                              std::string_view method) {
  if (IsMd5Secret(password) || IsScramSecret(password)) return std::string(password);
  if (method == "md5") return MakeMd5Secret(password, user);
  return MakeScramSecret(password);
}

}  // namespace cairn::password
