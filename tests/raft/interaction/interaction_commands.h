#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "interaction_env.h"
#include "scenario_runner.h"

// The commands of raft interaction scenarios (testdata/*.txt). N, M are
// node ids; `N...` means one or more (none: every node).
//
// Cluster
//   bootstrap voters=(1,2,3) [learners=(4)] [OPTIONS]   new group
//   add-node N [OPTIONS]           empty node, to be added by a conf change
//   reset                          drop everything: start another story
//   OPTIONS: pre-vote=true check-quorum=true election-tick=10
//            heartbeat-tick=1 max-inflight=256 max-msg-size=1048576 seed=0
// Raft inputs (the output is "ok" or the error raft returned)
//   campaign N
//   propose N DATA [count=K]       K proposals DATA1..DATAK
//   propose-conf-change N add-voter|add-learner|remove M
//   transfer-leader N to=M
//   read-index N CTX
//   report-unreachable N M
//   tick N... [count=1]
//   tick-election N                see InteractionEnv::TickElection
// Driver and network
//   process-ready N...             handle one Ready of each node
//   deliver-msgs [from=N] [to=N] [type=MsgApp] [count=K] [drop=true]
//                                  the (first K) matching queued messages
//   stabilize                      Ready/deliver until quiet
//   msgs                           list queued messages
//   isolate N...  /  heal          cut / restore every link of N
//   crash N  /  restart N
//   compact N INDEX
// Inspection
//   status [N...]   raft-log [N...]   applied [N...]   progress N
//   msg-counts                     delivered messages by type, then reset
//   check-safety
namespace cairn::raft::interaction {

absl::StatusOr<std::string> RunInteractionCommand(InteractionEnv& env,
                                                  const ScenarioCommand& cmd);

}  // namespace cairn::raft::interaction
