#pragma once

#include <optional>
#include <vector>

#include "planner/plan.h"

// The order in which a scan yields its rows, for the passes that drop
// sorts and pick merge joins: a scan walks a key, the primary key (full,
// range and point access) or a secondary index (its columns, then, for a
// non-unique one, the primary key), and projections and filters above it
// keep that order.
namespace cairn::planner {

// The table column that output column `column` of `node` is, following it
// down through projections and filters to a scan; the scan too.
struct ScanColumn {
  PlanNode* scan;
  int position;
};
std::optional<ScanColumn> ScanColumnOf(PlanNode* node, int column);

// Whether keys of this type sort as ORDER BY sorts (and CompareValues
// compares) their values.
bool KeyOrderIsSortOrder(TypeId type);

// The sequence of columns rows come ordered by, and how many leading ones
// an equality fixes (each one value, so they order nothing).
struct KeyOrder {
  std::vector<int> columns;
  std::vector<bool> descending;
  size_t fixed = 0;
};
KeyOrder PrimaryKeyOrder(const catalog::TableInfo& table);
KeyOrder IndexOrder(const catalog::TableInfo& table, const catalog::IndexInfo& index);
// The order of `scan`'s rows as its access path reads them.
std::optional<KeyOrder> ScanOrder(const PlanNode& scan);

// A sort key resolved to a column of the scan's table.
struct ColumnSortKey {
  int position;
  bool descending;
  bool nulls_first;
};
// Whether rows of `scan` in `order` (walked backwards when `reverse`)
// come sorted by `keys` (NULLs placed as the keys ask, unless the scan
// yields none in that column).
bool OrderServes(const PlanNode& scan, const KeyOrder& order,
                 const std::vector<ColumnSortKey>& keys, bool reverse = false);

}  // namespace cairn::planner
