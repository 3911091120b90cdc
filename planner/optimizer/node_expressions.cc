#include "planner/optimizer/node_expressions.h"

namespace cairn::planner {
namespace {

void Visit(const BoundExprPtr& e, const std::function<void(const BoundExpr&)>& f) {
  if (e) f(*e);
}

void VisitKeys(const std::vector<SortKey>& keys, const std::function<void(const BoundExpr&)>& f) {
  for (const SortKey& k : keys) Visit(k.expr, f);
}

}  // namespace

void ForEachNodeExpression(const PlanNode& node, const std::function<void(const BoundExpr&)>& f) {
  for (const auto& e : node.scan.key_values) Visit(e, f);
  Visit(node.scan.lower, f);
  Visit(node.scan.upper, f);
  Visit(node.predicate, f);
  for (const auto& e : node.left_keys) Visit(e, f);
  for (const auto& e : node.right_keys) Visit(e, f);
  for (const auto& e : node.exprs) Visit(e, f);
  for (const auto& row : node.rows) {
    for (const auto& e : row) Visit(e, f);
  }
  for (const auto& e : node.group_by) Visit(e, f);
  for (const AggregateCall& a : node.aggregates) {
    Visit(a.arg, f);
    Visit(a.delimiter, f);
    VisitKeys(a.order_by, f);
  }
  for (const WindowCall& w : node.windows) {
    for (const auto& e : w.args) Visit(e, f);
    for (const auto& e : w.partition_by) Visit(e, f);
    VisitKeys(w.order_by, f);
    Visit(w.start_offset, f);
    Visit(w.end_offset, f);
  }
  VisitKeys(node.sort_keys, f);
  Visit(node.limit, f);
  Visit(node.offset, f);
  for (const auto& e : node.checks) Visit(e, f);
  for (const auto& e : node.returning) Visit(e, f);
}

}  // namespace cairn::planner
