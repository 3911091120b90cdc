#include "planner/optimizer/covering_scans.h"

#include <functional>
#include <vector>

#include "planner/optimizer/node_expressions.h"

namespace cairn::planner {
namespace {

using Needed = std::vector<bool>;  // one per output column of a node

void MarkColumns(const BoundExpr& e, Needed* needed);

// The columns of the evaluating row that the expressions of `plan` (a
// subquery `depth` levels down) read as outer columns.
void MarkOuterColumns(const PlanNode& plan, int depth, Needed* needed) {
  std::function<void(const BoundExpr&)> visit = [&](const BoundExpr& e) {
    if (e.kind == BoundExprKind::kOuterColumn && e.outer_depth == depth && e.column_index >= 0 &&
        static_cast<size_t>(e.column_index) < needed->size()) {
      (*needed)[e.column_index] = true;
    }
    for (const auto& c : e.children) visit(*c);
    if (e.subplan) MarkOuterColumns(*e.subplan, depth + 1, needed);
  };
  ForEachNodeExpression(plan, visit);
  for (const auto& child : plan.children) MarkOuterColumns(*child, depth, needed);
}

// Marks the input columns `e` reads, in itself and in its subqueries.
void MarkColumns(const BoundExpr& e, Needed* needed) {
  if (e.kind == BoundExprKind::kColumn && e.column_index >= 0 &&
      static_cast<size_t>(e.column_index) < needed->size()) {
    (*needed)[e.column_index] = true;
  }
  for (const auto& c : e.children) MarkColumns(*c, needed);
  if (e.subplan) MarkOuterColumns(*e.subplan, 1, needed);
}

// Every column of `node`'s own expressions, over a row of `width`.
Needed ReadByExpressions(const PlanNode& node, size_t width) {
  Needed needed(width, false);
  ForEachNodeExpression(node, [&](const BoundExpr& e) { MarkColumns(e, &needed); });
  return needed;
}

bool Holds(const catalog::TableInfo& table, const catalog::IndexInfo& index, const Needed& needed) {
  for (size_t i = 0; i < needed.size(); ++i) {
    if (needed[i] && !table.IndexHolds(index, static_cast<int>(i))) return false;
  }
  return true;
}

// How many columns an entry of `index` carries: the narrower, the cheaper
// to read.
size_t EntryWidth(const catalog::TableInfo& table, const catalog::IndexInfo& index) {
  size_t width = 0;
  for (size_t i = 0; i < table.columns().size(); ++i) {
    width += table.IndexHolds(index, static_cast<int>(i)) ? 1 : 0;
  }
  return width;
}

void ChooseForScan(PlanNode* scan, Needed needed) {
  const catalog::TableInfo& table = *scan->table;
  Needed read = ReadByExpressions(*scan, needed.size());
  for (size_t i = 0; i < needed.size(); ++i) needed[i] = needed[i] || read[i];
  ScanSpec& spec = scan->scan;
  spec.columns_read = needed;
  if (spec.access == ScanSpec::Access::kIndexScan) {
    for (const catalog::IndexInfo& index : table.indexes()) {
      if (index.id == spec.index_id) spec.covering = Holds(table, index, needed);
    }
    return;
  }
  if (spec.access != ScanSpec::Access::kFullScan || spec.keeps_order) return;
  const catalog::IndexInfo* best = nullptr;
  for (const catalog::IndexInfo& index : table.indexes()) {
    if (!Holds(table, index, needed)) continue;
    if (best == nullptr || EntryWidth(table, index) < EntryWidth(table, *best)) best = &index;
  }
  // An index holding every column is no narrower than the rows.
  if (best == nullptr || EntryWidth(table, *best) == table.columns().size()) return;
  spec.access = ScanSpec::Access::kIndexScan;
  spec.index_id = best->id;
  spec.covering = true;
}

void Require(PlanNode* node, Needed needed) {
  std::vector<PlanPtr>& children = node->children;
  switch (node->kind) {
    case PlanKind::kScan:
      ChooseForScan(node, std::move(needed));
      return;
    case PlanKind::kFilter:
    case PlanKind::kSort:
    case PlanKind::kLimit: {
      Needed child = ReadByExpressions(*node, children[0]->output.size());
      for (size_t i = 0; i < needed.size() && i < child.size(); ++i) {
        child[i] = child[i] || needed[i];
      }
      Require(children[0].get(), std::move(child));
      return;
    }
    case PlanKind::kProject:
    case PlanKind::kProjectSet:
    case PlanKind::kAggregate:
      // Every expression is evaluated, needed above or not (its errors
      // are the statement's).
      Require(children[0].get(), ReadByExpressions(*node, children[0]->output.size()));
      return;
    case PlanKind::kWindow: {
      // The input's columns pass through, then one per window call.
      Needed child = ReadByExpressions(*node, children[0]->output.size());
      for (size_t i = 0; i < child.size() && i < needed.size(); ++i) {
        child[i] = child[i] || needed[i];
      }
      Require(children[0].get(), std::move(child));
      return;
    }
    case PlanKind::kJoin: {
      const size_t left_width = children[0]->output.size();
      const size_t right_width = children[1]->output.size();
      Needed joined(left_width + right_width, false);
      for (size_t i = 0; i < needed.size() && i < joined.size(); ++i) joined[i] = needed[i];
      if (node->predicate) MarkColumns(*node->predicate, &joined);
      Needed left(joined.begin(), joined.begin() + left_width);
      Needed right(joined.begin() + left_width, joined.end());
      for (const auto& k : node->left_keys) MarkColumns(*k, &left);
      for (const auto& k : node->right_keys) MarkColumns(*k, &right);
      // A lookup join reads its right table's rows by primary key itself.
      if (node->lookup_join) right.assign(right.size(), true);
      Require(children[0].get(), std::move(left));
      Require(children[1].get(), std::move(right));
      return;
    }
    default:
      // Whole rows (DISTINCT, set operations, writes) or not modelled:
      // every input column.
      for (PlanPtr& child : children) {
        Needed all(child->output.size(), true);
        Require(child.get(), std::move(all));
      }
      return;
  }
}

}  // namespace

void UseCoveringScans(PlanNode* plan) {
  Needed all(plan->output.size(), true);
  Require(plan, std::move(all));
}

}  // namespace cairn::planner
