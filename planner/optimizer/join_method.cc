#include "planner/optimizer/join_method.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "planner/optimizer/conjuncts.h"

namespace cairn::planner {
namespace {

bool HashableKeyType(const SqlType& t) {
  return t.id != TypeId::kFloat32 && t.id != TypeId::kFloat64 && t.id != TypeId::kChar &&
         t.id != TypeId::kArray && t.id != TypeId::kUnknown && !IsJsonType(t.id);
}

// At most how many rows `node` gives, when the plan alone tells (no
// statistics yet); nullopt when it does not.
std::optional<uint64_t> KnownMaxRows(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kScan:
      if (node.scan.access == ScanSpec::Access::kPointGet) return 1;
      if (node.scan.access == ScanSpec::Access::kIndexScan) {
        for (const catalog::IndexInfo& index : node.table->indexes()) {
          if (index.id == node.scan.index_id && index.unique &&
              node.scan.key_values.size() == index.columns.size()) {
            return 1;
          }
        }
      }
      return std::nullopt;
    case PlanKind::kValues: return node.rows.size();
    case PlanKind::kAggregate:
      if (node.group_by.empty()) return 1;
      return KnownMaxRows(*node.children[0]);
    case PlanKind::kLimit:
      if (node.limit && node.limit->IsConstant() && IsIntegerType(node.limit->value.type())) {
        const int64_t n = node.limit->value.int_value();
        std::optional<uint64_t> below = KnownMaxRows(*node.children[0]);
        const uint64_t limit = n < 0 ? 0 : static_cast<uint64_t>(n);
        return below.has_value() ? std::min(*below, limit) : limit;
      }
      return KnownMaxRows(*node.children[0]);
    case PlanKind::kFilter:
    case PlanKind::kProject:
    case PlanKind::kSort:
    case PlanKind::kDistinct: return KnownMaxRows(*node.children[0]);
    case PlanKind::kJoin: {
      std::optional<uint64_t> l = KnownMaxRows(*node.children[0]);
      std::optional<uint64_t> r = KnownMaxRows(*node.children[1]);
      if (!l.has_value() || !r.has_value() || *l > 100000 || *r > 100000) return std::nullopt;
      return *l * *r + *l + *r;  // outer joins add unmatched rows
    }
    default: return std::nullopt;
  }
}

// The left input sizes for which a lookup per row beats reading the right
// table whole.
constexpr uint64_t kLookupJoinMaxLeftRows = 1000;

// Whether `join`, keys chosen, can read its right rows by primary key.
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
  std::optional<uint64_t> left_rows = KnownMaxRows(*join.children[0]);
  return left_rows.has_value() && *left_rows <= kLookupJoinMaxLeftRows;
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
  if (!join->left_keys.empty()) join->lookup_join = CanLookUp(*join);
}

}  // namespace

void ChooseJoinMethods(PlanNode* plan) {
  if (plan->kind == PlanKind::kJoin) ChooseForJoin(plan);
  for (auto& child : plan->children) ChooseJoinMethods(child.get());
}

}  // namespace cairn::planner
