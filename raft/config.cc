#include "raft/config.h"

#include "common/error_code.h"

namespace cairn::raft {

absl::Status Config::Validate() const {
  if (id == 0) return MakeError(ErrorCode::kInvalidArgument, "raft: id is 0");
  if (heartbeat_tick <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "raft: heartbeat_tick must be > 0");
  }
  if (election_tick <= heartbeat_tick) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "raft: election_tick must be > heartbeat_tick");
  }
  if (storage == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, "raft: storage is null");
  }
  if (max_inflight_msgs <= 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "raft: max_inflight_msgs must be > 0");
  }
  if (max_size_per_msg == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "raft: max_size_per_msg must be > 0");
  }
  if (lease_reads && !check_quorum) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "raft: lease_reads needs check_quorum");
  }
  if (lease_reads &&
      (lease_drift_ticks < 0 || lease_drift_ticks >= election_tick - 1)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "raft: lease_drift_ticks must be in [0, election_tick - 1)");
  }
  return absl::OkStatus();
}

}  // namespace cairn::raft
