#include "executor/fragment_span_reader.h"

#include "common/error_code.h"
#include "common/parallel_for.h"
#include "executor/operator.h"

namespace cairn::executor {

absl::StatusOr<std::unique_ptr<FragmentSpanReader>> FragmentSpanReader::Open(
    const planner::PlanNode& scan, ExecContext* ctx, std::string start, std::string end,
    uint64_t limit) {
  CAIRN_ASSIGN_OR_RETURN(std::string fragment, EncodeScanFragment(scan, ctx, limit));
  CAIRN_ASSIGN_OR_RETURN(std::shared_ptr<const ScanFragment> decoded, DecodeScanFragment(fragment));
  const bool local = ctx->txn->HasWritesIn(start, end);
  std::vector<std::string> boundaries;
  if (!local && limit == 0) {
    CAIRN_ASSIGN_OR_RETURN(boundaries, ctx->txn->RangeBoundaries(start, end));
  }
  const size_t parallelism = local || limit != 0 ? 1 : kMaxParallelRanges;
  auto reader = std::unique_ptr<FragmentSpanReader>(new FragmentSpanReader(
      scan, ctx, std::move(fragment), std::move(decoded), parallelism, local));
  std::string from = std::move(start);
  for (std::string& boundary : boundaries) {
    reader->parts_.push_back({std::move(from), boundary});
    from = std::move(boundary);
  }
  reader->parts_.push_back({std::move(from), std::move(end)});
  return reader;
}

FragmentSpanReader::FragmentSpanReader(const planner::PlanNode& scan, ExecContext* ctx,
                                       std::string fragment,
                                       std::shared_ptr<const ScanFragment> decoded,
                                       size_t parallelism, bool local)
    : scan_(scan),
      ctx_(ctx),
      fragment_(std::move(fragment)),
      decoded_(std::move(decoded)),
      parallelism_(parallelism),
      local_(local) {}

absl::StatusOr<bool> FragmentSpanReader::Next(std::vector<Row>* rows) {
  rows->clear();
  while (true) {
    CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
    while (!parts_.empty() && parts_.front().done && parts_.front().rows.empty()) {
      parts_.pop_front();
    }
    if (parts_.empty()) return false;
    if (!parts_.front().rows.empty()) {
      rows->swap(parts_.front().rows);
      return true;
    }
    // The first part and the next ones holding nothing, each asked once.
    std::vector<Part*> asked;
    for (Part& part : parts_) {
      if (asked.size() == parallelism_) break;
      if (!part.done && part.rows.empty()) asked.push_back(&part);
    }
    std::vector<absl::Status> results(asked.size());
    ParallelFor(asked.size(), parallelism_, [&](size_t i) { results[i] = Fetch(asked[i]); });
    for (const absl::Status& result : results) {
      if (!local_ && GetErrorCode(result) == ErrorCode::kFeatureNotSupported) {
        // A client or node that ships no fragments: they are evaluated
        // here from now on, one part at a time (the transaction's reads
        // are not for several threads). Failed requests changed nothing.
        local_ = true;
        parallelism_ = 1;
        break;
      }
      CAIRN_RETURN_IF_ERROR(result);
    }
  }
}

absl::Status FragmentSpanReader::Fetch(Part* part) {
  absl::StatusOr<kv::FragmentResult> result =
      local_ ? EvaluateHere(*part)
             : ctx_->txn->EvaluateFragment(part->cursor, part->end, fragment_);
  if (!result.ok()) return result.status();
  CAIRN_RETURN_IF_ERROR(ReadScanFragmentOutput(result->output, scan_, &part->rows));
  if (result->resume_key.empty() || (!part->end.empty() && result->resume_key >= part->end)) {
    part->done = true;
  } else {
    part->cursor = std::move(result->resume_key);
  }
  return absl::OkStatus();
}

absl::StatusOr<kv::FragmentResult> FragmentSpanReader::EvaluateHere(const Part& part) {
  std::unique_ptr<kv::FragmentRun> run = NewScanFragmentRun(decoded_);
  kv::FragmentResult result;
  std::string cursor = part.cursor;
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(std::vector<kv::KeyValue> kvs,
                           ctx_->txn->Scan(cursor, part.end, kBatchSize));
    for (const kv::KeyValue& kv : kvs) {
      ++result.keys_read;
      CAIRN_ASSIGN_OR_RETURN(bool more, run->Add(kv.key, kv.value));
      if (!more || result.keys_read >= kv::kMaxFragmentRowsPerRequest) {
        result.resume_key = kv.key + std::string(1, '\0');
        CAIRN_ASSIGN_OR_RETURN(result.output, run->Finish());
        return result;
      }
    }
    if (kvs.size() < kBatchSize) break;
    cursor = kvs.back().key + std::string(1, '\0');
  }
  CAIRN_ASSIGN_OR_RETURN(result.output, run->Finish());
  return result;
}

}  // namespace cairn::executor
