#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/repeated_field.h"
#include "proto/catalog.pb.h"

// Privileges on tables and on the schema public, kept as access control
// lists in their descriptors (PostgreSQL's aclitem[]). An object's owner
// holds every privilege on it without an entry; a superuser bypasses the
// checks altogether (the caller's business).
namespace cairn::catalog {

enum Privilege : uint32_t {
  kSelect = 1u << 0,      // r
  kInsert = 1u << 1,      // a
  kUpdate = 1u << 2,      // w
  kDelete = 1u << 3,      // d
  kTruncate = 1u << 4,    // D
  kReferences = 1u << 5,  // x
  kTrigger = 1u << 6,     // t
  kUsage = 1u << 7,       // U
  kCreate = 1u << 8,      // C
  kConnect = 1u << 9,     // c
  kTemporary = 1u << 10,  // T
};
inline constexpr uint32_t kAllTablePrivileges =
    kSelect | kInsert | kUpdate | kDelete | kTruncate | kReferences | kTrigger;
inline constexpr uint32_t kAllSchemaPrivileges = kUsage | kCreate;
inline constexpr uint32_t kAllDatabasePrivileges = kCreate | kConnect | kTemporary;
// What PUBLIC holds on a database no GRANT or REVOKE has named.
inline constexpr uint32_t kDefaultPublicDatabasePrivileges = kConnect | kTemporary;

using Acl = google::protobuf::RepeatedPtrField<proto::AclItem>;

// The owner an object's descriptor names: root for those written before
// descriptors had owners.
std::string_view EffectiveOwner(const std::string& owner);

// The privilege a keyword of GRANT names (upper or lower case), if any.
std::optional<Privilege> PrivilegeFromName(std::string_view name);
// The keyword for one privilege bit: "SELECT", ...
std::string_view PrivilegeName(Privilege p);

// Whether `role` holds `wanted` (every bit of it) on an object owned by
// `owner` with `acl`: as the owner, through an entry of its own, or through
// PUBLIC's.
bool HoldsPrivileges(std::string_view owner, const Acl& acl, std::string_view role,
                     uint32_t wanted);
// Whether `role` holds anything on the object (its owner, or an entry of
// its own or PUBLIC's).
bool HoldsAnyPrivilege(std::string_view owner, const Acl& acl, std::string_view role);
// Whether `role` may grant `wanted` onward: the owner, or a holder of the
// grant option.
bool HoldsGrantOption(std::string_view owner, const Acl& acl, std::string_view role,
                      uint32_t wanted);

// GRANT: adds `privileges` (and their grant option, if asked) to
// `grantee`'s entry ("" for PUBLIC).
void GrantPrivileges(Acl* acl, std::string_view grantee, std::string_view grantor,
                     uint32_t privileges, bool with_grant_option);
// REVOKE: removes `privileges` from `grantee`'s entry, or with
// `grant_option_only` just the right to grant them; empty entries go.
void RevokePrivileges(Acl* acl, std::string_view grantee, uint32_t privileges,
                      bool grant_option_only);

// The items of the aclitem[] PostgreSQL shows in relacl and datacl:
// owner=arwdDxt/owner, alice=r*/owner, =r/owner (PUBLIC); the owner's
// entry first, with `owner_privileges`.
std::vector<std::string> AclItems(std::string_view owner, const Acl& acl,
                                  uint32_t owner_privileges);

}  // namespace cairn::catalog
