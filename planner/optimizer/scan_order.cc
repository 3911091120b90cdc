#include "planner/optimizer/scan_order.h"

#include <algorithm>

namespace cairn::planner {
namespace {

// Whether `scan` yields rows where column `position` is never NULL: the
// column can't hold one, or a bound on it (which no NULL satisfies) is
// part of the scan's access.
bool NeverNull(const PlanNode& scan, int position, const KeyOrder& order, size_t index) {
  const catalog::TableInfo& table = *scan.table;
  if (!table.columns()[position].nullable || table.IsPrimaryKeyColumn(position)) return true;
  if (index < order.fixed) return true;  // equal to a value
  return index == order.fixed && (scan.scan.lower || scan.scan.upper);
}

}  // namespace

std::optional<ScanColumn> ScanColumnOf(PlanNode* node, int column) {
  for (;;) {
    switch (node->kind) {
      case PlanKind::kScan:
        return ScanColumn{node, column};
      case PlanKind::kFilter:
        node = node->children[0].get();
        break;
      case PlanKind::kProject: {
        const BoundExpr& e = *node->exprs[column];
        if (e.kind != BoundExprKind::kColumn) return std::nullopt;
        column = e.column_index;
        node = node->children[0].get();
        break;
      }
      default:
        return std::nullopt;
    }
  }
}

// Whether keys of this type sort as ORDER BY sorts their values. Numeric
// keys lead with a double (two values a double cannot tell apart sort by
// text); CHAR compares without its trailing blanks.
bool KeyOrderIsSortOrder(TypeId type) {
  return type != TypeId::kNumeric && type != TypeId::kFloat32 && type != TypeId::kFloat64 &&
         type != TypeId::kChar;
}

KeyOrder PrimaryKeyOrder(const catalog::TableInfo& table) {
  return {table.primary_key(), table.primary_key_descending(), 0};
}

// A secondary index's entries: its columns, then, unless unique, the
// primary key that follows them in the key.
KeyOrder IndexOrder(const catalog::TableInfo& table, const catalog::IndexInfo& index) {
  KeyOrder order{index.columns, index.descending, 0};
  if (!index.unique) {
    order.columns.insert(order.columns.end(), table.primary_key().begin(),
                         table.primary_key().end());
    order.descending.insert(order.descending.end(), table.primary_key_descending().begin(),
                            table.primary_key_descending().end());
  }
  return order;
}

std::optional<KeyOrder> ScanOrder(const PlanNode& scan) {
  const catalog::TableInfo& table = *scan.table;
  KeyOrder order;
  if (scan.scan.access == ScanSpec::Access::kIndexScan) {
    const catalog::IndexInfo* index = nullptr;
    for (const catalog::IndexInfo& i : table.indexes()) {
      if (i.id == scan.scan.index_id) index = &i;
    }
    if (index == nullptr) return std::nullopt;
    order = IndexOrder(table, *index);
  } else {
    order = PrimaryKeyOrder(table);
  }
  order.fixed = scan.scan.key_values.size();
  return order;
}

bool OrderServes(const PlanNode& scan, const KeyOrder& order,
                 const std::vector<ColumnSortKey>& keys, bool reverse) {
  const catalog::TableInfo& table = *scan.table;
  size_t next = 0;
  for (const ColumnSortKey& key : keys) {
    const auto fixed_end = order.columns.begin() + static_cast<ptrdiff_t>(order.fixed);
    // A column an equality fixes is one value: it orders nothing.
    if (std::find(order.columns.begin(), fixed_end, key.position) != fixed_end) continue;
    next = std::max(next, order.fixed);
    if (next >= order.columns.size() || order.columns[next] != key.position ||
        order.descending[next] != (key.descending != reverse) ||
        !KeyOrderIsSortOrder(table.columns()[key.position].type.id)) {
      return false;
    }
    // Keys put NULL first, and descending ones invert that; so does
    // walking backwards, which leaves NULLs where the keys' direction puts
    // them.
    if (key.nulls_first != !key.descending && !NeverNull(scan, key.position, order, next)) {
      return false;
    }
    ++next;
  }
  return true;
}

}  // namespace cairn::planner
