#include "absl/container/flat_hash_set.h"
#include "catalog/row_codec.h"
#include "executor/operators/dml_support.h"

namespace cairn::executor {
namespace {

// Deletes the rows its child selects (read to the end first).
class DeleteOperator : public Operator {
 public:
  DeleteOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                 int64_t* row_count)
      : plan_(plan), child_(std::move(child)), ctx_(ctx), row_count_(row_count) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (done_) return false;
    done_ = true;
    CAIRN_ASSIGN_OR_RETURN(std::vector<Row> rows, Drain(child_.get()));
    absl::flat_hash_set<std::string> deleted;  // target_joined: each target row once
    for (const Row& row : rows) {
      if (plan_.target_joined &&
          !deleted.insert(catalog::EncodePrimaryKey(*plan_.table, row)).second) {
        continue;
      }
      CAIRN_RETURN_IF_ERROR(DeleteRow(*plan_.table, row, ctx_));
      ++*row_count_;
      CAIRN_RETURN_IF_ERROR(AppendReturning(plan_, row, ctx_, batch));
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

OperatorPtr MakeDeleteOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count) {
  return std::make_unique<DeleteOperator>(plan, std::move(child), ctx, row_count);
}

}  // namespace cairn::executor
