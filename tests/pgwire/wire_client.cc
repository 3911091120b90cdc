#include "wire_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

namespace cairn::pgwire::test {
namespace {

uint32_t Load32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

int16_t Load16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<int16_t>((u[0] << 8) | u[1]);
}

// Reads a C string at `*pos` in `body`, advancing past its terminator.
std::string TakeCString(const std::string& body, size_t* pos) {
  const size_t nul = body.find('\0', *pos);
  const size_t end = nul == std::string::npos ? body.size() : nul;
  std::string s = body.substr(*pos, end - *pos);
  *pos = end + 1;
  return s;
}

}  // namespace

std::string Int32Bytes(uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>(v >> 16);
  s[2] = static_cast<char>(v >> 8);
  s[3] = static_cast<char>(v);
  return s;
}

std::string StartupPacket(const Params& params, uint32_t version) {
  std::string body = Int32Bytes(version);
  for (const auto& [name, value] : params) {
    body += name;
    body.push_back('\0');
    body += value;
    body.push_back('\0');
  }
  body.push_back('\0');
  return Int32Bytes(static_cast<uint32_t>(body.size() + 4)) + body;
}

std::string RequestPacket(uint32_t code) { return Int32Bytes(8) + Int32Bytes(code); }

std::string FrontendMessage(char type, std::string_view body) {
  return std::string(1, type) + Int32Bytes(static_cast<uint32_t>(body.size() + 4)) +
         std::string(body);
}

std::string QueryMessage(std::string_view sql) {
  std::string body(sql);
  body.push_back('\0');
  return FrontendMessage('Q', body);
}

std::map<char, std::string> ErrorFields(const BackendMessage& m) {
  std::map<char, std::string> fields;
  size_t pos = 0;
  while (pos < m.body.size() && m.body[pos] != '\0') {
    const char code = m.body[pos++];
    fields[code] = TakeCString(m.body, &pos);
  }
  return fields;
}

std::pair<std::string, std::string> ParameterStatusOf(const BackendMessage& m) {
  size_t pos = 0;
  std::string name = TakeCString(m.body, &pos);
  return {name, TakeCString(m.body, &pos)};
}

std::vector<FieldDescription> RowDescriptionOf(const BackendMessage& m) {
  std::vector<FieldDescription> fields;
  const int16_t n = Load16(m.body.data());
  size_t pos = 2;
  for (int i = 0; i < n; ++i) {
    FieldDescription f;
    f.name = TakeCString(m.body, &pos);
    const char* p = m.body.data() + pos;
    f.table_oid = static_cast<int32_t>(Load32(p));
    f.attnum = Load16(p + 4);
    f.type_oid = static_cast<int32_t>(Load32(p + 6));
    f.typlen = Load16(p + 10);
    f.typmod = static_cast<int32_t>(Load32(p + 12));
    f.format = Load16(p + 16);
    pos += 18;
    fields.push_back(f);
  }
  return fields;
}

std::vector<std::optional<std::string>> DataRowOf(const BackendMessage& m) {
  std::vector<std::optional<std::string>> values;
  const int16_t n = Load16(m.body.data());
  size_t pos = 2;
  for (int i = 0; i < n; ++i) {
    const auto len = static_cast<int32_t>(Load32(m.body.data() + pos));
    pos += 4;
    if (len < 0) {
      values.push_back(std::nullopt);
    } else {
      values.push_back(m.body.substr(pos, len));
      pos += len;
    }
  }
  return values;
}

std::string CStringOf(const BackendMessage& m) {
  size_t pos = 0;
  return TakeCString(m.body, &pos);
}

WireClient::WireClient(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  timeval timeout{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

WireClient::~WireClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool WireClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void WireClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

bool WireClient::ReadExactly(char* buf, size_t n) {
  while (n > 0) {
    const ssize_t got = ::recv(fd_, buf, n, 0);
    if (got <= 0) return false;
    buf += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

std::optional<char> WireClient::ReadByte() {
  char c;
  if (!ReadExactly(&c, 1)) return std::nullopt;
  return c;
}

std::optional<BackendMessage> WireClient::Read() {
  char header[5];
  if (!ReadExactly(header, 5)) return std::nullopt;
  const uint32_t len = Load32(header + 1);
  if (len < 4 || len > (64u << 20)) return std::nullopt;
  BackendMessage m;
  m.type = header[0];
  m.body.resize(len - 4);
  if (!ReadExactly(m.body.data(), m.body.size())) return std::nullopt;
  return m;
}

std::vector<BackendMessage> WireClient::ReadUntilReady() {
  std::vector<BackendMessage> messages;
  while (std::optional<BackendMessage> m = Read()) {
    messages.push_back(std::move(*m));
    if (messages.back().type == 'Z') break;
  }
  return messages;
}

bool WireClient::ReadsEof() {
  char c;
  const ssize_t got = ::recv(fd_, &c, 1, 0);
  if (got == 0) return true;
  return got < 0 && (errno == ECONNRESET || errno == EPIPE);
}

std::vector<BackendMessage> WireClient::ReadUntilEof() {
  std::vector<BackendMessage> messages;
  while (std::optional<BackendMessage> m = Read()) messages.push_back(std::move(*m));
  return messages;
}

bool WireClient::Login(const Params& extra) {
  Params params = {{"user", "root"}, {"database", "defaultdb"}};
  params.insert(params.end(), extra.begin(), extra.end());
  if (!Send(StartupPacket(params))) return false;
  std::vector<BackendMessage> messages = ReadUntilReady();
  return !messages.empty() && messages.back().type == 'Z';
}

std::vector<BackendMessage> WireClient::Query(std::string_view sql) {
  if (!Send(QueryMessage(sql))) return {};
  return ReadUntilReady();
}

std::string Types(const std::vector<BackendMessage>& messages) {
  std::string types;
  for (const BackendMessage& m : messages) types.push_back(m.type);
  return types;
}

}  // namespace cairn::pgwire::test
