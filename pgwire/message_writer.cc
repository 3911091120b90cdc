#include "pgwire/message_writer.h"

#include <cassert>

namespace cairn::pgwire {
namespace {

void StoreInt32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

}  // namespace

void MessageWriter::Begin(char type) {
  assert(message_start_ == kNoMessage);
  buf_.push_back(type);
  message_start_ = buf_.size();
  buf_.append(4, '\0');
}

void MessageWriter::End() {
  assert(message_start_ != kNoMessage);
  StoreInt32(&buf_[message_start_], static_cast<uint32_t>(buf_.size() - message_start_));
  message_start_ = kNoMessage;
}

void MessageWriter::PutInt16(int16_t v) {
  const auto u = static_cast<uint16_t>(v);
  buf_.push_back(static_cast<char>(u >> 8));
  buf_.push_back(static_cast<char>(u));
}

void MessageWriter::PutInt32(int32_t v) {
  char bytes[4];
  StoreInt32(bytes, static_cast<uint32_t>(v));
  buf_.append(bytes, 4);
}

void MessageWriter::PutCString(std::string_view s) {
  buf_.append(s.substr(0, s.find('\0')));
  buf_.push_back('\0');
}

void MessageWriter::PutUnframedByte(char b) {
  assert(message_start_ == kNoMessage);
  buf_.push_back(b);
}

void MessageWriter::Clear() {
  assert(message_start_ == kNoMessage);
  buf_.clear();
  if (buf_.capacity() > kRetainedCapacity) buf_.shrink_to_fit();
}

}  // namespace cairn::pgwire
