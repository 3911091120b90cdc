#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "catalog/table_info.h"
#include "executor/exec_context.h"
#include "kv/range_fragment.h"
#include "planner/plan.h"

// The plan fragment of a table scan (planner::ScanPushdown) and its
// evaluation over the rows of one request: at a range's leaseholder, or at
// the gateway itself when the transaction's own writes must be seen.
namespace cairn::executor {

// The fragment `scan` ships, with its parameters' values from `ctx`;
// `limit` rows per answer at most (0: no limit).
absl::StatusOr<std::string> EncodeScanFragment(const planner::PlanNode& scan, ExecContext* ctx,
                                               uint64_t limit);

// A decoded fragment, shared by its runs.
struct ScanFragment {
  explicit ScanFragment(catalog::TableInfo t) : table(std::move(t)) {}

  const catalog::TableInfo table;
  const catalog::IndexInfo* index = nullptr;  // a covering index's entries; null: rows
  planner::BoundExprPtr filter;               // null: every row
  std::vector<int> columns;                   // sent back, in this order
  uint64_t limit = 0;                         // rows per answer; 0: no limit
  bool partial_aggregate = false;
  std::vector<planner::BoundExprPtr> group_by;
  std::vector<planner::AggregateCall> aggregates;
  uint64_t max_output_bytes = 0;
};

absl::StatusOr<std::shared_ptr<const ScanFragment>> DecodeScanFragment(std::string_view encoded);
std::unique_ptr<kv::FragmentRun> NewScanFragmentRun(std::shared_ptr<const ScanFragment> fragment);

// What `scan`'s fragment produced, as the scan's rows: table rows (the
// columns it did not send NULL), or partial aggregate rows as sent.
absl::Status ReadScanFragmentOutput(std::string_view output, const planner::PlanNode& scan,
                                    std::vector<Row>* rows);

// The evaluator server/ registers (kv::RegisterFragmentEvaluator).
class ScanFragmentEvaluator final : public kv::FragmentEvaluator {
 public:
  absl::StatusOr<std::unique_ptr<kv::FragmentRun>> Start(std::string_view fragment) override;
};

}  // namespace cairn::executor
