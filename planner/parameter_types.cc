#include "planner/parameter_types.h"

namespace cairn::planner {
namespace {

class ParameterTypeCollector {
 public:
  void VisitPlan(const PlanNode& node) {
    for (const auto& key : node.scan.key_values) VisitExpr(key.get());
    VisitExpr(node.scan.lower.get());
    VisitExpr(node.scan.upper.get());
    VisitExpr(node.predicate.get());
    for (const auto& e : node.exprs) VisitExpr(e.get());
    for (const auto& row : node.rows) {
      for (const auto& e : row) VisitExpr(e.get());
    }
    for (const auto& e : node.group_by) VisitExpr(e.get());
    for (const auto& a : node.aggregates) VisitExpr(a.arg.get());
    for (const auto& k : node.sort_keys) VisitExpr(k.expr.get());
    VisitExpr(node.limit.get());
    VisitExpr(node.offset.get());
    for (const auto& e : node.returning) VisitExpr(e.get());
    for (const auto& child : node.children) VisitPlan(*child);
  }

  std::vector<SqlType> TakeTypes() { return std::move(types_); }

 private:
  // `context`: the type a cast directly over `e` converts it to.
  void VisitExpr(const BoundExpr* e, const SqlType* context = nullptr) {
    if (e == nullptr) return;
    if (e->kind == BoundExprKind::kParameter && e->parameter_index >= 0) {
      const size_t index = static_cast<size_t>(e->parameter_index);
      if (types_.size() <= index) types_.resize(index + 1, SqlType::Of(TypeId::kUnknown));
      SqlType type = e->type;
      if (type.id == TypeId::kUnknown && context != nullptr) type = *context;
      if (types_[index].id == TypeId::kUnknown) types_[index] = type;
    }
    const SqlType* child_context = e->kind == BoundExprKind::kCast ? &e->type : nullptr;
    for (const auto& child : e->children) VisitExpr(child.get(), child_context);
    if (e->subplan != nullptr) VisitPlan(*e->subplan);
  }

  std::vector<SqlType> types_;
};

}  // namespace

std::vector<SqlType> InferParameterTypes(const PlanNode& plan) {
  ParameterTypeCollector collector;
  collector.VisitPlan(plan);
  return collector.TakeTypes();
}

}  // namespace cairn::planner
