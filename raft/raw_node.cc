#include "raft/raw_node.h"

#include <utility>

#include "common/error_code.h"
#include "raft/raft.h"

namespace cairn::raft {

RawNode::RawNode(std::unique_ptr<Raft> raft)
    : raft_(std::move(raft)),
      prev_soft_state_(raft_->GetSoftState()),
      prev_hard_state_(raft_->GetHardState()) {}

RawNode::~RawNode() = default;

absl::StatusOr<std::unique_ptr<RawNode>> RawNode::Create(
    const Config& config) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<Raft> raft, Raft::Create(config));
  return std::unique_ptr<RawNode>(new RawNode(std::move(raft)));
}

void RawNode::Tick() { raft_->Tick(); }

absl::Status RawNode::Campaign() {
  return raft_->Step(Message{.type = MessageType::kHup});
}

absl::Status RawNode::Propose(std::string data) {
  if (data.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "empty proposal");
  }
  if (raft_->role() != Role::kLeader) {
    return MakeError(ErrorCode::kUnavailable, "not leader");
  }
  Message m{.type = MessageType::kPropose, .from = raft_->id()};
  m.entries.push_back(Entry{.data = std::move(data)});
  return raft_->Step(m);
}

absl::Status RawNode::ProposeConfChange(const ConfChange& cc) {
  if (raft_->role() != Role::kLeader) {
    return MakeError(ErrorCode::kUnavailable, "not leader");
  }
  if (cc.node_id == kNone) {
    return MakeError(ErrorCode::kInvalidArgument, "conf change: node id 0");
  }
  const auto& voters = raft_->tracker().voters();
  const bool drops_voter = cc.type != ConfChange::Type::kAddVoter &&
                           voters.count(cc.node_id) > 0;
  if (drops_voter && voters.size() == 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "conf change would remove the last voter");
  }
  Message m{.type = MessageType::kPropose, .from = raft_->id()};
  m.entries.push_back(
      Entry{.type = EntryType::kConfChange, .data = EncodeConfChange(cc)});
  return raft_->Step(m);
}

ConfState RawNode::ApplyConfChange(const ConfChange& cc) {
  return raft_->ApplyConfChange(cc);
}

absl::Status RawNode::Step(const Message& m) {
  if (IsLocalMessage(m.type)) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "raft: local message %s from the network",
                  MessageTypeName(m.type));
  }
  // Responses from peers we do not know (e.g. removed) are dropped by the
  // leader; requests from them are harmless.
  return raft_->Step(m);
}

void RawNode::TransferLeader(uint64_t transferee) {
  (void)raft_->Step(
      Message{.type = MessageType::kTransferLeader, .from = transferee});
}

absl::Status RawNode::ReadIndex(std::string context) {
  return raft_->Step(Message{.type = MessageType::kReadIndex,
                             .context = std::move(context)});
}

void RawNode::ReportUnreachable(uint64_t id) {
  (void)raft_->Step(Message{.type = MessageType::kUnreachable, .from = id});
}

void RawNode::ReportSnapshot(uint64_t id, bool success) {
  (void)raft_->Step(Message{
      .type = MessageType::kSnapshotStatus, .from = id, .reject = !success});
}

bool RawNode::HasReady() const {
  if (raft_->GetSoftState() != prev_soft_state_) return true;
  const HardState hs = raft_->GetHardState();
  if (!IsEmpty(hs) && hs != prev_hard_state_) return true;
  const RaftLog& log = raft_->log();
  return log.unstable().snapshot().has_value() ||
         !log.unstable().entries().empty() || raft_->HasMessages() ||
         log.HasNextCommittedEntries() || raft_->HasReadStates();
}

Ready RawNode::GetReady() {
  Ready rd;
  const RaftLog& log = raft_->log();
  rd.entries = log.UnstableEntries();
  rd.committed_entries = log.NextCommittedEntries();
  if (log.unstable().snapshot()) rd.snapshot = *log.unstable().snapshot();
  rd.messages = raft_->TakeMessages();
  rd.read_states = raft_->TakeReadStates();
  const SoftState ss = raft_->GetSoftState();
  if (ss != prev_soft_state_) {
    rd.soft_state = ss;
    prev_soft_state_ = ss;
  }
  const HardState hs = raft_->GetHardState();
  if (!IsEmpty(hs) && hs != prev_hard_state_) {
    rd.hard_state = hs;
    rd.must_sync = hs.term != prev_hard_state_.term ||
                   hs.vote != prev_hard_state_.vote;
  }
  rd.must_sync = rd.must_sync || !rd.entries.empty() || rd.snapshot;
  return rd;
}

void RawNode::Advance(const Ready& rd) {
  if (rd.hard_state) prev_hard_state_ = *rd.hard_state;
  uint64_t applied = 0;
  if (!rd.committed_entries.empty()) {
    applied = rd.committed_entries.back().index;
  } else if (rd.snapshot) {
    applied = rd.snapshot->metadata.index;
  }
  uint64_t stable_index = 0;
  uint64_t stable_term = 0;
  if (!rd.entries.empty()) {
    stable_index = rd.entries.back().index;
    stable_term = rd.entries.back().term;
  }
  raft_->Advance(stable_index, stable_term,
                 rd.snapshot ? rd.snapshot->metadata.index : 0, applied);
}

Status RawNode::GetStatus() const {
  Status s;
  s.id = raft_->id();
  s.term = raft_->term();
  s.vote = raft_->vote();
  s.commit = raft_->log().committed();
  s.applied = raft_->log().applied();
  s.lead = raft_->lead();
  s.role = raft_->role();
  s.conf_state = raft_->tracker().GetConfState();
  if (s.role == Role::kLeader) s.progress = raft_->tracker().progress();
  s.conf_change_pending = raft_->HasPendingConfChange();
  return s;
}

uint64_t RawNode::LeaseTicksLeft() const { return raft_->LeaseTicksLeft(); }
uint64_t RawNode::LeaseLengthTicks() const { return raft_->LeaseLengthTicks(); }

uint64_t RawNode::leader() const { return raft_->lead(); }

bool RawNode::is_leader() const { return raft_->role() == Role::kLeader; }

}  // namespace cairn::raft
