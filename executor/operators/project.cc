#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

class ProjectOperator : public Operator {
 public:
  ProjectOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input_));
    batch->clear();
    if (!more) return false;
    batch->reserve(input_.size());
    for (const Row& in : input_) {
      Row out;
      out.reserve(plan_.exprs.size());
      for (const auto& e : plan_.exprs) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, in, ctx_));
        out.push_back(std::move(v));
      }
      batch->push_back(std::move(out));
    }
    return true;
  }

 private:
  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  RowBatch input_;
};

}  // namespace

OperatorPtr MakeProjectOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx) {
  return std::make_unique<ProjectOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
