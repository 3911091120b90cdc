#include "catalog/table_info.h"

#include <algorithm>

namespace cairn::catalog {

TableInfo::TableInfo(proto::TableDescriptor descriptor) : descriptor_(std::move(descriptor)) {
  for (const auto& c : descriptor_.columns()) {
    ColumnInfo info;
    info.id = c.id();
    info.name = c.name();
    info.type = SqlType{static_cast<TypeId>(c.type_id()), c.precision(), c.scale(),
                        static_cast<TypeId>(c.element_type_id())};
    info.nullable = c.nullable();
    info.default_expr = c.default_expr();
    info.hidden = c.hidden();
    info.is_serial = c.is_serial();
    columns_.push_back(std::move(info));
  }
  const auto& pk = descriptor_.primary_index();
  for (int i = 0; i < pk.column_ids_size(); ++i) {
    if (auto pos = ColumnPosition(pk.column_ids(i))) primary_key_.push_back(*pos);
    primary_key_descending_.push_back(i < pk.descending_size() && pk.descending(i));
  }
  for (const auto& index : descriptor_.indexes()) {
    IndexInfo info;
    info.id = index.id();
    info.name = index.name();
    info.unique = index.unique();
    info.is_constraint = index.is_constraint();
    for (int i = 0; i < index.column_ids_size(); ++i) {
      if (auto pos = ColumnPosition(index.column_ids(i))) info.columns.push_back(*pos);
      info.descending.push_back(i < index.descending_size() && index.descending(i));
    }
    for (uint32_t id : index.storing_column_ids()) {
      if (auto pos = ColumnPosition(id)) info.storing.push_back(*pos);
    }
    info.stores_values = index.stores_included_values();
    info.state = index.state();
    if (info.state == proto::IndexDescriptor::PUBLIC) public_indexes_.push_back(info);
    indexes_.push_back(std::move(info));
  }
}

std::optional<int> TableInfo::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<int> TableInfo::ColumnPosition(uint32_t id) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].id == id) return static_cast<int>(i);
  }
  return std::nullopt;
}

bool TableInfo::IsPrimaryKeyColumn(int position) const {
  return std::find(primary_key_.begin(), primary_key_.end(), position) != primary_key_.end();
}

bool TableInfo::IndexHolds(const IndexInfo& index, int position) const {
  auto in = [position](const std::vector<int>& v) {
    return std::find(v.begin(), v.end(), position) != v.end();
  };
  return in(index.columns) || IsPrimaryKeyColumn(position) ||
         (index.stores_values && in(index.storing));
}

}  // namespace cairn::catalog
