#include "planner/optimizer/predicate_pushdown.h"

#include <vector>

#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

// Adds `parts` to what `child` keeps: a scan's or filter's predicate, or a
// new filter above it.
void AddToInput(PlanPtr* child, std::vector<BoundExprPtr> parts) {
  if (parts.empty()) return;
  PlanNode* c = child->get();
  if (c->kind == PlanKind::kScan || c->kind == PlanKind::kFilter) {
    c->predicate = And(std::move(c->predicate), Conjunction(std::move(parts)));
    return;
  }
  auto filter = std::make_unique<PlanNode>(PlanKind::kFilter);
  filter->output = c->output;
  filter->predicate = Conjunction(std::move(parts));
  filter->children.push_back(std::move(*child));
  *child = std::move(filter);
}

// Which inputs of `join` a condition part may move into, for a part of
// the join's WHERE (`where`) or of its ON condition.
struct Movable {
  bool left;
  bool right;
};
Movable MovableInto(JoinType type, bool where) {
  switch (type) {
    case JoinType::kInner:
    case JoinType::kCross:
      return {true, true};
    // WHERE filters the preserved side's rows; ON only which rows of the
    // other side match.
    case JoinType::kLeft:
      return where ? Movable{true, false} : Movable{false, true};
    case JoinType::kRight:
      return where ? Movable{false, true} : Movable{true, false};
    case JoinType::kFull:
      return {false, false};
  }
  return {false, false};
}

// Moves what it can of `parts` (over `join`'s output row) into the join's
// inputs or condition; returns the parts that stay.
std::vector<BoundExprPtr> MoveIntoJoin(PlanNode* join, std::vector<BoundExprPtr> parts,
                                       bool where) {
  const int left_width = static_cast<int>(join->children[0]->output.size());
  const Movable movable = MovableInto(join->join_type, where);
  const bool inner = join->join_type == JoinType::kInner || join->join_type == JoinType::kCross;
  std::vector<BoundExprPtr> left, right, condition, stay;
  for (BoundExprPtr& part : parts) {
    const int sides = SidesRead(*part, left_width);
    if (sides == 1 && movable.left) {
      left.push_back(std::move(part));
    } else if (sides == 2 && movable.right) {
      ShiftColumns(part.get(), -left_width);
      right.push_back(std::move(part));
    } else if (sides == 3 && where && inner) {
      condition.push_back(std::move(part));
    } else {
      stay.push_back(std::move(part));
    }
  }
  AddToInput(&join->children[0], std::move(left));
  AddToInput(&join->children[1], std::move(right));
  if (!condition.empty()) {
    join->predicate = And(std::move(join->predicate), Conjunction(std::move(condition)));
    join->join_type = JoinType::kInner;
  }
  return stay;
}

}  // namespace

void PushDownPredicates(PlanPtr* plan) {
  PlanNode* node = plan->get();
  if (node->kind == PlanKind::kFilter && node->predicate) {
    PlanNode* child = node->children[0].get();
    std::vector<BoundExprPtr> stay;
    if (child->kind == PlanKind::kJoin) {
      stay = MoveIntoJoin(child, TakeConjuncts(std::move(node->predicate)), /*where=*/true);
    } else if (child->kind == PlanKind::kScan || child->kind == PlanKind::kFilter) {
      child->predicate = And(std::move(child->predicate), std::move(node->predicate));
    } else {
      stay = TakeConjuncts(std::move(node->predicate));
    }
    node->predicate = Conjunction(std::move(stay));
    if (!node->predicate) {
      // Nothing left to filter here: the child takes the filter's place.
      PlanPtr only = std::move(node->children[0]);
      *plan = std::move(only);
      PushDownPredicates(plan);
      return;
    }
  }
  if (node->kind == PlanKind::kJoin && node->predicate) {
    node->predicate =
        Conjunction(MoveIntoJoin(node, TakeConjuncts(std::move(node->predicate)), /*where=*/false));
  }
  for (PlanPtr& child : node->children) PushDownPredicates(&child);
}

}  // namespace cairn::planner
