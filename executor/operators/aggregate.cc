#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/accumulator.h"

namespace cairn::executor {
namespace {

// Hash aggregation: groups its input by the GROUP BY values and emits one
// row per group, the group values followed by the aggregate results. With
// no GROUP BY, emits exactly one row even for empty input.
class AggregateOperator : public Operator {
 public:
  AggregateOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (!done_) {
      CAIRN_RETURN_IF_ERROR(Consume());
      done_ = true;
    }
    batch->clear();
    while (next_ < results_.size() && batch->size() < kBatchSize) {
      batch->push_back(std::move(results_[next_++]));
    }
    return !batch->empty();
  }

 private:
  using Accumulators = std::vector<std::unique_ptr<Accumulator>>;

  Accumulators NewAccumulators() {
    Accumulators accs;
    for (const auto& call : plan_.aggregates) accs.push_back(std::make_unique<Accumulator>(call));
    return accs;
  }

  absl::Status Consume() {
    absl::flat_hash_map<Row, size_t, RowHash, RowEq> index;
    std::vector<std::pair<Row, Accumulators>> groups;
    if (plan_.group_by.empty()) groups.emplace_back(Row{}, NewAccumulators());
    RowBatch input;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
      if (!more) break;
      for (const Row& row : input) {
        size_t g = 0;
        if (!plan_.group_by.empty()) {
          Row key;
          for (const auto& e : plan_.group_by) {
            CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, row, ctx_));
            key.push_back(std::move(v));
          }
          auto [it, inserted] = index.try_emplace(key, groups.size());
          if (inserted) groups.emplace_back(std::move(key), NewAccumulators());
          g = it->second;
        }
        for (size_t i = 0; i < plan_.aggregates.size(); ++i) {
          const auto& call = plan_.aggregates[i];
          Value v = Value::Int64(1);
          if (call.arg) {
            CAIRN_ASSIGN_OR_RETURN(v, Evaluate(*call.arg, row, ctx_));
          }
          if (Accumulator::Collects(call.function)) {
            std::vector<Value> keys;
            for (const auto& key : call.order_by) {
              CAIRN_ASSIGN_OR_RETURN(Value k, Evaluate(*key.expr, row, ctx_));
              keys.push_back(std::move(k));
            }
            CAIRN_RETURN_IF_ERROR(groups[g].second[i]->AddCollected(v, std::move(keys)));
            continue;
          }
          if (call.delimiter != nullptr) {
            CAIRN_ASSIGN_OR_RETURN(Value delimiter, Evaluate(*call.delimiter, row, ctx_));
            std::vector<Value> keys;
            for (const auto& key : call.order_by) {
              CAIRN_ASSIGN_OR_RETURN(Value k, Evaluate(*key.expr, row, ctx_));
              keys.push_back(std::move(k));
            }
            groups[g].second[i]->AddOrdered(v, delimiter, std::move(keys));
            continue;
          }
          CAIRN_RETURN_IF_ERROR(groups[g].second[i]->Add(v));
        }
      }
    }
    for (auto& [key, accs] : groups) {
      Row out = key;
      for (const auto& acc : accs) {
        CAIRN_ASSIGN_OR_RETURN(Value v, acc->Result());
        out.push_back(std::move(v));
      }
      results_.push_back(std::move(out));
    }
    return absl::OkStatus();
  }

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  bool done_ = false;
  std::vector<Row> results_;
  size_t next_ = 0;
};

}  // namespace

OperatorPtr MakeAggregateOperator(const planner::PlanNode& plan, OperatorPtr child,
                                  ExecContext* ctx) {
  return std::make_unique<AggregateOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
