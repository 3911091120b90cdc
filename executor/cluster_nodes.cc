#include "executor/cluster_nodes.h"

#include "common/error_code.h"

namespace cairn::executor {

std::vector<ResultColumn> ClusterNodesColumns() {
  return {{"node_id", SqlType::Of(TypeId::kInt64)},
          {"address", SqlType::Of(TypeId::kText)},
          {"sql_address", SqlType::Of(TypeId::kText)},
          {"is_live", SqlType::Of(TypeId::kBool)},
          {"ranges", SqlType::Of(TypeId::kInt64)},
          {"leases", SqlType::Of(TypeId::kInt64)},
          {"is_decommissioning", SqlType::Of(TypeId::kBool)},
          {"is_draining", SqlType::Of(TypeId::kBool)}};
}

absl::StatusOr<StatementResult> ShowClusterNodes(kv::NodeRegistry* registry) {
  if (registry == nullptr) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "SHOW CLUSTER NODES needs a node's cluster membership");
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<kv::NodeRegistry::Member> members, registry->ListMembers());
  StatementResult r;
  r.returns_rows = true;
  r.command_tag = "SHOW";
  r.columns = ClusterNodesColumns();
  for (const auto& m : members) {
    r.rows.push_back({Value::Int64(static_cast<int64_t>(m.record.node_id())),
                      Value::Text(m.record.rpc_address()), Value::Text(m.record.sql_address()),
                      Value::Bool(m.live),
                      Value::Int64(static_cast<int64_t>(m.record.range_count())),
                      Value::Int64(static_cast<int64_t>(m.record.lease_count())),
                      Value::Bool(m.record.decommissioning()), Value::Bool(m.record.draining())});
  }
  return r;
}

}  // namespace cairn::executor
