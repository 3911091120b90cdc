#include "raft/log_storage.h"

#include "common/error_code.h"

namespace cairn::raft {

absl::Status CompactedError() {
  return MakeError(ErrorCode::kNotFound,
                   "requested raft log index is compacted");
}

bool IsCompacted(const absl::Status& status) {
  return !status.ok() && GetErrorCode(status) == ErrorCode::kNotFound;
}

absl::Status SnapshotTemporarilyUnavailableError() {
  return MakeError(ErrorCode::kUnavailable,
                   "raft snapshot is temporarily unavailable");
}

bool IsSnapshotTemporarilyUnavailable(const absl::Status& status) {
  return !status.ok() && GetErrorCode(status) == ErrorCode::kUnavailable;
}

}  // namespace cairn::raft
