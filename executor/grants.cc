// GRANT and REVOKE of privileges on tables, on the schema public and on
// databases, kept as access control lists in their descriptors.
#include "absl/strings/str_format.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "executor/ddl.h"
#include "executor/roles.h"

namespace cairn::executor {
namespace {

struct TargetKind {
  const char* noun;  // in messages: "table", "schema", "database"
  uint32_t all;      // what ALL PRIVILEGES means for it
};

TargetKind KindOf(ast::PrivilegeTarget target) {
  switch (target) {
    case ast::PrivilegeTarget::kTables:
    case ast::PrivilegeTarget::kAllTablesInSchema: return {"table", catalog::kAllTablePrivileges};
    case ast::PrivilegeTarget::kSchemas: return {"schema", catalog::kAllSchemaPrivileges};
    case ast::PrivilegeTarget::kDatabases: return {"database", catalog::kAllDatabasePrivileges};
  }
  return {"table", 0};
}

absl::StatusOr<uint32_t> RequestedPrivileges(const ast::GrantStatement& stmt, TargetKind kind) {
  if (stmt.all_privileges) return kind.all;
  uint32_t bits = 0;
  for (const std::string& name : stmt.privileges) {
    std::optional<catalog::Privilege> p = catalog::PrivilegeFromName(name);
    if (!p || (*p & kind.all) == 0) {
      return MakeError(ErrorCode::kInvalidGrantOperation,
                       absl::StrFormat("invalid privilege type %s for %s", name, kind.noun));
    }
    bits |= *p;
  }
  return bits;
}

// One object's list: applies the statement to it, after checking that the
// current role may grant on it.
class AclEditor {
 public:
  AclEditor(const ast::GrantStatement& stmt, const AccessControlContext& ctx,
            std::vector<std::string> grantees, uint32_t privileges)
      : stmt_(stmt), ctx_(ctx), grantees_(std::move(grantees)), privileges_(privileges) {}

  absl::Status Apply(std::string_view owner, catalog::Acl* acl, const char* noun,
                     const std::string& object) {
    std::string grantor = ctx_.checker->role();
    uint32_t privileges = privileges_;
    if (grantor != owner) {
      CAIRN_ASSIGN_OR_RETURN(bool superuser, ctx_.checker->IsSuperuser());
      if (superuser) {
        grantor = std::string(owner);  // a superuser grants as the owner, as in PostgreSQL
      } else {
        // What the role may pass on; PostgreSQL grants that part (warning
        // about the rest), and refuses only a role with no privilege at all.
        uint32_t grantable = 0;
        for (const proto::AclItem& item : *acl) {
          if (item.grantee() == grantor) grantable |= item.grant_options();
        }
        privileges &= grantable;
        if (privileges == 0 && !catalog::HoldsAnyPrivilege(owner, *acl, grantor)) {
          return MakeError(ErrorCode::kInsufficientPrivilege,
                           absl::StrFormat("permission denied for %s %s", noun, object));
        }
      }
    }
    for (const std::string& grantee : grantees_) {
      if (stmt_.revoke) {
        catalog::RevokePrivileges(acl, grantee, privileges, stmt_.grant_option);
      } else if (privileges != 0) {
        catalog::GrantPrivileges(acl, grantee, grantor, privileges, stmt_.grant_option);
      }
    }
    return absl::OkStatus();
  }

 private:
  const ast::GrantStatement& stmt_;
  const AccessControlContext& ctx_;
  const std::vector<std::string> grantees_;
  const uint32_t privileges_;
};

absl::Status CheckPublicSchema(const ast::ObjectName& name) {
  if (name.name != "public") {
    return MakeError(ErrorCode::kInvalidSchemaName,
                     absl::StrFormat("schema \"%s\" does not exist", name.name), name.position);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> GrantOrRevoke(const ast::GrantStatement& stmt,
                                          const AccessControlContext& ctx) {
  const TargetKind kind = KindOf(stmt.target);
  CAIRN_ASSIGN_OR_RETURN(uint32_t privileges, RequestedPrivileges(stmt, kind));
  std::vector<std::string> grantees;
  for (const ast::RoleSpec& spec : stmt.grantees) {
    std::string name = spec.name;
    if (spec.kind == ast::RoleSpec::Kind::kCurrentUser) name = ctx.checker->role();
    if (spec.kind == ast::RoleSpec::Kind::kSessionUser) name = ctx.session_user;
    if (spec.kind == ast::RoleSpec::Kind::kName && name == "public") {
      if (stmt.grant_option && !stmt.revoke) {
        return MakeError(ErrorCode::kInvalidGrantOperation,
                         "grant options can only be granted to roles");
      }
      grantees.push_back("");
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(auto role, ctx.catalog->GetRole(ctx.txn, name));
    if (!role) return UndefinedRole(name);
    grantees.push_back(name);
  }
  AclEditor editor(stmt, ctx, std::move(grantees), privileges);
  const char* tag = stmt.revoke ? "REVOKE" : "GRANT";

  switch (stmt.target) {
    case ast::PrivilegeTarget::kTables: {
      CAIRN_ASSIGN_OR_RETURN(auto db, ctx.catalog->GetDatabase(ctx.txn, ctx.database));
      if (!db) return MakeError(ErrorCode::kInvalidCatalogName, "the current database is gone");
      for (const ast::ObjectName& name : stmt.objects) {
        CAIRN_RETURN_IF_ERROR(CheckSchema(name));
        CAIRN_ASSIGN_OR_RETURN(auto table, ctx.catalog->GetTable(ctx.txn, db->id(), name.name));
        if (!table) {
          return MakeError(ErrorCode::kUndefinedTable,
                           absl::StrFormat("relation \"%s\" does not exist", name.name),
                           name.position);
        }
        proto::TableDescriptor d = table->descriptor();
        const std::string owner(catalog::EffectiveOwner(d.owner()));
        CAIRN_RETURN_IF_ERROR(editor.Apply(owner, d.mutable_acl(), "table", d.name()));
        d.set_has_acl(true);
        CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateTable(ctx.txn, name.name, std::move(d)));
      }
      return std::string(tag);
    }
    case ast::PrivilegeTarget::kAllTablesInSchema: {
      CAIRN_ASSIGN_OR_RETURN(auto db, ctx.catalog->GetDatabase(ctx.txn, ctx.database));
      if (!db) return MakeError(ErrorCode::kInvalidCatalogName, "the current database is gone");
      for (const ast::ObjectName& schema : stmt.objects) CAIRN_RETURN_IF_ERROR(CheckPublicSchema(schema));
      CAIRN_ASSIGN_OR_RETURN(auto tables, ctx.catalog->ListTables(ctx.txn, db->id()));
      for (const catalog::TableInfo& table : tables) {
        proto::TableDescriptor d = table.descriptor();
        const std::string owner(catalog::EffectiveOwner(d.owner()));
        CAIRN_RETURN_IF_ERROR(editor.Apply(owner, d.mutable_acl(), "table", d.name()));
        d.set_has_acl(true);
        const std::string name = d.name();
        CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateTable(ctx.txn, name, std::move(d)));
      }
      return std::string(tag);
    }
    case ast::PrivilegeTarget::kSchemas: {
      CAIRN_ASSIGN_OR_RETURN(auto db, ctx.catalog->GetDatabase(ctx.txn, ctx.database));
      if (!db) return MakeError(ErrorCode::kInvalidCatalogName, "the current database is gone");
      for (const ast::ObjectName& schema : stmt.objects) {
        CAIRN_RETURN_IF_ERROR(CheckPublicSchema(schema));
        // The schema public belongs to its database's owner (PostgreSQL
        // 15's pg_database_owner).
        const std::string owner(catalog::EffectiveOwner(db->owner()));
        CAIRN_RETURN_IF_ERROR(
            editor.Apply(owner, db->mutable_public_schema_acl(), "schema", "public"));
      }
      CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateDatabase(ctx.txn, *db));
      return std::string(tag);
    }
    case ast::PrivilegeTarget::kDatabases: {
      for (const ast::ObjectName& name : stmt.objects) {
        CAIRN_ASSIGN_OR_RETURN(auto db, ctx.catalog->GetDatabase(ctx.txn, name.name));
        if (!db) {
          return MakeError(ErrorCode::kInvalidCatalogName,
                           absl::StrFormat("database \"%s\" does not exist", name.name));
        }
        if (!db->has_acl()) {
          // The implicit default becomes explicit, so a REVOKE from PUBLIC
          // takes something away.
          catalog::GrantPrivileges(db->mutable_acl(), "", catalog::EffectiveOwner(db->owner()),
                                   catalog::kDefaultPublicDatabasePrivileges, false);
          db->set_has_acl(true);
        }
        const std::string owner(catalog::EffectiveOwner(db->owner()));
        CAIRN_RETURN_IF_ERROR(editor.Apply(owner, db->mutable_acl(), "database", db->name()));
        CAIRN_RETURN_IF_ERROR(ctx.catalog->UpdateDatabase(ctx.txn, *db));
      }
      return std::string(tag);
    }
  }
  return std::string(tag);
}

}  // namespace cairn::executor
