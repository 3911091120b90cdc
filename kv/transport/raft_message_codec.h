#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "proto/raft_transport.pb.h"
#include "raft/types.h"

// raft::Message <-> proto::RaftMessage, for the wire. A snapshot's data is
// not part of the proto message (it travels in chunks, see
// raft_transport.proto); ToProto leaves it out and FromProto takes it
// separately.
namespace cairn::kv {

proto::RaftMessage RaftMessageToProto(uint64_t range_id, const raft::Message& m);

// Fails with ErrorCode::kDataCorrupted on a message raft/ could not have
// sent (unknown type, local-only type).
absl::StatusOr<raft::Message> RaftMessageFromProto(const proto::RaftMessage& p,
                                                   std::string snapshot_data);

}  // namespace cairn::kv
