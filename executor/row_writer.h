#pragma once

#include "absl/status/status.h"
#include "catalog/table_info.h"
#include "common/value.h"
#include "executor/exec_context.h"

// Every write of a table's rows goes through these, so that its secondary
// indexes change in the same transaction as the row (DESIGN.md): an entry
// per index per row, unique ones checked.
namespace cairn::executor {

// Writes `row` as a new row: 23505 if its primary key, or the values of a
// unique index, are taken (as this transaction sees them).
absl::Status InsertRow(const catalog::TableInfo& table, const Row& row, ExecContext* ctx);

// Deletes `row` (as read) and its index entries; 23503 while rows of other
// tables reference it (their rows go too with ON DELETE CASCADE).
absl::Status DeleteRow(const catalog::TableInfo& table, const Row& row, ExecContext* ctx);

// Replaces `old_row` by `new_row`: in place when the primary key is the
// same, else moved; index entries change where their values do.
absl::Status UpdateRow(const catalog::TableInfo& table, const Row& old_row, const Row& new_row,
                       ExecContext* ctx);

// The entry of `index` for `row`, checked to be unique (23505) when the
// index is; for building an index over existing rows as well.
absl::Status WriteIndexEntry(const catalog::TableInfo& table, const catalog::IndexInfo& index,
                             const Row& row, txn::Txn* txn);

}  // namespace cairn::executor
