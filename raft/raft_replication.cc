// Raft: log replication (leader), log handling (follower), snapshots and
// ReadIndex. See raft.h.
#include <algorithm>
#include <utility>

#include "common/error_code.h"
#include "raft/fatal.h"
#include "raft/raft.h"

namespace cairn::raft {

void Raft::Send(Message m) {
  if (m.from == kNone) m.from = id_;
  switch (m.type) {
    case MessageType::kVote:
    case MessageType::kVoteResponse:
    case MessageType::kPreVote:
    case MessageType::kPreVoteResponse:
      // The caller set the term (pre-votes use a future one).
      break;
    case MessageType::kPropose:
    case MessageType::kReadIndex:
      // Forwarded requests stay term-less: the leader treats them as local.
      break;
    default:
      m.term = term_;
  }
  msgs_.push_back(std::move(m));
}

// --- Leader: sending ----------------------------------------------------------

bool Raft::MaybeSendAppend(uint64_t to, bool send_if_empty) {
  Progress* pr = tracker_.Get(to);
  if (pr == nullptr || pr->IsPaused()) return false;
  absl::StatusOr<uint64_t> prev_term = log_.Term(pr->next - 1);
  absl::StatusOr<std::vector<Entry>> entries =
      log_.EntriesFrom(pr->next, max_msg_size_);
  if (entries.ok() && entries->empty() && !send_if_empty) return false;
  if (!prev_term.ok() || !entries.ok()) {
    // The follower needs entries we compacted.
    return SendSnapshot(to, *pr);
  }
  Message m{.type = MessageType::kAppend,
            .to = to,
            .log_term = *prev_term,
            .index = pr->next - 1,
            .commit = log_.committed(),
            .entries = *std::move(entries)};
  if (!m.entries.empty()) {
    switch (pr->state) {
      case ProgressState::kReplicate: {
        const uint64_t last = m.entries.back().index;
        pr->OptimisticUpdate(last);
        pr->inflights.Add(last);
        break;
      }
      case ProgressState::kProbe:
        pr->probe_sent = true;
        break;
      case ProgressState::kSnapshot:
        Fatalf("raft %d: append to %d in snapshot state", id_, to);
    }
  }
  Send(std::move(m));
  return true;
}

bool Raft::SendSnapshot(uint64_t to, Progress& pr) {
  // Do not ship a snapshot to a peer that may be down.
  if (!pr.recent_active) return false;
  absl::StatusOr<Snapshot> snap = log_.GetSnapshot();
  if (!snap.ok()) {
    if (IsSnapshotTemporarilyUnavailable(snap.status())) return false;
    Fatalf("raft %d: snapshot: %s", id_, snap.status().ToString());
  }
  if (snap->IsEmpty()) Fatalf("raft %d: need a snapshot, storage has none", id_);
  pr.BecomeSnapshot(snap->metadata.index);
  Send(Message{.type = MessageType::kSnapshot,
               .to = to,
               .snapshot = *std::move(snap)});
  return true;
}

void Raft::SendHeartbeat(uint64_t to, const std::string& context) {
  const Progress* pr = tracker_.Get(to);
  // Never tell a follower to commit beyond what it is known to hold.
  const uint64_t commit =
      std::min(pr == nullptr ? 0 : pr->match, log_.committed());
  // `index` carries our tick, echoed back by the response, so that the
  // lease (LeaseValid) runs from when the heartbeat was sent.
  Send(Message{.type = MessageType::kHeartbeat,
               .to = to,
               .index = ticks_,
               .commit = commit,
               .context = context});
}

void Raft::SendTimeoutNow(uint64_t to) {
  lease_revoked_ = true;
  Send(Message{.type = MessageType::kTimeoutNow, .to = to});
}

void Raft::BcastAppend() {
  for (const auto& [id, pr] : tracker_.progress()) {
    if (id != id_) SendAppend(id);
  }
}

void Raft::BcastHeartbeat(const std::string& context) {
  for (const auto& [id, pr] : tracker_.progress()) {
    if (id != id_) SendHeartbeat(id, context);
  }
}

void Raft::AppendEntries(std::vector<Entry> entries) {
  const uint64_t last = log_.LastIndex();
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].term = term_;
    entries[i].index = last + 1 + i;
  }
  log_.Append(entries);
  // Our own match advances in Advance(), once the entries are durable.
}

bool Raft::MaybeCommit() {
  // MaybeCommit only commits an entry of the current term (Raft 5.4.2).
  return log_.MaybeCommit(tracker_.Committed(), term_);
}

void Raft::OnCommitAdvanced() {
  if (CommittedEntryInCurrentTerm() && !pending_read_index_.empty()) {
    std::vector<Message> reads;
    reads.swap(pending_read_index_);
    for (const Message& m : reads) (void)LeaderReadIndex(m);
  }
  if (announce_commits_) {
    BcastAppend();
    return;
  }
  // Followers learn the new commit index with whatever goes out next.
  for (const auto& [id, pr] : tracker_.progress()) {
    if (id != id_) MaybeSendAppend(id, false);
  }
}

// --- Leader: receiving --------------------------------------------------------

absl::Status Raft::StepLeader(const Message& m) {
  switch (m.type) {
    case MessageType::kBeat:
      BcastHeartbeat(read_only_.LastPendingContext());
      return absl::OkStatus();
    case MessageType::kCheckQuorum: {
      if (Progress* self = tracker_.Get(id_)) self->recent_active = true;
      if (!tracker_.QuorumActive()) {
        BecomeFollower(term_, kNone);
        return absl::OkStatus();
      }
      for (auto& [id, pr] : tracker_.progress()) {
        if (id != id_) pr.recent_active = false;
      }
      return absl::OkStatus();
    }
    case MessageType::kPropose:
      return Propose(m);
    case MessageType::kReadIndex:
      return LeaderReadIndex(m);
    default:
      break;
  }
  Progress* pr = tracker_.Get(m.from);
  if (pr == nullptr) return absl::OkStatus();
  switch (m.type) {
    case MessageType::kAppendResponse:
      HandleAppendResponse(m, *pr);
      break;
    case MessageType::kHeartbeatResponse:
      HandleHeartbeatResponse(m, *pr);
      break;
    case MessageType::kSnapshotStatus:
      if (pr->state != ProgressState::kSnapshot) break;
      // Success: probe from after the snapshot. Failure: probe from match.
      if (m.reject) pr->pending_snapshot = 0;
      pr->BecomeProbe();
      // Wait for a heartbeat response before probing.
      pr->probe_sent = true;
      break;
    case MessageType::kUnreachable:
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      break;
    case MessageType::kTransferLeader:
      HandleTransferLeader(m, *pr);
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status Raft::Propose(const Message& m) {
  if (m.entries.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "empty proposal");
  }
  if (tracker_.Get(id_) == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "not leader: removed");
  }
  if (lead_transferee_ != kNone) {
    return MakeError(ErrorCode::kUnavailable,
                     "not leader: leadership transfer in progress");
  }
  size_t conf_changes = 0;
  uint64_t conf_index = 0;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    if (m.entries[i].type != EntryType::kConfChange) continue;
    ++conf_changes;
    conf_index = log_.LastIndex() + 1 + i;
  }
  if (conf_changes > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "one conf change at a time");
  }
  if (conf_changes == 1) {
    if (HasPendingConfChange()) {
      return MakeError(ErrorCode::kUnavailable,
                       "a conf change is already pending");
    }
    pending_conf_index_ = conf_index;
  }
  AppendEntries(m.entries);
  BcastAppend();
  return absl::OkStatus();
}

void Raft::HandleAppendResponse(const Message& m, Progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    // Skip the follower's whole divergent term at once if it told us its
    // term at the hint (etcd's fast back-off).
    uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) {
      next_probe = log_.FindConflictByTerm(m.reject_hint, m.log_term);
    }
    if (pr.MaybeDecrTo(m.index, next_probe)) {
      if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
      SendAppend(m.from);
    }
    return;
  }
  const bool was_paused = pr.IsPaused();
  if (!pr.MaybeUpdate(m.index)) return;
  switch (pr.state) {
    case ProgressState::kProbe:
      pr.BecomeReplicate();
      break;
    case ProgressState::kSnapshot:
      if (pr.match >= pr.pending_snapshot) {
        pr.BecomeProbe();
        pr.BecomeReplicate();
      }
      break;
    case ProgressState::kReplicate:
      pr.inflights.FreeLE(m.index);
      break;
  }
  if (MaybeCommit()) {
    OnCommitAdvanced();
  } else if (was_paused) {
    SendAppend(m.from);
  }
  // Flow control may have opened up: send what fits, without empty appends.
  while (MaybeSendAppend(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr.match == log_.LastIndex()) {
    SendTimeoutNow(m.from);
  }
}

void Raft::HandleHeartbeatResponse(const Message& m, Progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;
  uint64_t& acked_tick = heartbeat_acked_tick_[m.from];
  acked_tick = std::max(acked_tick, m.index);
  // Free one slot so a stalled stream (lost acks) makes progress.
  if (pr.state == ProgressState::kReplicate && pr.inflights.Full()) {
    pr.inflights.FreeFirstOne();
  }
  if (pr.match < log_.LastIndex()) SendAppend(m.from);
  if (m.context.empty()) return;
  const std::set<uint64_t>* acks = read_only_.RecvAck(m.from, m.context);
  if (acks == nullptr) return;
  size_t voters = 0;
  for (uint64_t id : *acks) voters += tracker_.IsVoter(id) ? 1 : 0;
  if (voters <= tracker_.voters().size() / 2) return;
  for (ReadOnly::Request& req : read_only_.Advance(m.context)) {
    AnswerReadIndex(req.message, req.index);
  }
}

void Raft::HandleTransferLeader(const Message& m, Progress& pr) {
  if (pr.is_learner) return;
  const uint64_t transferee = m.from;
  if (lead_transferee_ != kNone) {
    if (lead_transferee_ == transferee) return;  // already on it
    AbortLeaderTransfer();
  }
  if (transferee == id_) return;
  // The transfer must finish within an election timeout (TickHeartbeat).
  election_elapsed_ = 0;
  lead_transferee_ = transferee;
  if (pr.match == log_.LastIndex()) {
    SendTimeoutNow(transferee);
  } else {
    SendAppend(transferee);
  }
}

absl::Status Raft::LeaderReadIndex(const Message& m) {
  if (tracker_.voters().size() == 1 && tracker_.IsVoter(id_)) {
    AnswerReadIndex(m, log_.committed());
    return absl::OkStatus();
  }
  // Until an entry of our term commits, our commit index may be behind
  // the previous leader's.
  if (!CommittedEntryInCurrentTerm()) {
    pending_read_index_.push_back(m);
    return absl::OkStatus();
  }
  if (LeaseValid()) {
    AnswerReadIndex(m, log_.committed());
    return absl::OkStatus();
  }
  read_only_.Add(log_.committed(), m);
  read_only_.RecvAck(id_, m.context);
  BcastHeartbeat(m.context);
  return absl::OkStatus();
}

void Raft::AnswerReadIndex(const Message& req, uint64_t index) {
  if (req.from == kNone || req.from == id_) {
    read_states_.push_back(ReadState{index, req.context});
    return;
  }
  Send(Message{.type = MessageType::kReadIndexResponse,
               .to = req.from,
               .index = index,
               .context = req.context});
}

// --- Follower -----------------------------------------------------------------

void Raft::HandleAppendEntries(const Message& m) {
  if (m.index < log_.committed()) {
    Send(Message{.type = MessageType::kAppendResponse,
                 .to = m.from,
                 .index = log_.committed()});
    return;
  }
  if (std::optional<uint64_t> last =
          log_.MaybeAppend(m.index, m.log_term, m.commit, m.entries)) {
    Send(Message{.type = MessageType::kAppendResponse,
                 .to = m.from,
                 .index = *last});
    return;
  }
  // Reject, hinting the largest index that might match: at most our last
  // index, and skipping our entries with terms above the leader's.
  uint64_t hint = std::min(m.index, log_.LastIndex());
  hint = log_.FindConflictByTerm(hint, m.log_term);
  Send(Message{.type = MessageType::kAppendResponse,
               .to = m.from,
               .log_term = log_.TermOrZero(hint),
               .index = m.index,
               .reject = true,
               .reject_hint = hint});
}

void Raft::HandleHeartbeat(const Message& m) {
  log_.CommitTo(m.commit);
  Send(Message{.type = MessageType::kHeartbeatResponse,
               .to = m.from,
               .index = m.index,
               .context = m.context});
}

void Raft::HandleSnapshot(const Message& m) {
  if (!m.snapshot.has_value()) return;
  const uint64_t index = Restore(*m.snapshot) ? log_.LastIndex()
                                              : log_.committed();
  Send(Message{.type = MessageType::kAppendResponse,
               .to = m.from,
               .index = index});
}

bool Raft::Restore(const Snapshot& snap) {
  const SnapshotMetadata& meta = snap.metadata;
  if (meta.index <= log_.committed()) return false;
  if (role_ != Role::kFollower) {
    // Cannot happen (candidates become followers first); be safe.
    BecomeFollower(term_ + 1, kNone);
    return false;
  }
  if (log_.MatchTerm(meta.index, meta.term)) {
    // We already have the entries: just commit them.
    log_.CommitTo(meta.index);
    return false;
  }
  log_.Restore(snap);
  tracker_.Reset(meta.conf_state, log_.LastIndex() + 1);
  if (Progress* self = tracker_.Get(id_)) self->MaybeUpdate(self->next - 1);
  return true;
}

}  // namespace cairn::raft
