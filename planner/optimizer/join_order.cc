#include "planner/optimizer/join_order.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "planner/optimizer/cardinality.h"
#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

bool IsInnerJoin(const PlanNode& node) {
  return node.kind == PlanKind::kJoin &&
         (node.join_type == JoinType::kInner || node.join_type == JoinType::kCross);
}

struct Leaf {
  PlanPtr plan;
  int offset = 0;  // of its first column in the tree's row as written
  int width = 0;
  double rows = 0;
};

// Which leaves a condition over the tree's row as written reads (bits),
// or -1 when it reads what no leaf holds.
int64_t LeavesRead(const BoundExpr& e, const std::vector<Leaf>& leaves) {
  switch (e.kind) {
    case BoundExprKind::kColumn:
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (e.column_index >= leaves[i].offset &&
            e.column_index < leaves[i].offset + leaves[i].width) {
          return int64_t{1} << i;
        }
      }
      return -1;
    case BoundExprKind::kSubquery:
    case BoundExprKind::kOuterColumn:
      return -1;
    default:
      break;
  }
  int64_t read = 0;
  for (const auto& c : e.children) {
    const int64_t r = LeavesRead(*c, leaves);
    if (r < 0) return -1;
    read |= r;
  }
  return read;
}

// Takes apart the inner-join tree at `node`: its inputs that are not inner
// joins become leaves, its conditions move to the tree's row as written.
void Flatten(PlanPtr node, int offset, std::vector<Leaf>* leaves,
             std::vector<BoundExprPtr>* conditions) {
  if (!IsInnerJoin(*node) || leaves->size() >= 60) {
    const int width = static_cast<int>(node->output.size());
    leaves->push_back(Leaf{std::move(node), offset, width, 0});
    return;
  }
  const int left_width = static_cast<int>(node->children[0]->output.size());
  for (BoundExprPtr& c : TakeConjuncts(std::move(node->predicate))) {
    ShiftColumns(c.get(), offset);
    conditions->push_back(std::move(c));
  }
  Flatten(std::move(node->children[0]), offset, leaves, conditions);
  Flatten(std::move(node->children[1]), offset + left_width, leaves, conditions);
}

// Moves `e`'s columns from the row as written to the reordered one.
void Remap(BoundExpr* e, const std::vector<int>& new_position) {
  if (e->kind == BoundExprKind::kColumn) e->column_index = new_position[e->column_index];
  for (auto& c : e->children) Remap(c.get(), new_position);
}

void ReorderTree(PlanPtr* root) {
  // Count the leaves first: only trees of three or more change.
  std::vector<const PlanNode*> stack = {root->get()};
  int leaf_count = 0;
  while (!stack.empty()) {
    const PlanNode* n = stack.back();
    stack.pop_back();
    if (IsInnerJoin(*n)) {
      stack.push_back(n->children[0].get());
      stack.push_back(n->children[1].get());
    } else {
      ++leaf_count;
      if (!EstimateRows(*n).has_value()) return;
    }
  }
  if (leaf_count < 3 || leaf_count > 60) return;
  const std::vector<OutputColumn> output = (*root)->output;
  std::vector<Leaf> leaves;
  std::vector<BoundExprPtr> conditions;
  Flatten(std::move(*root), 0, &leaves, &conditions);
  // Conditions that read an enclosing query or a subquery pin the columns
  // where they are: the tree keeps its order.
  std::vector<int64_t> reads;
  bool movable = true;
  for (const auto& c : conditions) {
    reads.push_back(LeavesRead(*c, leaves));
    movable &= reads.back() >= 0;
  }
  for (Leaf& leaf : leaves) leaf.rows = *EstimateRows(*leaf.plan);

  // The order: smallest first, then the smallest connected input.
  std::vector<size_t> order;
  int64_t joined = 0;
  std::vector<bool> used(leaves.size(), false);
  while (order.size() < leaves.size()) {
    std::optional<size_t> best;
    bool best_connected = false;
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (used[i]) continue;
      bool connected = false;
      for (int64_t r : reads) {
        connected |= r > 0 && (r & (int64_t{1} << i)) && (r & joined) &&
                     (r & ~(joined | (int64_t{1} << i))) == 0;
      }
      if (!best.has_value() || (connected && !best_connected) ||
          (connected == best_connected && leaves[i].rows < leaves[*best].rows)) {
        best = i;
        best_connected = connected;
      }
    }
    order.push_back(*best);
    used[*best] = true;
    joined |= int64_t{1} << *best;
  }
  bool same = movable;
  for (size_t i = 0; i < order.size(); ++i) same = same && order[i] == i;
  if (!movable || same) order.clear();
  if (order.empty()) {
    for (size_t i = 0; i < leaves.size(); ++i) order.push_back(i);
  }

  // Where each column of the row as written lands.
  int width = 0;
  for (const Leaf& leaf : leaves) width += leaf.width;
  std::vector<int> new_position(width);
  int at = 0;
  for (size_t k : order) {
    for (int c = 0; c < leaves[k].width; ++c) new_position[leaves[k].offset + c] = at + c;
    at += leaves[k].width;
  }
  // Left-deep: each join takes the conditions its inputs now cover.
  std::vector<bool> placed(conditions.size(), false);
  PlanPtr tree;
  int64_t covered = 0;
  for (size_t step = 0; step < order.size(); ++step) {
    Leaf& leaf = leaves[order[step]];
    covered |= int64_t{1} << order[step];
    if (step == 0) {
      tree = std::move(leaf.plan);
      continue;
    }
    auto join = std::make_unique<PlanNode>(PlanKind::kJoin);
    join->output = tree->output;
    for (const auto& c : leaf.plan->output) join->output.push_back(c);
    std::vector<BoundExprPtr> here;
    for (size_t i = 0; i < conditions.size(); ++i) {
      if (placed[i] || reads[i] < 0 || (reads[i] & ~covered) != 0) continue;
      placed[i] = true;
      Remap(conditions[i].get(), new_position);
      here.push_back(std::move(conditions[i]));
    }
    join->predicate = Conjunction(std::move(here));
    join->join_type = join->predicate ? JoinType::kInner : JoinType::kCross;
    join->children.push_back(std::move(tree));
    join->children.push_back(std::move(leaf.plan));
    tree = std::move(join);
  }
  // Anything left (it read no leaf: a constant condition) goes on top.
  std::vector<BoundExprPtr> rest;
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (placed[i]) continue;
    Remap(conditions[i].get(), new_position);
    rest.push_back(std::move(conditions[i]));
  }
  if (!rest.empty()) {
    tree->predicate = And(std::move(tree->predicate), Conjunction(std::move(rest)));
    tree->join_type = JoinType::kInner;
  }
  if (same || !movable) {
    *root = std::move(tree);
    return;
  }
  auto project = std::make_unique<PlanNode>(PlanKind::kProject);
  project->output = output;
  for (int g = 0; g < width; ++g) {
    project->exprs.push_back(BoundExpr::Column(new_position[g], output[g].type, output[g].name));
  }
  project->children.push_back(std::move(tree));
  *root = std::move(project);
}

// The inputs of the inner-join tree at `node` get their own reordering.
void ReorderLeaves(PlanNode* node) {
  for (PlanPtr& child : node->children) {
    if (IsInnerJoin(*child)) {
      ReorderLeaves(child.get());
    } else {
      ReorderJoins(&child);
    }
  }
}

}  // namespace

void ReorderJoins(PlanPtr* plan) {
  if (IsInnerJoin(**plan)) {
    ReorderLeaves(plan->get());
    ReorderTree(plan);
    return;
  }
  for (PlanPtr& child : (*plan)->children) ReorderJoins(&child);
}

}  // namespace cairn::planner
