#pragma once

#include <string>
#include <vector>

namespace cairn::server {

// `cairn node ...`, an operator's commands against a running node's RPC
// address (--host HOST:RPCPORT, default 127.0.0.1:7433):
//   cairn node status                     the members: id, addresses,
//                                         liveness, replicas, leases and
//                                         whether each is being decommissioned
//   cairn node drain                      the node turns new SQL clients
//                                         away, reports unhealthy on /health
//                                         and hands its leases over (before
//                                         a restart); waits until it has
//                                         none or --timeout (1m) passes
//   cairn node decommission ID [--wait=false] [--timeout DURATION]
//                                         moves every replica off node ID
//                                         (it receives none from then on) and
//                                         by default waits until it holds none
// Returns the process exit code: 0, 1 on failure, 2 on bad usage.
int RunNodeCommand(const std::vector<std::string>& args);

}  // namespace cairn::server
