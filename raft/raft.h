#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raft/conf_change.h"
#include "raft/config.h"
#include "raft/progress_tracker.h"
#include "raft/raft_log.h"
#include "raft/read_only.h"
#include "raft/types.h"

// Raft is the consensus state machine of one replica, after etcd's raft:
// every input is a Message (from the network, or local: kHup, kBeat,
// kPropose...) or a Tick, and every output is queued for the driver
// (messages, log entries to persist, committed entries). It performs no I/O,
// reads no clock and draws randomness only from a PRNG seeded by the config,
// so a run is a pure function of its inputs.
//
// Use it through RawNode, which packages the outputs into Ready batches.
// The implementation is split by role: raft.cc (elections, terms, ticks,
// membership) and raft_replication.cc (leader replication, follower log
// handling, snapshots, ReadIndex).
//
// Ownership: reads but does not own config.storage.
// Thread safety: none; drive it from one thread.
namespace cairn::raft {

class Raft {
 public:
  static absl::StatusOr<std::unique_ptr<Raft>> Create(const Config& config);

  Raft(const Raft&) = delete;
  Raft& operator=(const Raft&) = delete;

  // Handles one message. Fails with ErrorCode::kUnavailable when a proposal
  // or read cannot be accepted (not leader, leader transfer in progress,
  // conf change pending); other messages never fail.
  [[nodiscard]] absl::Status Step(const Message& m);
  void Tick();

  // The driver applied a conf change entry. Returns the new membership.
  ConfState ApplyConfChange(const ConfChange& cc);

  // The driver persisted entries up to (stable_index, stable_term) (0: none),
  // the snapshot at stable_snapshot (0: none), and applied up to
  // `applied` (0: none). A leader counts its own log only from here on.
  void Advance(uint64_t stable_index, uint64_t stable_term,
               uint64_t stable_snapshot, uint64_t applied);

  std::vector<Message> TakeMessages();
  std::vector<ReadState> TakeReadStates();
  bool HasMessages() const { return !msgs_.empty(); }
  bool HasReadStates() const { return !read_states_.empty(); }

  SoftState GetSoftState() const { return {lead_, role_}; }
  HardState GetHardState() const { return {term_, vote_, log_.committed()}; }
  // Leader with lease reads: how many more ticks its lease lasts (0: none),
  // from the quorum's acknowledged heartbeats (Config::lease_reads).
  uint64_t LeaseTicksLeft() const;
  // How many ticks a lease lasts from the heartbeat a quorum acknowledged:
  // the lease was anchored LeaseLengthTicks() - LeaseTicksLeft() ticks ago.
  uint64_t LeaseLengthTicks() const;
  // Whether a conf change was proposed and has not been applied yet.
  bool HasPendingConfChange() const {
    return pending_conf_index_ > log_.applied();
  }

  uint64_t id() const { return id_; }
  uint64_t term() const { return term_; }
  uint64_t vote() const { return vote_; }
  uint64_t lead() const { return lead_; }
  Role role() const { return role_; }
  uint64_t lead_transferee() const { return lead_transferee_; }
  const RaftLog& log() const { return log_; }
  const ProgressTracker& tracker() const { return tracker_; }

 private:
  enum class CampaignType : uint8_t { kPreElection, kElection, kTransfer };

  explicit Raft(const Config& config);

  // --- raft.cc: roles, terms and elections.
  void BecomeFollower(uint64_t term, uint64_t lead);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void Reset(uint64_t term);
  void ResetRandomizedElectionTimeout();
  bool PastElectionTimeout() const {
    return election_elapsed_ >= randomized_election_timeout_;
  }
  // Whether this node may become leader (it is a voter).
  bool Promotable() const;
  void TickElection();
  void TickHeartbeat();
  void Hup(CampaignType type);
  void Campaign(CampaignType type);
  VoteResult Poll(uint64_t id, bool granted);
  void HandleVoteRequest(const Message& m);
  absl::Status StepCandidate(const Message& m);
  absl::Status StepFollower(const Message& m);
  void AbortLeaderTransfer() { lead_transferee_ = kNone; }
  void AfterConfChange();

  // --- raft_replication.cc: the log.
  void Send(Message m);
  // Sends an append (or a snapshot) if flow control allows. With
  // send_if_empty false, only when there are entries to send.
  bool MaybeSendAppend(uint64_t to, bool send_if_empty);
  void SendAppend(uint64_t to) { MaybeSendAppend(to, true); }
  bool SendSnapshot(uint64_t to, Progress& pr);
  void SendHeartbeat(uint64_t to, const std::string& context);
  void SendTimeoutNow(uint64_t to);
  void BcastAppend();
  void BcastHeartbeat(const std::string& context);
  // Appends entries proposed by this leader, assigning term and index.
  void AppendEntries(std::vector<Entry> entries);
  bool MaybeCommit();
  // Commit advanced: wake reads waiting for a current-term commit and tell
  // followers.
  void OnCommitAdvanced();
  absl::Status StepLeader(const Message& m);
  absl::Status Propose(const Message& m);
  void HandleAppendResponse(const Message& m, Progress& pr);
  void HandleHeartbeatResponse(const Message& m, Progress& pr);
  void HandleTransferLeader(const Message& m, Progress& pr);
  void HandleAppendEntries(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  bool Restore(const Snapshot& snap);
  absl::Status LeaderReadIndex(const Message& m);
  void AnswerReadIndex(const Message& req, uint64_t index);
  // Leader: whether a quorum acknowledged a heartbeat recent enough that no
  // other leader can have been elected since (see Config::lease_reads).
  bool LeaseValid() const;
  // Voter: whether it must refuse votes because it heard from a leader
  // within an election timeout (or restarted within one, as it may have
  // heard from one just before).
  bool InLease() const;
  bool CommittedEntryInCurrentTerm() const {
    return log_.TermOrZero(log_.committed()) == term_;
  }

  // Constant after construction.
  const uint64_t id_;
  const int election_timeout_;
  const int heartbeat_timeout_;
  const uint64_t max_msg_size_;
  const bool check_quorum_;
  const bool pre_vote_;
  const bool lease_reads_;
  const bool first_incarnation_;
  const int lease_drift_ticks_;
  const bool announce_commits_;

  // Persistent (HardState) and volatile state.
  uint64_t term_ = 0;
  uint64_t vote_ = kNone;
  uint64_t lead_ = kNone;
  Role role_ = Role::kFollower;
  RaftLog log_;
  ProgressTracker tracker_;

  int election_elapsed_ = 0;   // ticks since last reset (leader: since
                               // the last check-quorum round)
  int heartbeat_elapsed_ = 0;  // leader only
  int randomized_election_timeout_ = 0;
  uint64_t ticks_ = 0;  // ticks since this node was created
  // Leader only: per follower, the highest tick (of ours) at which we sent
  // a heartbeat that it acknowledged; the lease runs from these.
  std::map<uint64_t, uint64_t> heartbeat_acked_tick_;
  // Leader only: set once we sent kTimeoutNow in this term; the transferee
  // may win an election that ignores leases, so ours is void from then on.
  bool lease_revoked_ = false;
  std::mt19937_64 rng_;

  uint64_t lead_transferee_ = kNone;
  // Index of the last conf change proposed by this leader (or, right after
  // election, the last index: one may be in the log).
  uint64_t pending_conf_index_ = 0;

  ReadOnly read_only_;
  // ReadIndex requests that arrived before this leader committed an entry
  // of its term; replayed once it has.
  std::vector<Message> pending_read_index_;
  std::vector<ReadState> read_states_;
  std::vector<Message> msgs_;
};

}  // namespace cairn::raft
