#include "absl/container/flat_hash_set.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

// Drops rows equal to one already emitted (NULLs equal each other here, as
// DISTINCT requires).
class DistinctOperator : public Operator {
 public:
  explicit DistinctOperator(OperatorPtr child) : child_(std::move(child)) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(batch));
      if (!more) return false;
      size_t kept = 0;
      for (size_t i = 0; i < batch->size(); ++i) {
        if (!seen_.insert((*batch)[i]).second) continue;
        if (kept != i) (*batch)[kept] = std::move((*batch)[i]);
        ++kept;
      }
      batch->resize(kept);
      if (kept > 0) return true;
    }
  }

 private:
  OperatorPtr child_;
  absl::flat_hash_set<Row, RowHash, RowEq> seen_;
};

// DISTINCT ON over sorted input: keeps a row whose keys differ from the
// previous row's (NULLs equal), i.e. the first row of each group.
class DistinctOnOperator : public Operator {
 public:
  DistinctOnOperator(const planner::PlanNode& plan, OperatorPtr child)
      : plan_(plan), child_(std::move(child)) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(batch));
      if (!more) return false;
      size_t kept = 0;
      for (size_t i = 0; i < batch->size(); ++i) {
        Row key;
        for (int k : plan_.distinct_on) key.push_back((*batch)[i][k]);
        if (have_previous_ && RowEq()(key, previous_)) continue;
        previous_ = std::move(key);
        have_previous_ = true;
        if (kept != i) (*batch)[kept] = std::move((*batch)[i]);
        ++kept;
      }
      batch->resize(kept);
      if (kept > 0) return true;
    }
  }

 private:
  const planner::PlanNode& plan_;
  OperatorPtr child_;
  Row previous_;
  bool have_previous_ = false;
};

}  // namespace

OperatorPtr MakeDistinctOperator(const planner::PlanNode& plan, OperatorPtr child) {
  if (!plan.distinct_on.empty()) return std::make_unique<DistinctOnOperator>(plan, std::move(child));
  return std::make_unique<DistinctOperator>(std::move(child));
}

}  // namespace cairn::executor
