#include "parser/ast/type_name.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string Modifiers(const std::vector<int32_t>& modifiers) {
  if (modifiers.empty()) return "";
  return absl::StrCat("(", absl::StrJoin(modifiers, ","), ")");
}

absl::Status BadModifier(const TypeName& type, std::string_view message) {
  return MakeError(ErrorCode::kInvalidParameterValue, message, type.position);
}

absl::StatusOr<ResolvedType> Resolve(TypeId id, bool serial = false) {
  return ResolvedType{SqlType::Of(id), serial};
}

// Types PostgreSQL has and CairnDB does not (yet): a clearer error than
// "does not exist".
bool KnownUnsupported(const std::string& name) {
  static const char* const kNames[] = {
      "time",  "timetz",  "char",   "money",  "inet",    "cidr",   "macaddr",
      "bit",      "varbit", "xml",   "name",   "regclass", "regtype", "point", "line",
      "box",      "path",  "polygon", "circle", "tsvector"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

constexpr std::pair<const char*, const char*> kAliases[] = {
    {"int", "int4"},          {"integer", "int4"},     {"smallint", "int2"},
    {"bigint", "int8"},       {"boolean", "bool"},     {"real", "float4"},
    {"decimal", "numeric"},   {"char", "bpchar"},      {"serial4", "serial"},
    {"serial8", "bigserial"}, {"serial2", "smallserial"},
};

}  // namespace

std::string CanonicalTypeName(const std::string& name) {
  for (const auto& [alias, canonical] : kAliases) {
    if (name == alias) return canonical;
  }
  return name;
}

std::string TypeName::ToString() const {
  if (array) {
    TypeName element = *this;
    element.array = false;
    return element.ToString() + "[]";
  }
  const bool builtin = schema.empty() || schema == "pg_catalog";
  if (builtin) {
    if (name == "int2") return "smallint";
    if (name == "int4") return "integer";
    if (name == "int8") return "bigint";
    if (name == "bool") return "boolean";
    if (name == "float4") return "real";
    if (name == "float8") return "double precision";
    if (name == "varchar") return "character varying" + Modifiers(modifiers);
    if (name == "bpchar" && !modifiers.empty()) return "character" + Modifiers(modifiers);
    if (name == "timestamptz") return "timestamp" + Modifiers(modifiers) + " with time zone";
    if (name == "timestamp") return "timestamp" + Modifiers(modifiers) + " without time zone";
    if (name == "timetz") return "time" + Modifiers(modifiers) + " with time zone";
    if (name == "time") return "time" + Modifiers(modifiers) + " without time zone";
    if (name == "interval") {
      return ::cairn::TypeName(SqlType{TypeId::kInterval, static_cast<int32_t>(interval_fields),
                              modifiers.empty() ? -1 : modifiers[0]});
    }
  }
  std::string out = schema.empty() ? "" : QuoteIdentifier(schema) + ".";
  // A name that the parser would rewrite ("char", "float") must be quoted
  // to come back as itself.
  const bool rewritten = CanonicalTypeName(name) != name || name == "float";
  out += rewritten ? "\"" + name + "\"" : QuoteIdentifier(name);
  return out + Modifiers(modifiers);
}

absl::StatusOr<ResolvedType> ResolveType(const TypeName& type) {
  // An array type: of its element, which must be a plain type; `_int4` is
  // PostgreSQL's internal name for int4[].
  const bool internal_array = type.name.size() > 1 && type.name[0] == '_' && !type.array;
  if (type.array || internal_array) {
    TypeName element = type;
    element.array = false;
    if (internal_array) element.name = type.name.substr(1);
    absl::StatusOr<ResolvedType> resolved = ResolveType(element);
    if (internal_array && !resolved.ok()) {
      return MakeError(ErrorCode::kUndefinedObject,
                       absl::StrCat("type \"", type.name, "\" does not exist"), type.position);
    }
    CAIRN_RETURN_IF_ERROR(resolved.status());
    if (resolved->serial || PgArrayTypeOid(resolved->type.id) == 0) {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrCat("arrays of type ", element.ToString(), " are not supported"),
                       type.position);
    }
    return ResolvedType{SqlType::ArrayOf(resolved->type.id), false};
  }
  const std::string& n = type.name;
  if (!type.schema.empty() && type.schema != "pg_catalog") {
    return MakeError(ErrorCode::kUndefinedObject,
                     absl::StrCat("type \"", type.schema, ".", n, "\" does not exist"),
                     type.position);
  }
  const std::vector<int32_t>& mods = type.modifiers;
  const bool takes_modifiers = n == "numeric" || n == "varchar" || n == "bpchar" ||
                               n == "timestamp" || n == "timestamptz" || n == "interval";
  if (!mods.empty() && !takes_modifiers) {
    return MakeError(ErrorCode::kSyntaxError,
                     absl::StrCat("type modifier is not allowed for type \"", n, "\""),
                     type.position);
  }
  if (n == "int2") return Resolve(TypeId::kInt16);
  if (n == "int4") return Resolve(TypeId::kInt32);
  if (n == "int8") return Resolve(TypeId::kInt64);
  // PostgreSQL's object identifiers: CairnDB's are bigint.
  if (n == "oid") return Resolve(TypeId::kInt64);
  if (n == "smallserial") return Resolve(TypeId::kInt16, true);
  if (n == "serial") return Resolve(TypeId::kInt32, true);
  if (n == "bigserial") return Resolve(TypeId::kInt64, true);
  if (n == "bool") return Resolve(TypeId::kBool);
  if (n == "float4") return Resolve(TypeId::kFloat32);
  if (n == "float8") return Resolve(TypeId::kFloat64);
  if (n == "text") return Resolve(TypeId::kText);
  if (n == "bytea") return Resolve(TypeId::kBytea);
  if (n == "uuid") return Resolve(TypeId::kUuid);
  if (n == "json") return Resolve(TypeId::kJson);
  if (n == "jsonb") return Resolve(TypeId::kJsonb);
  if (n == "date") return Resolve(TypeId::kDate);
  if (n == "timestamp" || n == "timestamptz") {
    if (mods.size() > 1) return BadModifier(type, "invalid type modifier");
    if (!mods.empty() && mods[0] < 0) {
      return BadModifier(type,
                         absl::StrCat("TIMESTAMP(", mods[0], ") precision must not be negative"));
    }
    return Resolve(n == "timestamp" ? TypeId::kTimestamp : TypeId::kTimestampTz);
  }
  if (n == "interval") {
    SqlType t = SqlType::Of(TypeId::kInterval);
    t.precision = static_cast<int32_t>(type.interval_fields);
    if (mods.size() > 1) return BadModifier(type, "invalid type modifier");
    if (!mods.empty()) {
      if (mods[0] < 0) {
        return BadModifier(type,
                           absl::StrCat("INTERVAL(", mods[0], ") precision must not be negative"));
      }
      t.scale = std::min(mods[0], 6);  // PostgreSQL warns and reduces it to 6
    }
    return ResolvedType{t, false};
  }
  if (n == "numeric") {
    SqlType t = SqlType::Of(TypeId::kNumeric);
    if (mods.size() > 2) return BadModifier(type, "invalid NUMERIC type modifier");
    if (!mods.empty()) {
      if (mods[0] < 1 || mods[0] > 1000) {
        return BadModifier(type, absl::StrCat("NUMERIC precision ", mods[0],
                                              " must be between 1 and 1000"));
      }
      t.precision = mods[0];
      t.scale = mods.size() == 2 ? mods[1] : 0;
      if (t.scale > 1000) {
        return BadModifier(type, absl::StrCat("NUMERIC scale ", t.scale,
                                              " must be between -1000 and 1000"));
      }
    }
    return ResolvedType{t, false};
  }
  if (n == "varchar" || n == "bpchar") {
    SqlType t = SqlType::Of(n == "varchar" ? TypeId::kVarchar : TypeId::kChar);
    const char* display = n == "varchar" ? "varchar" : "char";
    if (mods.size() > 1) return BadModifier(type, "invalid type modifier");
    if (!mods.empty()) {
      if (mods[0] < 1) {
        return BadModifier(type, absl::StrCat("length for type ", display, " must be at least 1"));
      }
      if (mods[0] > 10485760) {
        return BadModifier(type,
                           absl::StrCat("length for type ", display, " cannot exceed 10485760"));
      }
      t.precision = mods[0];
    }
    return ResolvedType{t, false};
  }
  if (KnownUnsupported(n)) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrCat("type ", n, " is not supported"), type.position);
  }
  return MakeError(ErrorCode::kUndefinedObject, absl::StrCat("type \"", n, "\" does not exist"),
                   type.position);
}

}  // namespace cairn::ast
