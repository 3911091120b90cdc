#include "server/certificates.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"

namespace cairn::server {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

absl::Status OpenSslError(const std::string& what) {
  std::string why;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    absl::StrAppend(&why, why.empty() ? "" : "; ", buf);
  }
  return MakeError(ErrorCode::kInternal, absl::StrCat(what, ": ", why));
}

absl::StatusOr<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating a key");
  return key;
}

absl::Status WriteKey(const std::string& path, EVP_PKEY* key) {
  // Created owner-only before the key goes in: never readable by others.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kInternal, absl::StrCat("cannot write ", path));
  FILE* f = ::fdopen(fd, "w");
  const bool ok = f != nullptr && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (f != nullptr) std::fclose(f);
  if (!ok) return OpenSslError(absl::StrCat("writing ", path));
  return absl::OkStatus();
}

absl::Status WriteCert(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return MakeError(ErrorCode::kInternal, absl::StrCat("cannot write ", path));
  const bool ok = PEM_write_X509(f, cert) == 1;
  std::fclose(f);
  if (!ok) return OpenSslError(absl::StrCat("writing ", path));
  return absl::OkStatus();
}

absl::StatusOr<Key> ReadKey(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    return MakeError(ErrorCode::kNotFound, absl::StrCat("cannot read ", path, " (create-ca first)"));
  }
  Key key(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!key) return OpenSslError(absl::StrCat("reading ", path));
  return key;
}

absl::StatusOr<Cert> ReadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    return MakeError(ErrorCode::kNotFound, absl::StrCat("cannot read ", path, " (create-ca first)"));
  }
  Cert cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (!cert) return OpenSslError(absl::StrCat("reading ", path));
  return cert;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return OpenSslError(absl::StrCat("extension ", value));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return OpenSslError(absl::StrCat("extension ", value));
  return absl::OkStatus();
}

// A certificate for `key` named `common_name`, valid `days`, not yet
// signed; issued by `issuer` (null: itself).
absl::StatusOr<Cert> NewCert(EVP_PKEY* key, const std::string& common_name, X509* issuer, int days) {
  Cert cert(X509_new());
  if (!cert) return OpenSslError("making a certificate");
  X509_set_version(cert.get(), 2);  // v3
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  // An hour of slack for clocks that disagree a little.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("CairnDB"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(),
                       issuer != nullptr ? X509_get_subject_name(issuer) : name);
  return cert;
}

absl::Status SignedLeaf(const std::string& dir, const std::string& common_name,
                        const std::string& san, const std::string& usage,
                        const std::string& stem, int days) {
  CAIRN_ASSIGN_OR_RETURN(Cert ca, ReadCert(dir + "/ca.crt"));
  CAIRN_ASSIGN_OR_RETURN(Key ca_key, ReadKey(dir + "/ca.key"));
  CAIRN_ASSIGN_OR_RETURN(Key key, NewKey());
  CAIRN_ASSIGN_OR_RETURN(Cert cert, NewCert(key.get(), common_name, ca.get(), days));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE"));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), ca.get(), NID_key_usage,
                                     "critical,digitalSignature,keyEncipherment"));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), ca.get(), NID_ext_key_usage, usage));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), ca.get(), NID_authority_key_identifier, "keyid"));
  if (!san.empty()) {
    CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), ca.get(), NID_subject_alt_name, san));
  }
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0) return OpenSslError("signing");
  CAIRN_RETURN_IF_ERROR(WriteKey(absl::StrCat(dir, "/", stem, ".key"), key.get()));
  return WriteCert(absl::StrCat(dir, "/", stem, ".crt"), cert.get());
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

absl::Status CreateCaCertificate(const std::string& certs_dir, int days) {
  ::mkdir(certs_dir.c_str(), 0700);
  CAIRN_ASSIGN_OR_RETURN(Key key, NewKey());
  CAIRN_ASSIGN_OR_RETURN(Cert cert, NewCert(key.get(), "CairnDB CA", nullptr, days));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  CAIRN_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("signing");
  CAIRN_RETURN_IF_ERROR(WriteKey(certs_dir + "/ca.key", key.get()));
  return WriteCert(certs_dir + "/ca.crt", cert.get());
}

absl::Status CreateNodeCertificate(const std::string& certs_dir,
                                   const std::vector<std::string>& hosts, int days) {
  if (hosts.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "create-node needs the host names or addresses clients use");
  }
  std::vector<std::string> names;
  for (const std::string& h : hosts) names.push_back(absl::StrCat(IsIpAddress(h) ? "IP:" : "DNS:", h));
  return SignedLeaf(certs_dir, "node", absl::StrJoin(names, ","), "serverAuth,clientAuth", "node",
                    days);
}

absl::Status CreateClientCertificate(const std::string& certs_dir, const std::string& user,
                                     int days) {
  if (user.empty()) return MakeError(ErrorCode::kInvalidArgument, "create-client needs a user");
  return SignedLeaf(certs_dir, user, "", "clientAuth", absl::StrCat("client.", user), days);
}

int RunCertCommand(const std::vector<std::string>& args) {
  const char* usage =
      "usage: cairn cert create-ca --certs-dir DIR [--days N]\n"
      "       cairn cert create-node --certs-dir DIR [--days N] HOST...\n"
      "       cairn cert create-client --certs-dir DIR [--days N] USER\n";
  if (args.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  std::string dir;
  int days = 0;
  std::vector<std::string> rest;
  for (size_t i = 1; i < args.size(); ++i) {
    if ((args[i] == "--certs-dir" || args[i] == "--days") && i + 1 < args.size()) {
      if (args[i] == "--certs-dir") {
        dir = args[++i];
      } else if (!absl::SimpleAtoi(args[++i], &days) || days <= 0) {
        std::fputs(usage, stderr);
        return 2;
      }
    } else {
      rest.push_back(args[i]);
    }
  }
  if (dir.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  absl::Status status;
  if (args[0] == "create-ca" && rest.empty()) {
    status = CreateCaCertificate(dir, days > 0 ? days : 3650);
  } else if (args[0] == "create-node") {
    status = CreateNodeCertificate(dir, rest, days > 0 ? days : 1825);
  } else if (args[0] == "create-client" && rest.size() == 1) {
    status = CreateClientCertificate(dir, rest[0], days > 0 ? days : 1825);
  } else {
    std::fputs(usage, stderr);
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "cairn cert: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace cairn::server
