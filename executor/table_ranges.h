#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/exec_context.h"
#include "executor/privilege_checker.h"
#include "kv/range_directory.h"
#include "parser/ast/ddl.h"
#include "txn/txn.h"

namespace cairn::executor {

// Where a table's rows start a range (DESIGN.md "Ranges, replication,
// placement"): each table begins in a range of its own, and an operator may
// divide it further.

// Splits the keyspace at the start of table `name` (just created in `txn`),
// so that its rows never share a range with another table's, and at the
// start of each of its secondary indexes. A no-op without a range
// directory (an embedded engine).
absl::Status StartTableRange(kv::RangeDirectory* ranges, catalog::Catalog* catalog, txn::Txn* txn,
                             uint32_t database_id, const std::string& name);

// Splits the keyspace at the start of index `stmt` of its table (just
// created, in `txn` if given, else committed): a secondary index's entries
// live in ranges of their own, apart from the rows. The index is the one
// named, or the newest of the table when the name was chosen for it.
absl::Status StartIndexRange(kv::RangeDirectory* ranges, catalog::Catalog* catalog, txn::Txn* txn,
                             uint32_t database_id, const ast::CreateIndexStatement& stmt);

// ALTER TABLE t SPLIT AT VALUES (...), ...: each row gives leading primary
// key values, at whose key the table's range is split. Only the table's
// owner may. Returns the CommandComplete tag.
absl::StatusOr<std::string> SplitTableAt(const ast::AlterTableStatement& stmt,
                                         kv::RangeDirectory* ranges, catalog::Catalog* catalog,
                                         txn::Txn* txn, uint32_t database_id, ExecContext* ctx,
                                         PrivilegeChecker* checker);

}  // namespace cairn::executor
