#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

// Emits the rows of a VALUES list (or the single empty row of a SELECT
// without FROM), evaluating each expression once.
class ValuesOperator : public Operator {
 public:
  ValuesOperator(const planner::PlanNode& plan, ExecContext* ctx) : plan_(plan), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    static const Row kEmpty;
    while (next_ < plan_.rows.size() && batch->size() < kBatchSize) {
      Row row;
      for (const auto& e : plan_.rows[next_]) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, kEmpty, ctx_));
        row.push_back(std::move(v));
      }
      batch->push_back(std::move(row));
      ++next_;
    }
    return !batch->empty();
  }

 private:
  const planner::PlanNode& plan_;
  ExecContext* ctx_;
  size_t next_ = 0;
};

}  // namespace

OperatorPtr MakeValuesOperator(const planner::PlanNode& plan, ExecContext* ctx) {
  return std::make_unique<ValuesOperator>(plan, ctx);
}

}  // namespace cairn::executor
