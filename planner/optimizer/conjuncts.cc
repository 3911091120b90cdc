#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

void Collect(BoundExprPtr e, std::vector<BoundExprPtr>* out) {
  if (e->kind == BoundExprKind::kAnd) {
    for (auto& c : e->children) Collect(std::move(c), out);
  } else {
    out->push_back(std::move(e));
  }
}

bool IsVolatile(const std::string& function) {
  return function == "random" || function == "gen_random_uuid" || function == "clock_timestamp" ||
         function == "nextval" || function == "cairn_nextval" || function == "unique_rowid";
}

}  // namespace

std::vector<BoundExprPtr> TakeConjuncts(BoundExprPtr condition) {
  std::vector<BoundExprPtr> out;
  if (condition) Collect(std::move(condition), &out);
  return out;
}

BoundExprPtr Conjunction(std::vector<BoundExprPtr> parts) {
  if (parts.empty()) return nullptr;
  if (parts.size() == 1) return std::move(parts[0]);
  auto all = std::make_unique<BoundExpr>();
  all->kind = BoundExprKind::kAnd;
  all->type = SqlType::Of(TypeId::kBool);
  all->children = std::move(parts);
  return all;
}

BoundExprPtr And(BoundExprPtr a, BoundExprPtr b) {
  std::vector<BoundExprPtr> parts = TakeConjuncts(std::move(a));
  for (BoundExprPtr& p : TakeConjuncts(std::move(b))) parts.push_back(std::move(p));
  return Conjunction(std::move(parts));
}

int SidesRead(const BoundExpr& e, int left_width) {
  switch (e.kind) {
    case BoundExprKind::kColumn:
      return e.column_index < left_width ? 1 : 2;
    case BoundExprKind::kSubquery:
    case BoundExprKind::kOuterColumn:
      return -1;
    case BoundExprKind::kFunction:
      if (IsVolatile(e.name)) return -1;
      break;
    default:
      break;
  }
  int sides = 0;
  for (const auto& c : e.children) {
    const int s = SidesRead(*c, left_width);
    if (s < 0) return -1;
    sides |= s;
  }
  return sides;
}

void ShiftColumns(BoundExpr* e, int delta) {
  if (e->kind == BoundExprKind::kColumn) e->column_index += delta;
  for (auto& c : e->children) ShiftColumns(c.get(), delta);
}

}  // namespace cairn::planner
