#include "absl/container/flat_hash_set.h"
#include "catalog/row_codec.h"
#include "executor/expression_evaluator.h"
#include "executor/operators/dml_support.h"

namespace cairn::executor {
namespace {

// Rewrites the rows its child selects. The child is read to the end first,
// so the scan never meets rows this statement wrote (the Halloween problem).
// A row whose primary key changes moves: deleted under the old key, inserted
// under the new one.
class UpdateOperator : public Operator {
 public:
  UpdateOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                 int64_t* row_count)
      : plan_(plan), child_(std::move(child)), ctx_(ctx), row_count_(row_count) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (done_) return false;
    done_ = true;
    const catalog::TableInfo& table = *plan_.table;
    CAIRN_ASSIGN_OR_RETURN(std::vector<Row> rows, Drain(child_.get()));
    absl::flat_hash_set<std::string> written;  // target_joined: each target row once
    for (const Row& old_row : rows) {
      if (plan_.target_joined &&
          !written.insert(catalog::EncodePrimaryKey(table, old_row)).second) {
        continue;
      }
      Row new_row;
      new_row.reserve(plan_.exprs.size());
      for (const auto& e : plan_.exprs) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, old_row, ctx_));
        new_row.push_back(std::move(v));
      }
      CAIRN_RETURN_IF_ERROR(CheckNotNull(table, new_row));
      CAIRN_RETURN_IF_ERROR(CheckConstraints(plan_, new_row, ctx_));
      CAIRN_RETURN_IF_ERROR(UpdateRow(table, old_row, new_row, ctx_));
      ++*row_count_;
      CAIRN_RETURN_IF_ERROR(AppendReturning(plan_, new_row, ctx_, batch));
    }
    return !batch->empty();
  }

 private:
  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  int64_t* row_count_;
  bool done_ = false;
};

}  // namespace

OperatorPtr MakeUpdateOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count) {
  return std::make_unique<UpdateOperator>(plan, std::move(child), ctx, row_count);
}

}  // namespace cairn::executor
