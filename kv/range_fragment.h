#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/timestamp.h"
#include "kv/mvcc/mvcc_reader.h"

namespace cairn::kv {

// A plan fragment shipped to the leaseholder of a range and evaluated there,
// next to the data: the SQL layer's filters, projections, limits and partial
// aggregates over the live rows of a span (DESIGN.md, "SQL"). To kv/ the
// fragment and what it produces are opaque bytes: executor/ implements a
// FragmentEvaluator and server/ registers it at start-up, so kv/ never
// includes executor/ (as TiKV keeps its coprocessor apart from storage).

// Evaluation of one fragment over the rows of one request, in key order.
class FragmentRun {
 public:
  virtual ~FragmentRun() = default;
  // Takes the next live row. Returns false once the run wants no more (its
  // limit is reached or its output is as large as one answer may be): the
  // rows after this one are read by another request.
  virtual absl::StatusOr<bool> Add(std::string_view key, std::string_view value) = 0;
  // The encoded output for the rows added.
  virtual absl::StatusOr<std::string> Finish() = 0;
};

class FragmentEvaluator {
 public:
  virtual ~FragmentEvaluator() = default;
  // A run of the encoded `fragment`, or the reason it cannot be evaluated.
  virtual absl::StatusOr<std::unique_ptr<FragmentRun>> Start(std::string_view fragment) = 0;
};

// The process's evaluator: set once at start-up, before any request can
// arrive (null: fragments fail with kFeatureNotSupported).
void RegisterFragmentEvaluator(FragmentEvaluator* evaluator);
FragmentEvaluator* RegisteredFragmentEvaluator();

struct FragmentRequest {
  std::string start;  // the span [start, end); an empty end: the keyspace's end
  std::string end;
  Timestamp ts = 0;
  std::string fragment;
};

struct FragmentResult {
  std::string output;
  // Where what is left of the request's span starts; empty once all of it
  // was read.
  std::string resume_key;
  // Set (and output empty) when a lock stopped the read: resolve it and
  // send the request again.
  std::optional<LockedKey> locked;
  uint64_t keys_read = 0;
};

// How many live rows one request reads at most before it answers with a
// resume key: a long scan comes back in steps the gateway can cancel, and
// no snapshot is pinned for long.
inline constexpr uint64_t kMaxFragmentRowsPerRequest = 100000;

}  // namespace cairn::kv
