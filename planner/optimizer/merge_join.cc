#include "planner/optimizer/merge_join.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "planner/optimizer/scan_order.h"

namespace cairn::planner {
namespace {

// Where each key of one input stands in its scan's order: rank i means
// the i-th column after the fixed ones. Nullopt when the input is not a
// scan ordered by exactly these columns, ascending, in some sequence.
struct KeyRanks {
  PlanNode* scan = nullptr;
  std::vector<size_t> ranks;
};
std::optional<KeyRanks> RanksOf(PlanNode* input, const std::vector<BoundExprPtr>& keys) {
  KeyRanks out;
  std::vector<int> positions;
  for (const BoundExprPtr& key : keys) {
    if (key->kind != BoundExprKind::kColumn) return std::nullopt;
    std::optional<ScanColumn> c = ScanColumnOf(input, key->column_index);
    if (!c.has_value() || (out.scan != nullptr && c->scan != out.scan)) return std::nullopt;
    out.scan = c->scan;
    positions.push_back(c->position);
  }
  if (out.scan == nullptr) return std::nullopt;
  std::optional<KeyOrder> order = ScanOrder(*out.scan);
  if (!order.has_value()) return std::nullopt;
  const catalog::TableInfo& table = *out.scan->table;
  for (int position : positions) {
    size_t rank = keys.size();
    for (size_t i = order->fixed; i < order->columns.size() && i < order->fixed + keys.size();
         ++i) {
      if (order->columns[i] == position && !order->descending[i]) rank = i - order->fixed;
    }
    if (rank == keys.size() || !KeyOrderIsSortOrder(table.columns()[position].type.id)) {
      return std::nullopt;
    }
    if (std::find(out.ranks.begin(), out.ranks.end(), rank) != out.ranks.end()) {
      return std::nullopt;  // one column named by two keys
    }
    out.ranks.push_back(rank);
  }
  return out;
}

}  // namespace

bool ChooseMergeJoin(PlanNode* join) {
  if (join->join_type == JoinType::kCross || join->left_keys.empty() || join->lookup_join) {
    return false;
  }
  std::optional<KeyRanks> left = RanksOf(join->children[0].get(), join->left_keys);
  std::optional<KeyRanks> right = RanksOf(join->children[1].get(), join->right_keys);
  if (!left.has_value() || !right.has_value() || left->ranks != right->ranks) return false;
  // The key pairs in the inputs' order.
  const size_t n = join->left_keys.size();
  std::vector<BoundExprPtr> left_keys(n), right_keys(n);
  for (size_t i = 0; i < n; ++i) {
    left_keys[left->ranks[i]] = std::move(join->left_keys[i]);
    right_keys[left->ranks[i]] = std::move(join->right_keys[i]);
  }
  join->left_keys = std::move(left_keys);
  join->right_keys = std::move(right_keys);
  join->merge_join = true;
  left->scan->scan.keeps_order = true;
  right->scan->scan.keeps_order = true;
  return true;
}

}  // namespace cairn::planner
