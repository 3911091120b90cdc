#pragma once

#include "absl/status/statusor.h"
#include "common/sql_type.h"
#include "common/value.h"

namespace cairn {

// Conversions between SQL types, with PostgreSQL's rules and errors.
enum class CastContext {
  kImplicit,    // in an expression: only lossless widening
  kAssignment,  // INSERT/UPDATE into a column: numeric narrowing, anything to text
  kExplicit,    // CAST / ::
};

// Whether a value of `from` may become `to` in `context` (not whether every
// value will convert: that is CastValue's job).
bool CanCast(TypeId from, TypeId to, CastContext context);

// Converts `v` to `to`, applying its modifiers. Explicit casts to
// VARCHAR(n)/CHAR(n) truncate silently, as in PostgreSQL; assignment fails
// with 22001 instead. Out-of-range numbers fail with 22003. NULL stays NULL
// (retyped).
absl::StatusOr<Value> CastValue(const Value& v, const SqlType& to, CastContext context);

}  // namespace cairn
