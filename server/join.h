#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "proto/cluster.pb.h"
#include "server/node_options.h"

namespace cairn::server {

// Asks the nodes at `join` (in turn, again and again with back-off, for up
// to `timeout_ms`) to admit a new node with `addresses`; the first that
// answers gives the cluster id and this node's id. Fails with a message
// naming the addresses tried and the last error when none does.
absl::StatusOr<proto::JoinResponse> JoinCluster(const std::vector<HostPort>& join,
                                                const proto::NodeAddresses& addresses,
                                                int64_t timeout_ms);

}  // namespace cairn::server
