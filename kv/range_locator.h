#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "kv/range_executor.h"

namespace cairn::kv {

// Finds the range that holds a key and something to run its commands on:
// a replica of this store, or its leaseholder on another node.
// Thread-safe.
class RangeLocator {
 public:
  virtual ~RangeLocator() = default;

  // The range holding `key`.
  virtual absl::StatusOr<std::unique_ptr<RangeExecutor>> Locate(std::string_view key) = 0;
  // The range holding the keys just below `end`: it starts before `end`
  // and ends at or after it (an empty `end`: the last range).
  virtual absl::StatusOr<std::unique_ptr<RangeExecutor>> LocateBefore(std::string_view end) = 0;
  // A command on `range_id` found it not served where it was sent
  // (kRangeNotHere): whatever was remembered of its whereabouts is stale.
  virtual void Invalidate(uint64_t range_id) = 0;
};

}  // namespace cairn::kv
