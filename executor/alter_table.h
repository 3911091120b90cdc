#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/exec_context.h"
#include "executor/privilege_checker.h"
#include "parser/ast/ddl.h"
#include "txn/txn.h"

namespace cairn::executor {

// ALTER TABLE: ADD COLUMN (with DEFAULT and NOT NULL), DROP COLUMN, RENAME
// COLUMN, RENAME TO, ALTER COLUMN SET/DROP DEFAULT and SET/DROP NOT NULL,
// and ADD PRIMARY KEY on a table created without one. The commands apply in
// order and all or none, in `txn`; the others fail with 0A000. Returns the
// CommandComplete tag. Only the table's owner (or a superuser) may.
absl::StatusOr<std::string> AlterTable(const ast::AlterTableStatement& stmt,
                                       catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id, ExecContext* ctx,
                                       PrivilegeChecker* checker);

}  // namespace cairn::executor
