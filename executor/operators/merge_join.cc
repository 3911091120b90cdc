// Merge join (planner/plan.h, PlanNode::merge_join): both inputs come in
// ascending order of the join keys, so the rows are paired by walking the
// two in step. The right rows of one key (a group) are held while the left
// rows of that key pass; a left row is paired with each row of the group
// and kept where the residual predicate holds. A NULL key matches nothing.
// LEFT and FULL joins add a left row that found no partner (right side
// NULL); RIGHT and FULL joins add a right row that found none once its
// group is left behind (left side NULL).
#include <optional>

#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/join_rows.h"

namespace cairn::executor {
namespace {

using planner::JoinType;

// Rows handled between checks for a cancel or a statement timeout.
constexpr uint64_t kInterruptCheckInterval = 4096;

// One input, a row at a time.
class RowCursor {
 public:
  explicit RowCursor(OperatorPtr input) : input_(std::move(input)) {}

  // The current row, or null at the end.
  absl::StatusOr<const Row*> Peek() {
    while (pos_ >= batch_.size()) {
      if (done_) return nullptr;
      batch_.clear();
      pos_ = 0;
      CAIRN_ASSIGN_OR_RETURN(bool more, input_->Next(&batch_));
      if (!more) done_ = true;
    }
    return &batch_[pos_];
  }
  Row Take() { return std::move(batch_[pos_++]); }

 private:
  OperatorPtr input_;
  RowBatch batch_;
  size_t pos_ = 0;
  bool done_ = false;
};

class MergeJoinOperator : public Operator {
 public:
  MergeJoinOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right,
                    ExecContext* ctx)
      : plan_(plan),
        left_(std::move(left)),
        right_(std::move(right)),
        ctx_(ctx),
        left_nulls_(NullRow(plan.children[0]->output)),
        right_nulls_(NullRow(plan.children[1]->output)) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    while (batch->size() < kBatchSize && !done_) {
      if (++steps_ % kInterruptCheckInterval == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
      CAIRN_ASSIGN_OR_RETURN(const Row* left, left_.Peek());
      if (left == nullptr) {
        CAIRN_RETURN_IF_ERROR(FinishRight(batch));
        continue;
      }
      CAIRN_ASSIGN_OR_RETURN(std::optional<Row> key, JoinKeyOf(plan_.left_keys, *left, ctx_));
      if (key.has_value()) CAIRN_RETURN_IF_ERROR(AdvanceRightTo(*key, batch));
      Row row = left_.Take();
      bool matched = false;
      if (key.has_value() && group_key_.has_value() && CompareKeys(*key, *group_key_) == 0) {
        for (size_t i = 0; i < group_.size(); ++i) {
          Row joined = ConcatRows(row, group_[i]);
          bool keep = true;
          if (plan_.predicate) {
            CAIRN_ASSIGN_OR_RETURN(keep, EvaluatePredicate(*plan_.predicate, joined, ctx_));
          }
          if (!keep) continue;
          matched = true;
          group_matched_[i] = true;
          batch->push_back(std::move(joined));
        }
      }
      if (!matched && KeepsUnmatchedLeft()) batch->push_back(ConcatRows(row, right_nulls_));
    }
    return !batch->empty();
  }

 private:
  bool KeepsUnmatchedLeft() const {
    return plan_.join_type == JoinType::kLeft || plan_.join_type == JoinType::kFull;
  }
  bool KeepsUnmatchedRight() const {
    return plan_.join_type == JoinType::kRight || plan_.join_type == JoinType::kFull;
  }

  // Makes the group the right rows of `key`, if any: groups of smaller keys
  // (and right rows with a NULL key) are left behind.
  absl::Status AdvanceRightTo(const Row& key, RowBatch* batch) {
    if (group_key_.has_value() && CompareKeys(*group_key_, key) >= 0) return absl::OkStatus();
    ReleaseGroup(batch);
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(const Row* right, right_.Peek());
      if (right == nullptr) return absl::OkStatus();
      CAIRN_ASSIGN_OR_RETURN(std::optional<Row> right_key,
                             JoinKeyOf(plan_.right_keys, *right, ctx_));
      if (!right_key.has_value() || CompareKeys(*right_key, key) < 0) {
        Row passed = right_.Take();
        if (KeepsUnmatchedRight()) batch->push_back(ConcatRows(left_nulls_, passed));
        continue;
      }
      group_key_ = std::move(right_key);
      break;
    }
    // Every right row of the group's key.
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(const Row* right, right_.Peek());
      if (right == nullptr) break;
      CAIRN_ASSIGN_OR_RETURN(std::optional<Row> right_key,
                             JoinKeyOf(plan_.right_keys, *right, ctx_));
      if (!right_key.has_value() || CompareKeys(*right_key, *group_key_) != 0) break;
      group_.push_back(right_.Take());
      group_matched_.push_back(false);
    }
    return absl::OkStatus();
  }

  void ReleaseGroup(RowBatch* batch) {
    if (KeepsUnmatchedRight()) {
      for (size_t i = 0; i < group_.size(); ++i) {
        if (!group_matched_[i]) batch->push_back(ConcatRows(left_nulls_, group_[i]));
      }
    }
    group_.clear();
    group_matched_.clear();
    group_key_.reset();
  }

  // The left input is done: the group and the right rows after it have
  // no partner.
  absl::Status FinishRight(RowBatch* batch) {
    ReleaseGroup(batch);
    if (!KeepsUnmatchedRight()) {
      done_ = true;
      return absl::OkStatus();
    }
    while (batch->size() < kBatchSize) {
      CAIRN_ASSIGN_OR_RETURN(const Row* right, right_.Peek());
      if (right == nullptr) {
        done_ = true;
        break;
      }
      batch->push_back(ConcatRows(left_nulls_, right_.Take()));
    }
    return absl::OkStatus();
  }

  static int CompareKeys(const Row& a, const Row& b) {
    for (size_t i = 0; i < a.size(); ++i) {
      const int c = CompareValues(a[i], b[i]);
      if (c != 0) return c;
    }
    return 0;
  }

  const planner::PlanNode& plan_;
  RowCursor left_;
  RowCursor right_;
  ExecContext* ctx_;
  Row left_nulls_;
  Row right_nulls_;
  // The right rows of one key, and which of them found a partner.
  std::optional<Row> group_key_;
  std::vector<Row> group_;
  std::vector<bool> group_matched_;
  bool done_ = false;
  uint64_t steps_ = 0;
};

}  // namespace

OperatorPtr MakeMergeJoinOperator(const planner::PlanNode& plan, OperatorPtr left,
                                  OperatorPtr right, ExecContext* ctx) {
  return std::make_unique<MergeJoinOperator>(plan, std::move(left), std::move(right), ctx);
}

}  // namespace cairn::executor
