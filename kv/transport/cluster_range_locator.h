#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "kv/range_directory.h"
#include "kv/range_locator.h"
#include "kv/store.h"
#include "kv/transport/cluster_dialer.h"

namespace cairn::kv {

// Routes a node's KV requests in a cluster: to a replica of this node's
// store where it leads its range, otherwise to the range's leaseholder on
// another node, found by asking nodes (Cluster.RangeLookup) and remembered
// until a command finds it stale (Invalidate). Thread-safe.
class ClusterRangeLocator final : public RangeLocator, public RangeDirectory {
 public:
  // `lookup_addresses` gives the RPC addresses to ask, in order of
  // preference (known live nodes, then the --join addresses).
  ClusterRangeLocator(Store* store, ClusterDialer* dialer,
                      std::function<std::vector<std::string>()> lookup_addresses);

  absl::StatusOr<std::unique_ptr<RangeExecutor>> Locate(std::string_view key) override;
  absl::StatusOr<std::unique_ptr<RangeExecutor>> LocateBefore(std::string_view end) override;
  void Invalidate(uint64_t range_id) override;
  // A command found the range not served where its route pointed: follow
  // the leader the answering node named (NotLeader with a hint), or, with
  // no usable hint, forget the route.
  void Redirect(uint64_t range_id, uint64_t leader_hint);

  // The RPC address of the leaseholder of the range holding `key`, from
  // the routes remembered or a lookup; "" when it is this node.
  absl::StatusOr<std::string> LeaseholderOf(std::string_view key);

  // The descriptor of the range holding `key` as its leaseholder has it:
  // the group's current membership (kv/replica_gc_queue.h).
  absl::StatusOr<proto::RangeDescriptor> DescriptorFromLeaseholder(std::string_view key);

  // Looks every range of the span up afresh (no cache): for operators.
  absl::StatusOr<std::vector<RangeInfo>> RangesIn(std::string_view start,
                                                  std::string_view end) override;
  absl::Status SplitAt(std::string_view key) override;

  // Where SplitAt takes new range ids from (the cluster's RangeIdAllocator,
  // which reads through this locator). REQUIRES: set before SplitAt.
  void set_range_ids(std::function<absl::StatusOr<uint64_t>()> range_ids) {
    range_ids_ = std::move(range_ids);
  }
  // The RPC address of a node ("" if unknown), for asking the nodes that
  // a range's meta record names. REQUIRES: set before lookups.
  void set_address_of(std::function<std::string(uint64_t node_id)> address_of) {
    address_of_ = std::move(address_of);
  }

 private:
  struct Route {
    proto::RangeDescriptor range;
    std::string leaseholder_address;
    uint64_t leaseholder_node_id = 0;
    std::optional<uint64_t> approximate_bytes;  // from a node holding a replica
    // Answered by the leaseholder: the range as its group has it now, not a
    // follower's view that may predate a split or a membership change.
    bool from_leaseholder = false;
  };

  // Locate (before = false) or LocateBefore (before = true).
  absl::StatusOr<std::unique_ptr<RangeExecutor>> Find(std::string_view key, bool before);
  // Asks the nodes in turn, those the range's meta record names first; the
  // first one that knows the leaseholder wins.
  absl::StatusOr<Route> LookUp(std::string_view key, bool before);
  // The addresses of the nodes holding the range of a table-keyspace `key`
  // per its meta record (kv/meta_records.h); none if it cannot be read.
  std::vector<std::string> NodesFromMeta(std::string_view key, bool before);
  // LookUp, then the leaseholder asked again unless it answered already.
  absl::StatusOr<Route> LookUpAtLeaseholder(std::string_view key);
  // Lookup requests to one node.
  absl::StatusOr<Route> Ask(const std::string& address, const proto::RangeLookupRequest& request);
  std::unique_ptr<RangeExecutor> Remote(const Route& route);

  Store* const store_;
  ClusterDialer* const dialer_;
  const std::function<std::vector<std::string>()> lookup_addresses_;
  std::function<absl::StatusOr<uint64_t>()> range_ids_;
  std::function<std::string(uint64_t)> address_of_;
  Counter* const meta_lookups_;

  absl::Mutex mu_;
  std::vector<Route> routes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
