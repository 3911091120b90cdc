#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/timestamp.h"
#include "kv/store.h"
#include "kv/timestamp_oracle.h"
#include "kv/transport/cluster_dialer.h"
#include "kv/transport/cluster_range_locator.h"
#include "kv/transport/timestamp_request_batcher.h"

namespace cairn::kv {

// Timestamps for a node in a cluster (DESIGN.md "Timestamps and the
// timestamp oracle"): the oracle runs on the meta range's leader. While
// this node leads the meta range it runs one, started from the high-water
// mark persisted in the meta range when it became leader (so it issues only
// timestamps above any issued before, by any earlier leader); elsewhere
// requests go to the node that leads it (Cluster.Timestamps). Thread-safe.
class ClusterTimestamps {
 public:
  ClusterTimestamps(Store* store, ClusterRangeLocator* locator, ClusterDialer* dialer);

  // Reserves `count` consecutive timestamps and returns the first.
  absl::StatusOr<Timestamp> Get(uint32_t count);
  // From now on Get fails at once when the oracle cannot be reached (the
  // node is stopping).
  void Shutdown() { shutting_down_.store(true); }
  // The same from this node's oracle only; kRangeNotHere while this node
  // does not lead the meta range.
  absl::StatusOr<Timestamp> GetLocal(uint32_t count);

 private:
  // Concurrent callers share one request (TimestampRequestBatcher).
  absl::StatusOr<Timestamp> GetRemote(const std::string& address, uint32_t count);
  // One Cluster.Timestamps RPC to the oracle at `address`.
  absl::StatusOr<Timestamp> AskOracleAt(const std::string& address, uint32_t count);

  Store* const store_;
  ClusterRangeLocator* const locator_;
  ClusterDialer* const dialer_;
  std::atomic<bool> shutting_down_{false};

  absl::Mutex mu_;
  // Made when this node is found leading the meta range in a term it had
  // no oracle for, dropped when it is found not to lead: a leader that
  // loses the range and wins it back must start again from the persisted
  // mark, which another leader may have raised.
  std::shared_ptr<TimestampOracle> oracle_ ABSL_GUARDED_BY(mu_);
  uint64_t oracle_term_ ABSL_GUARDED_BY(mu_) = 0;  // the meta leader's term it was made in
  // One per oracle address this node has asked; never dropped (a cluster
  // has few nodes).
  std::map<std::string, std::unique_ptr<TimestampRequestBatcher>> batchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
