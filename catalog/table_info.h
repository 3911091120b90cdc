#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/sql_type.h"
#include "proto/catalog.pb.h"

namespace cairn::catalog {

// A table descriptor in the form the planner and executor use: columns with
// their SQL types, in declaration order, and the primary key as positions
// into that order. Built from, and convertible back to, the stored
// proto::TableDescriptor. Immutable once built; freely copyable.
struct ColumnInfo {
  uint32_t id = 0;
  std::string name;
  SqlType type;
  bool nullable = true;
  std::string default_expr;  // empty: NULL
  bool hidden = false;
  bool is_serial = false;
};

// A secondary index: its key columns as positions into columns().
struct IndexInfo {
  uint32_t id = 0;
  std::string name;
  bool unique = false;
  bool is_constraint = false;
  std::vector<int> columns;
  std::vector<bool> descending;
  std::vector<int> storing;
  bool stores_values = false;  // entries hold the `storing` columns' values
  proto::IndexDescriptor::State state = proto::IndexDescriptor::PUBLIC;
};

class TableInfo {
 public:
  explicit TableInfo(proto::TableDescriptor descriptor);

  uint32_t id() const { return descriptor_.id(); }
  uint32_t database_id() const { return descriptor_.database_id(); }
  const std::string& name() const { return descriptor_.name(); }
  const std::vector<ColumnInfo>& columns() const { return columns_; }
  // Positions (into columns()) of the primary key columns, in key order.
  const std::vector<int>& primary_key() const { return primary_key_; }
  const std::vector<bool>& primary_key_descending() const { return primary_key_descending_; }
  uint32_t primary_index_id() const { return descriptor_.primary_index().id(); }
  const std::string& primary_index_name() const { return descriptor_.primary_index().name(); }
  const proto::TableDescriptor& descriptor() const { return descriptor_; }
  // The indexes readers may use (PUBLIC), in descriptor order.
  const std::vector<IndexInfo>& indexes() const { return public_indexes_; }
  // Every index, those being built online too: what writers maintain.
  const std::vector<IndexInfo>& all_indexes() const { return indexes_; }

  // Position of the column named `name` (visible or hidden), if any.
  std::optional<int> FindColumn(std::string_view name) const;
  // Position of the column with id `id`.
  std::optional<int> ColumnPosition(uint32_t id) const;
  bool IsPrimaryKeyColumn(int position) const;
  // Whether `index`'s entries hold column `position`'s value: an indexed,
  // a primary key or a stored column.
  bool IndexHolds(const IndexInfo& index, int position) const;

 private:
  proto::TableDescriptor descriptor_;
  std::vector<ColumnInfo> columns_;
  std::vector<int> primary_key_;
  std::vector<bool> primary_key_descending_;
  std::vector<IndexInfo> indexes_;
  std::vector<IndexInfo> public_indexes_;
};

}  // namespace cairn::catalog
