#include "executor/privilege_checker.h"

#include "absl/strings/str_format.h"
#include "catalog/privileges.h"
#include "common/error_code.h"

namespace cairn::executor {

absl::StatusOr<proto::RoleDescriptor> PrivilegeChecker::Role() {
  if (!descriptor_) {
    CAIRN_ASSIGN_OR_RETURN(auto role, catalog_->GetRole(txn_, role_));
    if (!role) {
      return MakeError(ErrorCode::kUndefinedObject,
                       absl::StrFormat("role \"%s\" does not exist", role_));
    }
    descriptor_ = std::move(*role);
  }
  return *descriptor_;
}

absl::StatusOr<bool> PrivilegeChecker::IsSuperuser() {
  CAIRN_ASSIGN_OR_RETURN(proto::RoleDescriptor role, Role());
  return role.superuser();
}

absl::Status PrivilegeChecker::CheckTable(const catalog::TableInfo& table, uint32_t wanted) {
  const proto::TableDescriptor& d = table.descriptor();
  // The owner first: no read of the role for the common case of a table's
  // own creator.
  if (catalog::HoldsPrivileges(catalog::EffectiveOwner(d.owner()), d.acl(), role_, wanted)) {
    return absl::OkStatus();
  }
  CAIRN_ASSIGN_OR_RETURN(bool superuser, IsSuperuser());
  if (superuser) return absl::OkStatus();
  return MakeError(ErrorCode::kInsufficientPrivilege,
                   absl::StrFormat("permission denied for table %s", table.name()));
}

absl::Status PrivilegeChecker::CheckTableOwner(const catalog::TableInfo& table) {
  if (catalog::EffectiveOwner(table.descriptor().owner()) == role_) return absl::OkStatus();
  CAIRN_ASSIGN_OR_RETURN(bool superuser, IsSuperuser());
  if (superuser) return absl::OkStatus();
  return MakeError(ErrorCode::kInsufficientPrivilege,
                   absl::StrFormat("must be owner of table %s", table.name()));
}

absl::Status PrivilegeChecker::CheckCreateInSchema() {
  CAIRN_ASSIGN_OR_RETURN(auto db, catalog_->GetDatabase(txn_, database_));
  if (db && catalog::HoldsPrivileges(catalog::EffectiveOwner(db->owner()),
                                     db->public_schema_acl(), role_, catalog::kCreate)) {
    return absl::OkStatus();
  }
  CAIRN_ASSIGN_OR_RETURN(bool superuser, IsSuperuser());
  if (superuser) return absl::OkStatus();
  return MakeError(ErrorCode::kInsufficientPrivilege, "permission denied for schema public");
}

}  // namespace cairn::executor
