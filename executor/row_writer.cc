#include "executor/row_writer.h"

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/value_text.h"
#include "executor/foreign_keys.h"

namespace cairn::executor {
namespace {

absl::Status DuplicateKey(const std::string& constraint, const catalog::TableInfo& table,
                          const std::vector<int>& columns, const Row& row) {
  std::vector<std::string> names, values;
  for (int pos : columns) {
    names.push_back(table.columns()[pos].name);
    values.push_back(row[pos].is_null() ? "NULL" : FormatValue(row[pos]));
  }
  return WithDetail(
      MakeError(ErrorCode::kUniqueViolation,
                absl::StrFormat("duplicate key value violates unique constraint \"%s\"", constraint)),
      absl::StrFormat("Key (%s)=(%s) already exists.", absl::StrJoin(names, ", "),
                      absl::StrJoin(values, ", ")));
}

// A DELETE_ONLY index (being built, not yet written by everyone) only has
// its entries deleted; the others are maintained in full.
bool WritesEntries(const catalog::IndexInfo& index) {
  return index.state != proto::IndexDescriptor::DELETE_ONLY;
}

bool SameValues(const std::vector<int>& positions, const Row& a, const Row& b) {
  for (int pos : positions) {
    if (a[pos].is_null() != b[pos].is_null()) return false;
    if (!a[pos].is_null() && CompareValues(a[pos], b[pos]) != 0) return false;
  }
  return true;
}

// Whether `index`'s entry for the row stays as it is: the same key and,
// where the entry stores columns, the same stored values.
bool SameIndexEntry(const catalog::IndexInfo& index, const Row& a, const Row& b) {
  return SameValues(index.columns, a, b) &&
         (!index.stores_values || SameValues(index.storing, a, b));
}

}  // namespace

absl::Status WriteIndexEntry(const catalog::TableInfo& table, const catalog::IndexInfo& index,
                             const Row& row, txn::Txn* txn) {
  catalog::IndexEntry entry = catalog::EncodeIndexEntry(table, index, row);
  if (entry.checks_uniqueness) {
    CAIRN_ASSIGN_OR_RETURN(auto existing, txn->Get(entry.key));
    // The value starts with the owner's primary key (stored columns may
    // follow): another row's is a duplicate, this row's own is rewritten.
    if (existing && !existing->starts_with(entry.primary_key)) {
      return DuplicateKey(index.name, table, index.columns, row);
    }
    if (!existing) {
      // Commit re-checks: of two transactions inserting the same values
      // (through any nodes), the later fails with 23505.
      txn->Insert(std::move(entry.key), std::move(entry.value));
      return absl::OkStatus();
    }
  }
  txn->Put(std::move(entry.key), std::move(entry.value));
  return absl::OkStatus();
}

absl::Status InsertRow(const catalog::TableInfo& table, const Row& row, ExecContext* ctx) {
  std::string key = catalog::EncodePrimaryKey(table, row);
  CAIRN_ASSIGN_OR_RETURN(auto existing, ctx->txn->Get(key));
  if (existing) return DuplicateKey(table.primary_index_name(), table, table.primary_key(), row);
  CAIRN_RETURN_IF_ERROR(CheckParentsExist(table, row, ctx));
  ctx->txn->Insert(std::move(key), catalog::EncodeRowValue(table, row));
  for (const catalog::IndexInfo& index : table.all_indexes()) {
    if (!WritesEntries(index)) continue;
    CAIRN_RETURN_IF_ERROR(WriteIndexEntry(table, index, row, ctx->txn));
  }
  return absl::OkStatus();
}

absl::Status DeleteRow(const catalog::TableInfo& table, const Row& row, ExecContext* ctx) {
  ctx->txn->Delete(catalog::EncodePrimaryKey(table, row));
  for (const catalog::IndexInfo& index : table.all_indexes()) {
    ctx->txn->Delete(catalog::EncodeIndexEntry(table, index, row).key);
  }
  // Gone first: a row that references itself, or a cycle of cascades,
  // does not find the row among its own children again.
  return ApplyToChildren(table, row, /*new_row=*/nullptr, ctx);
}

absl::Status UpdateRow(const catalog::TableInfo& table, const Row& old_row, const Row& new_row,
                       ExecContext* ctx) {
  std::string old_key = catalog::EncodePrimaryKey(table, old_row);
  std::string new_key = catalog::EncodePrimaryKey(table, new_row);
  // A referenced key that changes takes its children along (ON UPDATE
  // CASCADE, SET NULL) or may not change (NO ACTION): once the new row is
  // written, so that cascaded children find their new parent.
  CAIRN_ASSIGN_OR_RETURN(bool referenced, ReferencedColumnsChanged(table, old_row, new_row, ctx));
  auto children = [&]() -> absl::Status {
    return referenced ? ApplyToChildren(table, old_row, &new_row, ctx) : absl::OkStatus();
  };
  if (old_key != new_key) {
    // Moved: the move itself is no delete.
    ctx->txn->Delete(old_key);
    for (const catalog::IndexInfo& index : table.all_indexes()) {
      ctx->txn->Delete(catalog::EncodeIndexEntry(table, index, old_row).key);
    }
    CAIRN_RETURN_IF_ERROR(InsertRow(table, new_row, ctx));
    return children();
  }
  if (ForeignKeyColumnsChanged(table, old_row, new_row)) {
    CAIRN_RETURN_IF_ERROR(CheckParentsExist(table, new_row, ctx));
  }
  ctx->txn->Put(std::move(new_key), catalog::EncodeRowValue(table, new_row));
  // Only the entries whose values changed are rewritten.
  for (const catalog::IndexInfo& index : table.all_indexes()) {
    if (SameIndexEntry(index, old_row, new_row)) continue;
    // An entry whose key stays is overwritten in place (deleting it first
    // would make a unique index's rewrite look like an insert).
    const bool key_moves = !SameValues(index.columns, old_row, new_row);
    if (key_moves || !WritesEntries(index)) {
      ctx->txn->Delete(catalog::EncodeIndexEntry(table, index, old_row).key);
    }
    if (!WritesEntries(index)) continue;
    CAIRN_RETURN_IF_ERROR(WriteIndexEntry(table, index, new_row, ctx->txn));
  }
  return children();
}

}  // namespace cairn::executor
