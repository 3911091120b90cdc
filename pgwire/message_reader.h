#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cairn::pgwire {

// A frontend message: its type byte and its body (the length word removed).
struct FrontendMessage {
  char type = 0;
  std::string_view body;
};

// MessageReader cuts the client's byte stream into messages: first startup
// packets (Int32 length, body), then typed messages (Byte1 type, Int32
// length, body). It reads through `read` in chunks and hands out views into
// its own buffer, valid until the next call; a message is never copied.
// Lengths are checked before anything is buffered for them (08P01 when out
// of range), and the buffer grows only as bytes actually arrive, so a client
// cannot make the server reserve memory it did not send. Not thread-safe.
class MessageReader {
 public:
  // Reads at most `max` bytes into `buf`, blocking until at least one is
  // available; 0 means the stream ended. Errors end the connection.
  using ReadFn = std::function<absl::StatusOr<size_t>(char* buf, size_t max)>;

  explicit MessageReader(ReadFn read);
  MessageReader(const MessageReader&) = delete;
  MessageReader& operator=(const MessageReader&) = delete;

  // The body of the next startup packet, or nullopt if the stream ended
  // cleanly before it. Fails with 08P01 on a length outside
  // [8, kMaxStartupPacketLength] or a stream that ends inside the packet.
  absl::StatusOr<std::optional<std::string_view>> ReadStartupPacket();

  // The next message, or nullopt if the stream ended cleanly between
  // messages. Fails with 08P01 on a length outside [4, kMaxMessageLength]
  // or a stream that ends inside a message.
  absl::StatusOr<std::optional<FrontendMessage>> ReadMessage();

  // Whether bytes past the last packet or message are already buffered:
  // after an SSLRequest they would be plaintext sent ahead of the TLS
  // handshake, which the server must not act on.
  bool HasBuffered() const { return end_ > begin_; }

 private:
  // Makes `n` unconsumed bytes available; false if the stream ended first.
  absl::StatusOr<bool> Fill(size_t n);
  absl::StatusOr<std::optional<std::string_view>> ReadFramed(size_t header_size,
                                                             uint32_t min_length,
                                                             uint32_t max_length,
                                                             const char* what);

  static constexpr size_t kChunkSize = 8192;

  ReadFn read_;
  std::vector<char> buf_;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
};

// Decodes the fields of one message body with bounds checks; every read past
// the end, or a string without its terminator, fails with 08P01.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : rest_(body) {}

  absl::StatusOr<int32_t> ReadInt32();
  absl::StatusOr<int16_t> ReadInt16();
  absl::StatusOr<char> ReadByte();
  // A NUL-terminated string, returned without its terminator.
  absl::StatusOr<std::string_view> ReadCString();
  // The next `n` bytes.
  absl::StatusOr<std::string_view> ReadBytes(size_t n);

  bool AtEnd() const { return rest_.empty(); }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// Big-endian Int32 at `p`. REQUIRES: 4 readable bytes.
uint32_t LoadUint32(const char* p);

}  // namespace cairn::pgwire
