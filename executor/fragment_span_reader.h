#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "executor/exec_context.h"
#include "executor/scan_fragment.h"
#include "planner/plan.h"

namespace cairn::executor {

// Reads a scan's key span through its plan fragment (planner::ScanPushdown):
// each range's part of the span is evaluated at the range's leaseholder,
// up to kMaxParallelRanges parts at once, and the rows come back in key
// order. Memory stays bounded: a part is asked for more only once the rows
// it sent were taken, and an answer is at most about 512 KiB.
//
// Where the transaction wrote into the span (the leaseholders would not see
// those writes) or the KV client ships no fragments, the same fragment is
// evaluated here, over the transaction's own reads, one part at a time.
class FragmentSpanReader {
 public:
  static constexpr size_t kMaxParallelRanges = 4;

  // `limit`: at most this many rows are wanted from the span (a pushed
  // LIMIT + OFFSET; 0: all), so parts are read one at a time.
  static absl::StatusOr<std::unique_ptr<FragmentSpanReader>> Open(const planner::PlanNode& scan,
                                                                  ExecContext* ctx,
                                                                  std::string start,
                                                                  std::string end, uint64_t limit);

  // Replaces `rows` with the next rows (the scan's rows or partial
  // aggregate rows, ReadScanFragmentOutput). False once the span is done.
  absl::StatusOr<bool> Next(std::vector<Row>* rows);

 private:
  // A range's part of the span (as the ranges were when the scan began; a
  // later split just makes a part take more requests).
  struct Part {
    std::string cursor;  // where the part's unread keys start
    std::string end;
    bool done = false;
    std::vector<Row> rows;  // sent, not yet taken
  };

  FragmentSpanReader(const planner::PlanNode& scan, ExecContext* ctx, std::string fragment,
                     std::shared_ptr<const ScanFragment> decoded, size_t parallelism, bool local);

  // One request for `part`'s next rows.
  absl::Status Fetch(Part* part);
  // The same request evaluated here, over the transaction's reads.
  absl::StatusOr<kv::FragmentResult> EvaluateHere(const Part& part);

  const planner::PlanNode& scan_;
  ExecContext* const ctx_;
  const std::string fragment_;
  const std::shared_ptr<const ScanFragment> decoded_;
  size_t parallelism_;
  bool local_;
  std::deque<Part> parts_;
};

}  // namespace cairn::executor
