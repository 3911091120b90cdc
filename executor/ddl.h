#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/privilege_checker.h"
#include "parser/ast/ddl.h"
#include "txn/txn.h"

namespace cairn::executor {

// Schema changes, each within the caller's transaction, by `checker`'s
// role: CREATE TABLE needs CREATE on the schema and makes the role the
// owner; DROP needs ownership, TRUNCATE the TRUNCATE privilege. Returns the
// CommandComplete tag.
absl::StatusOr<std::string> CreateTable(const ast::CreateTableStatement& stmt,
                                        catalog::Catalog* catalog, txn::Txn* txn,
                                        uint32_t database_id,
                                        PrivilegeChecker* checker);
absl::StatusOr<std::string> DropTables(const ast::DropTableStatement& stmt,
                                       catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id,
                                        PrivilegeChecker* checker);
absl::StatusOr<std::string> TruncateTables(const ast::TruncateStatement& stmt,
                                           catalog::Catalog* catalog, txn::Txn* txn,
                                           uint32_t database_id,
                                        PrivilegeChecker* checker);

// Adds CHECK (`expr`) to `descriptor`, named `name` or as PostgreSQL names
// it (table_column_check for a column's, table_check for the table's;
// numbered on a clash): 42804 unless boolean. Existing rows are the caller's.
absl::Status AddCheckConstraint(const std::string& name, const std::string& column,
                                const ast::Expr& expr, proto::TableDescriptor* descriptor);

// Adds FOREIGN KEY (`columns`) REFERENCES ... of `c` to `descriptor`: the
// referenced columns must be the parent's primary key or a UNIQUE
// constraint's (42830), of comparable types (42804).
absl::Status AddForeignKey(const ast::Constraint& c, const std::vector<std::string>& columns,
                           catalog::Catalog* catalog, txn::Txn* txn, uint32_t database_id,
                           proto::TableDescriptor* descriptor);

// 0A000 "<what> is not supported yet" at `position`, for DDL CairnDB lacks.
absl::Status NotSupported(const std::string& what, int position);

// Checks that an object name lives in the one schema CairnDB has.
absl::Status CheckSchema(const ast::ObjectName& name);

}  // namespace cairn::executor
