// WITH RECURSIVE: the non-recursive term's rows, then rounds of the
// recursive term, each reading the rows the round before added (the work
// table), until a round adds none. UNION (not ALL) drops rows seen before,
// which is what ends most recursions. The result is computed at the first
// Next and then handed out.
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

// A recursion that runs this long is taken for one that never ends (there
// is no statement timeout yet to stop it).
constexpr int kMaxRounds = 100000;

class RecursiveUnionOperator : public Operator {
 public:
  RecursiveUnionOperator(const planner::PlanNode& plan, OperatorPtr first, ExecContext* ctx)
      : plan_(plan), first_(std::move(first)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (!computed_) CAIRN_RETURN_IF_ERROR(Compute());
    while (next_ < rows_.size() && batch->size() < kBatchSize) batch->push_back(rows_[next_++]);
    return !batch->empty();
  }

 private:
  absl::Status Compute() {
    computed_ = true;
    std::vector<Row> added;
    CAIRN_RETURN_IF_ERROR(Drain(first_.get(), &added));
    for (int round = 0; !added.empty(); ++round) {
      if (round == kMaxRounds) {
        return MakeError(ErrorCode::kProgramLimitExceeded,
                         absl::StrCat("recursive query ran ", kMaxRounds,
                                      " rounds without ending"));
      }
      CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
      ctx_->work_tables[plan_.work_table] = added;
      CAIRN_ASSIGN_OR_RETURN(OperatorPtr next, BuildOperator(*plan_.children[1], ctx_));
      added.clear();
      CAIRN_RETURN_IF_ERROR(Drain(next.get(), &added));
    }
    ctx_->work_tables.erase(plan_.work_table);
    return absl::OkStatus();
  }

  // Appends what `input` yields to rows_ and to `added`, without rows seen
  // before unless UNION ALL.
  absl::Status Drain(Operator* input, std::vector<Row>* added) {
    RowBatch batch;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, input->Next(&batch));
      if (!more) return absl::OkStatus();
      for (Row& row : batch) {
        if (!plan_.set_all && !seen_.insert(row).second) continue;
        added->push_back(row);
        rows_.push_back(std::move(row));
      }
    }
  }

  const planner::PlanNode& plan_;
  OperatorPtr first_;
  ExecContext* ctx_;
  bool computed_ = false;
  std::vector<Row> rows_;
  size_t next_ = 0;
  absl::flat_hash_set<Row, RowHash, RowEq> seen_;
};

class WorkTableOperator : public Operator {
 public:
  WorkTableOperator(const planner::PlanNode& plan, ExecContext* ctx) : plan_(plan), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    auto it = ctx_->work_tables.find(plan_.work_table);
    if (it == ctx_->work_tables.end()) return false;
    const std::vector<Row>& rows = it->second;
    while (next_ < rows.size() && batch->size() < kBatchSize) batch->push_back(rows[next_++]);
    return !batch->empty();
  }

 private:
  const planner::PlanNode& plan_;
  ExecContext* ctx_;
  size_t next_ = 0;
};

}  // namespace

OperatorPtr MakeRecursiveUnionOperator(const planner::PlanNode& plan, OperatorPtr first,
                                       ExecContext* ctx) {
  return std::make_unique<RecursiveUnionOperator>(plan, std::move(first), ctx);
}

OperatorPtr MakeWorkTableOperator(const planner::PlanNode& plan, ExecContext* ctx) {
  return std::make_unique<WorkTableOperator>(plan, ctx);
}

}  // namespace cairn::executor
