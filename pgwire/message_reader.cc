#include "pgwire/message_reader.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "pgwire/protocol.h"

namespace cairn::pgwire {
namespace {

absl::Status ProtocolError(std::string_view message) {
  return MakeError(ErrorCode::kProtocolViolation, message);
}

}  // namespace

uint32_t LoadUint32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

MessageReader::MessageReader(ReadFn read) : read_(std::move(read)), buf_(kChunkSize) {}

absl::StatusOr<bool> MessageReader::Fill(size_t n) {
  while (end_ - begin_ < n) {
    if (begin_ > 0 && buf_.size() - begin_ < std::max(n, kChunkSize)) {
      // Move the unconsumed tail to the front to make room.
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) {
      // Grow geometrically, but never beyond what the current message needs:
      // memory follows the bytes received, not the length claimed.
      buf_.resize(std::max(buf_.size() + kChunkSize, std::min(buf_.size() * 2, begin_ + n)));
    }
    absl::StatusOr<size_t> got = read_(buf_.data() + end_, buf_.size() - end_);
    if (!got.ok()) return got.status();
    if (*got == 0) return false;
    end_ += *got;
  }
  return true;
}

absl::StatusOr<std::optional<std::string_view>> MessageReader::ReadFramed(size_t header_size,
                                                                          uint32_t min_length,
                                                                          uint32_t max_length,
                                                                          const char* what) {
  absl::StatusOr<bool> filled = Fill(header_size);
  if (!filled.ok()) return filled.status();
  if (!*filled) {
    if (end_ == begin_) return std::nullopt;
    return ProtocolError(absl::StrCat("unexpected EOF within ", what));
  }
  const uint32_t length = LoadUint32(buf_.data() + begin_ + header_size - 4);
  if (length < min_length || length > max_length) {
    return ProtocolError(absl::StrCat("invalid length of ", what, ": ", length));
  }
  // `length` counts itself but not the type byte.
  const size_t total = header_size - 4 + length;
  filled = Fill(total);
  if (!filled.ok()) return filled.status();
  if (!*filled) return ProtocolError(absl::StrCat("unexpected EOF within ", what));
  std::string_view body(buf_.data() + begin_ + header_size, total - header_size);
  begin_ += total;
  if (begin_ == end_) begin_ = end_ = 0;
  return body;
}

absl::StatusOr<std::optional<std::string_view>> MessageReader::ReadStartupPacket() {
  // The smallest packet is a length and a request code.
  return ReadFramed(4, 8, kMaxStartupPacketLength, "startup packet");
}

absl::StatusOr<std::optional<FrontendMessage>> MessageReader::ReadMessage() {
  auto body = ReadFramed(5, 4, kMaxMessageLength, "message");
  if (!body.ok()) return body.status();
  if (!*body) return std::nullopt;
  // The type byte sits just before the length word.
  return FrontendMessage{(*body)->data()[-5], **body};
}

absl::StatusOr<int32_t> BodyReader::ReadInt32() {
  if (rest_.size() < 4) return ProtocolError("insufficient data left in message");
  const uint32_t v = LoadUint32(rest_.data());
  rest_.remove_prefix(4);
  return static_cast<int32_t>(v);
}

absl::StatusOr<int16_t> BodyReader::ReadInt16() {
  if (rest_.size() < 2) return ProtocolError("insufficient data left in message");
  const auto* u = reinterpret_cast<const unsigned char*>(rest_.data());
  const auto v = static_cast<uint16_t>((u[0] << 8) | u[1]);
  rest_.remove_prefix(2);
  return static_cast<int16_t>(v);
}

absl::StatusOr<char> BodyReader::ReadByte() {
  if (rest_.empty()) return ProtocolError("insufficient data left in message");
  const char c = rest_.front();
  rest_.remove_prefix(1);
  return c;
}

absl::StatusOr<std::string_view> BodyReader::ReadCString() {
  const size_t nul = rest_.find('\0');
  if (nul == std::string_view::npos) return ProtocolError("invalid string in message");
  std::string_view s = rest_.substr(0, nul);
  rest_.remove_prefix(nul + 1);
  return s;
}

absl::StatusOr<std::string_view> BodyReader::ReadBytes(size_t n) {
  if (n > rest_.size()) return ProtocolError("insufficient data left in message");
  std::string_view s = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return s;
}

}  // namespace cairn::pgwire
