#include "executor/operators/join_rows.h"

#include "executor/expression_evaluator.h"

namespace cairn::executor {

Row ConcatRows(const Row& left, const Row& right) {
  Row row;
  row.reserve(left.size() + right.size());
  row.insert(row.end(), left.begin(), left.end());
  row.insert(row.end(), right.begin(), right.end());
  return row;
}

Row NullRow(const std::vector<planner::OutputColumn>& columns) {
  Row row;
  row.reserve(columns.size());
  for (const auto& c : columns) row.push_back(Value::Null(c.type.id));
  return row;
}

absl::StatusOr<std::optional<Row>> JoinKeyOf(const std::vector<planner::BoundExprPtr>& keys,
                                             const Row& row, ExecContext* ctx) {
  Row key;
  key.reserve(keys.size());
  for (const auto& k : keys) {
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*k, row, ctx));
    if (v.is_null()) return std::nullopt;
    key.push_back(std::move(v));
  }
  return key;
}

}  // namespace cairn::executor
