#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/privilege_checker.h"
#include "parser/ast/roles.h"
#include "txn/txn.h"

namespace cairn::executor {

// What role statements and GRANT/REVOKE run with: the statement's
// transaction, who runs it, and the settings that shape it.
struct AccessControlContext {
  catalog::Catalog* catalog = nullptr;
  txn::Txn* txn = nullptr;
  PrivilegeChecker* checker = nullptr;  // for the current role
  std::string session_user;
  std::string database;             // the session's
  std::string password_encryption;  // "scram-sha-256" or "md5"
};

// CREATE/ALTER/DROP ROLE and USER (roles.cc), in the caller's transaction.
// Each returns the CommandComplete tag.
absl::StatusOr<std::string> CreateRole(const ast::CreateRoleStatement& stmt,
                                       const AccessControlContext& ctx);
absl::StatusOr<std::string> AlterRole(const ast::AlterRoleStatement& stmt,
                                      const AccessControlContext& ctx);
absl::StatusOr<std::string> DropRoles(const ast::DropRoleStatement& stmt,
                                      const AccessControlContext& ctx);

// GRANT and REVOKE of privileges on tables, the schema public and
// databases (grants.cc).
absl::StatusOr<std::string> GrantOrRevoke(const ast::GrantStatement& stmt,
                                          const AccessControlContext& ctx);

// 42704 "role "x" does not exist".
absl::Status UndefinedRole(const std::string& name);

}  // namespace cairn::executor
