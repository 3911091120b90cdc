#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/privilege_checker.h"
#include "parser/ast/ddl.h"
#include "txn/txn.h"

// Secondary indexes (DESIGN.md "Keys"): CREATE [UNIQUE] INDEX builds the
// index over the table's rows in the statement's transaction, DROP INDEX
// removes it and its entries. The DML operators keep every index in step
// with its rows (executor/row_writer.h).
namespace cairn::executor {

absl::StatusOr<std::string> CreateIndex(const ast::CreateIndexStatement& stmt,
                                        catalog::Catalog* catalog, txn::Txn* txn,
                                        uint32_t database_id, PrivilegeChecker* checker);
absl::StatusOr<std::string> DropIndexes(const ast::DropIndexStatement& stmt,
                                        catalog::Catalog* catalog, txn::Txn* txn,
                                        uint32_t database_id, PrivilegeChecker* checker);

// Adds index `index` (its id assigned here) to `descriptor`, and writes
// its entries for the rows the table has: 23505 "could not create unique
// index" when they are not unique. The caller stores the descriptor.
absl::Status AddIndex(proto::IndexDescriptor index, proto::TableDescriptor* descriptor,
                      txn::Txn* txn);

// Deletes every entry of index `index_id` of table `table_id`.
absl::Status DeleteIndexEntries(txn::Txn* txn, uint32_t table_id, uint32_t index_id);

// Whether `name` is taken by a relation of the database: a table, a primary
// key index or a secondary index.
absl::StatusOr<bool> RelationNameTaken(catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id, const std::string& name);

}  // namespace cairn::executor
