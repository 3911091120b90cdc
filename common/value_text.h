#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/sql_type.h"
#include "common/value.h"

namespace cairn {

// PostgreSQL's text input and output functions for CairnDB's types: what
// pgwire sends in a text-format DataRow, and how a string literal or a cast
// from text becomes a typed value.

// REQUIRES: !v.is_null(). Timestamps with time zone are rendered in UTC.
std::string FormatValue(const Value& v);

// Parses `text` as PostgreSQL would for `type`, applying its modifiers
// (VARCHAR length, NUMERIC precision/scale). Bad input fails with 22P02,
// 22007/22008 for dates and times, 22003 for out-of-range numbers.
absl::StatusOr<Value> ParseValue(std::string_view text, const SqlType& type);

// Days since 1970-01-01 <-> civil dates, shared by parsing and functions.
absl::StatusOr<int32_t> ParseDate(std::string_view text);
absl::StatusOr<int64_t> ParseTimestampMicros(std::string_view text, bool with_time_zone);
std::string FormatDate(int32_t days);

// Characters (UTF-8 code points) in `s`, and the byte length of its first
// `chars` characters.
int64_t Utf8Length(std::string_view s);
size_t Utf8Prefix(std::string_view s, int64_t chars);
std::string FormatTimestamp(int64_t micros, bool with_time_zone);

}  // namespace cairn
