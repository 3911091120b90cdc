#include "common/key_codec.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/str_format.h"
#include "common/error_code.h"

namespace cairn::key_codec {
namespace {

absl::Status Truncated(std::string_view what) {
  return MakeError(ErrorCode::kDataCorrupted, absl::StrFormat("truncated %s in key", what));
}

}  // namespace

void AppendUint64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

void AppendUint32(std::string* out, uint32_t v) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 4);
}

void AppendInt64(std::string* out, int64_t v) {
  AppendUint64(out, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}

void AppendInt32(std::string* out, int32_t v) {
  AppendUint32(out, static_cast<uint32_t>(v) ^ (uint32_t{1} << 31));
}

void AppendDouble(std::string* out, double v) {
  if (v == 0) v = 0;  // -0.0 and 0.0 are equal and must encode alike
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();  // one NaN, sorting last
  uint64_t bits = std::bit_cast<uint64_t>(v);
  // Positive numbers: flip the sign bit so they sort above negatives.
  // Negative numbers: flip every bit so larger magnitudes sort lower.
  bits = (bits & (uint64_t{1} << 63)) ? ~bits : bits ^ (uint64_t{1} << 63);
  AppendUint64(out, bits);
}

void AppendBytes(std::string* out, std::string_view v) {
  for (char c : v) {
    out->push_back(c);
    if (c == '\x00') out->push_back('\xff');
  }
  out->push_back('\x00');
  out->push_back('\x01');
}

absl::StatusOr<uint64_t> DecodeUint64(std::string_view* in) {
  if (in->size() < 8) return Truncated("uint64");
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  return v;
}

absl::StatusOr<uint32_t> DecodeUint32(std::string_view* in) {
  if (in->size() < 4) return Truncated("uint32");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  return v;
}

absl::StatusOr<int64_t> DecodeInt64(std::string_view* in) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t v, DecodeUint64(in));
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

absl::StatusOr<int32_t> DecodeInt32(std::string_view* in) {
  CAIRN_ASSIGN_OR_RETURN(uint32_t v, DecodeUint32(in));
  return static_cast<int32_t>(v ^ (uint32_t{1} << 31));
}

absl::StatusOr<double> DecodeDouble(std::string_view* in) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t bits, DecodeUint64(in));
  bits = (bits & (uint64_t{1} << 63)) ? bits ^ (uint64_t{1} << 63) : ~bits;
  return std::bit_cast<double>(bits);
}

absl::StatusOr<std::string> DecodeBytes(std::string_view* in) {
  std::string out;
  size_t i = 0;
  while (true) {
    if (i >= in->size()) return Truncated("bytes");
    char c = (*in)[i];
    if (c != '\x00') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= in->size()) return Truncated("bytes");
    char next = (*in)[i + 1];
    if (next == '\x01') {
      in->remove_prefix(i + 2);
      return out;
    }
    if (next != '\xff') return MakeError(ErrorCode::kDataCorrupted, "bad escape in key bytes");
    out.push_back('\x00');
    i += 2;
  }
}

void InvertFrom(std::string* out, size_t from) {
  for (size_t i = from; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<uint8_t>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

std::string PrettyKey(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += absl::StrFormat("\\x%02x", c);
    }
  }
  return out;
}

}  // namespace cairn::key_codec
