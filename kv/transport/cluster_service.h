#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/timestamp.h"
#include "kv/store.h"
#include "proto/cluster.grpc.pb.h"

namespace cairn::kv {

// The serving side of proto::Cluster on one node: range commands and range
// lookups answered from this node's store, timestamps from its oracle while
// it leads the meta range, and joins handed to the node's membership code.
// A command for a range this node does not serve (no replica here, not the
// leader, another generation, keys outside the span) is answered with
// kRangeNotHere and never evaluated.
class ClusterService final : public proto::Cluster::Service {
 public:
  struct Hooks {
    // This node's id and RPC address, for lookups it answers as leaseholder.
    uint64_t node_id = 0;
    std::string rpc_address;
    // The RPC address of another node ("" if unknown), for leader hints.
    std::function<std::string(uint64_t node_id)> address_of;
    // The oracle, where this node runs it (the meta range's leader); fails
    // with kRangeNotHere elsewhere. Answers Cluster.Timestamps.
    std::function<absl::StatusOr<Timestamp>(uint32_t count)> local_timestamps;
    // Timestamps from the cluster's oracle, wherever it runs: the commit
    // timestamps of one-phase commits evaluated here.
    std::function<absl::StatusOr<Timestamp>(uint32_t count)> timestamps;
    // Admits a new node (membership, kv/node_registry.h).
    std::function<absl::StatusOr<proto::JoinResponse>(const proto::JoinRequest&)> join;
    // Starts decommissioning a node: this one, or another (forwarded).
    std::function<absl::Status(uint64_t node_id)> decommission;
    // Drains this node; the leases it still holds when the wait ended.
    std::function<absl::StatusOr<uint64_t>(uint64_t timeout_ms)> drain;
    // The members as this node's registry last saw them.
    std::function<std::vector<proto::NodeStatus>()> nodes;
  };

  ClusterService(Store* store, Hooks hooks) : store_(store), hooks_(std::move(hooks)) {}

  grpc::Status Join(grpc::ServerContext*, const proto::JoinRequest* request,
                    proto::JoinResponse* response) override;
  grpc::Status RangeLookup(grpc::ServerContext*, const proto::RangeLookupRequest* request,
                           proto::RangeLookupResponse* response) override;
  grpc::Status Kv(grpc::ServerContext*, const proto::KvRequest* request,
                  proto::KvResponse* response) override;
  grpc::Status Timestamps(grpc::ServerContext*, const proto::TimestampsRequest* request,
                          proto::TimestampsResponse* response) override;
  grpc::Status Decommission(grpc::ServerContext*, const proto::DecommissionRequest* request,
                            proto::DecommissionResponse* response) override;
  grpc::Status Drain(grpc::ServerContext*, const proto::DrainRequest* request,
                     proto::DrainResponse* response) override;
  grpc::Status Nodes(grpc::ServerContext*, const proto::NodesRequest* request,
                     proto::NodesResponse* response) override;

 private:
  // Runs `request` on `replica` (which serves its range) into `response`.
  absl::Status Evaluate(Replica* replica, const proto::KvRequest& request,
                        proto::KvResponse* response);

  Store* const store_;
  const Hooks hooks_;
};

}  // namespace cairn::kv
