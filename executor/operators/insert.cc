#include "executor/operators/dml_support.h"

namespace cairn::executor {
namespace {

// Writes its child's rows (full table rows) as new rows of the table.
class InsertOperator : public Operator {
 public:
  InsertOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                 int64_t* row_count)
      : plan_(plan), child_(std::move(child)), ctx_(ctx), row_count_(row_count) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (done_) return false;
    const catalog::TableInfo& table = *plan_.table;
    RowBatch input;
    while (batch->empty()) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
      if (!more) {
        done_ = true;
        break;
      }
      for (const Row& row : input) {
        CAIRN_RETURN_IF_ERROR(CheckNotNull(table, row));
        CAIRN_RETURN_IF_ERROR(InsertRow(table, row, ctx_));
        ++*row_count_;
        CAIRN_RETURN_IF_ERROR(AppendReturning(plan_, row, ctx_, batch));
      }
      if (!plan_.has_returning) batch->clear();
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

OperatorPtr MakeInsertOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count) {
  return std::make_unique<InsertOperator>(plan, std::move(child), ctx, row_count);
}

}  // namespace cairn::executor
