#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

class FilterOperator : public Operator {
 public:
  FilterOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(batch));
      if (!more) return false;
      size_t kept = 0;
      for (size_t i = 0; i < batch->size(); ++i) {
        CAIRN_ASSIGN_OR_RETURN(bool pass, EvaluatePredicate(*plan_.predicate, (*batch)[i], ctx_));
        if (!pass) continue;
        if (kept != i) (*batch)[kept] = std::move((*batch)[i]);
        ++kept;
      }
      batch->resize(kept);
      if (kept > 0) return true;
    }
  }

 private:
  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
};

}  // namespace

OperatorPtr MakeFilterOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx) {
  return std::make_unique<FilterOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
