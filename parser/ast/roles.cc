#include "parser/ast/roles.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string OptionsText(const std::vector<RoleOption>& options) {
  std::string out;
  for (const RoleOption& o : options) {
    switch (o.kind) {
      case RoleOption::Kind::kFlag: absl::StrAppend(&out, " ", absl::AsciiStrToUpper(o.flag)); break;
      case RoleOption::Kind::kPassword:
        absl::StrAppend(&out, " PASSWORD ", o.password ? QuoteString(*o.password) : "NULL");
        break;
      case RoleOption::Kind::kConnectionLimit:
        absl::StrAppend(&out, " CONNECTION LIMIT ", o.connection_limit);
        break;
      case RoleOption::Kind::kValidUntil:
        absl::StrAppend(&out, " VALID UNTIL ", QuoteString(o.valid_until));
        break;
    }
  }
  return out;
}

const char* RoleWord(bool is_user) { return is_user ? "USER" : "ROLE"; }

}  // namespace

std::string RoleSpec::ToString() const {
  switch (kind) {
    case Kind::kCurrentUser: return "CURRENT_USER";
    case Kind::kSessionUser: return "SESSION_USER";
    case Kind::kName: break;
  }
  return QuoteIdentifier(name);
}

std::string CreateRoleStatement::ToString() const {
  return absl::StrCat("CREATE ", RoleWord(is_user), " ", QuoteIdentifier(name),
                      options.empty() ? "" : " WITH", OptionsText(options));
}

std::string AlterRoleStatement::ToString() const {
  if (rename_to) {
    return absl::StrCat("ALTER ", RoleWord(is_user), " ", role.ToString(), " RENAME TO ",
                        QuoteIdentifier(*rename_to));
  }
  return absl::StrCat("ALTER ", RoleWord(is_user), " ", role.ToString(), " WITH",
                      OptionsText(options));
}

std::string DropRoleStatement::ToString() const {
  return absl::StrCat("DROP ", RoleWord(is_user), if_exists ? " IF EXISTS " : " ",
                      absl::StrJoin(names, ", ", [](std::string* o, const std::string& n) {
                        o->append(QuoteIdentifier(n));
                      }));
}

std::string GrantStatement::ToString() const {
  std::string out = revoke ? "REVOKE " : "GRANT ";
  if (revoke && grant_option) out += "GRANT OPTION FOR ";
  out += all_privileges ? "ALL PRIVILEGES" : absl::StrJoin(privileges, ", ");
  out += " ON ";
  auto names = [&] {
    return absl::StrJoin(objects, ", ", [](std::string* o, const ObjectName& n) {
      o->append(n.ToString());
    });
  };
  switch (target) {
    case PrivilegeTarget::kTables: absl::StrAppend(&out, "TABLE ", names()); break;
    case PrivilegeTarget::kAllTablesInSchema:
      absl::StrAppend(&out, "ALL TABLES IN SCHEMA ", names());
      break;
    case PrivilegeTarget::kSchemas: absl::StrAppend(&out, "SCHEMA ", names()); break;
    case PrivilegeTarget::kDatabases: absl::StrAppend(&out, "DATABASE ", names()); break;
  }
  absl::StrAppend(&out, revoke ? " FROM " : " TO ",
                  absl::StrJoin(grantees, ", ", [](std::string* o, const RoleSpec& r) {
                    o->append(r.kind == RoleSpec::Kind::kName && r.name == "public"
                                  ? "PUBLIC"
                                  : r.ToString());
                  }));
  if (!revoke && grant_option) out += " WITH GRANT OPTION";
  if (revoke && cascade) out += " CASCADE";
  return out;
}

}  // namespace cairn::ast
