#include "planner/optimizer/join_method.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "planner/optimizer/cardinality.h"
#include "planner/optimizer/conjuncts.h"
#include "planner/optimizer/merge_join.h"

namespace cairn::planner {
namespace {

bool HashableKeyType(const SqlType& t) {
  return t.id != TypeId::kFloat32 && t.id != TypeId::kFloat64 && t.id != TypeId::kChar &&
         t.id != TypeId::kArray && t.id != TypeId::kUnknown && !IsJsonType(t.id);
}

// The left input sizes for which a lookup per row beats reading the right
// table whole.
constexpr uint64_t kLookupJoinMaxLeftRows = 1000;

// Whether `join`, keys chosen, can read its right rows by primary key, and
// should: its left input is small (known to be, or estimated), and the
// right table is not about as small itself.
bool CanLookUp(const PlanNode& join) {
  if (join.join_type != JoinType::kInner && join.join_type != JoinType::kLeft) return false;
  const PlanNode& right = *join.children[1];
  if (right.kind != PlanKind::kScan || right.scan.access != ScanSpec::Access::kFullScan) {
    return false;
  }
  for (int pk_column : right.table->primary_key()) {
    bool keyed = false;
    for (const auto& key : join.right_keys) {
      keyed |= key->kind == BoundExprKind::kColumn && key->column_index == pk_column;
    }
    if (!keyed) return false;
  }
  std::optional<double> left_rows = EstimateRows(*join.children[0]);
  if (!left_rows.has_value() || *left_rows > kLookupJoinMaxLeftRows) return false;
  const proto::TableDescriptor& right_table = right.table->descriptor();
  return !right_table.has_statistics() ||
         static_cast<double>(right_table.statistics().row_count()) >= 4 * *left_rows;
}

// Column references of the joined row after its inputs swap places.
void RemapSwapped(BoundExpr* e, int left_width, int right_width) {
  if (e->kind == BoundExprKind::kColumn) {
    e->column_index =
        e->column_index < left_width ? e->column_index + right_width : e->column_index - left_width;
  }
  for (auto& c : e->children) RemapSwapped(c.get(), left_width, right_width);
}

// Swaps an inner join's inputs (and keys), and puts a projection above it
// that restores the column order the plan above expects.
void SwapInputs(PlanPtr* join_ptr) {
  PlanNode* join = join_ptr->get();
  const int left_width = static_cast<int>(join->children[0]->output.size());
  const int right_width = static_cast<int>(join->children[1]->output.size());
  std::swap(join->children[0], join->children[1]);
  std::swap(join->left_keys, join->right_keys);
  if (join->predicate) RemapSwapped(join->predicate.get(), left_width, right_width);
  std::vector<OutputColumn> output = join->output;
  join->output.clear();
  for (const auto& c : join->children[0]->output) join->output.push_back(c);
  for (const auto& c : join->children[1]->output) join->output.push_back(c);
  auto project = std::make_unique<PlanNode>(PlanKind::kProject);
  project->output = output;
  for (int i = 0; i < left_width + right_width; ++i) {
    const int from = i < left_width ? right_width + i : i - left_width;
    project->exprs.push_back(BoundExpr::Column(from, output[i].type, output[i].name));
  }
  project->children.push_back(std::move(*join_ptr));
  *join_ptr = std::move(project);
}

// Takes the join's keys out of its condition, and picks a lookup join, or
// the input to build a hash table on, where that pays.
void ChooseKeysAndSides(PlanPtr* join_ptr) {
  PlanNode* join = join_ptr->get();
  if (!join->predicate || join->join_type == JoinType::kCross) return;
  const int left_width = static_cast<int>(join->children[0]->output.size());
  std::vector<BoundExprPtr> conjuncts = TakeConjuncts(std::move(join->predicate));
  std::vector<BoundExprPtr> rest;
  for (BoundExprPtr& c : conjuncts) {
    const bool equality = c->kind == BoundExprKind::kCompare && c->compare_op == CompareOp::kEq &&
                          HashableKeyType(c->children[0]->type) &&
                          c->children[0]->type.id == c->children[1]->type.id;
    if (equality) {
      const int a = SidesRead(*c->children[0], left_width);
      const int b = SidesRead(*c->children[1], left_width);
      if ((a == 1 && b == 2) || (a == 2 && b == 1)) {
        BoundExprPtr left = std::move(c->children[a == 1 ? 0 : 1]);
        BoundExprPtr right = std::move(c->children[a == 1 ? 1 : 0]);
        ShiftColumns(right.get(), -left_width);
        join->left_keys.push_back(std::move(left));
        join->right_keys.push_back(std::move(right));
        continue;
      }
    }
    rest.push_back(std::move(c));
  }
  join->predicate = Conjunction(std::move(rest));
  if (join->left_keys.empty()) return;
  join->lookup_join = CanLookUp(*join);
  if (join->lookup_join || join->join_type != JoinType::kInner) return;
  // An inner join may run the other way round: looking up the left
  // table's rows for a small right input, or building the hash table on
  // the smaller input.
  std::optional<double> left = EstimateRows(*join->children[0]);
  std::optional<double> right = EstimateRows(*join->children[1]);
  if (!right.has_value()) return;
  PlanNode* mirrored_left = join->children[0].get();
  const bool keyed_left_scan = mirrored_left->kind == PlanKind::kScan &&
                               mirrored_left->scan.access == ScanSpec::Access::kFullScan;
  // The hash table is built on the right input: the smaller one belongs there.
  const bool smaller_left = left.has_value() && *left * 2 < *right;
  if (!(keyed_left_scan && *right <= kLookupJoinMaxLeftRows) && !smaller_left) return;
  SwapInputs(join_ptr);
  PlanNode* swapped = (*join_ptr)->children[0].get();
  swapped->lookup_join = CanLookUp(*swapped);
  if (!swapped->lookup_join && !smaller_left) {
    // Neither a lookup nor a smaller build side: back as it was.
    PlanPtr inner = std::move((*join_ptr)->children[0]);
    *join_ptr = std::move(inner);
    SwapInputs(join_ptr);
    PlanPtr restored = std::move((*join_ptr)->children[0]);
    *join_ptr = std::move(restored);
  }
}

// Puts the keys back into the condition: a nested loop after all.
void RestoreCondition(PlanNode* join) {
  const int left_width = static_cast<int>(join->children[0]->output.size());
  std::vector<BoundExprPtr> parts;
  for (size_t i = 0; i < join->left_keys.size(); ++i) {
    auto equal = std::make_unique<BoundExpr>();
    equal->kind = BoundExprKind::kCompare;
    equal->compare_op = CompareOp::kEq;
    equal->type = SqlType::Of(TypeId::kBool);
    ShiftColumns(join->right_keys[i].get(), left_width);
    equal->children.push_back(std::move(join->left_keys[i]));
    equal->children.push_back(std::move(join->right_keys[i]));
    parts.push_back(std::move(equal));
  }
  join->left_keys.clear();
  join->right_keys.clear();
  join->predicate = And(Conjunction(std::move(parts)), std::move(join->predicate));
}

void ChooseForJoin(PlanPtr* join_ptr, const JoinMethods& methods) {
  ChooseKeysAndSides(join_ptr);
  // A swap leaves the join under a projection.
  PlanNode* join =
      (*join_ptr)->kind == PlanKind::kJoin ? join_ptr->get() : (*join_ptr)->children[0].get();
  if (join->left_keys.empty() || join->lookup_join) return;
  if (methods.merge && ChooseMergeJoin(join)) return;
  if (!methods.hash) RestoreCondition(join);
}

}  // namespace

void ChooseJoinMethods(PlanPtr* plan, const JoinMethods& methods) {
  // Inputs first: a join's choice reads what its inputs became.
  for (auto& child : (*plan)->children) ChooseJoinMethods(&child, methods);
  if ((*plan)->kind == PlanKind::kJoin) ChooseForJoin(plan, methods);
}

}  // namespace cairn::planner
