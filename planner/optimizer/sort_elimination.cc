#include "planner/optimizer/sort_elimination.h"

#include <optional>

namespace cairn::planner {
namespace {

// The table column that output column `column` of `node` is, following it
// down through projections and filters to a scan in primary-key order;
// the scan too.
struct ScanColumn {
  const PlanNode* scan;
  int position;
};
std::optional<ScanColumn> ScanColumnOf(const PlanNode* node, int column) {
  for (;;) {
    switch (node->kind) {
      case PlanKind::kScan:
        if (node->scan.access == ScanSpec::Access::kIndexScan) return std::nullopt;
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

bool InputHasOrder(const PlanNode& sort) {
  const PlanNode* scan = nullptr;
  for (size_t i = 0; i < sort.sort_keys.size(); ++i) {
    const SortKey& key = sort.sort_keys[i];
    if (key.expr->kind != BoundExprKind::kColumn) return false;
    std::optional<ScanColumn> c = ScanColumnOf(sort.children[0].get(), key.expr->column_index);
    if (!c.has_value() || (scan != nullptr && c->scan != scan)) return false;
    scan = c->scan;
    const auto& pk = scan->table->primary_key();
    if (i >= pk.size() || pk[i] != c->position ||
        scan->table->primary_key_descending()[i] != key.descending ||
        !KeyOrderIsSortOrder(scan->table->columns()[pk[i]].type.id)) {
      return false;
    }
  }
  return scan != nullptr;
}

}  // namespace

void RemoveNeedlessSorts(PlanPtr* plan) {
  for (PlanPtr& child : (*plan)->children) RemoveNeedlessSorts(&child);
  if ((*plan)->kind == PlanKind::kSort && InputHasOrder(**plan)) {
    PlanPtr input = std::move((*plan)->children[0]);
    *plan = std::move(input);
  }
}

}  // namespace cairn::planner
