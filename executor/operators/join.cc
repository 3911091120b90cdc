// Joins: the right input is read once into memory, then every left row is
// paired with its candidate right rows and kept where the join predicate
// holds. A nested loop's candidates are all the right rows; a hash join's
// (the plan's left_keys/right_keys) those whose keys equal the left row's,
// found in a hash table built over the right rows (a NULL key matches
// nothing). LEFT and FULL joins add a left row no right row matched (right
// side NULL); RIGHT and FULL joins add, at the end, the right rows no left
// row matched (left side NULL).
#include "absl/container/flat_hash_map.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/join_rows.h"

namespace cairn::executor {
namespace {

using planner::JoinType;

// Pairs tried between checks for a cancel or a statement timeout.
constexpr uint64_t kInterruptCheckInterval = 4096;

class JoinOperator : public Operator {
 public:
  JoinOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right, ExecContext* ctx)
      : plan_(plan),
        left_(std::move(left)),
        right_(std::move(right)),
        ctx_(ctx),
        left_nulls_(NullRow(plan.children[0]->output)),
        right_nulls_(NullRow(plan.children[1]->output)) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (!right_loaded_) CAIRN_RETURN_IF_ERROR(LoadRight());
    while (batch->size() < kBatchSize && !left_done_) {
      // A join that keeps few pairs can run long within one batch.
      if (++steps_ % kInterruptCheckInterval == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
      if (left_pos_ >= left_batch_.size()) {
        left_batch_.clear();
        left_pos_ = 0;
        CAIRN_ASSIGN_OR_RETURN(bool more, left_->Next(&left_batch_));
        if (!more) left_done_ = true;
        continue;
      }
      const Row& left = left_batch_[left_pos_];
      if (!candidates_found_) {
        CAIRN_RETURN_IF_ERROR(FindCandidates(left));
        candidates_found_ = true;
      }
      if (right_pos_ < CandidateCount()) {
        const size_t candidate = Candidate(right_pos_);
        Row joined = ConcatRows(left, right_rows_[candidate]);
        bool keep = true;
        if (plan_.predicate) {
          CAIRN_ASSIGN_OR_RETURN(keep, EvaluatePredicate(*plan_.predicate, joined, ctx_));
        }
        if (keep) {
          left_matched_ = true;
          right_matched_[candidate] = true;
          batch->push_back(std::move(joined));
        }
        ++right_pos_;
        continue;
      }
      // Every right row has been paired with this left row.
      if (!left_matched_ && (plan_.join_type == JoinType::kLeft ||
                             plan_.join_type == JoinType::kFull)) {
        batch->push_back(ConcatRows(left, right_nulls_));
      }
      ++left_pos_;
      right_pos_ = 0;
      left_matched_ = false;
      candidates_found_ = false;
    }
    if (left_done_ &&
        (plan_.join_type == JoinType::kRight || plan_.join_type == JoinType::kFull)) {
      while (batch->size() < kBatchSize && unmatched_pos_ < right_rows_.size()) {
        if (!right_matched_[unmatched_pos_]) {
          batch->push_back(ConcatRows(left_nulls_, right_rows_[unmatched_pos_]));
        }
        ++unmatched_pos_;
      }
    }
    return !batch->empty();
  }

 private:
  absl::Status LoadRight() {
    RowBatch rows;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, right_->Next(&rows));
      if (!more) break;
      for (Row& r : rows) right_rows_.push_back(std::move(r));
    }
    right_matched_.assign(right_rows_.size(), false);
    right_loaded_ = true;
    if (hashed()) {
      for (size_t i = 0; i < right_rows_.size(); ++i) {
        if (i % kInterruptCheckInterval == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
        CAIRN_ASSIGN_OR_RETURN(std::optional<Row> key,
                               JoinKeyOf(plan_.right_keys, right_rows_[i], ctx_));
        if (key.has_value()) buckets_[*std::move(key)].push_back(i);
      }
    }
    return absl::OkStatus();
  }

  bool hashed() const { return !plan_.left_keys.empty(); }

  absl::Status FindCandidates(const Row& left) {
    bucket_ = nullptr;
    if (!hashed()) return absl::OkStatus();
    CAIRN_ASSIGN_OR_RETURN(std::optional<Row> key, JoinKeyOf(plan_.left_keys, left, ctx_));
    if (!key.has_value()) return absl::OkStatus();
    auto it = buckets_.find(*key);
    if (it != buckets_.end()) bucket_ = &it->second;
    return absl::OkStatus();
  }
  size_t CandidateCount() const {
    if (!hashed()) return right_rows_.size();
    return bucket_ == nullptr ? 0 : bucket_->size();
  }
  size_t Candidate(size_t i) const { return hashed() ? (*bucket_)[i] : i; }

  const planner::PlanNode& plan_;
  OperatorPtr left_;
  OperatorPtr right_;
  ExecContext* ctx_;
  Row left_nulls_;
  Row right_nulls_;

  bool right_loaded_ = false;
  std::vector<Row> right_rows_;
  std::vector<bool> right_matched_;
  RowBatch left_batch_;
  size_t left_pos_ = 0;
  size_t right_pos_ = 0;      // next candidate to pair with the current left row
  bool candidates_found_ = false;
  // Hash join: right rows by key, and the current left row's bucket.
  absl::flat_hash_map<Row, std::vector<size_t>, RowHash, RowEq> buckets_;
  const std::vector<size_t>* bucket_ = nullptr;
  bool left_matched_ = false;  // the current left row found a partner
  bool left_done_ = false;
  size_t unmatched_pos_ = 0;  // RIGHT/FULL: next right row to check for a partner
  uint64_t steps_ = 0;
};

}  // namespace

OperatorPtr MakeJoinOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right,
                             ExecContext* ctx) {
  return std::make_unique<JoinOperator>(plan, std::move(left), std::move(right), ctx);
}

}  // namespace cairn::executor
