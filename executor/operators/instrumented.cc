// EXPLAIN ANALYZE's view of an operator: wraps it, and adds to its plan
// node's OperatorStats the rows each Next returned, the time it took and
// the KV reads the transaction sent meanwhile (the inputs' included, as
// PostgreSQL's times include them).
#include <chrono>

#include "executor/operator.h"

namespace cairn::executor {
namespace {

class InstrumentedOperator : public Operator {
 public:
  InstrumentedOperator(OperatorPtr inner, OperatorStats* stats, ExecContext* ctx)
      : inner_(std::move(inner)), stats_(stats), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    const auto start = std::chrono::steady_clock::now();
    const uint64_t reads_before = ctx_->txn != nullptr ? ctx_->txn->kv_reads() : 0;
    absl::StatusOr<bool> more = inner_->Next(batch);
    stats_->ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (ctx_->txn != nullptr) stats_->kv_reads += ctx_->txn->kv_reads() - reads_before;
    ++stats_->calls;
    if (more.ok() && *more) stats_->rows += batch->size();
    return more;
  }

 private:
  OperatorPtr inner_;
  OperatorStats* stats_;
  ExecContext* ctx_;
};

}  // namespace

OperatorPtr Instrument(const planner::PlanNode& plan, OperatorPtr op, ExecContext* ctx) {
  if (ctx->stats == nullptr) return op;
  return std::make_unique<InstrumentedOperator>(std::move(op), &(*ctx->stats)[&plan], ctx);
}

}  // namespace cairn::executor
