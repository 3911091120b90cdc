#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/privilege_checker.h"
#include "parser/ast/ddl.h"
#include "txn/txn.h"

// Secondary indexes (DESIGN.md "Keys"): CREATE [UNIQUE] INDEX inside a
// transaction block builds the index over the table's rows in that
// transaction (outside one, online: executor/online_index_build.h), DROP
// INDEX removes it and its entries. The DML operators keep every index in
// step with its rows (executor/row_writer.h).
namespace cairn::executor {

// What CREATE INDEX names: the table and the index, checked (columns,
// privileges) and named, not yet added.
struct PreparedIndex {
  catalog::TableInfo table;
  proto::IndexDescriptor index;
};
// nullopt for CREATE INDEX IF NOT EXISTS of a name that is taken.
absl::StatusOr<std::optional<PreparedIndex>> PrepareIndex(const ast::CreateIndexStatement& stmt,
                                                          catalog::Catalog* catalog, txn::Txn* txn,
                                                          uint32_t database_id,
                                                          PrivilegeChecker* checker);

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

// Writes the entries of `index` for up to `limit` rows of `table` from
// primary key `from` on ("" from the first): the key to go on from, or
// nullopt after the last row. 23505 "could not create unique index" when
// the values are not unique.
absl::StatusOr<std::optional<std::string>> BackfillIndex(const catalog::TableInfo& table,
                                                         const catalog::IndexInfo& index,
                                                         std::string_view from, size_t limit,
                                                         txn::Txn* txn);

// Deletes every entry of index `index_id` of table `table_id`.
absl::Status DeleteIndexEntries(txn::Txn* txn, uint32_t table_id, uint32_t index_id);

// Whether `name` is taken by a relation of the database: a table, a primary
// key index or a secondary index.
absl::StatusOr<bool> RelationNameTaken(catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id, const std::string& name);

}  // namespace cairn::executor
