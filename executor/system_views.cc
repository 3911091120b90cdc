#include "executor/system_views.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "common/sql_type.h"
#include "common/value.h"
#include "executor/empty_pg_catalogs.h"
#include "executor/foreign_keys.h"
#include "executor/pg_object_identity.h"
#include "parser/ast/sql_text.h"

namespace cairn::executor {
namespace {

using View = planner::TableResolver::SystemView;

constexpr int64_t kUserOid = 10;
constexpr int64_t kDefaultCollationOid = 100;

int64_t TableOid(const catalog::TableInfo& t) { return PgTableOid(t); }
int64_t IndexOid(const catalog::TableInfo& t) { return PgIndexOid(t); }
bool HasPrimaryKey(const catalog::TableInfo& t) { return HasPgPrimaryKey(t); }

// The attnum of the column at `position` (hidden columns have none).
int64_t Attnum(const catalog::TableInfo& t, int position) {
  int64_t attnum = 0;
  for (int i = 0; i <= position; ++i) attnum += t.columns()[i].hidden ? 0 : 1;
  return attnum;
}

// indoption: per key column, 1 when it sorts descending.
std::vector<Value> KeyOptions(const catalog::TableInfo& t) {
  std::vector<Value> out;
  for (size_t k = 0; k < t.primary_key().size(); ++k) {
    out.push_back(Value::Int(TypeId::kInt16, t.primary_key_descending()[k] ? 1 : 0));
  }
  return out;
}

// The attnums of the table's primary key columns.
std::vector<Value> KeyAttnums(const catalog::TableInfo& t) {
  std::vector<Value> out;
  for (int pos : t.primary_key()) {
    int64_t attnum = 0;
    for (int i = 0; i <= pos; ++i) attnum += t.columns()[i].hidden ? 0 : 1;
    out.push_back(Value::Int(TypeId::kInt16, attnum));
  }
  return out;
}

// Column constructors, for the views' definitions below.
planner::OutputColumn Col(std::string name, TypeId type) {
  return {std::move(name), SqlType::Of(type)};
}
planner::OutputColumn ArrayCol(std::string name, TypeId element) {
  return {std::move(name), SqlType::ArrayOf(element)};
}
Value Oid(int64_t v) { return Value::Int64(v); }
Value Name(std::string v) { return Value::Text(std::move(v)); }
Value Char(char c) { return Value::Text(std::string(1, c)); }
Value Int2(int64_t v) { return Value::Int(TypeId::kInt16, v); }
Value Int4(int64_t v) { return Value::Int32(v); }
Value Bool(bool v) { return Value::Bool(v); }
Value NullText() { return Value::Null(TypeId::kText); }

// The types CairnDB has, as pg_type rows: oid, name, length, category.
struct TypeRow {
  TypeId id;
  const char* name;
  char category;
  int64_t array_oid;  // PostgreSQL's, though CairnDB has no arrays yet
};
constexpr TypeRow kTypes[] = {
    {TypeId::kBool, "bool", 'B', 1000},          {TypeId::kBytea, "bytea", 'U', 1001},
    {TypeId::kInt64, "int8", 'N', 1016},         {TypeId::kInt16, "int2", 'N', 1005},
    {TypeId::kInt32, "int4", 'N', 1007},         {TypeId::kText, "text", 'S', 1009},
    {TypeId::kFloat32, "float4", 'N', 1021},     {TypeId::kFloat64, "float8", 'N', 1022},
    {TypeId::kUnknown, "unknown", 'X', 0},       {TypeId::kChar, "bpchar", 'S', 1014},
    {TypeId::kVarchar, "varchar", 'S', 1015},    {TypeId::kDate, "date", 'D', 1182},
    {TypeId::kTimestamp, "timestamp", 'D', 1115}, {TypeId::kTimestampTz, "timestamptz", 'D', 1185},
    {TypeId::kNumeric, "numeric", 'N', 1231},    {TypeId::kUuid, "uuid", 'U', 2951},
    {TypeId::kJson, "json", 'U', 199},           {TypeId::kJsonb, "jsonb", 'U', 3807},
    {TypeId::kInterval, "interval", 'T', 1187},
};

struct Builder {
  const SystemViewSource& source;
  std::vector<catalog::TableInfo> tables;
  std::vector<proto::RoleDescriptor> roles;

  // The oid of the role an owner field names.
  int64_t OwnerOid(const std::string& owner) const {
    const std::string_view name = catalog::EffectiveOwner(owner);
    for (const auto& r : roles) {
      if (r.name() == name) return r.id();
    }
    return kUserOid;
  }

  // An aclitem[] column (relacl, datacl), as text[]: NULL until a grant
  // or revoke names the object.
  static Value AclArray(bool has_acl, const std::string& owner, const catalog::Acl& acl,
                        uint32_t owner_privileges) {
    if (!has_acl && acl.empty()) return Value::NullArray(TypeId::kText);
    std::vector<Value> items;
    for (std::string& item :
         catalog::AclItems(catalog::EffectiveOwner(owner), acl, owner_privileges)) {
      items.push_back(Value::Text(std::move(item)));
    }
    return Value::Array(TypeId::kText, std::move(items));
  }
  static Value RelAcl(const catalog::TableInfo& t) {
    const proto::TableDescriptor& d = t.descriptor();
    return AclArray(d.has_acl(), d.owner(), d.acl(), catalog::kAllTablePrivileges);
  }

  static Value ValidUntil(const proto::RoleDescriptor& r) {
    if (!r.has_valid_until()) return Value::Null(TypeId::kTimestampTz);
    return Value::Timestamp(TypeId::kTimestampTz, r.valid_until_micros());
  }

  View PgNamespace() const {
    View v{"pg_namespace", {Col("oid", TypeId::kInt64), Col("nspname", TypeId::kText),
                            Col("nspowner", TypeId::kInt64)}, {}};
    v.rows = {{Oid(kPgCatalogNamespaceOid), Name("pg_catalog"), Oid(kUserOid)},
              {Oid(kPgPublicNamespaceOid), Name("public"), Oid(kUserOid)},
              {Oid(kPgInformationSchemaOid), Name("information_schema"), Oid(kUserOid)}};
    return v;
  }

  View PgClass() const {
    View v{"pg_class",
           {Col("oid", TypeId::kInt64), Col("relname", TypeId::kText),
            Col("relnamespace", TypeId::kInt64), Col("relkind", TypeId::kText),
            Col("relowner", TypeId::kInt64), Col("relam", TypeId::kInt64),
            Col("reltuples", TypeId::kFloat32), Col("relhasindex", TypeId::kBool),
            Col("relpersistence", TypeId::kText), Col("relnatts", TypeId::kInt16),
            Col("relispartition", TypeId::kBool), ArrayCol("relacl", TypeId::kText),
            Col("relchecks", TypeId::kInt16), Col("relhasrules", TypeId::kBool),
            Col("relhastriggers", TypeId::kBool), Col("relrowsecurity", TypeId::kBool),
            Col("relforcerowsecurity", TypeId::kBool), Col("reltablespace", TypeId::kInt64),
            Col("reloftype", TypeId::kInt64), Col("relreplident", TypeId::kText),
            Col("reltoastrelid", TypeId::kInt64), Col("reltype", TypeId::kInt64),
            Col("relpages", TypeId::kInt32), Col("relhassubclass", TypeId::kBool),
            Col("relpartbound", TypeId::kText), ArrayCol("reloptions", TypeId::kText)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      int64_t columns = 0;
      for (const auto& c : t.columns()) columns += c.hidden ? 0 : 1;
      const int64_t owner = OwnerOid(t.descriptor().owner());
      // reltuples: what ANALYZE counted; -1 before the first, as in PostgreSQL.
      const double tuples = t.descriptor().has_statistics()
                                ? static_cast<double>(t.descriptor().statistics().row_count())
                                : -1;
      v.rows.push_back({Oid(TableOid(t)),
                        Name(t.name()),
                        Oid(kPgPublicNamespaceOid),
                        Char('r'),
                        Oid(owner),
                        Oid(2),
                        Value::Float(TypeId::kFloat32, tuples),
                        Bool(HasPrimaryKey(t)),
                        Char('p'),
                        Int2(columns),
                        Bool(false),
                        RelAcl(t),
                        Int2(t.descriptor().checks_size()),
                        Bool(false),
                        Bool(false),
                        Bool(false),
                        Bool(false),
                        Oid(0),
                        Oid(0),
                        Char('d'),
                        Oid(0),
                        Oid(0),
                        Int4(0),
                        Bool(false),
                        NullText(),
                        Value::NullArray(TypeId::kText)});
      for (const catalog::IndexInfo& index : t.indexes()) {
        v.rows.push_back({Oid(PgSecondaryIndexOid(t, index)),
                          Name(index.name),
                          Oid(kPgPublicNamespaceOid),
                          Char('i'),
                          Oid(owner),
                          Oid(403),
                          Value::Float(TypeId::kFloat32, -1),
                          Bool(false),
                          Char('p'),
                          Int2(static_cast<int64_t>(index.columns.size())),
                          Bool(false),
                          Value::NullArray(TypeId::kText),
                          Int2(0),
                          Bool(false),
                          Bool(false),
                          Bool(false),
                          Bool(false),
                          Oid(0),
                          Oid(0),
                          Char('n'),
                          Oid(0),
                          Oid(0),
                          Int4(0),
                          Bool(false),
                          NullText(),
                          Value::NullArray(TypeId::kText)});
      }
      if (!HasPrimaryKey(t)) continue;
      v.rows.push_back({Oid(IndexOid(t)),
                        Name(t.primary_index_name()),
                        Oid(kPgPublicNamespaceOid),
                        Char('i'),
                        Oid(owner),
                        Oid(403),
                        Value::Float(TypeId::kFloat32, -1),
                        Bool(false),
                        Char('p'),
                        Int2(static_cast<int64_t>(t.primary_key().size())),
                        Bool(false),
                        Value::NullArray(TypeId::kText),
                        Int2(0),
                        Bool(false),
                        Bool(false),
                        Bool(false),
                        Bool(false),
                        Oid(0),
                        Oid(0),
                        Char('n'),
                        Oid(0),
                        Oid(0),
                        Int4(0),
                        Bool(false),
                        NullText(),
                        Value::NullArray(TypeId::kText)});
    }
    return v;
  }

  View PgAttribute() const {
    View v{"pg_attribute",
           {Col("attrelid", TypeId::kInt64), Col("attname", TypeId::kText),
            Col("atttypid", TypeId::kInt64), Col("attnum", TypeId::kInt16),
            Col("attlen", TypeId::kInt16), Col("atttypmod", TypeId::kInt32),
            Col("attnotnull", TypeId::kBool), Col("atthasdef", TypeId::kBool),
            Col("attisdropped", TypeId::kBool), Col("attidentity", TypeId::kText),
            Col("attgenerated", TypeId::kText), Col("attcollation", TypeId::kInt64),
            ArrayCol("attacl", TypeId::kText), Col("attndims", TypeId::kInt16)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      int64_t number = 0;
      for (const auto& c : t.columns()) {
        if (c.hidden) continue;
        v.rows.push_back({Oid(TableOid(t)), Name(c.name), Oid(PgTypeOid(c.type)),
                          Int2(++number), Int2(PgTypeLen(c.type.id)), Int4(PgTypeMod(c.type)),
                          Bool(!c.nullable), Bool(!c.default_expr.empty() || c.is_serial),
                          Bool(false), Name(""), Name(""),
                          Oid(IsStringType(c.type.id) ? kDefaultCollationOid : 0),
                          Value::NullArray(TypeId::kText),
                          Int2(c.type.id == TypeId::kArray ? 1 : 0)});
      }
    }
    return v;
  }

  View PgType() const {
    View v{"pg_type",
           {Col("oid", TypeId::kInt64), Col("typname", TypeId::kText),
            Col("typnamespace", TypeId::kInt64), Col("typlen", TypeId::kInt16),
            Col("typtype", TypeId::kText), Col("typcategory", TypeId::kText),
            Col("typbasetype", TypeId::kInt64), Col("typtypmod", TypeId::kInt32),
            Col("typelem", TypeId::kInt64), Col("typnotnull", TypeId::kBool),
            Col("typarray", TypeId::kInt64), Col("typcollation", TypeId::kInt64),
            Col("typdefault", TypeId::kText), Col("typrelid", TypeId::kInt64),
            Col("typowner", TypeId::kInt64), Col("typisdefined", TypeId::kBool),
            Col("typdelim", TypeId::kText), Col("typinput", TypeId::kText),
            Col("typoutput", TypeId::kText)},
           {}};
    for (const TypeRow& t : kTypes) {
      v.rows.push_back({Oid(PgTypeOid(t.id)), Name(t.name), Oid(kPgCatalogNamespaceOid),
                        Int2(PgTypeLen(t.id)), Char(t.id == TypeId::kUnknown ? 'p' : 'b'),
                        Char(t.category), Oid(0), Int4(-1), Oid(0), Bool(false), Oid(t.array_oid),
                        Oid(IsStringType(t.id) ? kDefaultCollationOid : 0), NullText(), Oid(0),
                        Oid(kUserOid), Bool(true), Name(","), Name(absl::StrCat(t.name, "in")),
                        Name(absl::StrCat(t.name, "out"))});
    }
    // Each one's array type, "_name" as PostgreSQL names them.
    for (const TypeRow& t : kTypes) {
      if (t.array_oid == 0) continue;
      v.rows.push_back({Oid(t.array_oid), Name(absl::StrCat("_", t.name)),
                        Oid(kPgCatalogNamespaceOid), Int2(-1), Char('b'), Char('A'), Oid(0),
                        Int4(-1), Oid(PgTypeOid(t.id)), Bool(false), Oid(0),
                        Oid(IsStringType(t.id) ? kDefaultCollationOid : 0), NullText(), Oid(0),
                        Oid(kUserOid), Bool(true), Name(","), Name("array_in"), Name("array_out")});
    }
    return v;
  }

  View PgIndex() const {
    View v{"pg_index",
           {Col("indexrelid", TypeId::kInt64), Col("indrelid", TypeId::kInt64),
            Col("indnatts", TypeId::kInt16), Col("indisunique", TypeId::kBool),
            Col("indisprimary", TypeId::kBool), Col("indisclustered", TypeId::kBool),
            Col("indisvalid", TypeId::kBool), Col("indisreplident", TypeId::kBool),
            Col("indisready", TypeId::kBool), Col("indislive", TypeId::kBool),
            Col("indisexclusion", TypeId::kBool), Col("indimmediate", TypeId::kBool),
            Col("indnkeyatts", TypeId::kInt16), ArrayCol("indkey", TypeId::kInt16),
            Col("indexprs", TypeId::kText), Col("indpred", TypeId::kText),
            ArrayCol("indoption", TypeId::kInt16)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      if (!HasPrimaryKey(t)) continue;
      const int64_t keys = static_cast<int64_t>(t.primary_key().size());
      v.rows.push_back({Oid(IndexOid(t)), Oid(TableOid(t)), Int2(keys), Bool(true), Bool(true),
                        Bool(false), Bool(true), Bool(false), Bool(true), Bool(true), Bool(false),
                        Bool(true), Int2(keys), Value::Array(TypeId::kInt16, KeyAttnums(t)),
                        NullText(), NullText(), Value::Array(TypeId::kInt16, KeyOptions(t))});
    }
    for (const catalog::TableInfo& t : tables) {
      for (const catalog::IndexInfo& index : t.indexes()) {
        const int64_t keys = static_cast<int64_t>(index.columns.size());
        std::vector<Value> attnums, options;
        for (size_t k = 0; k < index.columns.size(); ++k) {
          attnums.push_back(Int2(Attnum(t, index.columns[k])));
          options.push_back(Int2(index.descending[k] ? 1 : 0));
        }
        v.rows.push_back({Oid(PgSecondaryIndexOid(t, index)), Oid(TableOid(t)), Int2(keys),
                          Bool(index.unique), Bool(false), Bool(false), Bool(true), Bool(false),
                          Bool(true), Bool(true), Bool(false), Bool(true), Int2(keys),
                          Value::Array(TypeId::kInt16, std::move(attnums)), NullText(), NullText(),
                          Value::Array(TypeId::kInt16, std::move(options))});
      }
    }
    return v;
  }

  absl::StatusOr<View> PgDatabase() const {
    View v{"pg_database",
           {Col("oid", TypeId::kInt64), Col("datname", TypeId::kText),
            Col("datdba", TypeId::kInt64), Col("encoding", TypeId::kInt32),
            Col("datlocprovider", TypeId::kText), Col("datistemplate", TypeId::kBool),
            Col("datallowconn", TypeId::kBool), Col("datconnlimit", TypeId::kInt32),
            Col("datcollate", TypeId::kText), Col("datctype", TypeId::kText),
            Col("daticulocale", TypeId::kText), ArrayCol("datacl", TypeId::kText)},
           {}};
    CAIRN_ASSIGN_OR_RETURN(auto databases, source.catalog->ListDatabases(source.txn));
    for (const auto& db : databases) {
      // Strings compare bytewise, as in the C locale; UTF-8 throughout.
      v.rows.push_back({Oid(db.id()), Name(db.name()), Oid(OwnerOid(db.owner())), Int4(6),
                        Char('c'), Bool(false), Bool(true), Int4(-1), Name("C.UTF-8"),
                        Name("C.UTF-8"), NullText(),
                        AclArray(db.has_acl(), db.owner(), db.acl(),
                                 catalog::kAllDatabasePrivileges)});
    }
    return v;
  }

  // pg_roles: every role, the password hidden.
  View PgRoles() const {
    View v{"pg_roles",
           {Col("rolname", TypeId::kText), Col("rolsuper", TypeId::kBool),
            Col("rolinherit", TypeId::kBool), Col("rolcreaterole", TypeId::kBool),
            Col("rolcreatedb", TypeId::kBool), Col("rolcanlogin", TypeId::kBool),
            Col("rolreplication", TypeId::kBool), Col("rolconnlimit", TypeId::kInt32),
            Col("rolpassword", TypeId::kText), Col("rolvaliduntil", TypeId::kTimestampTz),
            Col("rolbypassrls", TypeId::kBool), Col("oid", TypeId::kInt64)},
           {}};
    for (const auto& r : roles) {
      v.rows.push_back({Name(r.name()), Bool(r.superuser()), Bool(r.inherit()),
                        Bool(r.create_role()), Bool(r.create_db()), Bool(r.login()), Bool(false),
                        Int4(r.connection_limit()), Name("********"), ValidUntil(r), Bool(false),
                        Oid(r.id())});
    }
    return v;
  }

  // pg_authid: as pg_roles, with the stored secrets; superusers only.
  View PgAuthid() const {
    View v{"pg_authid",
           {Col("oid", TypeId::kInt64), Col("rolname", TypeId::kText),
            Col("rolsuper", TypeId::kBool), Col("rolinherit", TypeId::kBool),
            Col("rolcreaterole", TypeId::kBool), Col("rolcreatedb", TypeId::kBool),
            Col("rolcanlogin", TypeId::kBool), Col("rolreplication", TypeId::kBool),
            Col("rolbypassrls", TypeId::kBool), Col("rolconnlimit", TypeId::kInt32),
            Col("rolpassword", TypeId::kText), Col("rolvaliduntil", TypeId::kTimestampTz)},
           {}};
    for (const auto& r : roles) {
      v.rows.push_back({Oid(r.id()), Name(r.name()), Bool(r.superuser()), Bool(r.inherit()),
                        Bool(r.create_role()), Bool(r.create_db()), Bool(r.login()), Bool(false),
                        Bool(false), Int4(r.connection_limit()),
                        r.password().empty() ? NullText() : Name(r.password()), ValidUntil(r)});
    }
    return v;
  }

  // pg_user: the roles that may log in.
  View PgUser() const {
    View v{"pg_user",
           {Col("usename", TypeId::kText), Col("usesysid", TypeId::kInt64),
            Col("usecreatedb", TypeId::kBool), Col("usesuper", TypeId::kBool),
            Col("userepl", TypeId::kBool), Col("usebypassrls", TypeId::kBool),
            Col("passwd", TypeId::kText), Col("valuntil", TypeId::kTimestampTz)},
           {}};
    for (const auto& r : roles) {
      if (!r.login()) continue;
      v.rows.push_back({Name(r.name()), Oid(r.id()), Bool(r.create_db()), Bool(r.superuser()),
                        Bool(false), Bool(false), Name("********"), ValidUntil(r)});
    }
    return v;
  }

  // pg_constraint: the primary keys (CHECK, UNIQUE and FOREIGN KEY
  // constraints do not exist yet).
  View PgConstraint() const {
    View v{"pg_constraint",
           {Col("oid", TypeId::kInt64), Col("conname", TypeId::kText),
            Col("connamespace", TypeId::kInt64), Col("contype", TypeId::kText),
            Col("condeferrable", TypeId::kBool), Col("condeferred", TypeId::kBool),
            Col("convalidated", TypeId::kBool), Col("conrelid", TypeId::kInt64),
            Col("contypid", TypeId::kInt64), Col("conindid", TypeId::kInt64),
            Col("conparentid", TypeId::kInt64), Col("confrelid", TypeId::kInt64),
            Col("confupdtype", TypeId::kText), Col("confdeltype", TypeId::kText),
            Col("confmatchtype", TypeId::kText), Col("conislocal", TypeId::kBool),
            Col("coninhcount", TypeId::kInt32), Col("connoinherit", TypeId::kBool),
            ArrayCol("conkey", TypeId::kInt16), ArrayCol("confkey", TypeId::kInt16),
            Col("conbin", TypeId::kText)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      if (!HasPrimaryKey(t)) continue;
      v.rows.push_back({Oid(PgConstraintOid(t)),
                        Name(t.primary_index_name()),
                        Oid(kPgPublicNamespaceOid),
                        Char('p'),
                        Bool(false),
                        Bool(false),
                        Bool(true),
                        Oid(TableOid(t)),
                        Oid(0),
                        Oid(IndexOid(t)),
                        Oid(0),
                        Oid(0),
                        Char(' '),
                        Char(' '),
                        Char(' '),
                        Bool(true),
                        Int4(0),
                        Bool(true),
                        Value::Array(TypeId::kInt16, KeyAttnums(t)),
                        Value::NullArray(TypeId::kInt16),
                        NullText()});
    }
    // CHECK constraints.
    for (const catalog::TableInfo& t : tables) {
      for (int i = 0; i < t.descriptor().checks_size(); ++i) {
        const proto::CheckConstraint& check = t.descriptor().checks(i);
        v.rows.push_back({Oid(PgCheckConstraintOid(t, i)),
                          Name(check.name()),
                          Oid(kPgPublicNamespaceOid),
                          Char('c'),
                          Bool(false),
                          Bool(false),
                          Bool(true),
                          Oid(TableOid(t)),
                          Oid(0),
                          Oid(0),
                          Oid(0),
                          Oid(0),
                          Char(' '),
                          Char(' '),
                          Char(' '),
                          Bool(true),
                          Int4(0),
                          Bool(false),
                          Value::NullArray(TypeId::kInt16),
                          Value::NullArray(TypeId::kInt16),
                          Name(check.expr())});
      }
    }
    // FOREIGN KEY constraints.
    for (const catalog::TableInfo& t : tables) {
      for (int i = 0; i < t.descriptor().foreign_keys_size(); ++i) {
        const proto::ForeignKey& fk = t.descriptor().foreign_keys(i);
        const catalog::TableInfo* parent = nullptr;
        for (const catalog::TableInfo& p : tables) {
          if (p.id() == fk.ref_table_id()) parent = &p;
        }
        if (parent == nullptr) continue;
        std::vector<Value> mine, theirs;
        for (uint32_t id : fk.column_ids()) mine.push_back(Int2(Attnum(t, *t.ColumnPosition(id))));
        for (uint32_t id : fk.ref_column_ids()) {
          theirs.push_back(Int2(Attnum(*parent, *parent->ColumnPosition(id))));
        }
        v.rows.push_back({Oid(PgForeignKeyOid(t, i)),
                          Name(fk.name()),
                          Oid(kPgPublicNamespaceOid),
                          Char('f'),
                          Bool(fk.deferrable()),
                          Bool(fk.initially_deferred()),
                          Bool(true),
                          Oid(TableOid(t)),
                          Oid(0),
                          Oid(0),
                          Oid(0),
                          Oid(TableOid(*parent)),
                          Char(ActionLetter(fk.on_update())),
                          Char(ActionLetter(OnDeleteAction(fk))),
                          Char('s'),
                          Bool(true),
                          Int4(0),
                          Bool(true),
                          Value::Array(TypeId::kInt16, std::move(mine)),
                          Value::Array(TypeId::kInt16, std::move(theirs)),
                          NullText()});
      }
    }
    // UNIQUE constraints, each backed by its index.
    for (const catalog::TableInfo& t : tables) {
      for (const catalog::IndexInfo& index : t.indexes()) {
        if (!index.is_constraint) continue;
        std::vector<Value> attnums;
        for (int pos : index.columns) attnums.push_back(Int2(Attnum(t, pos)));
        v.rows.push_back({Oid(PgUniqueConstraintOid(t, index)),
                          Name(index.name),
                          Oid(kPgPublicNamespaceOid),
                          Char('u'),
                          Bool(false),
                          Bool(false),
                          Bool(true),
                          Oid(TableOid(t)),
                          Oid(0),
                          Oid(PgSecondaryIndexOid(t, index)),
                          Oid(0),
                          Oid(0),
                          Char(' '),
                          Char(' '),
                          Char(' '),
                          Bool(true),
                          Int4(0),
                          Bool(true),
                          Value::Array(TypeId::kInt16, std::move(attnums)),
                          Value::NullArray(TypeId::kInt16),
                          NullText()});
      }
    }
    return v;
  }

  // pg_attrdef: column defaults, as the SQL text pg_get_expr returns.
  View PgAttrdef() const {
    View v{"pg_attrdef",
           {Col("oid", TypeId::kInt64), Col("adrelid", TypeId::kInt64),
            Col("adnum", TypeId::kInt16), Col("adbin", TypeId::kText)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      int64_t attnum = 0;
      for (const auto& c : t.columns()) {
        if (c.hidden) continue;
        ++attnum;
        std::string expr = c.default_expr;
        if (c.is_serial) expr = absl::StrCat("nextval('", t.name(), "_", c.name, "_seq'::regclass)");
        if (expr.empty()) continue;
        v.rows.push_back({Oid(TableOid(t) * 1000 + attnum), Oid(TableOid(t)), Int2(attnum),
                          Name(expr)});
      }
    }
    return v;
  }

  View PgCollation() const {
    return View{
        "pg_collation",
        {Col("oid", TypeId::kInt64), Col("collname", TypeId::kText),
         Col("collnamespace", TypeId::kInt64), Col("collprovider", TypeId::kText),
         Col("collcollate", TypeId::kText), Col("collctype", TypeId::kText)},
        {{Oid(kDefaultCollationOid), Name("default"), Oid(kPgCatalogNamespaceOid), Char('d'),
          NullText(), NullText()},
         {Oid(950), Name("C"), Oid(kPgCatalogNamespaceOid), Char('c'), Name("C"), Name("C")},
         {Oid(951), Name("POSIX"), Oid(kPgCatalogNamespaceOid), Char('c'), Name("POSIX"),
          Name("POSIX")}}};
  }

  // pg_description: COMMENT ON TABLE and COLUMN (objsubid the attnum).
  View PgDescription() const {
    View v{"pg_description",
           {Col("objoid", TypeId::kInt64), Col("classoid", TypeId::kInt64),
            Col("objsubid", TypeId::kInt32), Col("description", TypeId::kText)},
           {}};
    constexpr int64_t kPgClassOid = 1259;
    for (const catalog::TableInfo& t : tables) {
      if (!t.descriptor().comment().empty()) {
        v.rows.push_back({Oid(TableOid(t)), Oid(kPgClassOid), Int4(0), Name(t.descriptor().comment())});
      }
      int64_t attnum = 0;
      for (const auto& c : t.descriptor().columns()) {
        if (c.hidden()) continue;
        ++attnum;
        if (c.comment().empty()) continue;
        v.rows.push_back({Oid(TableOid(t)), Oid(kPgClassOid), Int4(attnum), Name(c.comment())});
      }
    }
    return v;
  }

  // pg_auth_members: role memberships, of which CairnDB has none yet
  // (GRANT role TO role is not supported).
  View PgAuthMembers() const {
    return View{"pg_auth_members",
                {Col("roleid", TypeId::kInt64), Col("member", TypeId::kInt64),
                 Col("grantor", TypeId::kInt64), Col("admin_option", TypeId::kBool)},
                {}};
  }

  View PgAm() const {
    View v{"pg_am",
           {Col("oid", TypeId::kInt64), Col("amname", TypeId::kText), Col("amtype", TypeId::kText)},
           {{Oid(2), Name("heap"), Char('t')}, {Oid(403), Name("btree"), Char('i')}}};
    return v;
  }

  // pg_indexes: every index with its definition.
  View PgIndexes() const {
    View v{"pg_indexes",
           {Col("schemaname", TypeId::kText), Col("tablename", TypeId::kText),
            Col("indexname", TypeId::kText), Col("tablespace", TypeId::kText),
            Col("indexdef", TypeId::kText)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      if (HasPrimaryKey(t)) {
        v.rows.push_back({Name("public"), Name(t.name()), Name(t.primary_index_name()), NullText(),
                          Name(PgIndexDef(t))});
      }
      for (const catalog::IndexInfo& index : t.indexes()) {
        v.rows.push_back({Name("public"), Name(t.name()), Name(index.name), NullText(),
                          Name(PgSecondaryIndexDef(t, index))});
      }
    }
    return v;
  }

  View PgTables() const {
    View v{"pg_tables",
           {Col("schemaname", TypeId::kText), Col("tablename", TypeId::kText),
            Col("tableowner", TypeId::kText), Col("hasindexes", TypeId::kBool)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      v.rows.push_back({Name("public"), Name(t.name()),
                        Name(std::string(catalog::EffectiveOwner(t.descriptor().owner()))),
                        Bool(HasPrimaryKey(t))});
    }
    return v;
  }

  View Schemata() const {
    View v{"schemata",
           {Col("catalog_name", TypeId::kText), Col("schema_name", TypeId::kText),
            Col("schema_owner", TypeId::kText)},
           {}};
    for (const char* schema : {"pg_catalog", "public", "information_schema"}) {
      v.rows.push_back({Name(source.database), Name(schema), Name(source.user)});
    }
    return v;
  }

  // information_schema.table_constraints and key_column_usage: the
  // primary keys.
  View TableConstraints() const {
    View v{"table_constraints",
           {Col("constraint_catalog", TypeId::kText), Col("constraint_schema", TypeId::kText),
            Col("constraint_name", TypeId::kText), Col("table_catalog", TypeId::kText),
            Col("table_schema", TypeId::kText), Col("table_name", TypeId::kText),
            Col("constraint_type", TypeId::kText), Col("is_deferrable", TypeId::kText),
            Col("initially_deferred", TypeId::kText), Col("enforced", TypeId::kText)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      auto add = [&](const std::string& name, const char* type) {
        v.rows.push_back({Name(source.database), Name("public"), Name(name),
                          Name(source.database), Name("public"), Name(t.name()), Name(type),
                          Name("NO"), Name("NO"), Name("YES")});
      };
      if (HasPrimaryKey(t)) add(t.primary_index_name(), "PRIMARY KEY");
      for (const catalog::IndexInfo& index : t.indexes()) {
        if (index.is_constraint) add(index.name, "UNIQUE");
      }
      for (const auto& check : t.descriptor().checks()) add(check.name(), "CHECK");
      for (const auto& fk : t.descriptor().foreign_keys()) add(fk.name(), "FOREIGN KEY");
    }
    return v;
  }

  View KeyColumnUsage() const {
    View v{"key_column_usage",
           {Col("constraint_catalog", TypeId::kText), Col("constraint_schema", TypeId::kText),
            Col("constraint_name", TypeId::kText), Col("table_catalog", TypeId::kText),
            Col("table_schema", TypeId::kText), Col("table_name", TypeId::kText),
            Col("column_name", TypeId::kText), Col("ordinal_position", TypeId::kInt32),
            Col("position_in_unique_constraint", TypeId::kInt32)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      if (!HasPrimaryKey(t)) continue;
      int64_t ordinal = 0;
      for (int pos : t.primary_key()) {
        v.rows.push_back({Name(source.database), Name("public"), Name(t.primary_index_name()),
                          Name(source.database), Name("public"), Name(t.name()),
                          Name(t.columns()[pos].name), Int4(++ordinal),
                          Value::Null(TypeId::kInt32)});
      }
    }
    return v;
  }

  // pg_settings: the session's settings, as SHOW ALL lists them.
  View PgSettings() const {
    View v{"pg_settings",
           {Col("name", TypeId::kText), Col("setting", TypeId::kText), Col("unit", TypeId::kText),
            Col("category", TypeId::kText), Col("short_desc", TypeId::kText),
            Col("context", TypeId::kText), Col("vartype", TypeId::kText),
            Col("source", TypeId::kText), Col("boot_val", TypeId::kText),
            Col("reset_val", TypeId::kText), Col("pending_restart", TypeId::kBool)},
           {}};
    for (const auto& [name, value] : source.settings) {
      v.rows.push_back({Name(name), Name(value), NullText(), Name("Ungrouped"), Name(""),
                        Name("user"), Name("string"), Name("session"), NullText(), NullText(),
                        Bool(false)});
    }
    return v;
  }

  View Tables() const {
    View v{"tables",
           {Col("table_catalog", TypeId::kText), Col("table_schema", TypeId::kText),
            Col("table_name", TypeId::kText), Col("table_type", TypeId::kText)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      v.rows.push_back({Name(source.database), Name("public"), Name(t.name()),
                        Name("BASE TABLE")});
    }
    return v;
  }

  View Columns() const {
    View v{"columns",
           {Col("table_catalog", TypeId::kText), Col("table_schema", TypeId::kText),
            Col("table_name", TypeId::kText), Col("column_name", TypeId::kText),
            Col("ordinal_position", TypeId::kInt32), Col("column_default", TypeId::kText),
            Col("is_nullable", TypeId::kText), Col("data_type", TypeId::kText),
            Col("character_maximum_length", TypeId::kInt32),
            Col("numeric_precision", TypeId::kInt32), Col("numeric_scale", TypeId::kInt32)},
           {}};
    for (const catalog::TableInfo& t : tables) {
      int64_t position = 0;
      for (const auto& c : t.columns()) {
        if (c.hidden) continue;
        const bool chars = c.type.id == TypeId::kVarchar || c.type.id == TypeId::kChar;
        // PostgreSQL gives integers and floats their binary precision.
        Value precision = Value::Null(TypeId::kInt32);
        Value scale = Value::Null(TypeId::kInt32);
        switch (c.type.id) {
          case TypeId::kInt16: precision = Int4(16), scale = Int4(0); break;
          case TypeId::kInt32: precision = Int4(32), scale = Int4(0); break;
          case TypeId::kInt64: precision = Int4(64), scale = Int4(0); break;
          case TypeId::kFloat32: precision = Int4(24); break;
          case TypeId::kFloat64: precision = Int4(53); break;
          case TypeId::kNumeric:
            if (c.type.precision >= 0) {
              precision = Int4(c.type.precision);
              scale = Int4(c.type.scale < 0 ? 0 : c.type.scale);
            }
            break;
          default: break;
        }
        std::string data_type = c.type.id == TypeId::kChar ? "character"
                                                           : TypeName(SqlType::Of(c.type.id));
        v.rows.push_back(
            {Name(source.database), Name("public"), Name(t.name()), Name(c.name),
             Int4(++position),
             c.is_serial ? Name(absl::StrCat("nextval('", t.name(), "_", c.name,
                                             "_seq'::regclass)"))
             : c.default_expr.empty() ? NullText()
                                      : Name(c.default_expr),
             Name(c.nullable ? "YES" : "NO"), Name(data_type),
             chars && c.type.precision >= 0 ? Int4(c.type.precision) : Value::Null(TypeId::kInt32),
             precision, scale});
      }
    }
    return v;
  }
};

}  // namespace

absl::StatusOr<std::optional<planner::TableResolver::SystemView>> BuildSystemView(
    const ast::ObjectName& name, const SystemViewSource& source) {
  const bool pg = name.schema.empty() || name.schema == "pg_catalog";
  const bool info = name.schema == "information_schema";
  if (!pg && !info) return std::nullopt;
  static const char* const kPgViews[] = {"pg_namespace", "pg_class", "pg_attribute",
                                          "pg_type",      "pg_index", "pg_database",
                                          "pg_roles",     "pg_user",  "pg_tables",
                                          "pg_am",        "pg_authid",
                                          "pg_auth_members", "pg_constraint", "pg_attrdef",
                                          "pg_collation", "pg_policy", "pg_statistic_ext",
                                          "pg_publication", "pg_publication_rel",
                                          "pg_publication_namespace", "pg_inherits",
                                          "pg_trigger", "pg_rewrite", "pg_description",
                                          "pg_foreign_table", "pg_partitioned_table",
                                          "pg_sequence", "pg_enum", "pg_settings",
                                          "pg_indexes"};
  static const char* const kInfoViews[] = {"schemata", "tables", "columns", "table_constraints",
                                            "key_column_usage"};
  bool known = false;
  if (pg) {
    for (const char* v : kPgViews) known |= name.name == v;
  } else {
    for (const char* v : kInfoViews) known |= name.name == v;
  }
  if (!known) {
    if (name.schema.empty()) return std::nullopt;  // a table of the user's
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrCat("relation \"", name.schema, ".", name.name,
                                  "\" does not exist"),
                     name.position);
  }
  if (auto empty = EmptyPgCatalog(name.name)) return *empty;
  Builder b{source, {}, {}};
  CAIRN_ASSIGN_OR_RETURN(b.tables, source.catalog->ListTables(source.txn, source.database_id));
  CAIRN_ASSIGN_OR_RETURN(b.roles, source.catalog->ListRoles(source.txn));
  std::sort(b.roles.begin(), b.roles.end(),
            [](const proto::RoleDescriptor& x, const proto::RoleDescriptor& y) {
              return x.id() < y.id();
            });
  std::sort(b.tables.begin(), b.tables.end(),
            [](const catalog::TableInfo& x, const catalog::TableInfo& y) { return x.id() < y.id(); });
  if (info) {
    if (name.name == "schemata") return b.Schemata();
    if (name.name == "tables") return b.Tables();
    if (name.name == "table_constraints") return b.TableConstraints();
    if (name.name == "key_column_usage") return b.KeyColumnUsage();
    return b.Columns();
  }
  if (name.name == "pg_namespace") return b.PgNamespace();
  if (name.name == "pg_class") return b.PgClass();
  if (name.name == "pg_attribute") return b.PgAttribute();
  if (name.name == "pg_type") return b.PgType();
  if (name.name == "pg_index") return b.PgIndex();
  if (name.name == "pg_database") return b.PgDatabase();
  if (name.name == "pg_tables") return b.PgTables();
  if (name.name == "pg_am") return b.PgAm();
  if (name.name == "pg_user") return b.PgUser();
  if (name.name == "pg_settings") return b.PgSettings();
  if (name.name == "pg_indexes") return b.PgIndexes();
  if (name.name == "pg_auth_members") return b.PgAuthMembers();
  if (name.name == "pg_constraint") return b.PgConstraint();
  if (name.name == "pg_attrdef") return b.PgAttrdef();
  if (name.name == "pg_collation") return b.PgCollation();
  if (name.name == "pg_description") return b.PgDescription();
  if (name.name == "pg_authid") {
    bool superuser = false;
    for (const auto& r : b.roles) superuser |= r.name() == source.user && r.superuser();
    if (!superuser) {
      return MakeError(ErrorCode::kInsufficientPrivilege, "permission denied for table pg_authid");
    }
    return b.PgAuthid();
  }
  return b.PgRoles();
}

std::string FormatPgType(int64_t type_oid, int64_t typmod) {
  std::optional<SqlType> found = SqlTypeFromPgOid(static_cast<uint32_t>(type_oid));
  if (!found.has_value() || (found->id == TypeId::kUnknown && type_oid != 705)) return "???";
  SqlType type = *found;
  const TypeId id = type.id;
  if (typmod >= 4) {
    if (id == TypeId::kVarchar || id == TypeId::kChar) {
      type.precision = static_cast<int32_t>(typmod - 4);
    } else if (id == TypeId::kNumeric) {
      type.precision = static_cast<int32_t>((typmod - 4) >> 16);
      type.scale = static_cast<int32_t>((typmod - 4) & 0xffff);
    }
  }
  if (id == TypeId::kChar && type.precision < 0) return "bpchar";
  return TypeName(type);
}

}  // namespace cairn::executor
