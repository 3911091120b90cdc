#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/interval.h"
#include "common/sql_type.h"

namespace cairn::ast {

// A type as written in CREATE TABLE, CAST, :: or a typed literal: a name and
// its integer modifiers. The transform canonicalises spellings to
// PostgreSQL's internal names ("integer" -> "int4", "double precision" ->
// "float8", "character varying" -> "varchar", "timestamp with time zone" ->
// "timestamptz", "char"/"character" -> "bpchar"); any other name is kept
// as written (lower-cased), and ResolveType decides whether it exists.
struct TypeName {
  std::string schema;             // "pg_catalog" in pg_catalog.int4, else empty
  std::string name;               // canonical name, see above
  std::vector<int32_t> modifiers; // VARCHAR(n), NUMERIC(p,s), TIMESTAMP(p), FLOAT(p)
  int position = 0;               // 1-based offset of the type's first token
  bool array = false;             // name[]: a one-dimensional array of it
  // INTERVAL's qualifier (INTERVAL DAY TO SECOND): kAll when none.
  IntervalFields interval_fields = IntervalFields::kAll;

  // SQL text that parses back to the same type: "integer", "numeric(10,2)",
  // "character varying(20)", "timestamp with time zone", "serial", ...
  std::string ToString() const;
};

// The canonical spelling of an unquoted type name: int/integer -> int4,
// smallint -> int2, bigint -> int8, boolean -> bool, real -> float4,
// decimal -> numeric, char -> bpchar, serial4 -> serial, serial8 ->
// bigserial, serial2 -> smallserial; any other name is returned unchanged.
// (FLOAT(p) and the multi-word spellings are resolved by the grammar.)
std::string CanonicalTypeName(const std::string& name);

// A TypeName mapped to the types CairnDB stores.
struct ResolvedType {
  SqlType type;
  // SERIAL, BIGSERIAL, SMALLSERIAL (and serial2/4/8): an integer column with
  // NOT NULL and a default drawn from a sequence.
  bool serial = false;
};

// Maps `type` to a SqlType. Errors (with the type's position):
//   42704 undefined_object      type "foo" does not exist
//   0A000 feature_not_supported a PostgreSQL type CairnDB lacks (time, money, ...)
//   22023 invalid_parameter_value bad modifiers (VARCHAR(0), NUMERIC(0), ...)
// PostgreSQL semantics: CHAR without a length is CHAR(1) (but "bpchar" is
// unbounded), NUMERIC(p) is NUMERIC(p,0), FLOAT(p) is REAL for p <= 24 and
// DOUBLE PRECISION for p <= 53. The precision of TIMESTAMP(p) is accepted
// and dropped: CairnDB keeps microseconds.
absl::StatusOr<ResolvedType> ResolveType(const TypeName& type);

}  // namespace cairn::ast
