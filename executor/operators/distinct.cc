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

}  // namespace

OperatorPtr MakeDistinctOperator(const planner::PlanNode& plan, OperatorPtr child) {
  return std::make_unique<DistinctOperator>(std::move(child));
}

}  // namespace cairn::executor
