#include "raft/raft.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "common/error_code.h"
#include "raft/fatal.h"

namespace cairn::raft {

namespace {

// Context of a vote request sent on a leader's behalf (kTimeoutNow): it
// overrides the voters' leader lease.
constexpr std::string_view kCampaignTransfer = "CampaignTransfer";

uint64_t MixSeed(uint64_t seed, uint64_t id) {
  // splitmix64 finaliser: nodes that share a seed draw distinct timeouts.
  uint64_t z = seed + id * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Raft::Raft(const Config& config)
    : id_(config.id),
      election_timeout_(config.election_tick),
      heartbeat_timeout_(config.heartbeat_tick),
      max_msg_size_(config.max_size_per_msg),
      check_quorum_(config.check_quorum),
      pre_vote_(config.pre_vote),
      lease_reads_(config.lease_reads),
      first_incarnation_(config.first_incarnation),
      lease_drift_ticks_(config.lease_drift_ticks),
      announce_commits_(config.announce_commits),
      log_(config.storage, config.max_size_per_msg),
      tracker_(static_cast<size_t>(config.max_inflight_msgs)),
      rng_(MixSeed(config.seed, config.id)) {}

absl::StatusOr<std::unique_ptr<Raft>> Raft::Create(const Config& config) {
  CAIRN_RETURN_IF_ERROR(config.Validate());
  CAIRN_ASSIGN_OR_RETURN(auto state, config.storage->InitialState());
  const auto& [hs, cs] = state;
  std::unique_ptr<Raft> r(new Raft(config));
  r->tracker_.Reset(cs, r->log_.LastIndex() + 1);
  if (!IsEmpty(hs)) {
    if (hs.commit > r->log_.LastIndex()) {
      return Errorf(ErrorCode::kDataCorrupted,
                    "raft %d: hard state commit %d beyond last index %d",
                    r->id_, hs.commit, r->log_.LastIndex());
    }
    r->log_.CommitTo(hs.commit);  // no-op below the snapshot index
    r->term_ = hs.term;
    r->vote_ = hs.vote;
  }
  if (config.applied > r->log_.committed()) {
    return Errorf(ErrorCode::kInvalidArgument,
                  "raft %d: applied %d beyond commit %d", r->id_,
                  config.applied, r->log_.committed());
  }
  if (config.applied > r->log_.applied()) r->log_.AppliedTo(config.applied);
  r->BecomeFollower(r->term_, kNone);
  return r;
}

// --- Roles -----------------------------------------------------------------

void Raft::Reset(uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = kNone;
  }
  lead_ = kNone;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  tracker_.ResetVotes();
  tracker_.ResetProgress(log_.LastIndex() + 1);
  if (Progress* self = tracker_.Get(id_)) self->match = log_.LastIndex();
  pending_conf_index_ = 0;
  read_only_.Reset();
  pending_read_index_.clear();
  heartbeat_acked_tick_.clear();
  lease_revoked_ = false;
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      election_timeout_ +
      static_cast<int>(rng_() % static_cast<uint64_t>(election_timeout_));
}

void Raft::BecomeFollower(uint64_t term, uint64_t lead) {
  Reset(term);
  lead_ = lead;
  role_ = Role::kFollower;
}

void Raft::BecomePreCandidate() {
  if (role_ == Role::kLeader) Fatalf("raft %d: leader -> pre-candidate", id_);
  // Pre-vote changes neither term nor vote.
  tracker_.ResetVotes();
  lead_ = kNone;
  role_ = Role::kPreCandidate;
}

void Raft::BecomeCandidate() {
  if (role_ == Role::kLeader) Fatalf("raft %d: leader -> candidate", id_);
  Reset(term_ + 1);
  vote_ = id_;
  role_ = Role::kCandidate;
}

void Raft::BecomeLeader() {
  if (role_ == Role::kFollower) Fatalf("raft %d: follower -> leader", id_);
  Reset(term_);
  lead_ = id_;
  role_ = Role::kLeader;
  if (Progress* self = tracker_.Get(id_)) {
    self->BecomeReplicate();
    self->recent_active = true;
  }
  // Committing an entry of its own term commits everything before it.
  AppendEntries({Entry{}});
  // Entries of earlier terms may hold an unapplied conf change; refuse new
  // ones until everything up to here is applied. That includes our empty
  // entry: with one change at a time, a leader must commit an entry of its
  // own term before it changes membership, or a change of the previous
  // term that it never saw committed could combine with ours into two
  // disjoint majorities (the single-server change bug, Ongaro 2015).
  pending_conf_index_ = log_.LastIndex();
}

bool Raft::Promotable() const {
  auto it = tracker_.progress().find(id_);
  return it != tracker_.progress().end() && !it->second.is_learner &&
         !log_.unstable().snapshot().has_value();
}

// --- Ticks -----------------------------------------------------------------

void Raft::Tick() {
  ++ticks_;
  if (role_ == Role::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (Promotable() && PastElectionTimeout()) {
    election_elapsed_ = 0;
    (void)Step(Message{.type = MessageType::kHup, .from = id_});
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (check_quorum_) {
      (void)Step(Message{.type = MessageType::kCheckQuorum, .from = id_});
    }
    if (role_ == Role::kLeader) {
      // A transfer that did not finish within an election timeout failed.
      AbortLeaderTransfer();
      // Once kTimeoutNow went out our lease is void for the term (the
      // transferee may still win an election that ignores leases, when it
      // wakes up), and a leader without a lease serves no read: rather
      // than lead the rest of the term that way, let a new election choose
      // a leader with a lease of its own.
      if (lease_revoked_) {
        BecomeFollower(term_, kNone);
        return;
      }
    }
  }
  if (role_ != Role::kLeader) return;
  if (heartbeat_elapsed_ >= heartbeat_timeout_) {
    heartbeat_elapsed_ = 0;
    (void)Step(Message{.type = MessageType::kBeat, .from = id_});
  }
}

// --- Elections -------------------------------------------------------------

void Raft::Hup(CampaignType type) {
  if (role_ == Role::kLeader || !Promotable()) return;
  // A committed but unapplied conf change may change whether we are a
  // voter at all; wait until the driver has applied it. A transfer is
  // exempt: the leader picked us from its (newer) membership, and with
  // one change at a time the majorities of the old and new membership
  // overlap, so campaigning under the old one is safe.
  if (type == CampaignType::kTransfer) {
    Campaign(type);
    return;
  }
  absl::StatusOr<std::vector<Entry>> unapplied =
      log_.Slice(log_.applied() + 1, log_.committed() + 1, kNoLimit);
  if (!unapplied.ok()) {
    Fatalf("raft %d: unapplied entries: %s", id_,
           unapplied.status().ToString());
  }
  for (const Entry& e : *unapplied) {
    if (e.type == EntryType::kConfChange) return;
  }
  Campaign(type);
}

void Raft::Campaign(CampaignType type) {
  if (!Promotable()) return;
  uint64_t term;
  MessageType vote_type;
  if (type == CampaignType::kPreElection) {
    BecomePreCandidate();
    vote_type = MessageType::kPreVote;
    // The term we would campaign in; our own term does not change yet.
    term = term_ + 1;
  } else {
    BecomeCandidate();
    vote_type = MessageType::kVote;
    term = term_;
  }
  if (Poll(id_, true) == VoteResult::kWon) {
    // Single voter: we won on our own vote.
    if (type == CampaignType::kPreElection) {
      Campaign(CampaignType::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (uint64_t id : tracker_.voters()) {
    if (id == id_) continue;
    Message m{.type = vote_type,
              .to = id,
              .term = term,
              .log_term = log_.LastTerm(),
              .index = log_.LastIndex()};
    if (type == CampaignType::kTransfer) m.context = kCampaignTransfer;
    Send(std::move(m));
  }
}

VoteResult Raft::Poll(uint64_t id, bool granted) {
  tracker_.RecordVote(id, granted);
  return tracker_.TallyVotes();
}

void Raft::HandleVoteRequest(const Message& m) {
  const bool can_vote =
      vote_ == m.from || (vote_ == kNone && lead_ == kNone) ||
      (m.type == MessageType::kPreVote && m.term > term_);
  const MessageType resp = m.type == MessageType::kVote
                               ? MessageType::kVoteResponse
                               : MessageType::kPreVoteResponse;
  if (can_vote && log_.IsUpToDate(m.index, m.log_term)) {
    // A granted pre-vote carries the term it was asked for.
    Send(Message{.type = resp, .to = m.from, .term = m.term});
    if (m.type == MessageType::kVote) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    Send(Message{.type = resp, .to = m.from, .term = term_, .reject = true});
  }
}

bool Raft::InLease() const {
  if (!check_quorum_) return false;
  if (lead_ != kNone && election_elapsed_ < election_timeout_) return true;
  // A restarted voter forgot whom it heard from; with lease reads it must
  // assume it heard from a leader just before the crash.
  return lease_reads_ && !first_incarnation_ &&
         ticks_ < static_cast<uint64_t>(election_timeout_);
}

bool Raft::LeaseValid() const { return LeaseTicksLeft() > 0; }

uint64_t Raft::LeaseTicksLeft() const {
  if (!lease_reads_ || role_ != Role::kLeader || lease_revoked_ ||
      lead_transferee_ != kNone) {
    return 0;
  }
  // The quorum-th most recent acknowledged heartbeat, counting ourselves
  // as acknowledged now.
  std::vector<uint64_t> acked;
  for (uint64_t id : tracker_.voters()) {
    if (id == id_) {
      acked.push_back(ticks_);
    } else if (auto it = heartbeat_acked_tick_.find(id);
               it != heartbeat_acked_tick_.end()) {
      acked.push_back(it->second);
    }
  }
  const size_t quorum = tracker_.voters().size() / 2 + 1;
  if (acked.size() < quorum) return 0;
  std::sort(acked.begin(), acked.end(), std::greater<uint64_t>());
  const uint64_t since = acked[quorum - 1];
  // A voter that got the heartbeat sent at our tick `since` refuses votes
  // until it has ticked election_timeout_ times, which with equal tick
  // rates can be as early as election_timeout_ - 1 of our ticks after
  // `since` (it may tick right after receiving). Stop one tick before
  // that, and lease_drift_ticks_ earlier still.
  const uint64_t length = LeaseLengthTicks();
  const uint64_t elapsed = ticks_ - since;
  return elapsed < length ? length - elapsed : 0;
}

uint64_t Raft::LeaseLengthTicks() const {
  return static_cast<uint64_t>(election_timeout_ - 1 - lease_drift_ticks_);
}

// --- Step ------------------------------------------------------------------

absl::Status Raft::Step(const Message& m) {
  if (m.term == 0) {
    // Local message (or a forwarded proposal/read).
  } else if (m.term > term_) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      const bool force = m.context == kCampaignTransfer;
      // We heard from a live leader recently: a disrupting candidate.
      if (!force && InLease()) return absl::OkStatus();
    }
    if (m.type == MessageType::kPreVote) {
      // Never change term because of a pre-vote.
    } else if (m.type == MessageType::kPreVoteResponse && !m.reject) {
      // Granted pre-votes carry our future term; counted below.
    } else if (m.type == MessageType::kAppend ||
               m.type == MessageType::kHeartbeat ||
               m.type == MessageType::kSnapshot) {
      BecomeFollower(m.term, m.from);
    } else {
      BecomeFollower(m.term, kNone);
    }
  } else if (m.term < term_) {
    if ((check_quorum_ || pre_vote_ || !Promotable() ||
         !tracker_.IsVoter(m.from)) &&
        (m.type == MessageType::kHeartbeat ||
         m.type == MessageType::kAppend)) {
      // A stale leader (e.g. back from a partition) would otherwise never
      // learn the new term: our pre-votes/lease keep us from bumping it.
      // Without them we count on our own campaign to bring the leader up
      // to our term, which fails when we cannot campaign (a learner that
      // took a higher term from some candidate's vote request) or our
      // vote requests do not go to the leader (our membership is stale
      // and does not list it as a voter): we would ignore it forever.
      Send(Message{.type = MessageType::kAppendResponse, .to = m.from});
    } else if (m.type == MessageType::kPreVote) {
      Send(Message{.type = MessageType::kPreVoteResponse,
                   .to = m.from,
                   .term = term_,
                   .reject = true});
    }
    return absl::OkStatus();
  }

  switch (m.type) {
    case MessageType::kHup:
      Hup(pre_vote_ ? CampaignType::kPreElection : CampaignType::kElection);
      return absl::OkStatus();
    case MessageType::kVote:
    case MessageType::kPreVote:
      HandleVoteRequest(m);
      return absl::OkStatus();
    default:
      break;
  }
  switch (role_) {
    case Role::kLeader:
      return StepLeader(m);
    case Role::kPreCandidate:
    case Role::kCandidate:
      return StepCandidate(m);
    case Role::kFollower:
      return StepFollower(m);
  }
  return absl::OkStatus();
}

absl::Status Raft::StepCandidate(const Message& m) {
  const MessageType my_response = role_ == Role::kPreCandidate
                                      ? MessageType::kPreVoteResponse
                                      : MessageType::kVoteResponse;
  switch (m.type) {
    case MessageType::kPropose:
      return MakeError(ErrorCode::kUnavailable, "not leader: election");
    case MessageType::kReadIndex:
      // A read forwarded to us when we led is dropped (the requester
      // retries); only a local request learns that it failed.
      if (m.from != kNone) break;
      return MakeError(ErrorCode::kUnavailable, "not leader: election");
    case MessageType::kAppend:
      BecomeFollower(m.term, m.from);
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      break;
    case MessageType::kSnapshot:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      break;
    default:
      if (m.type != my_response) break;
      switch (Poll(m.from, !m.reject)) {
        case VoteResult::kWon:
          if (role_ == Role::kPreCandidate) {
            Campaign(CampaignType::kElection);
          } else {
            BecomeLeader();
            BcastAppend();
          }
          break;
        case VoteResult::kLost:
          // Pre-vote lost: stay at our term. Vote lost: a rejecting voter
          // at a higher term already made us a follower above.
          BecomeFollower(term_, kNone);
          break;
        case VoteResult::kPending:
          break;
      }
  }
  return absl::OkStatus();
}

absl::Status Raft::StepFollower(const Message& m) {
  switch (m.type) {
    case MessageType::kPropose:
      return MakeError(ErrorCode::kUnavailable, "not leader");
    case MessageType::kAppend:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleHeartbeat(m);
      break;
    case MessageType::kSnapshot:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleSnapshot(m);
      break;
    case MessageType::kTransferLeader:
    case MessageType::kReadIndex: {
      if (lead_ == kNone) {
        // Dropped; only a local read request learns that it failed.
        if (m.type == MessageType::kTransferLeader || m.from != kNone) break;
        return MakeError(ErrorCode::kUnavailable, "not leader: no leader");
      }
      Message forward = m;
      forward.to = lead_;
      Send(std::move(forward));
      break;
    }
    case MessageType::kTimeoutNow:
      // The leader hands over to us: campaign now, without pre-vote.
      Hup(CampaignType::kTransfer);
      break;
    case MessageType::kReadIndexResponse:
      read_states_.push_back(ReadState{m.index, m.context});
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

// --- Membership ------------------------------------------------------------

ConfState Raft::ApplyConfChange(const ConfChange& cc) {
  tracker_.Apply(cc, log_.LastIndex() + 1);
  AfterConfChange();
  return tracker_.GetConfState();
}

void Raft::AfterConfChange() {
  if (role_ != Role::kLeader) return;
  const Progress* self = tracker_.Get(id_);
  if (self == nullptr || self->is_learner) {
    // The leader was removed (or demoted): hand leadership to the most
    // up-to-date voter right away rather than leave the group waiting for
    // an election timeout, then step down.
    uint64_t best = kNone;
    uint64_t best_match = 0;
    for (uint64_t id : tracker_.voters()) {
      const Progress* pr = tracker_.Get(id);
      if (pr != nullptr && pr->match > best_match) {
        best = id;
        best_match = pr->match;
      }
    }
    if (best != kNone && best_match == log_.LastIndex()) SendTimeoutNow(best);
    BecomeFollower(term_, kNone);
    return;
  }
  if (lead_transferee_ != kNone && !tracker_.IsVoter(lead_transferee_)) {
    AbortLeaderTransfer();
  }
  // The quorum changed: the commit index may move, and a new member needs
  // its first append.
  if (MaybeCommit()) {
    OnCommitAdvanced();
  } else {
    for (const auto& [id, pr] : tracker_.progress()) {
      if (id != id_) MaybeSendAppend(id, false);
    }
  }
}

// --- Driver feedback -------------------------------------------------------

void Raft::Advance(uint64_t stable_index, uint64_t stable_term,
                   uint64_t stable_snapshot, uint64_t applied) {
  if (applied != 0) log_.AppliedTo(applied);
  if (stable_snapshot != 0) log_.StableSnapTo(stable_snapshot);
  if (stable_index == 0) return;
  log_.StableTo(stable_index, stable_term);
  // The leader's own copy counts towards the quorum only once durable.
  if (role_ == Role::kLeader && log_.MatchTerm(stable_index, stable_term)) {
    Progress* self = tracker_.Get(id_);
    if (self != nullptr && self->MaybeUpdate(stable_index) && MaybeCommit()) {
      OnCommitAdvanced();
    }
  }
}

std::vector<Message> Raft::TakeMessages() {
  std::vector<Message> out;
  out.swap(msgs_);
  return out;
}

std::vector<ReadState> Raft::TakeReadStates() {
  std::vector<ReadState> out;
  out.swap(read_states_);
  return out;
}

}  // namespace cairn::raft
