#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "executor/sql_session.h"
#include "kv/node_registry.h"

namespace cairn::executor {

// SHOW CLUSTER NODES: one row per member of the cluster, in node id order:
// node_id, address (RPC), sql_address, is_live, ranges, leases.
std::vector<ResultColumn> ClusterNodesColumns();
// Reads the members now. `registry` may be null (an engine outside a
// node, in tests): then the statement is not supported.
absl::StatusOr<StatementResult> ShowClusterNodes(kv::NodeRegistry* registry);

}  // namespace cairn::executor
