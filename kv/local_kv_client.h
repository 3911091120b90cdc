#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "kv/routing_kv_client.h"
#include "kv/store.h"
#include "kv/store_range_locator.h"
#include "kv/timestamp_oracle.h"

namespace cairn::kv {

// The KvClient of a store that holds every range it needs (tests, tools):
// requests run on the local replicas directly, split by range, and the
// timestamp oracle runs here too, on the meta range. Thread-safe.
class LocalKvClient final : public RoutingKvClient {
 public:
  // Waits for the store's replicas to serve, then starts the oracle from the
  // meta range's persisted high-water mark.
  static absl::StatusOr<std::unique_ptr<LocalKvClient>> Create(Store* store);

  // Runs MVCC garbage collection below `safe_point` on every local range.
  absl::StatusOr<size_t> GarbageCollect(Timestamp safe_point);

 private:
  explicit LocalKvClient(Store* store);

  Store* const store_;
  StoreRangeLocator locator_;
  std::unique_ptr<TimestampOracle> oracle_;
};

}  // namespace cairn::kv
