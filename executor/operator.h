#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/error_code.h"
#include "common/value.h"
#include "executor/exec_context.h"
#include "planner/plan.h"

namespace cairn::executor {

using RowBatch = std::vector<Row>;
inline constexpr size_t kBatchSize = 1024;

// Where `x` goes against `y` under an ORDER BY key (its direction and NULLS
// placement): negative before, positive after, 0 tied.
inline int CompareForSort(const Value& x, const Value& y, const planner::SortKey& key) {
  if (x.is_null() || y.is_null()) {
    if (x.is_null() && y.is_null()) return 0;
    return x.is_null() == key.nulls_first ? -1 : 1;
  }
  const int c = CompareValues(x, y);
  return key.descending ? -c : c;
}

// An executing plan operator (pull model over row batches). The plan node it
// runs is immutable and outlives it; the operator holds the run-time state.
// Not thread-safe.
class Operator {
 public:
  virtual ~Operator() = default;
  // Replaces `batch` with the next rows. Returns false, with `batch` empty,
  // once the operator is exhausted.
  virtual absl::StatusOr<bool> Next(RowBatch* batch) = 0;
};

using OperatorPtr = std::unique_ptr<Operator>;

// Builds the operator tree for `plan`. `ctx` must outlive the operators.
absl::StatusOr<OperatorPtr> BuildOperator(const planner::PlanNode& plan, ExecContext* ctx);

// One constructor per operator, each in operators/<name>.cc.
OperatorPtr MakeValuesOperator(const planner::PlanNode& plan, ExecContext* ctx);
OperatorPtr MakeScanOperator(const planner::PlanNode& plan, ExecContext* ctx);
OperatorPtr MakeSeriesOperator(const planner::PlanNode& plan, ExecContext* ctx);
// WITH RECURSIVE: `first` runs the non-recursive term; the recursive one
// (plan.children[1]) is built anew for each round.
OperatorPtr MakeRecursiveUnionOperator(const planner::PlanNode& plan, OperatorPtr first,
                                       ExecContext* ctx);
OperatorPtr MakeWorkTableOperator(const planner::PlanNode& plan, ExecContext* ctx);
OperatorPtr MakeFilterOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx);
OperatorPtr MakeProjectOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx);
OperatorPtr MakeWindowOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx);
OperatorPtr MakeProjectSetOperator(const planner::PlanNode& plan, OperatorPtr child,
                                   ExecContext* ctx);
OperatorPtr MakeAggregateOperator(const planner::PlanNode& plan, OperatorPtr child,
                                  ExecContext* ctx);
OperatorPtr MakeSortOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx);
OperatorPtr MakeLimitOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx);
OperatorPtr MakeDistinctOperator(const planner::PlanNode& plan, OperatorPtr child);
OperatorPtr MakeSetOpOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right);
// `op` as EXPLAIN ANALYZE sees it when ctx->stats is set (its figures go
// to (*ctx->stats)[&plan]); `op` itself otherwise.
OperatorPtr Instrument(const planner::PlanNode& plan, OperatorPtr op, ExecContext* ctx);
// A lookup join: the left input's rows, each with the right row its keys
// name (PlanNode::lookup_join).
OperatorPtr MakeLookupJoinOperator(const planner::PlanNode& plan, OperatorPtr left,
                                   ExecContext* ctx);
// A nested loop, or a hash join when the plan has join keys.
OperatorPtr MakeJoinOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right,
                             ExecContext* ctx);
// A merge join of inputs ordered by the join keys (PlanNode::merge_join).
OperatorPtr MakeMergeJoinOperator(const planner::PlanNode& plan, OperatorPtr left,
                                  OperatorPtr right, ExecContext* ctx);
// DML operators produce RETURNING rows (or none) and count what they wrote.
OperatorPtr MakeInsertOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count);
OperatorPtr MakeUpdateOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count);
OperatorPtr MakeDeleteOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count);

}  // namespace cairn::executor
