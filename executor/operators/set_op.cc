// UNION, INTERSECT and EXCEPT, with or without ALL, over whole rows (NULLs
// equal each other, as for DISTINCT). UNION ALL streams the left input,
// then the right; UNION drops rows already emitted. INTERSECT and EXCEPT
// count the right input's rows first, then stream the left one: a row
// stays if the right side has (INTERSECT) or lacks (EXCEPT) a copy; with
// ALL each right copy matches one left copy.
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

using planner::SetOp;

class SetOpOperator : public Operator {
 public:
  SetOpOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right)
      : plan_(plan), left_(std::move(left)), right_(std::move(right)) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (plan_.set_op != SetOp::kUnion && !right_counted_) {
      CAIRN_RETURN_IF_ERROR(CountRight());
    }
    while (true) {
      Operator* input = on_right_ ? right_.get() : left_.get();
      CAIRN_ASSIGN_OR_RETURN(bool more, input->Next(batch));
      if (!more) {
        // INTERSECT and EXCEPT take rows from the left input only.
        if (on_right_ || plan_.set_op != SetOp::kUnion) return false;
        on_right_ = true;
        continue;
      }
      size_t kept = 0;
      for (size_t i = 0; i < batch->size(); ++i) {
        if (!Keep((*batch)[i])) continue;
        if (kept != i) (*batch)[kept] = std::move((*batch)[i]);
        ++kept;
      }
      batch->resize(kept);
      if (kept > 0) return true;
    }
  }

 private:
  absl::Status CountRight() {
    RowBatch rows;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, right_->Next(&rows));
      if (!more) break;
      for (Row& r : rows) ++right_counts_[std::move(r)];
    }
    right_counted_ = true;
    return absl::OkStatus();
  }

  bool Keep(const Row& row) {
    switch (plan_.set_op) {
      case SetOp::kUnion:
        return plan_.set_all || emitted_.insert(row).second;
      case SetOp::kIntersect: {
        auto it = right_counts_.find(row);
        if (it == right_counts_.end() || it->second == 0) return false;
        if (plan_.set_all) {
          --it->second;
          return true;
        }
        it->second = 0;  // once
        return true;
      }
      case SetOp::kExcept: {
        auto it = right_counts_.find(row);
        if (it != right_counts_.end() && it->second > 0) {
          if (plan_.set_all) --it->second;
          return false;
        }
        return plan_.set_all || emitted_.insert(row).second;
      }
    }
    return false;
  }

  const planner::PlanNode& plan_;
  OperatorPtr left_;
  OperatorPtr right_;
  bool on_right_ = false;
  bool right_counted_ = false;
  absl::flat_hash_map<Row, int64_t, RowHash, RowEq> right_counts_;
  absl::flat_hash_set<Row, RowHash, RowEq> emitted_;
};

}  // namespace

OperatorPtr MakeSetOpOperator(const planner::PlanNode& plan, OperatorPtr left, OperatorPtr right) {
  return std::make_unique<SetOpOperator>(plan, std::move(left), std::move(right));
}

}  // namespace cairn::executor
