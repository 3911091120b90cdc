#include <algorithm>

#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

// Materialises its input and emits it ordered by the sort keys. Keys are
// column references into the input (the binder projects expressions first).
class SortOperator : public Operator {
 public:
  SortOperator(const planner::PlanNode& plan, OperatorPtr child) : plan_(plan), child_(std::move(child)) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (!sorted_) {
      RowBatch input;
      while (true) {
        CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
        if (!more) break;
        for (Row& r : input) rows_.push_back(std::move(r));
      }
      std::stable_sort(rows_.begin(), rows_.end(), [&](const Row& a, const Row& b) {
        for (const auto& key : plan_.sort_keys) {
          const int c =
              CompareForSort(a[key.expr->column_index], b[key.expr->column_index], key);
          if (c != 0) return c < 0;
        }
        return false;
      });
      sorted_ = true;
    }
    batch->clear();
    while (next_ < rows_.size() && batch->size() < kBatchSize) {
      batch->push_back(std::move(rows_[next_++]));
    }
    return !batch->empty();
  }

 private:
  const planner::PlanNode& plan_;
  OperatorPtr child_;
  std::vector<Row> rows_;
  size_t next_ = 0;
  bool sorted_ = false;
};

}  // namespace

OperatorPtr MakeSortOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx) {
  return std::make_unique<SortOperator>(plan, std::move(child));
}

}  // namespace cairn::executor
