// generate_series(start, stop[, step]) over integers: start, start + step,
// ... while not past stop; none when a bound is NULL. Over timestamps with
// an interval step, TimestampSeries gives the values.
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/timestamp_series.h"

#include <optional>

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
    while (timestamps_.has_value() && !done_ && batch->size() < kBatchSize) {
      Value v;
      CAIRN_ASSIGN_OR_RETURN(bool more, timestamps_->Next(&v));
      if (!more) {
        done_ = true;
        break;
      }
      batch->push_back(Row{std::move(v)});
    }
    while (!timestamps_.has_value() && !done_ && batch->size() < kBatchSize) {
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
    if (v.size() == 3 && v[2].type() == TypeId::kInterval) {
      CAIRN_ASSIGN_OR_RETURN(TimestampSeries series,
                             TimestampSeries::Make(plan_.output[0].type.id, v[0].micros_value(),
                                                   v[1].micros_value(), v[2].interval_value()));
      timestamps_.emplace(std::move(series));
      return absl::OkStatus();
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
  std::optional<TimestampSeries> timestamps_;
};

}  // namespace

OperatorPtr MakeSeriesOperator(const planner::PlanNode& plan, ExecContext* ctx) {
  return std::make_unique<SeriesOperator>(plan, ctx);
}

}  // namespace cairn::executor
