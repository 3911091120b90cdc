#include "planner/optimizer/sort_elimination.h"

#include <optional>
#include <utility>
#include <vector>

#include "planner/optimizer/scan_order.h"

namespace cairn::planner {
namespace {

// The scan that the sort's keys all name columns of, and the keys as its
// table's columns.
std::optional<std::pair<PlanNode*, std::vector<ColumnSortKey>>> SortedScan(PlanNode& sort) {
  PlanNode* scan = nullptr;
  std::vector<ColumnSortKey> keys;
  for (const SortKey& key : sort.sort_keys) {
    if (key.expr->kind != BoundExprKind::kColumn) return std::nullopt;
    std::optional<ScanColumn> c = ScanColumnOf(sort.children[0].get(), key.expr->column_index);
    if (!c.has_value() || (scan != nullptr && c->scan != scan)) return std::nullopt;
    scan = c->scan;
    keys.push_back({c->position, key.descending, key.nulls_first});
  }
  if (scan == nullptr) return std::nullopt;
  return std::make_pair(scan, std::move(keys));
}

// Whether the sort's input comes in its order, perhaps once its full scan
// walks an index instead (`limited`: a LIMIT above makes that worth it).
bool InputHasOrder(PlanNode& sort, bool limited) {
  auto sorted = SortedScan(sort);
  if (!sorted.has_value()) return false;
  auto& [scan, keys] = *sorted;
  ScanSpec& spec = scan->scan;
  std::optional<KeyOrder> order = ScanOrder(*scan);
  if (order.has_value()) {
    if (OrderServes(*scan, *order, keys, spec.reverse)) {
      spec.keeps_order = true;
      return true;
    }
    // Walking the key the other way round, unless something relies on
    // the direction it has.
    if (!spec.keeps_order && OrderServes(*scan, *order, keys, !spec.reverse)) {
      spec.reverse = !spec.reverse;
      spec.keeps_order = true;
      return true;
    }
  }
  if (!limited || spec.access != ScanSpec::Access::kFullScan || spec.keeps_order) return false;
  for (const catalog::IndexInfo& index : scan->table->indexes()) {
    for (bool reverse : {false, true}) {
      if (!OrderServes(*scan, IndexOrder(*scan->table, index), keys, reverse)) continue;
      spec.access = ScanSpec::Access::kIndexScan;
      spec.index_id = index.id;
      spec.reverse = reverse;
      spec.keeps_order = true;
      return true;
    }
  }
  return false;
}

void RemoveSorts(PlanPtr* plan, bool limited) {
  PlanNode& node = **plan;
  const bool limits_child = node.kind == PlanKind::kLimit && node.limit != nullptr;
  for (PlanPtr& child : node.children) RemoveSorts(&child, limits_child);
  if (node.kind == PlanKind::kSort && InputHasOrder(node, limited)) {
    PlanPtr input = std::move(node.children[0]);
    *plan = std::move(input);
  }
}

}  // namespace

void RemoveNeedlessSorts(PlanPtr* plan) { RemoveSorts(plan, /*limited=*/false); }

}  // namespace cairn::planner
