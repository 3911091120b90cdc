#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cairn {

// Order-preserving ("memcomparable") encodings: for any two values a < b of
// one type, the encoding of a compares bytewise below the encoding of b.
// Descending variants invert every byte, reversing the order. Decoders
// consume from the front of `in` and advance it.
//
// Strings and byte strings are escaped so that an encoding is never a prefix
// of another: 0x00 becomes 0x00 0xFF and the value ends with 0x00 0x01.
namespace key_codec {

inline constexpr char kNullMarker = 0x00;     // NULL sorts first
inline constexpr char kNotNullMarker = 0x01;

void AppendUint64(std::string* out, uint64_t v);
void AppendUint32(std::string* out, uint32_t v);
void AppendInt64(std::string* out, int64_t v);    // sign bit flipped
void AppendInt32(std::string* out, int32_t v);
void AppendDouble(std::string* out, double v);    // NaN sorts last
void AppendBytes(std::string* out, std::string_view v);

absl::StatusOr<uint64_t> DecodeUint64(std::string_view* in);
absl::StatusOr<uint32_t> DecodeUint32(std::string_view* in);
absl::StatusOr<int64_t> DecodeInt64(std::string_view* in);
absl::StatusOr<int32_t> DecodeInt32(std::string_view* in);
absl::StatusOr<double> DecodeDouble(std::string_view* in);
absl::StatusOr<std::string> DecodeBytes(std::string_view* in);

// Inverts the bytes of out[from, end) in place: turns an ascending encoding
// appended at `from` into its descending form (and back).
void InvertFrom(std::string* out, size_t from);

// The smallest key greater than every key that starts with `prefix`, or the
// empty string when no such key exists (prefix is all 0xFF).
std::string PrefixEnd(std::string_view prefix);

// Renders a key for logs and EXPLAIN: printable bytes as is, others as \xNN.
std::string PrettyKey(std::string_view key);

}  // namespace key_codec
}  // namespace cairn
