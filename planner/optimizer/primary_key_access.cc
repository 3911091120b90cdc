#include "planner/optimizer/primary_key_access.h"

#include <optional>
#include <vector>

#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

void CollectConjuncts(const BoundExpr* e, std::vector<const BoundExpr*>* out) {
  if (e->kind == BoundExprKind::kAnd) {
    for (const auto& c : e->children) CollectConjuncts(c.get(), out);
  } else {
    out->push_back(e);
  }
}

// A comparison between column `column` and a constant, normalised so the
// column is on the left.
struct ColumnBound {
  CompareOp op;
  const BoundExpr* constant;
};

CompareOp Flip(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return CompareOp::kGt;
    case CompareOp::kLe: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLt;
    case CompareOp::kGe: return CompareOp::kLe;
    default: return op;
  }
}

// A value fixed for the whole scan: a constant other than NULL, or an
// expression of constants and parameters (`$1 + 99`, a cast) that reads no
// row and gives one value per statement (its value may be NULL, which the
// scan takes as matching nothing).
bool IsFixedValue(const BoundExpr* e) {
  if (e->IsConstant()) return !e->value.is_null();
  return SidesRead(*e, /*left_width=*/0) == 0;
}

std::vector<ColumnBound> BoundsOn(const std::vector<const BoundExpr*>& conjuncts, int column) {
  std::vector<ColumnBound> out;
  for (const BoundExpr* c : conjuncts) {
    if (c->kind != BoundExprKind::kCompare || c->compare_op == CompareOp::kNe) continue;
    const BoundExpr* l = c->children[0].get();
    const BoundExpr* r = c->children[1].get();
    if (l->kind == BoundExprKind::kColumn && l->column_index == column && IsFixedValue(r)) {
      out.push_back({c->compare_op, r});
    } else if (r->kind == BoundExprKind::kColumn && r->column_index == column &&
               IsFixedValue(l)) {
      out.push_back({Flip(c->compare_op), l});
    }
  }
  return out;
}

// The bounds the conjuncts put on `column`, as `spec`'s lower and upper.
void SetBounds(const std::vector<const BoundExpr*>& conjuncts, int column, ScanSpec* spec) {
  for (const ColumnBound& b : BoundsOn(conjuncts, column)) {
    if (b.op == CompareOp::kGt || b.op == CompareOp::kGe) {
      spec->lower = b.constant->Clone();
      spec->lower_inclusive = b.op == CompareOp::kGe;
    } else if (b.op == CompareOp::kLt || b.op == CompareOp::kLe) {
      spec->upper = b.constant->Clone();
      spec->upper_inclusive = b.op == CompareOp::kLe;
    }
  }
}

void ChooseForScan(PlanNode* scan) {
  if (!scan->predicate) return;
  std::vector<const BoundExpr*> conjuncts;
  CollectConjuncts(scan->predicate.get(), &conjuncts);
  const auto& pk = scan->table->primary_key();
  ScanSpec spec;
  for (int column : pk) {
    const BoundExpr* eq = nullptr;
    for (const ColumnBound& b : BoundsOn(conjuncts, column)) {
      if (b.op == CompareOp::kEq) eq = b.constant;
    }
    if (eq == nullptr) break;
    spec.key_values.push_back(eq->Clone());
  }
  if (!pk.empty() && spec.key_values.size() == pk.size()) {
    spec.access = ScanSpec::Access::kPointGet;
    scan->scan = std::move(spec);
    return;
  }
  if (spec.key_values.size() < pk.size()) SetBounds(conjuncts, pk[spec.key_values.size()], &spec);
  if (!spec.key_values.empty() || spec.lower || spec.upper) {
    spec.access = ScanSpec::Access::kRangeScan;
    scan->scan = std::move(spec);
    return;
  }
  // No primary key access: a secondary index whose leading columns the
  // predicate fixes, the most of them (a unique one fully fixed first),
  // then bounds the next one; or one whose leading column it bounds.
  std::optional<ScanSpec> best;
  bool best_unique = false;
  for (const catalog::IndexInfo& index : scan->table->indexes()) {
    ScanSpec candidate;
    candidate.access = ScanSpec::Access::kIndexScan;
    candidate.index_id = index.id;
    for (int column : index.columns) {
      const BoundExpr* eq = nullptr;
      for (const ColumnBound& b : BoundsOn(conjuncts, column)) {
        if (b.op == CompareOp::kEq) eq = b.constant;
      }
      if (eq == nullptr) break;
      candidate.key_values.push_back(eq->Clone());
    }
    if (candidate.key_values.size() < index.columns.size()) {
      SetBounds(conjuncts, index.columns[candidate.key_values.size()], &candidate);
    }
    const bool bounded = candidate.lower || candidate.upper;
    if (candidate.key_values.empty() && !bounded) continue;
    const bool unique = index.unique && candidate.key_values.size() == index.columns.size();
    auto rank = [](const ScanSpec& s) { return 2 * s.key_values.size() + (s.lower || s.upper); };
    if (!best.has_value() || (unique && !best_unique) ||
        (unique == best_unique && rank(candidate) > rank(*best))) {
      best = std::move(candidate);
      best_unique = unique;
    }
  }
  if (best.has_value()) scan->scan = *std::move(best);
}

}  // namespace

void ChoosePrimaryKeyAccess(PlanNode* plan) {
  if (plan->kind == PlanKind::kScan) ChooseForScan(plan);
  for (auto& child : plan->children) ChoosePrimaryKeyAccess(child.get());
}

}  // namespace cairn::planner
