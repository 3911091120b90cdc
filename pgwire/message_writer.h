#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::pgwire {

// MessageWriter frames backend messages into an output buffer: a type byte,
// an Int32 length (patched in by End()) and the body, all integers in network
// byte order. A connection appends a whole batch of messages (a query's
// results up to ReadyForQuery) and then writes data() to the socket in one
// go, so framing never touches the network. Not thread-safe; one per
// connection.
class MessageWriter {
 public:
  MessageWriter() = default;
  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;

  // Opens a message of `type`. REQUIRES: no message is open.
  void Begin(char type);
  // Closes the open message, writing its length. REQUIRES: a message is open.
  void End();

  void PutByte(char b) { buf_.push_back(b); }
  void PutInt16(int16_t v);
  void PutInt32(int32_t v);
  // A NUL-terminated string. The protocol cannot carry an embedded NUL, so
  // `s` is cut at its first one.
  void PutCString(std::string_view s);
  void PutBytes(std::string_view bytes) { buf_.append(bytes); }

  // A byte outside any message: the answer to SSLRequest/GSSENCRequest.
  // REQUIRES: no message is open.
  void PutUnframedByte(char b);

  const std::string& data() const { return buf_; }
  size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  // Drops the buffered bytes (after they were sent), keeping a modest
  // allocation for the next batch. REQUIRES: no message is open.
  void Clear();

 private:
  static constexpr size_t kNoMessage = static_cast<size_t>(-1);
  static constexpr size_t kRetainedCapacity = 1 << 20;

  std::string buf_;
  size_t message_start_ = kNoMessage;  // offset of the open message's length word
};

}  // namespace cairn::pgwire
