#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "executor/slow_statements.h"
#include "kv/node_registry.h"
#include "kv/range_directory.h"
#include "server/throughput_meter.h"

namespace cairn::server {

// What the status page shows, as the node saw it when asked.
struct StatusPageData {
  uint64_t node_id = 0;
  std::string cluster_id;
  std::vector<kv::NodeRegistry::Member> members;
  std::vector<kv::RangeInfo> ranges;    // every range, from the meta range
  std::string ranges_error;             // why `ranges` is empty, if it failed
  int64_t replication_lag_entries = 0;  // over the ranges this node leads
  std::vector<ThroughputMeter::Rate> throughput;
  std::vector<executor::SlowStatements::Entry> slowest;
};

// The page served at the HTTP address's "/": one HTML document, rendered
// on the server, with no script and no external asset: the nodes and their
// liveness, replicas and leases per node, every range with its replicas and
// leaseholder, this node's replication lag, Raft and SQL throughput, and the
// slowest recent statements. It reloads itself every 5 s.
std::string RenderStatusPage(const StatusPageData& data);

}  // namespace cairn::server
