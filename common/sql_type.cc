#include "common/sql_type.h"

#include "absl/strings/str_cat.h"

namespace cairn {

uint32_t PgTypeOid(TypeId id) {
  switch (id) {
    case TypeId::kUnknown: return 705;
    case TypeId::kBool: return 16;
    case TypeId::kInt16: return 21;
    case TypeId::kInt32: return 23;
    case TypeId::kInt64: return 20;
    case TypeId::kFloat32: return 700;
    case TypeId::kFloat64: return 701;
    case TypeId::kNumeric: return 1700;
    case TypeId::kText: return 25;
    case TypeId::kVarchar: return 1043;
    case TypeId::kChar: return 1042;
    case TypeId::kBytea: return 17;
    case TypeId::kDate: return 1082;
    case TypeId::kTimestamp: return 1114;
    case TypeId::kTimestampTz: return 1184;
    case TypeId::kArray: return 705;  // needs the element: PgTypeOid(SqlType)
    case TypeId::kUuid: return 2950;
    case TypeId::kJson: return 114;
    case TypeId::kJsonb: return 3802;
    case TypeId::kInterval: return 1186;
  }
  return 705;
}

namespace {

struct ArrayOid {
  TypeId element;
  uint32_t oid;
};
constexpr ArrayOid kArrayOids[] = {
    {TypeId::kBool, 1000},      {TypeId::kBytea, 1001},       {TypeId::kInt16, 1005},
    {TypeId::kInt32, 1007},     {TypeId::kText, 1009},        {TypeId::kChar, 1014},
    {TypeId::kVarchar, 1015},   {TypeId::kInt64, 1016},       {TypeId::kFloat32, 1021},
    {TypeId::kFloat64, 1022},   {TypeId::kTimestamp, 1115},   {TypeId::kDate, 1182},
    {TypeId::kTimestampTz, 1185}, {TypeId::kNumeric, 1231},     {TypeId::kUuid, 2951},
    {TypeId::kJson, 199},         {TypeId::kJsonb, 3807},       {TypeId::kInterval, 1187},
};

}  // namespace

uint32_t PgArrayTypeOid(TypeId element) {
  for (const ArrayOid& a : kArrayOids) {
    if (a.element == element) return a.oid;
  }
  return 0;
}

uint32_t PgTypeOid(const SqlType& type) {
  if (type.id != TypeId::kArray) return PgTypeOid(type.id);
  // An array of unknown (ARRAY[NULL]) is text[], as PostgreSQL resolves it.
  const uint32_t oid = PgArrayTypeOid(type.element);
  return oid != 0 ? oid : 1009;
}

std::optional<SqlType> SqlTypeFromPgOid(uint32_t oid) {
  for (const ArrayOid& a : kArrayOids) {
    if (a.oid == oid) return SqlType::ArrayOf(a.element);
  }
  std::optional<TypeId> id = TypeFromPgOid(oid);
  if (!id) return std::nullopt;
  return SqlType::Of(*id);
}

std::optional<TypeId> TypeFromPgOid(uint32_t oid) {
  switch (oid) {
    case 0:
    case 705: return TypeId::kUnknown;
    case 16: return TypeId::kBool;
    case 21: return TypeId::kInt16;
    case 23: return TypeId::kInt32;
    case 20: return TypeId::kInt64;
    case 700: return TypeId::kFloat32;
    case 701: return TypeId::kFloat64;
    case 1700: return TypeId::kNumeric;
    case 25: return TypeId::kText;
    case 1043: return TypeId::kVarchar;
    case 1042: return TypeId::kChar;
    case 17: return TypeId::kBytea;
    case 1082: return TypeId::kDate;
    case 1114: return TypeId::kTimestamp;
    case 1184: return TypeId::kTimestampTz;
    case 2950: return TypeId::kUuid;
    case 114: return TypeId::kJson;
    case 3802: return TypeId::kJsonb;
    case 1186: return TypeId::kInterval;
    default: return std::nullopt;
  }
}

int16_t PgTypeLen(TypeId id) {
  switch (id) {
    case TypeId::kBool: return 1;
    case TypeId::kInt16: return 2;
    case TypeId::kInt32: return 4;
    case TypeId::kInt64: return 8;
    case TypeId::kFloat32: return 4;
    case TypeId::kFloat64: return 8;
    case TypeId::kDate: return 4;
    case TypeId::kTimestamp: return 8;
    case TypeId::kTimestampTz: return 8;
    case TypeId::kUuid: return 16;
    case TypeId::kInterval: return 16;
    default: return -1;
  }
}

int32_t PgTypeMod(const SqlType& type) {
  switch (type.id) {
    case TypeId::kVarchar:
    case TypeId::kChar:
      return type.precision >= 0 ? type.precision + 4 : -1;
    case TypeId::kNumeric:
      if (type.precision < 0) return -1;
      return ((type.precision << 16) | (type.scale < 0 ? 0 : type.scale)) + 4;
    default:
      return -1;
  }
}

std::string TypeName(const SqlType& type) {
  switch (type.id) {
    case TypeId::kUnknown: return "unknown";
    case TypeId::kBool: return "boolean";
    case TypeId::kInt16: return "smallint";
    case TypeId::kInt32: return "integer";
    case TypeId::kInt64: return "bigint";
    case TypeId::kFloat32: return "real";
    case TypeId::kFloat64: return "double precision";
    case TypeId::kNumeric:
      if (type.precision < 0) return "numeric";
      return absl::StrCat("numeric(", type.precision, ",", type.scale < 0 ? 0 : type.scale, ")");
    case TypeId::kText: return "text";
    case TypeId::kVarchar:
      return type.precision < 0 ? "character varying"
                                : absl::StrCat("character varying(", type.precision, ")");
    case TypeId::kChar:
      return absl::StrCat("character(", type.precision < 0 ? 1 : type.precision, ")");
    case TypeId::kBytea: return "bytea";
    case TypeId::kDate: return "date";
    case TypeId::kTimestamp: return "timestamp without time zone";
    case TypeId::kTimestampTz: return "timestamp with time zone";
    case TypeId::kArray: return TypeName(SqlType::Of(type.element)) + "[]";
    case TypeId::kUuid: return "uuid";
    case TypeId::kJson: return "json";
    case TypeId::kJsonb: return "jsonb";
    case TypeId::kInterval: {
      static constexpr const char* kFields[] = {
          " year",         " month",          " day",           " hour",
          " minute",       " second",         " year to month", " day to hour",
          " day to minute", " day to second", " hour to minute", " hour to second",
          " minute to second"};
      std::string name = "interval";
      if (type.precision >= 0 && type.precision < 13) name += kFields[type.precision];
      if (type.scale >= 0) absl::StrAppend(&name, "(", type.scale, ")");
      return name;
    }
  }
  return "unknown";
}

bool IsIntegerType(TypeId id) {
  return id == TypeId::kInt16 || id == TypeId::kInt32 || id == TypeId::kInt64;
}
bool IsNumericType(TypeId id) {
  return IsIntegerType(id) || id == TypeId::kFloat32 || id == TypeId::kFloat64 ||
         id == TypeId::kNumeric;
}
bool IsStringType(TypeId id) {
  return id == TypeId::kText || id == TypeId::kVarchar || id == TypeId::kChar;
}
bool IsJsonType(TypeId id) { return id == TypeId::kJson || id == TypeId::kJsonb; }
bool IsTimeType(TypeId id) {
  return id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTimestampTz;
}

}  // namespace cairn
