#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "catalog/table_info.h"
#include "common/value.h"

namespace cairn::catalog {

// Encodes table rows as KV pairs (DESIGN.md "Keys"): the primary index key
// /table_id/index_id/<pk columns> holds the non-key columns in a value
// encoding tagged with column IDs, so adding or dropping a column never
// rewrites stored rows. Absent columns (NULLs, or columns added later)
// decode as NULL.

// A secondary index's entry for `row` (DESIGN.md "Keys"): a unique index
// maps its columns to the primary key (the value); a non-unique one, and a
// unique one whose columns hold a NULL (NULLs never conflict), appends the
// primary key to the key. An index that stores its INCLUDE columns
// (IndexInfo::stores_values) appends them to the value, in the row value
// encoding, so that a scan needing no other column never reads the row.
struct IndexEntry {
  std::string key;
  std::string value;
  std::string primary_key;         // the row's primary key columns, key-encoded
  bool checks_uniqueness = false;  // the key is the indexed values alone
};
IndexEntry EncodeIndexEntry(const TableInfo& table, const IndexInfo& index, const Row& row);

// What an entry holds: a row (table column order) with the indexed, the
// primary key and the stored columns, the others NULL; and the primary
// key's encoding, which after the primary index's prefix is the row's key.
struct DecodedIndexEntry {
  Row row;
  std::string primary_key;
};
absl::StatusOr<DecodedIndexEntry> DecodeIndexEntry(const TableInfo& table, const IndexInfo& index,
                                                   std::string_view key, std::string_view value);

// Appends one value in key (order-preserving) form: a NULL marker sorting
// first, then the typed encoding; inverted when descending.
void AppendKeyValue(std::string* out, const Value& value, bool descending);
absl::StatusOr<Value> DecodeKeyValue(std::string_view* in, const SqlType& type, bool descending);

// The primary key of `row` (a full row in column order).
std::string EncodePrimaryKey(const TableInfo& table, const Row& row);
// The key prefix that primary key values `prefix_values` (the first n key
// columns) select.
std::string EncodePrimaryKeyPrefix(const TableInfo& table, const std::vector<Value>& prefix_values);
std::string EncodeRowValue(const TableInfo& table, const Row& row);

// Rebuilds a full row (column order) from a primary index KV pair.
absl::StatusOr<Row> DecodeRow(const TableInfo& table, std::string_view key, std::string_view value);

}  // namespace cairn::catalog
