// CREATE/ALTER/DROP ROLE and USER, with PostgreSQL's rules for who may do
// what: superusers anything; roles with CREATEROLE create, alter and drop
// roles that are not superusers; any role may change its own password.
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "common/password.h"
#include "common/value.h"
#include "common/value_cast.h"
#include "executor/roles.h"

namespace cairn::executor {
namespace {

absl::Status Denied(const std::string& message) {
  return MakeError(ErrorCode::kInsufficientPrivilege, message);
}

absl::Status CheckNotReserved(const std::string& name) {
  if (name == "public" || name == "none" || absl::StartsWith(name, "pg_")) {
    return MakeError(ErrorCode::kReservedName, absl::StrFormat("role name \"%s\" is reserved", name));
  }
  return absl::OkStatus();
}

// Applies CREATE/ALTER ROLE options to `role`; 42601 for an unknown or a
// repeated option, as PostgreSQL's grammar and CreateRole do.
absl::Status ApplyOptions(const std::vector<ast::RoleOption>& options,
                          const AccessControlContext& ctx, proto::RoleDescriptor* role,
                          bool* changes_superuser, bool* only_password) {
  std::vector<std::string> seen;
  *only_password = true;
  for (const ast::RoleOption& o : options) {
    std::string key;
    switch (o.kind) {
      case ast::RoleOption::Kind::kPassword: {
        key = "password";
        role->clear_password();
        // An empty password cannot be used to log in: PostgreSQL clears it.
        if (o.password && !o.password->empty()) {
          role->set_password(
              password::SecretForPassword(*o.password, role->name(), ctx.password_encryption));
        }
        break;
      }
      case ast::RoleOption::Kind::kConnectionLimit:
        key = "connection limit";
        if (o.connection_limit < -1) {
          return MakeError(ErrorCode::kInvalidParameterValue,
                           absl::StrFormat("invalid connection limit: %d", o.connection_limit));
        }
        role->set_connection_limit(static_cast<int32_t>(o.connection_limit));
        break;
      case ast::RoleOption::Kind::kValidUntil: {
        key = "valid until";
        CAIRN_ASSIGN_OR_RETURN(Value ts, CastValue(Value::Text(o.valid_until),
                                                   SqlType::Of(TypeId::kTimestampTz),
                                                   CastContext::kExplicit));
        role->set_has_valid_until(true);
        role->set_valid_until_micros(ts.micros_value());
        break;
      }
      case ast::RoleOption::Kind::kFlag: {
        std::string flag = o.flag;
        const bool negated = absl::StartsWith(flag, "no");
        if (negated) flag = flag.substr(2);
        key = flag;
        if (flag == "superuser") {
          role->set_superuser(!negated);
          *changes_superuser = true;
        } else if (flag == "login") {
          role->set_login(!negated);
        } else if (flag == "createdb") {
          role->set_create_db(!negated);
        } else if (flag == "createrole") {
          role->set_create_role(!negated);
        } else if (flag == "inherit") {
          role->set_inherit(!negated);
        } else if (flag == "replication" || flag == "bypassrls") {
          // CairnDB has neither replication connections nor row security:
          // only the attribute's absence is meaningful.
          if (!negated) {
            return MakeError(ErrorCode::kFeatureNotSupported,
                             absl::StrFormat("%s is not supported", absl::AsciiStrToUpper(flag)),
                             o.position);
          }
        } else {
          return MakeError(ErrorCode::kSyntaxError,
                           absl::StrFormat("unrecognized role option \"%s\"", o.flag), o.position);
        }
        break;
      }
    }
    if (key != "password") *only_password = false;
    for (const std::string& s : seen) {
      if (s == key) {
        return MakeError(ErrorCode::kSyntaxError, "conflicting or redundant options", o.position);
      }
    }
    seen.push_back(key);
  }
  return absl::OkStatus();
}

// Every descriptor that can name a role: databases (owner, grants) and
// their tables. `visit` returns whether it changed the descriptor.
absl::Status ForEachDescriptor(
    const AccessControlContext& ctx,
    const std::function<bool(proto::DatabaseDescriptor*)>& visit_database,
    const std::function<bool(proto::TableDescriptor*)>& visit_table) {
  CAIRN_ASSIGN_OR_RETURN(auto databases, ctx.catalog->ListDatabases(ctx.txn));
  for (proto::DatabaseDescriptor& db : databases) {
    if (visit_database(&db)) CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateDatabase(ctx.txn, db));
    CAIRN_ASSIGN_OR_RETURN(auto tables, ctx.catalog->ListTables(ctx.txn, db.id()));
    for (const catalog::TableInfo& table : tables) {
      proto::TableDescriptor d = table.descriptor();
      if (visit_table(&d)) {
        const std::string name = d.name();
        CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateTable(ctx.txn, name, std::move(d)));
      }
    }
  }
  return absl::OkStatus();
}

bool RenameInAcl(catalog::Acl* acl, const std::string& from, const std::string& to) {
  bool changed = false;
  for (proto::AclItem& item : *acl) {
    if (item.grantee() == from) {
      item.set_grantee(to);
      changed = true;
    }
    if (item.grantor() == from) {
      item.set_grantor(to);
      changed = true;
    }
  }
  return changed;
}

bool AclNames(const catalog::Acl& acl, const std::string& role) {
  for (const proto::AclItem& item : acl) {
    if (item.grantee() == role || item.grantor() == role) return true;
  }
  return false;
}

absl::StatusOr<proto::RoleDescriptor> CheckedRole(const AccessControlContext& ctx) {
  return ctx.checker->Role();
}

// Whether the current role may create, alter or drop `target` (a
// superuser only by a superuser).
absl::Status CheckManages(const AccessControlContext& ctx, bool target_superuser,
                          const char* superuser_message, const char* message) {
  CAIRN_ASSIGN_OR_RETURN(proto::RoleDescriptor me, CheckedRole(ctx));
  if (me.superuser()) return absl::OkStatus();
  if (target_superuser) return Denied(superuser_message);
  if (!me.create_role()) return Denied(message);
  return absl::OkStatus();
}

}  // namespace

absl::Status UndefinedRole(const std::string& name) {
  return MakeError(ErrorCode::kUndefinedObject, absl::StrFormat("role \"%s\" does not exist", name));
}

absl::StatusOr<std::string> CreateRole(const ast::CreateRoleStatement& stmt,
                                       const AccessControlContext& ctx) {
  CAIRN_RETURN_IF_ERROR(CheckNotReserved(stmt.name));
  proto::RoleDescriptor role;
  role.set_name(stmt.name);
  role.set_login(stmt.is_user);
  role.set_inherit(true);
  role.set_connection_limit(-1);
  bool changes_superuser = false;
  bool only_password = false;
  CAIRN_RETURN_IF_ERROR(ApplyOptions(stmt.options, ctx, &role, &changes_superuser, &only_password));
  CAIRN_RETURN_IF_ERROR(CheckManages(ctx, role.superuser(), "must be superuser to create superusers",
                                     "permission denied to create role"));
  CAIRN_RETURN_IF_ERROR(ctx.catalog->CreateRole(ctx.txn, std::move(role)).status());
  return std::string("CREATE ROLE");
}

absl::StatusOr<std::string> AlterRole(const ast::AlterRoleStatement& stmt,
                                      const AccessControlContext& ctx) {
  std::string name = stmt.role.name;
  if (stmt.role.kind == ast::RoleSpec::Kind::kCurrentUser) name = ctx.checker->role();
  if (stmt.role.kind == ast::RoleSpec::Kind::kSessionUser) name = ctx.session_user;
  CAIRN_ASSIGN_OR_RETURN(auto found, ctx.catalog->GetRole(ctx.txn, name));
  if (!found) return UndefinedRole(name);
  proto::RoleDescriptor role = *found;

  if (stmt.rename_to) {
    if (name == ctx.session_user) {
      return MakeError(ErrorCode::kFeatureNotSupported, "session user cannot be renamed");
    }
    if (name == ctx.checker->role()) {
      return MakeError(ErrorCode::kFeatureNotSupported, "current user cannot be renamed");
    }
    if (role.id() == catalog::kBootstrapSuperuserId) {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrFormat("role \"%s\" cannot be renamed", name));
    }
    CAIRN_RETURN_IF_ERROR(CheckNotReserved(*stmt.rename_to));
    CAIRN_RETURN_IF_ERROR(CheckManages(ctx, role.superuser(),
                                       "must be superuser to rename superusers",
                                       "permission denied to rename role"));
    role.set_name(*stmt.rename_to);
    // An md5 secret salts with the name: it cannot survive a rename.
    if (password::IsMd5Secret(role.password())) role.clear_password();
    CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateRole(ctx.txn, name, role));
    const std::string& to = *stmt.rename_to;
    CAIRN_RETURN_IF_ERROR(ForEachDescriptor(
        ctx,
        [&](proto::DatabaseDescriptor* db) {
          bool changed = RenameInAcl(db->mutable_public_schema_acl(), name, to);
          changed |= RenameInAcl(db->mutable_acl(), name, to);
          if (catalog::EffectiveOwner(db->owner()) == name) {
            db->set_owner(to);
            changed = true;
          }
          return changed;
        },
        [&](proto::TableDescriptor* t) {
          bool changed = RenameInAcl(t->mutable_acl(), name, to);
          if (catalog::EffectiveOwner(t->owner()) == name) {
            t->set_owner(to);
            changed = true;
          }
          return changed;
        }));
    return std::string("ALTER ROLE");
  }

  const bool was_superuser = role.superuser();
  bool changes_superuser = false;
  bool only_password = false;
  CAIRN_RETURN_IF_ERROR(ApplyOptions(stmt.options, ctx, &role, &changes_superuser, &only_password));
  const bool self_password = name == ctx.checker->role() && only_password;
  if (!self_password) {
    CAIRN_RETURN_IF_ERROR(CheckManages(
        ctx, was_superuser || changes_superuser,
        "must be superuser to alter superuser roles or change superuser attribute",
        "permission denied"));
  }
  if (role.id() == catalog::kBootstrapSuperuserId && !role.superuser()) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "permission denied: bootstrap user must be superuser");
  }
  CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateRole(ctx.txn, name, role));
  return std::string("ALTER ROLE");
}

absl::StatusOr<std::string> DropRoles(const ast::DropRoleStatement& stmt,
                                      const AccessControlContext& ctx) {
  for (const std::string& name : stmt.names) {
    CAIRN_ASSIGN_OR_RETURN(auto role, ctx.catalog->GetRole(ctx.txn, name));
    if (!role) {
      if (stmt.if_exists) continue;
      return UndefinedRole(name);
    }
    if (name == ctx.checker->role()) {
      return MakeError(ErrorCode::kObjectInUse, "current user cannot be dropped");
    }
    if (name == ctx.session_user) {
      return MakeError(ErrorCode::kObjectInUse, "session user cannot be dropped");
    }
    if (role->id() == catalog::kBootstrapSuperuserId) {
      return MakeError(ErrorCode::kObjectInUse,
                       absl::StrFormat("cannot drop role %s because it is required by the "
                                       "database system",
                                       name));
    }
    CAIRN_RETURN_IF_ERROR(CheckManages(ctx, role->superuser(), "must be superuser to drop superusers",
                                       "permission denied to drop role"));
    // What still names the role: PostgreSQL's dependency check.
    std::vector<std::string> dependents;
    CAIRN_RETURN_IF_ERROR(ForEachDescriptor(
        ctx,
        [&](proto::DatabaseDescriptor* db) {
          if (catalog::EffectiveOwner(db->owner()) == name) {
            dependents.push_back(absl::StrFormat("owner of database %s", db->name()));
          }
          if (AclNames(db->acl(), name)) {
            dependents.push_back(absl::StrFormat("privileges for database %s", db->name()));
          }
          if (AclNames(db->public_schema_acl(), name)) {
            dependents.push_back("privileges for schema public");
          }
          return false;
        },
        [&](proto::TableDescriptor* t) {
          if (catalog::EffectiveOwner(t->owner()) == name) {
            dependents.push_back(absl::StrFormat("owner of table %s", t->name()));
          }
          if (AclNames(t->acl(), name)) {
            dependents.push_back(absl::StrFormat("privileges for table %s", t->name()));
          }
          return false;
        }));
    if (!dependents.empty()) {
      return WithDetail(
          MakeError(ErrorCode::kDependentObjectsStillExist,
                    absl::StrFormat("role \"%s\" cannot be dropped because some objects depend "
                                    "on it",
                                    name)),
          absl::StrJoin(dependents, "\n"));
    }
    CAIRN_RETURN_IF_ERROR(ctx.catalog->DropRole(ctx.txn, name));
  }
  return std::string("DROP ROLE");
}

}  // namespace cairn::executor
