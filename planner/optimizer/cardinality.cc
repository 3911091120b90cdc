#include "planner/optimizer/cardinality.h"

#include <algorithm>

#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

constexpr double kOtherSelectivity = 1.0 / 3;

const proto::ColumnStatistics* ColumnStats(const catalog::TableInfo& table, int position) {
  const uint32_t id = table.columns()[position].id;
  for (const proto::ColumnStatistics& c : table.descriptor().statistics().columns()) {
    if (c.column_id() == id) return &c;
  }
  return nullptr;
}

// The share of a table's rows that `column = value` keeps.
double EqualitySelectivity(const catalog::TableInfo& table, int position) {
  const proto::ColumnStatistics* c = ColumnStats(table, position);
  if (c == nullptr || c->distinct_count() == 0) return kOtherSelectivity;
  return (1.0 - c->null_fraction()) / static_cast<double>(c->distinct_count());
}

// The share of rows of `table` that `condition` (over its row) keeps.
double Selectivity(const catalog::TableInfo& table, const BoundExpr* condition) {
  if (condition == nullptr) return 1;
  std::vector<const BoundExpr*> parts;
  std::vector<const BoundExpr*> stack = {condition};
  while (!stack.empty()) {
    const BoundExpr* e = stack.back();
    stack.pop_back();
    if (e->kind == BoundExprKind::kAnd) {
      for (const auto& c : e->children) stack.push_back(c.get());
    } else {
      parts.push_back(e);
    }
  }
  double s = 1;
  for (const BoundExpr* p : parts) {
    const bool equality = p->kind == BoundExprKind::kCompare && p->compare_op == CompareOp::kEq;
    const BoundExpr* column = nullptr;
    if (equality) {
      for (const auto& side : p->children) {
        if (side->kind == BoundExprKind::kColumn) column = side.get();
      }
    }
    s *= column != nullptr ? EqualitySelectivity(table, column->column_index) : kOtherSelectivity;
  }
  return std::max(s, 1e-9);
}

}  // namespace

std::optional<uint64_t> KnownMaxRows(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kScan:
      if (node.scan.access == ScanSpec::Access::kPointGet) return 1;
      if (node.scan.access == ScanSpec::Access::kIndexScan) {
        for (const catalog::IndexInfo& index : node.table->indexes()) {
          if (index.id == node.scan.index_id && index.unique &&
              node.scan.key_values.size() == index.columns.size()) {
            return 1;
          }
        }
      }
      return std::nullopt;
    case PlanKind::kValues:
      return node.rows.size();
    case PlanKind::kAggregate:
      if (node.group_by.empty()) return 1;
      return KnownMaxRows(*node.children[0]);
    case PlanKind::kLimit:
      if (node.limit && node.limit->IsConstant() && IsIntegerType(node.limit->value.type())) {
        const int64_t n = node.limit->value.int_value();
        std::optional<uint64_t> below = KnownMaxRows(*node.children[0]);
        const uint64_t limit = n < 0 ? 0 : static_cast<uint64_t>(n);
        return below.has_value() ? std::min(*below, limit) : limit;
      }
      return KnownMaxRows(*node.children[0]);
    case PlanKind::kFilter:
    case PlanKind::kProject:
    case PlanKind::kSort:
    case PlanKind::kDistinct:
      return KnownMaxRows(*node.children[0]);
    case PlanKind::kJoin: {
      std::optional<uint64_t> l = KnownMaxRows(*node.children[0]);
      std::optional<uint64_t> r = KnownMaxRows(*node.children[1]);
      if (!l.has_value() || !r.has_value() || *l > 100000 || *r > 100000) return std::nullopt;
      return *l * *r + *l + *r;  // outer joins add unmatched rows
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> EstimateRows(const PlanNode& node) {
  if (std::optional<uint64_t> known = KnownMaxRows(node)) return static_cast<double>(*known);
  switch (node.kind) {
    case PlanKind::kScan: {
      if (!node.table->descriptor().has_statistics()) return std::nullopt;
      const catalog::TableInfo& table = *node.table;
      double rows = static_cast<double>(table.descriptor().statistics().row_count());
      // The predicate holds the key conditions too (a residual filter), so
      // its selectivity covers the access path's narrowing.
      return std::max(1.0, rows * Selectivity(table, node.predicate.get()));
    }
    case PlanKind::kFilter: {
      std::optional<double> below = EstimateRows(*node.children[0]);
      if (!below) return std::nullopt;
      return std::max(1.0, *below * kOtherSelectivity);
    }
    case PlanKind::kProject:
    case PlanKind::kSort:
    case PlanKind::kWindow:
    case PlanKind::kProjectSet:
      return EstimateRows(*node.children[0]);
    case PlanKind::kDistinct:
    case PlanKind::kAggregate: {
      std::optional<double> below = EstimateRows(*node.children[0]);
      if (!below) return std::nullopt;
      return std::max(1.0, *below * 0.1);
    }
    case PlanKind::kLimit:
      return EstimateRows(*node.children[0]);
    case PlanKind::kJoin: {
      std::optional<double> l = EstimateRows(*node.children[0]);
      std::optional<double> r = EstimateRows(*node.children[1]);
      if (!l || !r) return std::nullopt;
      if (node.left_keys.empty() && !node.predicate) return *l * *r;
      return std::max(*l, *r);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace cairn::planner
