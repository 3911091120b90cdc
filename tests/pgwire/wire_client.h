#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::pgwire::test {

// A deliberately naive PostgreSQL protocol client over a blocking POSIX
// socket, for tests that need to see (or send) exact bytes. Every read gives
// up after 10 seconds, so a server bug fails a test instead of hanging it.

struct BackendMessage {
  char type = 0;
  std::string body;
};

using Params = std::vector<std::pair<std::string, std::string>>;

// Wire encodings of frontend messages.
std::string Int32Bytes(uint32_t v);
std::string StartupPacket(const Params& params, uint32_t version = 3u << 16);
std::string RequestPacket(uint32_t code);  // SSLRequest, GSSENCRequest
std::string FrontendMessage(char type, std::string_view body);
std::string QueryMessage(std::string_view sql);

// Decoders for backend messages.
std::map<char, std::string> ErrorFields(const BackendMessage& m);  // E and N
std::pair<std::string, std::string> ParameterStatusOf(const BackendMessage& m);
struct FieldDescription {
  std::string name;
  int32_t table_oid, type_oid, typmod;
  int16_t attnum, typlen, format;
};
std::vector<FieldDescription> RowDescriptionOf(const BackendMessage& m);
std::vector<std::optional<std::string>> DataRowOf(const BackendMessage& m);
std::string CStringOf(const BackendMessage& m);  // CommandComplete's tag

class WireClient {
 public:
  explicit WireClient(uint16_t port);  // connects to 127.0.0.1:port
  ~WireClient();
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False if the server already closed the connection.
  bool Send(std::string_view bytes);
  void ShutdownWrite();

  std::optional<char> ReadByte();
  // The next message; nullopt on end of stream, error or timeout.
  std::optional<BackendMessage> Read();
  // Messages up to and including ReadyForQuery (or until the stream ends).
  std::vector<BackendMessage> ReadUntilReady();
  // True if the server closes the stream (EOF or reset) with no more bytes.
  bool ReadsEof();
  // Every message until the stream ends (or a read times out): what a
  // server sends before it closes the connection.
  std::vector<BackendMessage> ReadUntilEof();

  // StartupPacket for user root/defaultdb (plus `extra`), read to
  // ReadyForQuery; true if it arrived.
  bool Login(const Params& extra = {});
  // Sends a Query and reads its response to ReadyForQuery.
  std::vector<BackendMessage> Query(std::string_view sql);

 private:
  bool ReadExactly(char* buf, size_t n);
  int fd_ = -1;
};

// The message types of `messages` as a string ("TDCZ"), for compact asserts.
std::string Types(const std::vector<BackendMessage>& messages);

}  // namespace cairn::pgwire::test
