#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// A single-node membership change. Changes go through the log one at a time
// (the leader refuses a second one until the first is applied), which keeps
// every two consecutive configurations' majorities overlapping without joint
// consensus.
//
// Life cycle: RawNode::ProposeConfChange() appends an entry of type
// EntryType::kConfChange whose data is EncodeConfChange(cc). When the driver
// applies that committed entry it calls DecodeConfChange() and then
// RawNode::ApplyConfChange(); the returned ConfState is what the driver
// persists (MemoryLogStorage::SetConfState, or its own equivalent).
namespace cairn::raft {

struct ConfChange {
  enum class Type : uint8_t { kAddVoter, kAddLearner, kRemoveNode };

  // kAddVoter on a learner promotes it; kAddLearner on a voter demotes it.
  Type type = Type::kAddVoter;
  uint64_t node_id = 0;

  bool operator==(const ConfChange&) const = default;
};

// Fixed 9-byte encoding: type, then node id big-endian.
std::string EncodeConfChange(const ConfChange& cc);

// Fails with ErrorCode::kDataCorrupted on anything EncodeConfChange cannot
// produce.
absl::StatusOr<ConfChange> DecodeConfChange(std::string_view data);

}  // namespace cairn::raft
