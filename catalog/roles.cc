// Roles: descriptors under the system keyspace, one per name, read and
// written in the caller's transaction like every other descriptor.
#include "absl/strings/str_format.h"
#include "catalog/catalog.h"
#include "catalog/catalog_keys.h"
#include "common/error_code.h"
#include "common/key_codec.h"

namespace cairn::catalog {
namespace {

absl::StatusOr<proto::RoleDescriptor> ParseRole(const std::string& raw) {
  proto::RoleDescriptor role;
  if (!role.ParseFromString(raw)) return MakeError(ErrorCode::kDataCorrupted, "bad role descriptor");
  return role;
}

absl::Status RoleExists(std::string_view name) {
  return MakeError(ErrorCode::kDuplicateObject,
                   absl::StrFormat("role \"%s\" already exists", name));
}

}  // namespace

absl::Status Catalog::EnsureBootstrapRole(txn::Txn* txn) {
  CAIRN_ASSIGN_OR_RETURN(auto root, GetRole(txn, kBootstrapSuperuser));
  if (root) return absl::OkStatus();
  proto::RoleDescriptor role;
  role.set_id(kBootstrapSuperuserId);
  role.set_name(std::string(kBootstrapSuperuser));
  role.set_superuser(true);
  role.set_login(true);
  role.set_create_db(true);
  role.set_create_role(true);
  role.set_inherit(true);
  role.set_connection_limit(-1);
  txn->Put(catalog_keys::RoleKey(role.name()), role.SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<proto::RoleDescriptor>> Catalog::GetRole(txn::Txn* txn,
                                                                      std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(auto raw, txn->Get(catalog_keys::RoleKey(name)));
  if (!raw) return std::nullopt;
  return ParseRole(*raw);
}

absl::StatusOr<std::vector<proto::RoleDescriptor>> Catalog::ListRoles(txn::Txn* txn) {
  const std::string prefix = catalog_keys::RolesPrefix();
  CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
  std::vector<proto::RoleDescriptor> out;
  for (const auto& kv : rows) {
    CAIRN_ASSIGN_OR_RETURN(auto role, ParseRole(kv.value));
    out.push_back(std::move(role));
  }
  return out;
}

absl::StatusOr<proto::RoleDescriptor> Catalog::CreateRole(txn::Txn* txn,
                                                          proto::RoleDescriptor role) {
  CAIRN_ASSIGN_OR_RETURN(auto existing, GetRole(txn, role.name()));
  if (existing) return RoleExists(role.name());
  CAIRN_ASSIGN_OR_RETURN(uint32_t id, AllocateDescriptorId(txn));
  role.set_id(id);
  txn->Put(catalog_keys::RoleKey(role.name()), role.SerializeAsString());
  return role;
}

absl::Status Catalog::UpdateRole(txn::Txn* txn, std::string_view old_name,
                                 const proto::RoleDescriptor& role) {
  if (role.name() != old_name) {
    CAIRN_ASSIGN_OR_RETURN(auto taken, GetRole(txn, role.name()));
    if (taken) return RoleExists(role.name());
    txn->Delete(catalog_keys::RoleKey(old_name));
  }
  txn->Put(catalog_keys::RoleKey(role.name()), role.SerializeAsString());
  return absl::OkStatus();
}

absl::Status Catalog::DropRole(txn::Txn* txn, std::string_view name) {
  txn->Delete(catalog_keys::RoleKey(name));
  return absl::OkStatus();
}

}  // namespace cairn::catalog
