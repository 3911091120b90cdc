#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parser/ast/names.h"
#include "parser/ast/statement.h"

namespace cairn::ast {

// One option of CREATE/ALTER ROLE: a flag (LOGIN, NOSUPERUSER, ...),
// PASSWORD, CONNECTION LIMIT or VALID UNTIL.
struct RoleOption {
  enum class Kind : uint8_t { kFlag, kPassword, kConnectionLimit, kValidUntil };
  Kind kind = Kind::kFlag;
  std::string flag;                     // kFlag: lower-cased keyword, e.g. "nologin"
  std::optional<std::string> password;  // kPassword: nullopt for PASSWORD NULL
  int64_t connection_limit = -1;        // kConnectionLimit
  std::string valid_until;              // kValidUntil: the timestamp's text
  int position = 0;                     // 1-based, for errors
};

// A role named in a statement: a name, or CURRENT_USER / SESSION_USER.
struct RoleSpec {
  enum class Kind : uint8_t { kName, kCurrentUser, kSessionUser };
  Kind kind = Kind::kName;
  std::string name;
  std::string ToString() const;
};

// CREATE ROLE | USER name [WITH] options. USER implies LOGIN.
struct CreateRoleStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateRole;
  CreateRoleStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool is_user = false;
  std::string name;
  std::vector<RoleOption> options;
};

// ALTER ROLE | USER role [WITH] options, or ... RENAME TO new_name.
struct AlterRoleStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kAlterRole;
  AlterRoleStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool is_user = false;
  RoleSpec role;
  std::vector<RoleOption> options;
  std::optional<std::string> rename_to;
};

// DROP ROLE | USER [IF EXISTS] name, ...
struct DropRoleStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDropRole;
  DropRoleStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool is_user = false;
  bool if_exists = false;
  std::vector<std::string> names;
};

enum class PrivilegeTarget : uint8_t {
  kTables,           // [TABLE] t, ...
  kAllTablesInSchema,
  kSchemas,
  kDatabases,
};

// GRANT privileges ON target TO grantees [WITH GRANT OPTION], and
// REVOKE [GRANT OPTION FOR] privileges ON target FROM grantees.
struct GrantStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kGrant;
  GrantStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool revoke = false;
  bool all_privileges = false;
  std::vector<std::string> privileges;  // upper-cased keywords, unless ALL
  PrivilegeTarget target = PrivilegeTarget::kTables;
  std::vector<ObjectName> objects;      // tables, schemas or databases
  std::vector<RoleSpec> grantees;       // name "public" is PUBLIC
  bool grant_option = false;            // WITH GRANT OPTION / GRANT OPTION FOR
  bool cascade = false;                 // REVOKE ... CASCADE
};

}  // namespace cairn::ast
