#include "catalog/privileges.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace cairn::catalog {
namespace {

struct PrivilegeInfo {
  Privilege bit;
  std::string_view name;
  char letter;  // aclitem's, in its order
};
constexpr std::array<PrivilegeInfo, 11> kPrivileges = {{
    {kInsert, "INSERT", 'a'},
    {kSelect, "SELECT", 'r'},
    {kUpdate, "UPDATE", 'w'},
    {kDelete, "DELETE", 'd'},
    {kTruncate, "TRUNCATE", 'D'},
    {kReferences, "REFERENCES", 'x'},
    {kTrigger, "TRIGGER", 't'},
    {kUsage, "USAGE", 'U'},
    {kCreate, "CREATE", 'C'},
    {kTemporary, "TEMPORARY", 'T'},
    {kConnect, "CONNECT", 'c'},
}};

// aclitem quotes a role name unless it is plain lower-case letters, digits
// and underscores.
std::string AclRoleName(std::string_view name) {
  bool plain = !name.empty();
  for (char c : name) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string AclItemText(std::string_view grantee, uint32_t privileges, uint32_t grant_options,
                        std::string_view grantor) {
  std::string out = grantee.empty() ? "" : AclRoleName(grantee);
  out += '=';
  for (const PrivilegeInfo& p : kPrivileges) {
    if (privileges & p.bit) {
      out += p.letter;
      if (grant_options & p.bit) out += '*';
    }
  }
  return absl::StrCat(out, "/", AclRoleName(grantor));
}

}  // namespace

std::string_view EffectiveOwner(const std::string& owner) {
  if (owner.empty()) return "root";
  return owner;
}

std::optional<Privilege> PrivilegeFromName(std::string_view name) {
  std::string upper = absl::AsciiStrToUpper(absl::string_view(name.data(), name.size()));
  if (upper == "TEMP") upper = "TEMPORARY";
  for (const PrivilegeInfo& p : kPrivileges) {
    if (p.name == upper) return p.bit;
  }
  return std::nullopt;
}

std::string_view PrivilegeName(Privilege p) {
  for (const PrivilegeInfo& info : kPrivileges) {
    if (info.bit == p) return info.name;
  }
  return "";
}

bool HoldsPrivileges(std::string_view owner, const Acl& acl, std::string_view role,
                     uint32_t wanted) {
  if (role == owner) return true;
  uint32_t held = 0;
  for (const proto::AclItem& item : acl) {
    if (item.grantee().empty() || item.grantee() == role) held |= item.privileges();
  }
  return (held & wanted) == wanted;
}

bool HoldsAnyPrivilege(std::string_view owner, const Acl& acl, std::string_view role) {
  if (role == owner) return true;
  for (const proto::AclItem& item : acl) {
    if ((item.grantee().empty() || item.grantee() == role) && item.privileges() != 0) return true;
  }
  return false;
}

bool HoldsGrantOption(std::string_view owner, const Acl& acl, std::string_view role,
                      uint32_t wanted) {
  if (role == owner) return true;
  uint32_t held = 0;
  for (const proto::AclItem& item : acl) {
    if (item.grantee() == role) held |= item.grant_options();
  }
  return (held & wanted) == wanted;
}

void GrantPrivileges(Acl* acl, std::string_view grantee, std::string_view grantor,
                     uint32_t privileges, bool with_grant_option) {
  proto::AclItem* entry = nullptr;
  for (proto::AclItem& item : *acl) {
    if (item.grantee() == grantee && item.grantor() == grantor) entry = &item;
  }
  if (entry == nullptr) {
    entry = acl->Add();
    entry->set_grantee(std::string(grantee));
    entry->set_grantor(std::string(grantor));
  }
  entry->set_privileges(entry->privileges() | privileges);
  if (with_grant_option) entry->set_grant_options(entry->grant_options() | privileges);
}

void RevokePrivileges(Acl* acl, std::string_view grantee, uint32_t privileges,
                      bool grant_option_only) {
  for (int i = acl->size() - 1; i >= 0; --i) {
    proto::AclItem& item = (*acl)[i];
    if (item.grantee() != grantee) continue;
    item.set_grant_options(item.grant_options() & ~privileges);
    if (!grant_option_only) item.set_privileges(item.privileges() & ~privileges);
    if (item.privileges() == 0) acl->DeleteSubrange(i, 1);
  }
}

std::vector<std::string> AclItems(std::string_view owner, const Acl& acl,
                                  uint32_t owner_privileges) {
  std::vector<std::string> out = {AclItemText(owner, owner_privileges, 0, owner)};
  for (const proto::AclItem& item : acl) {
    if (item.grantee() == owner) continue;
    out.push_back(AclItemText(item.grantee(), item.privileges(), item.grant_options(),
                              item.grantor()));
  }
  return out;
}

}  // namespace cairn::catalog
