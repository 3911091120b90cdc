#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "raft/log_storage.h"

// Parameters of one Raft replica. Times are in ticks: the driver calls
// RawNode::Tick() at a fixed interval (kv/ uses a clock; the simulator
// advances virtual time), so raft/ itself never reads a clock.
namespace cairn::raft {

struct Config {
  uint64_t id = 0;  // this replica's id, never 0
  // A follower that hears nothing from a leader for a randomised timeout in
  // [election_tick, 2 * election_tick) ticks starts an election.
  int election_tick = 10;
  // A leader sends heartbeats every heartbeat_tick ticks.
  int heartbeat_tick = 1;
  const LogStorage* storage = nullptr;  // not owned; outlives the node
  // Last index the state machine has applied (on restart). Committed
  // entries after it are handed out again. Raised to the snapshot index if
  // lower (the snapshot is applied by definition).
  uint64_t applied = 0;
  // Byte cap of entries per append message and per Ready's committed
  // entries (at least one entry is always sent).
  uint64_t max_size_per_msg = 1 << 20;
  // Appends in flight to one follower in the replicate state.
  int max_inflight_msgs = 256;
  // Campaign first without bumping the term, so a partitioned node that
  // rejoins does not depose a healthy leader.
  bool pre_vote = true;
  // A leader steps down when a quorum did not hear from it within an
  // election timeout, and followers ignore vote requests while they have a
  // live leader (leader lease).
  bool check_quorum = true;
  // The leader answers ReadIndex from its lease, without a heartbeat round,
  // while a quorum acknowledged a heartbeat sent less than
  // election_tick - 1 - lease_drift_ticks ticks ago. Safe because a voter
  // that heard from the leader refuses votes for election_tick of its own
  // ticks (check_quorum), at least election_tick - 1 ticks of time: no
  // other leader can exist inside the lease, provided the nodes' tick
  // rates differ by less than lease_drift_ticks per election timeout and
  // the driver ticks for all the time that passed (no ticks skipped when
  // it stalls). REQUIRES: check_quorum.
  bool lease_reads = false;
  // This replica has never existed before (a group being bootstrapped, a
  // replica a split or a new member's first message creates): it cannot
  // have acknowledged any leader, so it need not, as a restarted voter
  // must under lease_reads, refuse votes for an election timeout after
  // starting. Lets a new group elect its leader at once.
  bool first_incarnation = false;
  int lease_drift_ticks = 1;
  // Whether the leader tells its followers at once when the commit index
  // moves (one append each, empty when they hold everything), or lets the
  // news ride on the next append or heartbeat. The leader commits and
  // applies alike either way; announcing costs a message and a response
  // per follower per commit, which on a loaded machine competes with the
  // next proposal's round. Without it, an idle group's followers apply
  // up to heartbeat_tick ticks later.
  bool announce_commits = true;
  // Seeds the PRNG of the randomised election timeout (mixed with `id`, so
  // nodes sharing a seed still draw different timeouts).
  uint64_t seed = 0;

  // Fails with ErrorCode::kInvalidArgument on an unusable config.
  [[nodiscard]] absl::Status Validate() const;
};

}  // namespace cairn::raft
