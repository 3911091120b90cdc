// generate_series(start, stop[, step]) over integers: start, start + step,
// ... while not past stop; none when a bound is NULL.
#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

class SeriesOperator : public Operator {
 public:
  SeriesOperator(const planner::PlanNode& plan, ExecContext* ctx) : plan_(plan), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (!started_) CAIRN_RETURN_IF_ERROR(Start());
    CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
    const TypeId type = plan_.output[0].type.id;
    while (!done_ && batch->size() < kBatchSize) {
      batch->push_back(Row{Value::Int(type, next_)});
      // Stop before the next value passes `stop_` or overflows.
      if (__builtin_add_overflow(next_, step_, &next_) ||
          (step_ > 0 ? next_ > stop_ : next_ < stop_)) {
        done_ = true;
      }
    }
    return !batch->empty();
  }

 private:
  absl::Status Start() {
    started_ = true;
    const Row none;
    std::vector<Value> v;
    for (const auto& e : plan_.exprs) {
      CAIRN_ASSIGN_OR_RETURN(Value x, Evaluate(*e, none, ctx_));
      if (x.is_null()) {
        done_ = true;
        return absl::OkStatus();
      }
      v.push_back(std::move(x));
    }
    next_ = v[0].int_value();
    stop_ = v[1].int_value();
    step_ = v.size() == 3 ? v[2].int_value() : 1;
    if (step_ == 0) {
      return MakeError(ErrorCode::kInvalidParameterValue, "step size cannot equal zero");
    }
    done_ = step_ > 0 ? next_ > stop_ : next_ < stop_;
    return absl::OkStatus();
  }

  const planner::PlanNode& plan_;
  ExecContext* ctx_;
  bool started_ = false;
  bool done_ = false;
  int64_t next_ = 0;
  int64_t stop_ = 0;
  int64_t step_ = 1;
};

}  // namespace

OperatorPtr MakeSeriesOperator(const planner::PlanNode& plan, ExecContext* ctx) {
  return std::make_unique<SeriesOperator>(plan, ctx);
}

}  // namespace cairn::executor
