#include "planner/optimizer/join_method.h"

#include <vector>

namespace cairn::planner {
namespace {

void CollectConjuncts(BoundExprPtr e, std::vector<BoundExprPtr>* out) {
  if (e->kind == BoundExprKind::kAnd) {
    for (auto& c : e->children) CollectConjuncts(std::move(c), out);
  } else {
    out->push_back(std::move(e));
  }
}

// Which sides of the join `e` reads: bit 1 the left row (columns below
// `left_width`), bit 2 the right one. Anything evaluated elsewhere (a
// subquery, the enclosing query's row) makes it unusable as a key: -1.
int SidesRead(const BoundExpr& e, int left_width) {
  switch (e.kind) {
    case BoundExprKind::kColumn: return e.column_index < left_width ? 1 : 2;
    case BoundExprKind::kSubquery:
    case BoundExprKind::kOuterColumn: return -1;
    case BoundExprKind::kFunction:
      // Volatile: a different value per evaluation.
      if (e.name == "random" || e.name == "gen_random_uuid" || e.name == "clock_timestamp" ||
          e.name == "nextval" || e.name == "cairn_nextval" || e.name == "unique_rowid") {
        return -1;
      }
      break;
    default: break;
  }
  int sides = 0;
  for (const auto& c : e.children) {
    const int s = SidesRead(*c, left_width);
    if (s < 0) return -1;
    sides |= s;
  }
  return sides;
}

// Moves column references from the join's row to the right input's row.
void ShiftToRight(BoundExpr* e, int left_width) {
  if (e->kind == BoundExprKind::kColumn) e->column_index -= left_width;
  for (auto& c : e->children) ShiftToRight(c.get(), left_width);
}

bool HashableKeyType(const SqlType& t) {
  return t.id != TypeId::kFloat32 && t.id != TypeId::kFloat64 && t.id != TypeId::kChar &&
         t.id != TypeId::kArray && t.id != TypeId::kUnknown && !IsJsonType(t.id);
}

void ChooseForJoin(PlanNode* join) {
  if (!join->predicate || join->join_type == JoinType::kCross) return;
  const int left_width = static_cast<int>(join->children[0]->output.size());
  std::vector<BoundExprPtr> conjuncts;
  CollectConjuncts(std::move(join->predicate), &conjuncts);
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
        ShiftToRight(right.get(), left_width);
        join->left_keys.push_back(std::move(left));
        join->right_keys.push_back(std::move(right));
        continue;
      }
    }
    rest.push_back(std::move(c));
  }
  if (rest.size() == 1) {
    join->predicate = std::move(rest[0]);
  } else if (rest.size() > 1) {
    auto all = std::make_unique<BoundExpr>();
    all->kind = BoundExprKind::kAnd;
    all->type = SqlType::Of(TypeId::kBool);
    all->children = std::move(rest);
    join->predicate = std::move(all);
  }
}

}  // namespace

void ChooseJoinMethods(PlanNode* plan) {
  if (plan->kind == PlanKind::kJoin) ChooseForJoin(plan);
  for (auto& child : plan->children) ChooseJoinMethods(child.get());
}

}  // namespace cairn::planner
