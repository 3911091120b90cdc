#include <algorithm>
#include <memory>
#include <queue>
#include <vector>

#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/row_spill.h"

namespace cairn::executor {
namespace {

// Materialises its input and emits it ordered by the sort keys. Keys are
// column references into the input (the binder projects expressions first).
// Input beyond the session's work_mem is sorted in runs written to
// temporary files, merged at the end (an external merge sort); the sort is
// stable either way: equal rows keep their input order.
// Spilled runs open at once before they merge into one.
constexpr size_t kMaxRuns = 64;

class SortOperator : public Operator {
 public:
  SortOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (!sorted_) CAIRN_RETURN_IF_ERROR(SortInput());
    batch->clear();
    if (runs_.empty()) {
      while (next_ < rows_.size() && batch->size() < kBatchSize) {
        batch->push_back(std::move(rows_[next_++]));
      }
      return !batch->empty();
    }
    while (!heap_.empty() && batch->size() < kBatchSize) {
      const Head head = heap_.top();
      heap_.pop();
      batch->push_back(std::move(heads_[head.run]));
      CAIRN_RETURN_IF_ERROR(Advance(head.run));
    }
    return !batch->empty();
  }

 private:
  // The head row of run `run` (rows_ is the last run, kept in memory).
  struct Head {
    size_t run;
  };

  bool Less(const Row& a, const Row& b) const {
    for (const auto& key : plan_.sort_keys) {
      const int c = CompareForSort(a[key.expr->column_index], b[key.expr->column_index], key);
      if (c != 0) return c < 0;
    }
    return false;
  }

  void SortRows() {
    std::stable_sort(rows_.begin(), rows_.end(),
                     [&](const Row& a, const Row& b) { return Less(a, b); });
  }

  absl::Status SortInput() {
    sorted_ = true;
    RowBatch input;
    size_t bytes = 0;
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
      if (!more) break;
      for (Row& r : input) {
        bytes += ApproximateRowBytes(r);
        rows_.push_back(std::move(r));
      }
      if (static_cast<int64_t>(bytes) > ctx_->work_mem_bytes) {
        CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
        CAIRN_RETURN_IF_ERROR(SpillRun());
        bytes = 0;
      }
    }
    SortRows();
    if (runs_.empty()) return absl::OkStatus();
    // Merge: the spilled runs in their order, then the rows in memory.
    heads_.resize(runs_.size() + 1);
    for (auto& run : runs_) CAIRN_RETURN_IF_ERROR(run->Rewind());
    for (size_t r = 0; r <= runs_.size(); ++r) CAIRN_RETURN_IF_ERROR(Advance(r));
    return absl::OkStatus();
  }

  absl::Status SpillRun() {
    SortRows();
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<RowSpillFile> file, RowSpillFile::Create());
    for (const Row& r : rows_) CAIRN_RETURN_IF_ERROR(file->Write(r));
    rows_.clear();
    runs_.push_back(std::move(file));
    // Each run holds a file open: past kMaxRuns, they merge into one.
    if (runs_.size() >= kMaxRuns) CAIRN_RETURN_IF_ERROR(MergeSpilledRuns());
    return absl::OkStatus();
  }

  // Merges every spilled run into one (stably: earlier runs win ties).
  absl::Status MergeSpilledRuns() {
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<RowSpillFile> merged, RowSpillFile::Create());
    heads_.assign(runs_.size() + 1, Row{});
    for (auto& run : runs_) CAIRN_RETURN_IF_ERROR(run->Rewind());
    for (size_t r = 0; r < runs_.size(); ++r) CAIRN_RETURN_IF_ERROR(Advance(r));
    while (!heap_.empty()) {
      const Head head = heap_.top();
      heap_.pop();
      CAIRN_RETURN_IF_ERROR(merged->Write(heads_[head.run]));
      CAIRN_RETURN_IF_ERROR(Advance(head.run));
    }
    runs_.clear();
    runs_.push_back(std::move(merged));
    return absl::OkStatus();
  }

  // Loads run `run`'s next row as its head, if it has one, into the heap.
  absl::Status Advance(size_t run) {
    bool more;
    if (run < runs_.size()) {
      CAIRN_ASSIGN_OR_RETURN(more, runs_[run]->Read(&heads_[run]));
    } else {
      more = next_ < rows_.size();
      if (more) heads_[run] = std::move(rows_[next_++]);
    }
    if (more) heap_.push(Head{run});
    return absl::OkStatus();
  }

  // Smallest head first; between equal rows the earlier run, which holds
  // the earlier input.
  struct HeadOrder {
    const SortOperator* sort;
    bool operator()(const Head& a, const Head& b) const {
      const Row& x = sort->heads_[a.run];
      const Row& y = sort->heads_[b.run];
      if (sort->Less(y, x)) return true;
      if (sort->Less(x, y)) return false;
      return a.run > b.run;
    }
  };

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  std::vector<Row> rows_;
  size_t next_ = 0;
  bool sorted_ = false;
  std::vector<std::unique_ptr<RowSpillFile>> runs_;
  std::vector<Row> heads_;
  std::priority_queue<Head, std::vector<Head>, HeadOrder> heap_{HeadOrder{this}};
};

}  // namespace

OperatorPtr MakeSortOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx) {
  return std::make_unique<SortOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
