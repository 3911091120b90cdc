#pragma once

#include "kv/range_locator.h"
#include "kv/store.h"

namespace cairn::kv {

// Routes to the replicas of one store, for a store that holds every range
// it needs (a single node, tests): commands run on the replica itself,
// waiting for it to serve when it is between leaders. Thread-safe.
class StoreRangeLocator final : public RangeLocator {
 public:
  explicit StoreRangeLocator(Store* store) : store_(store) {}

  absl::StatusOr<std::unique_ptr<RangeExecutor>> Locate(std::string_view key) override;
  absl::StatusOr<std::unique_ptr<RangeExecutor>> LocateBefore(std::string_view end) override;
  void Invalidate(uint64_t range_id) override {}  // nothing cached

 private:
  Store* const store_;
};

}  // namespace cairn::kv
