#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "catalog/table_info.h"
#include "txn/txn.h"

namespace cairn::executor {

// Answers whether the current role may do something, as PostgreSQL does:
// a superuser may do anything, an object's owner anything to it, others
// what its access control list grants them or PUBLIC. Denials are 42501
// with PostgreSQL's messages. Reads the role's descriptor once, in the
// statement's transaction.
class PrivilegeChecker {
 public:
  PrivilegeChecker(catalog::Catalog* catalog, txn::Txn* txn, std::string role,
                   std::string database)
      : catalog_(catalog), txn_(txn), role_(std::move(role)), database_(std::move(database)) {}

  const std::string& role() const { return role_; }
  absl::StatusOr<bool> IsSuperuser();
  // The current role's descriptor; 42704 if it was dropped meanwhile.
  absl::StatusOr<proto::RoleDescriptor> Role();

  // "permission denied for table t" unless the role holds `wanted`
  // (catalog::Privilege bits) on `table`.
  absl::Status CheckTable(const catalog::TableInfo& table, uint32_t wanted);
  // "must be owner of table t": DROP and ALTER TABLE.
  absl::Status CheckTableOwner(const catalog::TableInfo& table);
  // "permission denied for schema public": CREATE TABLE needs CREATE on
  // the schema (its database's owner has it; PUBLIC only USAGE).
  absl::Status CheckCreateInSchema();

 private:
  catalog::Catalog* const catalog_;
  txn::Txn* const txn_;
  const std::string role_;
  const std::string database_;
  std::optional<proto::RoleDescriptor> descriptor_;
};

}  // namespace cairn::executor
