#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raft/progress.h"
#include "raft/raw_node.h"
#include "raft/types.h"

// Compact, deterministic text for the values that scenario outputs show,
// modelled on etcd raft's testdata. Terms and indexes are written
// term/index, as in the Raft paper's figures:
//
//   1->2 MsgApp Term:2 Log:1/3 Commit:3 Entries:[2/4 "x"]
//
// Only fields that mean something for the message type are shown, so that a
// change in an unrelated field does not rewrite every scenario.
namespace cairn::raft::interaction {

// `2/4` then ` "data"` for a normal entry with data, ` cc:remove(3)` for a
// conf change; a leader's empty entry is just `2/4`.
std::string FormatEntry(const Entry& e);
// `[a, b, ...]`. A run of more than five normal entries of one term is
// shortened to its first and last (`2/4 "o1" .. 2/53 "o50" (50 entries)`)
// so that scenarios with long logs stay readable.
std::string FormatEntries(const std::vector<Entry>& entries);
// etcd's name for a message type: MsgApp, MsgVoteResp, ...
std::string MessageName(MessageType type);
// `MsgApp Term:2 Log:1/3 Commit:3 Entries:[...]`, without the endpoints.
std::string FormatMessageBody(const Message& m);
// `Voters:[1 2 3]`, plus ` Learners:[4]` when there are learners.
std::string FormatConfState(const ConfState& cs);
std::string FormatSnapshotMeta(const SnapshotMetadata& meta);
std::string FormatHardState(const HardState& hs);
std::string FormatProgress(const Progress& pr);
// `Leader` etc.
std::string FormatRole(Role role);
// One delivered (or dropped) message as a scenario shows it.
struct Delivery {
  std::string text;  // `1->2 MsgApp ...`, with ` DROPPED` if dropped
  uint64_t to = 0;
  std::string kind;  // sender, type and fate: what may share a run
  std::vector<std::string> notes;  // extra lines after the message
};
// The lines for a batch of deliveries, in order, except that consecutive
// identical deliveries to one node become `text (xN)` (heartbeats of many
// ticks), and a run of more than eight lines of one kind to one node
// becomes first, `... N more ...`, last (a long stream of appends).
std::string CondenseDeliveries(const std::vector<Delivery>& deliveries);
// `unavailable: not leader` for a raft error.
std::string FormatError(const absl::Status& status);

}  // namespace cairn::raft::interaction
