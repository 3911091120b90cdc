#include "planner/optimizer/join_method.h"

#include <vector>

#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

bool HashableKeyType(const SqlType& t) {
  return t.id != TypeId::kFloat32 && t.id != TypeId::kFloat64 && t.id != TypeId::kChar &&
         t.id != TypeId::kArray && t.id != TypeId::kUnknown && !IsJsonType(t.id);
}

void ChooseForJoin(PlanNode* join) {
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
}

}  // namespace

void ChooseJoinMethods(PlanNode* plan) {
  if (plan->kind == PlanKind::kJoin) ChooseForJoin(plan);
  for (auto& child : plan->children) ChooseJoinMethods(child.get());
}

}  // namespace cairn::planner
