#include "executor/catalog_functions.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "catalog/catalog_keys.h"
#include "catalog/privileges.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/value_cast.h"
#include "executor/builtin_functions.h"
#include "executor/pg_object_identity.h"
#include "executor/system_views.h"
#include "parser/ast/sql_text.h"
#include "parser/ast/type_name.h"
#include "parser/parser.h"

namespace cairn::executor {
namespace {

absl::StatusOr<int64_t> OidArg(const Value& v) {
  CAIRN_ASSIGN_OR_RETURN(Value oid, CastValue(v, SqlType::Of(TypeId::kInt64),
                                              CastContext::kAssignment));
  return oid.int_value();
}

absl::StatusOr<std::vector<catalog::TableInfo>> Tables(ExecContext* ctx) {
  return ctx->catalog->ListTables(ctx->txn, ctx->database_id);
}

// The table whose (or whose primary key index's, or constraint's) OID is
// `oid`, if any.
enum class OidKind { kTable, kIndex, kConstraint };
absl::StatusOr<std::optional<catalog::TableInfo>> TableByOid(ExecContext* ctx, int64_t oid,
                                                             OidKind kind) {
  CAIRN_ASSIGN_OR_RETURN(auto tables, Tables(ctx));
  for (catalog::TableInfo& t : tables) {
    const int64_t its = kind == OidKind::kTable   ? PgTableOid(t)
                        : kind == OidKind::kIndex ? PgIndexOid(t)
                                                  : PgConstraintOid(t);
    if (its == oid && (kind == OidKind::kTable || HasPgPrimaryKey(t))) return std::move(t);
  }
  return std::nullopt;
}

// A relation name as regclass reads it: "t", "public.t", "\"T\"".
absl::StatusOr<ast::ObjectName> RelationName(const std::string& text) {
  CAIRN_ASSIGN_OR_RETURN(auto statements, parser::ParseStatements("SELECT * FROM " + text));
  if (statements.size() != 1) {
    return MakeError(ErrorCode::kInvalidTextRepresentation, "invalid name syntax");
  }
  const std::string round_trip = statements[0]->ToString();
  // The name is the FROM item's: re-read it from the deparsed statement.
  const size_t from = round_trip.rfind(" FROM ");
  std::vector<std::string> parts =
      absl::StrSplit(round_trip.substr(from + 6), '.', absl::SkipEmpty());
  ast::ObjectName name;
  auto unquote = [](std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
      std::string out;
      for (size_t i = 1; i + 1 < s.size(); ++i) {
        out += s[i];
        if (s[i] == '"') ++i;
      }
      return out;
    }
    return s;
  };
  name.name = unquote(parts.back());
  if (parts.size() >= 2) name.schema = unquote(parts[parts.size() - 2]);
  return name;
}

absl::StatusOr<Value> RegclassOid(ExecContext* ctx, const std::string& text) {
  // A number is an OID already, as regclass's input reads it.
  int64_t oid;
  if (absl::SimpleAtoi(text, &oid)) return Value::Int64(oid);
  CAIRN_ASSIGN_OR_RETURN(ast::ObjectName name, RelationName(text));
  if (name.schema.empty() || name.schema == "public") {
    CAIRN_ASSIGN_OR_RETURN(auto table, ctx->catalog->GetTable(ctx->txn, ctx->database_id, name.name));
    if (table) return Value::Int64(PgTableOid(*table));
    CAIRN_ASSIGN_OR_RETURN(auto tables, Tables(ctx));
    for (const auto& t : tables) {
      if (HasPgPrimaryKey(t) && t.primary_index_name() == name.name) {
        return Value::Int64(PgIndexOid(t));
      }
    }
  }
  return MakeError(ErrorCode::kUndefinedTable,
                   absl::StrFormat("relation \"%s\" does not exist", text));
}

absl::StatusOr<Value> RegclassName(ExecContext* ctx, int64_t oid) {
  CAIRN_ASSIGN_OR_RETURN(auto tables, Tables(ctx));
  for (const auto& t : tables) {
    if (PgTableOid(t) == oid) return Value::Text(ast::QuoteIdentifier(t.name()));
    if (HasPgPrimaryKey(t) && PgIndexOid(t) == oid) {
      return Value::Text(ast::QuoteIdentifier(t.primary_index_name()));
    }
  }
  return Value::Text(absl::StrCat(oid));  // PostgreSQL prints an unknown OID as a number
}

absl::StatusOr<Value> RegtypeOid(const std::string& text) {
  auto statements = parser::ParseStatements("SELECT NULL::" + text);
  if (statements.ok() && statements->size() == 1) {
    // Resolve through a cast's type name, as regtype's input does.
    ast::TypeName type;
    type.name = text;
    const std::string lowered = absl::AsciiStrToLower(text);
    for (const std::string& candidate : {lowered, ast::CanonicalTypeName(lowered)}) {
      type.name = candidate;
      auto resolved = ast::ResolveType(type);
      if (resolved.ok()) return Value::Int64(PgTypeOid(resolved->type));
    }
  }
  return MakeError(ErrorCode::kUndefinedObject,
                   absl::StrFormat("type \"%s\" does not exist", text));
}

// has_*_privilege's privilege text: "SELECT", "select, insert", "UPDATE
// WITH GRANT OPTION". Any one of those listed suffices, as in PostgreSQL.
absl::StatusOr<std::vector<std::pair<uint32_t, bool>>> PrivilegeList(const std::string& text) {
  std::vector<std::pair<uint32_t, bool>> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::string p = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(part));
    bool grant_option = false;
    const std::string suffix = " WITH GRANT OPTION";
    if (p.size() > suffix.size() && p.substr(p.size() - suffix.size()) == suffix) {
      grant_option = true;
      p = std::string(absl::StripAsciiWhitespace(p.substr(0, p.size() - suffix.size())));
    }
    std::optional<catalog::Privilege> bit = catalog::PrivilegeFromName(p);
    if (!bit) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrFormat("unrecognized privilege type: \"%s\"", p));
    }
    out.emplace_back(*bit, grant_option);
  }
  return out;
}

absl::StatusOr<bool> IsSuperuser(ExecContext* ctx, const std::string& role) {
  CAIRN_ASSIGN_OR_RETURN(auto r, ctx->catalog->GetRole(ctx->txn, role));
  if (!r) {
    return MakeError(ErrorCode::kUndefinedObject, absl::StrFormat("role \"%s\" does not exist", role));
  }
  return r->superuser();
}

absl::StatusOr<Value> HasPrivilege(ExecContext* ctx, const std::string& function,
                                   const std::vector<Value>& args) {
  // (object, privilege) for the current role, or (role, object, privilege).
  const bool with_role = args.size() == 3;
  for (const Value& a : args) {
    if (a.is_null()) return Value::Null(TypeId::kBool);
  }
  std::string role = ctx->user;
  if (with_role) {
    if (IsStringType(args[0].type()) || args[0].type() == TypeId::kUnknown) {
      role = TextOf(args[0]);
    } else {
      CAIRN_ASSIGN_OR_RETURN(auto roles, ctx->catalog->ListRoles(ctx->txn));
      bool found = false;
      for (const auto& r : roles) {
        if (r.id() == args[0].int_value()) role = r.name(), found = true;
      }
      if (!found) return Value::Null(TypeId::kBool);
    }
  }
  const Value& object = args[with_role ? 1 : 0];
  CAIRN_ASSIGN_OR_RETURN(auto wanted, PrivilegeList(TextOf(args[with_role ? 2 : 1])));
  CAIRN_ASSIGN_OR_RETURN(bool superuser, IsSuperuser(ctx, role));
  const bool by_name = IsStringType(object.type()) || object.type() == TypeId::kUnknown;
  std::string owner;
  const catalog::Acl* acl = nullptr;
  std::optional<catalog::TableInfo> table;
  std::optional<proto::DatabaseDescriptor> db;
  catalog::Acl database_default;
  if (function == "has_table_privilege") {
    int64_t oid = 0;
    if (by_name) {
      CAIRN_ASSIGN_OR_RETURN(Value v, RegclassOid(ctx, TextOf(object)));
      oid = v.int_value();
    } else {
      oid = object.int_value();
    }
    CAIRN_ASSIGN_OR_RETURN(table, TableByOid(ctx, oid, OidKind::kTable));
    if (!table) return Value::Null(TypeId::kBool);
    owner = std::string(catalog::EffectiveOwner(table->descriptor().owner()));
    acl = &table->descriptor().acl();
  } else if (function == "has_schema_privilege") {
    const std::string schema = by_name ? TextOf(object) : PgNamespaceName(object.int_value());
    if (schema == "pg_catalog" || schema == "information_schema") {
      // Everyone may use the system schemas; nobody creates in them.
      for (const auto& [bit, grant_option] : wanted) {
        if (bit == catalog::kUsage && !grant_option) return Value::Bool(true);
      }
      return Value::Bool(superuser);
    }
    if (schema != "public") {
      return MakeError(ErrorCode::kInvalidSchemaName,
                       absl::StrFormat("schema \"%s\" does not exist", schema));
    }
    CAIRN_ASSIGN_OR_RETURN(db, ctx->catalog->GetDatabase(ctx->txn, ctx->database));
    if (!db) return Value::Null(TypeId::kBool);
    owner = std::string(catalog::EffectiveOwner(db->owner()));
    // PUBLIC holds USAGE on the schema public, as in PostgreSQL 15.
    database_default = db->public_schema_acl();
    catalog::GrantPrivileges(&database_default, "", owner, catalog::kUsage, false);
    acl = &database_default;
  } else {
    std::string name = TextOf(object);
    if (!by_name) {
      CAIRN_ASSIGN_OR_RETURN(auto dbs, ctx->catalog->ListDatabases(ctx->txn));
      for (const auto& d : dbs) {
        if (d.id() == object.int_value()) name = d.name();
      }
    }
    CAIRN_ASSIGN_OR_RETURN(db, ctx->catalog->GetDatabase(ctx->txn, name));
    if (!db) {
      return MakeError(ErrorCode::kInvalidCatalogName,
                       absl::StrFormat("database \"%s\" does not exist", name));
    }
    owner = std::string(catalog::EffectiveOwner(db->owner()));
    database_default = db->acl();
    if (!db->has_acl()) {
      catalog::GrantPrivileges(&database_default, "", owner,
                               catalog::kDefaultPublicDatabasePrivileges, false);
    }
    acl = &database_default;
  }
  if (superuser) return Value::Bool(true);
  for (const auto& [bit, grant_option] : wanted) {
    const bool held = grant_option ? catalog::HoldsGrantOption(owner, *acl, role, bit)
                                   : catalog::HoldsPrivileges(owner, *acl, role, bit);
    if (held) return Value::Bool(true);
  }
  return Value::Bool(false);
}

// cairn_check_indexes(table): that every secondary index of the table holds
// exactly one entry per row, as the row's values make it, and nothing
// else (PostgreSQL's amcheck, for CairnDB's indexes). The number of entries
// checked; XX002 at the first difference.
absl::StatusOr<Value> CheckIndexes(ExecContext* ctx, const std::string& table_name) {
  CAIRN_ASSIGN_OR_RETURN(ast::ObjectName name, RelationName(table_name));
  CAIRN_ASSIGN_OR_RETURN(auto table, ctx->catalog->GetTable(ctx->txn, ctx->database_id, name.name));
  if (!table) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", table_name));
  }
  absl::flat_hash_map<std::string, std::string> expected;
  const std::string rows_prefix =
      catalog::catalog_keys::IndexPrefix(table->id(), table->primary_index_id());
  CAIRN_ASSIGN_OR_RETURN(auto rows,
                         ctx->txn->Scan(rows_prefix, key_codec::PrefixEnd(rows_prefix), 0));
  for (const auto& kv : rows) {
    CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(*table, kv.key, kv.value));
    for (const catalog::IndexInfo& index : table->indexes()) {
      catalog::IndexEntry entry = catalog::EncodeIndexEntry(*table, index, row);
      if (!expected.emplace(entry.key, entry.value).second) {
        return MakeError(ErrorCode::kIndexCorrupted,
                         absl::StrFormat("index \"%s\" has two rows for one unique key",
                                         index.name));
      }
    }
  }
  int64_t checked = 0;
  for (const catalog::IndexInfo& index : table->indexes()) {
    const std::string prefix = catalog::catalog_keys::IndexPrefix(table->id(), index.id);
    CAIRN_ASSIGN_OR_RETURN(auto entries,
                           ctx->txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
    for (const auto& kv : entries) {
      auto it = expected.find(kv.key);
      if (it == expected.end() || it->second != kv.value) {
        return MakeError(ErrorCode::kIndexCorrupted,
                         absl::StrFormat("index \"%s\" has an entry no row of \"%s\" makes",
                                         index.name, table->name()));
      }
      expected.erase(it);
      ++checked;
    }
  }
  if (!expected.empty()) {
    return MakeError(ErrorCode::kIndexCorrupted,
                     absl::StrFormat("an index of \"%s\" lacks %d entries", table->name(),
                                     expected.size()));
  }
  return Value::Int64(checked);
}

}  // namespace

absl::StatusOr<std::optional<Value>> EvalCatalogFunction(const planner::BoundExpr& e,
                                                         const std::vector<Value>& args,
                                                         ExecContext* ctx) {
  const std::string& name = e.name;
  if (name == "has_table_privilege" || name == "has_schema_privilege" ||
      name == "has_database_privilege") {
    return HasPrivilege(ctx, name, args);
  }
  // The rest are strict: NULL in, NULL out.
  const bool catalog_function =
      name == "pg_table_is_visible" || name == "pg_type_is_visible" ||
      name == "pg_encoding_to_char" ||
      name == "pg_get_userbyid" || name == "format_type" || name == "obj_description" ||
      name == "col_description" || name == "shobj_description" || name == "pg_get_expr" ||
      name == "pg_get_indexdef" || name == "pg_get_constraintdef" ||
      name == "pg_relation_is_publishable" || name == "pg_get_statisticsobjdef_columns" ||
      name == "pg_get_serial_sequence" || name == "cairn_check_indexes" || name == "pg_get_partkeydef" ||
      name == "pg_get_triggerdef" || name == "pg_get_ruledef" || name == "pg_get_viewdef" ||
      name == "cairn_regclass_oid" || name == "cairn_regclass_name" ||
      name == "cairn_regtype_oid" || name == "cairn_regtype_name" ||
      name == "cairn_regnamespace_oid" || name == "cairn_regnamespace_name";
  if (!catalog_function) return std::nullopt;
  if (name == "obj_description" || name == "col_description" || name == "shobj_description") {
    // Tables' and columns' comments (COMMENT ON); other objects have none.
    if (name == "shobj_description" || args[0].is_null()) return Value::Null(TypeId::kText);
    if (name == "obj_description" && args.size() == 2 &&
        (args[1].is_null() || TextOf(args[1]) != "pg_class")) {
      return Value::Null(TypeId::kText);
    }
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    CAIRN_ASSIGN_OR_RETURN(auto table, TableByOid(ctx, oid, OidKind::kTable));
    if (!table) return Value::Null(TypeId::kText);
    std::string comment = table->descriptor().comment();
    if (name == "col_description") {
      if (args[1].is_null()) return Value::Null(TypeId::kText);
      CAIRN_ASSIGN_OR_RETURN(int64_t attnum, OidArg(args[1]));
      comment.clear();
      int64_t n = 0;
      for (const auto& c : table->descriptor().columns()) {
        if (c.hidden()) continue;
        if (++n == attnum) comment = c.comment();
      }
    }
    if (comment.empty()) return Value::Null(TypeId::kText);
    return Value::Text(comment);
  }
  // Definitions of objects CairnDB does not have (extended statistics,
  // partitioning, triggers, rules, views): NULL, PostgreSQL's answer for an
  // OID that names none.
  if (name == "pg_get_statisticsobjdef_columns" || name == "pg_get_partkeydef" ||
      name == "pg_get_triggerdef" || name == "pg_get_ruledef" || name == "pg_get_viewdef") {
    return Value::Null(TypeId::kText);
  }
  if (name == "format_type") {
    // format_type(oid, NULL) is the type without modifiers.
    if (args[0].is_null()) return Value::Null(TypeId::kText);
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    int64_t typmod = -1;
    if (!args[1].is_null()) {
      CAIRN_ASSIGN_OR_RETURN(typmod, OidArg(args[1]));
    }
    return Value::Text(FormatPgType(oid, typmod));
  }
  for (const Value& a : args) {
    if (a.is_null()) return Value::NullOf(e.type);
  }
  // One schema of tables, and pg_catalog's types, both on the search path.
  if (name == "pg_table_is_visible" || name == "pg_type_is_visible") return Value::Bool(true);
  if (name == "pg_encoding_to_char") {
    return Value::Text(args[0].int_value() == 6 ? "UTF8" : "");
  }
  if (name == "pg_get_userbyid") {
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    if (!ctx->role_names) {
      CAIRN_ASSIGN_OR_RETURN(auto roles, ctx->catalog->ListRoles(ctx->txn));
      ctx->role_names.emplace();
      for (const auto& r : roles) (*ctx->role_names)[r.id()] = r.name();
    }
    auto it = ctx->role_names->find(oid);
    if (it == ctx->role_names->end()) return Value::Text(absl::StrCat("unknown (OID=", oid, ")"));
    return Value::Text(it->second);
  }
  if (name == "pg_relation_is_publishable") {
    // Every table could be published (were there logical replication).
    int64_t oid;
    if (IsStringType(args[0].type())) {
      CAIRN_ASSIGN_OR_RETURN(Value v, RegclassOid(ctx, TextOf(args[0])));
      oid = v.int_value();
    } else {
      CAIRN_ASSIGN_OR_RETURN(oid, OidArg(args[0]));
    }
    CAIRN_ASSIGN_OR_RETURN(auto table, TableByOid(ctx, oid, OidKind::kTable));
    return Value::Bool(table.has_value());
  }
  if (name == "cairn_check_indexes") return CheckIndexes(ctx, TextOf(args[0]));
  if (name == "pg_get_serial_sequence") {
    // A SERIAL column's sequence, named as PostgreSQL names it.
    CAIRN_ASSIGN_OR_RETURN(ast::ObjectName table_name, RelationName(TextOf(args[0])));
    CAIRN_ASSIGN_OR_RETURN(auto table,
                           ctx->catalog->GetTable(ctx->txn, ctx->database_id, table_name.name));
    if (!table) {
      return MakeError(ErrorCode::kUndefinedTable,
                       absl::StrFormat("relation \"%s\" does not exist", TextOf(args[0])));
    }
    const std::string column = TextOf(args[1]);
    for (const auto& c : table->columns()) {
      if (c.name != column || c.hidden) continue;
      if (!c.is_serial) return Value::Null(TypeId::kText);
      return Value::Text(absl::StrCat("public.", table->name(), "_", column, "_seq"));
    }
    return MakeError(ErrorCode::kUndefinedColumn,
                     absl::StrFormat("column \"%s\" of relation \"%s\" does not exist", column,
                                     table->name()));
  }
  if (name == "pg_get_expr") return Value::Text(TextOf(args[0]));  // defaults are kept as SQL
  if (name == "pg_get_indexdef" || name == "pg_get_constraintdef") {
    // A secondary index or the UNIQUE constraint it backs?
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    CAIRN_ASSIGN_OR_RETURN(auto tables, Tables(ctx));
    for (const auto& t : tables) {
      for (int i = 0; name == "pg_get_constraintdef" && i < t.descriptor().foreign_keys_size(); ++i) {
        if (PgForeignKeyOid(t, i) != oid) continue;
        const proto::ForeignKey& fk = t.descriptor().foreign_keys(i);
        for (const auto& parent : tables) {
          if (parent.id() == fk.ref_table_id()) return Value::Text(PgForeignKeyDef(t, fk, parent));
        }
      }
      for (int i = 0; name == "pg_get_constraintdef" && i < t.descriptor().checks_size(); ++i) {
        if (PgCheckConstraintOid(t, i) == oid) {
          return Value::Text(absl::StrCat("CHECK (", t.descriptor().checks(i).expr(), ")"));
        }
      }
      for (const catalog::IndexInfo& index : t.indexes()) {
        if (name == "pg_get_indexdef" && PgSecondaryIndexOid(t, index) == oid) {
          if (args.size() >= 2) {
            CAIRN_ASSIGN_OR_RETURN(int64_t column, OidArg(args[1]));
            if (column > 0) {
              if (column > static_cast<int64_t>(index.columns.size())) return Value::Text("");
              return Value::Text(ast::QuoteIdentifier(t.columns()[index.columns[column - 1]].name));
            }
          }
          return Value::Text(PgSecondaryIndexDef(t, index));
        }
        if (name == "pg_get_constraintdef" && index.is_constraint &&
            PgUniqueConstraintOid(t, index) == oid) {
          return Value::Text(PgUniqueConstraintDef(t, index));
        }
      }
    }
  }
  if (name == "pg_get_indexdef") {
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    CAIRN_ASSIGN_OR_RETURN(auto table, TableByOid(ctx, oid, OidKind::kIndex));
    if (!table) return Value::Null(TypeId::kText);
    // pg_get_indexdef(index, column, pretty): one key column's name.
    if (args.size() >= 2) {
      CAIRN_ASSIGN_OR_RETURN(int64_t column, OidArg(args[1]));
      if (column > 0) {
        const auto& key = table->primary_key();
        if (column > static_cast<int64_t>(key.size())) return Value::Text("");
        return Value::Text(ast::QuoteIdentifier(table->columns()[key[column - 1]].name));
      }
    }
    return Value::Text(PgIndexDef(*table));
  }
  if (name == "pg_get_constraintdef") {
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    CAIRN_ASSIGN_OR_RETURN(auto table, TableByOid(ctx, oid, OidKind::kConstraint));
    if (!table) return Value::Null(TypeId::kText);
    return Value::Text(PgPrimaryKeyDef(*table));
  }
  // The reg* types are OIDs that print as names (regclass: a relation,
  // regtype: a type, regnamespace: a schema). CairnDB has no such storage
  // types: a cast from a name gives the OID, a cast from an OID the name.
  if (name == "cairn_regclass_oid") return RegclassOid(ctx, TextOf(args[0]));
  if (name == "cairn_regclass_name") {
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    return RegclassName(ctx, oid);
  }
  if (name == "cairn_regtype_oid") return RegtypeOid(TextOf(args[0]));
  if (name == "cairn_regtype_name") {
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    const std::string type = FormatPgType(oid, -1);
    return Value::Text(type == "???" ? absl::StrCat(oid) : type);
  }
  if (name == "cairn_regnamespace_oid") {
    const std::string schema = TextOf(args[0]);
    for (int64_t oid : {int64_t{11}, kPgPublicNamespaceOid, int64_t{13000}}) {
      if (PgNamespaceName(oid) == schema) return Value::Int64(oid);
    }
    return MakeError(ErrorCode::kInvalidSchemaName,
                     absl::StrFormat("schema \"%s\" does not exist", schema));
  }
  if (name == "cairn_regnamespace_name") {
    CAIRN_ASSIGN_OR_RETURN(int64_t oid, OidArg(args[0]));
    const std::string schema = PgNamespaceName(oid);
    return Value::Text(schema.empty() ? absl::StrCat(oid) : ast::QuoteIdentifier(schema));
  }
  return std::nullopt;
}

}  // namespace cairn::executor
