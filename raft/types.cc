#include "raft/types.h"

namespace cairn::raft {

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendResponse: return "AppendResponse";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResponse: return "VoteResponse";
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResponse";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResponse: return "HeartbeatResponse";
    case MessageType::kSnapshot: return "Snapshot";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResponse: return "ReadIndexResponse";
    case MessageType::kTransferLeader: return "TransferLeader";
    case MessageType::kHup: return "Hup";
    case MessageType::kBeat: return "Beat";
    case MessageType::kCheckQuorum: return "CheckQuorum";
    case MessageType::kPropose: return "Propose";
    case MessageType::kUnreachable: return "Unreachable";
    case MessageType::kSnapshotStatus: return "SnapshotStatus";
  }
  return "Unknown";
}

bool IsLocalMessage(MessageType type) {
  switch (type) {
    case MessageType::kHup:
    case MessageType::kBeat:
    case MessageType::kCheckQuorum:
    case MessageType::kPropose:
    case MessageType::kUnreachable:
    case MessageType::kSnapshotStatus:
      return true;
    default:
      return false;
  }
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower: return "Follower";
    case Role::kPreCandidate: return "PreCandidate";
    case Role::kCandidate: return "Candidate";
    case Role::kLeader: return "Leader";
  }
  return "Unknown";
}

}  // namespace cairn::raft
