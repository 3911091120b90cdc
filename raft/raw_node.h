#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raft/conf_change.h"
#include "raft/config.h"
#include "raft/progress.h"
#include "raft/types.h"

// RawNode is the driver-facing API of one Raft replica (etcd's RawNode):
// inputs are Tick(), Step() and the Propose*/Campaign/TransferLeader calls;
// outputs come out in batches as Ready.
//
// The driver loop:
//
//   node->Tick() / node->Step(msg) / node->Propose(data) ...
//   if (node->HasReady()) {
//     Ready rd = node->GetReady();
//     1. persist, in this order: rd.snapshot (ApplySnapshot), rd.entries
//        (Append, which truncates a conflicting suffix), rd.hard_state;
//        fsync if rd.must_sync;
//     2. send rd.messages;
//     3. apply rd.snapshot to the state machine, then rd.committed_entries
//        in order (a kConfChange entry: DecodeConfChange, ApplyConfChange,
//        persist the returned ConfState); serve rd.read_states;
//     4. node->Advance(rd);
//   }
//
// committed_entries may include entries of the same Ready's `entries`
// (a follower learns of commit together with the entries), which is why
// step 1 comes before step 3. A leader counts its own log towards the
// quorum only once Advance() says it is durable, so a leader's proposal
// shows up in `entries` of one Ready and, once a quorum holds it, in
// `committed_entries` of a LATER Ready: for a single voter, the very next
// one after Advance(). Each new leader's empty entry (data == "") is
// committed like any other; drivers apply it as a no-op.
//
// Bootstrap: see raft/bootstrap.h. Restart: build a RawNode over the
// storage with config.applied = last applied index; committed entries after
// it are handed out again in the first Ready(s). Every node starts as a
// follower; a single voter becomes leader on Campaign() or after its
// election timeout.
//
// Thread safety: none; one thread drives a RawNode. REQUIRES: GetReady()
// and Advance() alternate strictly.
namespace cairn::raft {

struct Ready {
  std::optional<SoftState> soft_state;   // {lead, role}, when changed
  std::optional<HardState> hard_state;   // when changed: persist
  std::vector<Entry> entries;            // persist before sending messages
  std::optional<Snapshot> snapshot;      // persist and apply
  std::vector<Entry> committed_entries;  // apply, in order
  std::vector<Message> messages;         // send after persisting
  std::vector<ReadState> read_states;    // answered ReadIndex requests
  bool must_sync = false;  // entries/term/vote changed: fsync first
};

struct Status {
  uint64_t id = 0;
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;
  uint64_t applied = 0;
  uint64_t lead = 0;
  Role role = Role::kFollower;
  ConfState conf_state;
  // Leader only: the replication state of every member (including itself).
  std::map<uint64_t, Progress> progress;
  // A conf change was proposed and is not applied yet (another is refused).
  bool conf_change_pending = false;
};

class Raft;

class RawNode {
 public:
  // Loads the replica's state from config.storage. Fails with
  // kInvalidArgument on a bad config, kDataCorrupted on inconsistent
  // storage.
  static absl::StatusOr<std::unique_ptr<RawNode>> Create(const Config& config);
  ~RawNode();

  RawNode(const RawNode&) = delete;
  RawNode& operator=(const RawNode&) = delete;

  // Advances logical time by one tick (election and heartbeat timers).
  void Tick();
  // Starts an election now (pre-vote first if configured). A single voter
  // becomes leader at once.
  [[nodiscard]] absl::Status Campaign();
  // Fails with ErrorCode::kUnavailable ("not leader") when this replica is
  // not the leader or is transferring leadership. An accepted proposal can
  // still be lost if leadership changes before it commits: the driver tags
  // its commands (e.g. with an id) and retries on timeout.
  // REQUIRES: !data.empty() (empty data marks a leader's no-op entry);
  // else kInvalidArgument.
  [[nodiscard]] absl::Status Propose(std::string data);
  // Like Propose; also fails (kUnavailable) while an earlier conf change is
  // not yet applied, and (kInvalidArgument) when it would remove the last
  // voter.
  [[nodiscard]] absl::Status ProposeConfChange(const ConfChange& cc);
  // Called by the driver when it applies a committed kConfChange entry.
  // Returns the membership to persist with the applied index.
  ConfState ApplyConfChange(const ConfChange& cc);
  // A message from another replica. Fails (kInvalidArgument) on local-only
  // message types.
  [[nodiscard]] absl::Status Step(const Message& m);
  // Asks the leader to hand leadership to `transferee` (works on followers
  // too: forwarded to the leader).
  void TransferLeader(uint64_t transferee);
  // Requests a linearizable read point; the answer comes back as a
  // ReadState with the same context in a later Ready. Fails (kUnavailable)
  // when there is no leader. A request lost to a leader change is dropped
  // silently: the driver retries on timeout.
  [[nodiscard]] absl::Status ReadIndex(std::string context);
  // Transport feedback: `id` could not be reached / a snapshot sent to it
  // finished. The driver must report every snapshot it sends, or the
  // leader stops replicating to that peer.
  void ReportUnreachable(uint64_t id);
  void ReportSnapshot(uint64_t id, bool success);

  bool HasReady() const;
  Ready GetReady();
  // The driver has done everything `rd` asked for (see the loop above).
  void Advance(const Ready& rd);

  Status GetStatus() const;
  // Leader with Config::lease_reads: ticks its lease still lasts (0: no
  // valid lease). Reads served within it see every committed write.
  uint64_t LeaseTicksLeft() const;
  // How long a lease lasts in ticks from its anchoring heartbeat.
  uint64_t LeaseLengthTicks() const;
  uint64_t leader() const;
  bool is_leader() const;

 private:
  explicit RawNode(std::unique_ptr<Raft> raft);

  std::unique_ptr<Raft> raft_;
  // What the driver was last handed, to report only changes.
  SoftState prev_soft_state_;
  HardState prev_hard_state_;
};

}  // namespace cairn::raft
