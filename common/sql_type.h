#pragma once

#include <optional>

#include <cstdint>
#include <string>

namespace cairn {

// The SQL types CairnDB stores and computes with. Each maps to one
// PostgreSQL type OID, which is what clients see in RowDescription.
enum class TypeId : uint8_t {
  kUnknown,  // the type of a bare NULL or an untyped string literal
  kBool,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kNumeric,
  kText,
  kVarchar,
  kChar,
  kBytea,
  kDate,
  kTimestamp,
  kTimestampTz,
  kArray,  // one-dimensional, of SqlType::element
  kUuid,   // 16 bytes
  kJson,   // the input text, checked to be JSON
  kJsonb,  // JSON in normal form (common/json.h)
  kInterval,  // months, days, microseconds (common/interval.h)
};

// A type with its modifiers: VARCHAR(n)/CHAR(n) length, NUMERIC(p,s);
// for INTERVAL, precision holds its IntervalFields and scale the
// fractional digits of its seconds.
// -1 means "not given".
struct SqlType {
  TypeId id = TypeId::kUnknown;
  int32_t precision = -1;  // VARCHAR/CHAR length, NUMERIC precision
  int32_t scale = -1;      // NUMERIC scale
  TypeId element = TypeId::kUnknown;  // kArray: the elements' type

  static SqlType Of(TypeId id) { return SqlType{id, -1, -1}; }
  static SqlType ArrayOf(TypeId element) {
    return SqlType{TypeId::kArray, -1, -1, element};
  }
  bool operator==(const SqlType&) const = default;
};

// PostgreSQL's type OID; for kArray (only the SqlType form knows the
// element) the array type's, e.g. 1007 for int4[].
uint32_t PgTypeOid(TypeId id);
uint32_t PgTypeOid(const SqlType& type);
// The OID of the array type whose elements are `element` (0 if none).
uint32_t PgArrayTypeOid(TypeId element);
// The type PostgreSQL's OID `oid` names, if CairnDB has it. 0 (what a
// client sends for "infer it") and unknown (705) give kUnknown.
std::optional<TypeId> TypeFromPgOid(uint32_t oid);
// As TypeFromPgOid, array types included.
std::optional<SqlType> SqlTypeFromPgOid(uint32_t oid);
// PostgreSQL's typlen: the fixed width, or -1 for variable-length types.
int16_t PgTypeLen(TypeId id);
// The atttypmod PostgreSQL reports for `type` (-1 when unmodified).
int32_t PgTypeMod(const SqlType& type);
// The type as PostgreSQL names it in format_type(): "integer",
// "character varying(10)", "numeric(10,2)", ...
std::string TypeName(const SqlType& type);

bool IsIntegerType(TypeId id);
bool IsNumericType(TypeId id);  // integers, floats and numeric
bool IsStringType(TypeId id);   // text, varchar, char
bool IsTimeType(TypeId id);     // date, timestamp, timestamptz
bool IsJsonType(TypeId id);     // json, jsonb

}  // namespace cairn
