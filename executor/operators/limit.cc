#include "common/error_code.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

class LimitOperator : public Operator {
 public:
  LimitOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (!started_) {
      started_ = true;
      static const Row kEmpty;
      if (plan_.limit) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*plan_.limit, kEmpty, ctx_));
        if (!v.is_null()) {
          if (v.int_value() < 0) {
            return MakeError(ErrorCode::kInvalidParameterValue, "LIMIT must not be negative");
          }
          remaining_ = v.int_value();
        }
      }
      if (plan_.offset) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*plan_.offset, kEmpty, ctx_));
        if (!v.is_null()) {
          if (v.int_value() < 0) {
            return MakeError(ErrorCode::kInvalidParameterValue, "OFFSET must not be negative");
          }
          to_skip_ = v.int_value();
        }
      }
    }
    batch->clear();
    while (remaining_ != 0) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input_));
      if (!more) break;
      for (Row& row : input_) {
        if (to_skip_ > 0) {
          --to_skip_;
          continue;
        }
        if (remaining_ == 0) break;
        batch->push_back(std::move(row));
        if (remaining_ > 0) --remaining_;
      }
      if (!batch->empty()) return true;
    }
    return !batch->empty();
  }

 private:
  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  RowBatch input_;
  bool started_ = false;
  int64_t remaining_ = -1;  // -1: no limit
  int64_t to_skip_ = 0;
};

}  // namespace

OperatorPtr MakeLimitOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx) {
  return std::make_unique<LimitOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
