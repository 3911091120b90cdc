#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/sql_type.h"
#include "common/value.h"

namespace cairn::pgwire {

// PostgreSQL's binary send/receive formats, for the parameters and result
// columns a client asks to have in binary (format code 1): big-endian
// integers and IEEE floats, one byte for bool, the bytes of text and bytea,
// NUMERIC as base-10000 digits with weight, sign and display scale, dates
// as days and timestamps as microseconds since 2000-01-01.

// Decodes a parameter of type `type`. 22P03 when the bytes are not a value
// of that type (wrong length, bad numeric digits).
absl::StatusOr<Value> DecodeBinaryValue(std::string_view bytes, const SqlType& type);

// Appends the binary form of `v`. REQUIRES: !v.is_null().
void AppendBinaryValue(const Value& v, std::string* out);

}  // namespace cairn::pgwire
