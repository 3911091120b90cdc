#include "sim_workload.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim_cluster.h"
#include "sim_nemesis.h"

namespace cairn::raft::sim {

namespace {

constexpr int kElectionTick = 10;

// Liveness bound after every fault has healed, in election timeouts (of
// kElectionTick ticks). Once the network is whole and every node is up, a
// follower times out within 2 election timeouts (randomised in [E, 2E));
// pre-vote and vote take a round trip of well under a tick; a split vote
// costs at most another 2E, and randomised timeouts make repeated splits
// rare (each round splits with probability well below 1/2). Followers
// that heard from a leader ignore candidates for up to E (check-quorum
// lease), a leader transfer in progress blocks proposals for up to E, and
// a lagging or new member catches up by one snapshot plus a probe, a few
// ticks. The common case is under 4E; 20E leaves room for several unlucky
// rounds, while a livelock (e.g. a disruptive node) still fails the seed.
// Moving a large backlog of entries takes extra time (BacklogAllowance).
constexpr int kLivenessElectionTimeouts = 20;
// Without pre-vote, a voter whose log is behind still campaigns, bumps the
// term and so restarts everyone's timer; only a voter with a complete log
// can win, and it must time out first, among up to 6 live voters. A round
// (about 1.3E) then succeeds with probability as low as 1/6 (found by seed
// 174870 of the first soak: 16 rounds lost by the one eligible voter of
// three). 100E is ~75 rounds: (5/6)^75 < 1e-5 in the worst case, and far
// less in the usual ones.
constexpr int kLivenessElectionTimeoutsWithoutPreVote = 100;

bool HasPayload(const StateMachine& sm, const std::string& p) {
  // Finals are proposed last, so look from the end.
  return std::find(sm.payloads.rbegin(), sm.payloads.rend(), p) !=
         sm.payloads.rend();
}

// Replica GC: destroys the replicas that were members once (they applied
// something) but are not in the group's latest applied membership, as a
// real system removes the replicas of a group they left. Without it a
// removed replica that missed its removal disrupts the group forever when
// neither pre-vote nor check-quorum is on (a known Raft limitation).
//
// The membership is the one applied at the highest index by any node so
// far (SimChecker::latest_membership), not the newest among the nodes'
// current states: those go back when a crash loses unsynced applies, and
// then miss a learner whose addition is committed but applied nowhere any
// more -- a learner that has already installed a snapshot from before its
// addition (found by seed 2070302).
void CollectRemoved(SimCluster& c) {
  const std::optional<ConfState>& latest = c.checker().latest_membership();
  if (!latest.has_value()) return;
  const ConfState& cs = *latest;
  for (const auto& [id, n] : c.nodes()) {
    const bool member =
        std::count(cs.voters.begin(), cs.voters.end(), id) +
            std::count(cs.learners.begin(), cs.learners.end(), id) > 0;
    if (member || n->destroyed() ||
        n->disk().state_machine().applied_index == 0) {
      continue;
    }
    c.Trace(1, "replica GC: node %d is no longer a member", id);
    n->Destroy();
  }
}

// The final proposal `p` is applied on every member of `leader`'s group.
bool AppliedEverywhere(SimCluster& c, SimNode& leader, const std::string& p) {
  const ConfState cs = leader.raw().GetStatus().conf_state;
  std::vector<uint64_t> members = cs.voters;
  members.insert(members.end(), cs.learners.begin(), cs.learners.end());
  for (uint64_t id : members) {
    SimNode* n = c.node(id);
    if (n == nullptr || !n->up() ||
        !HasPayload(n->disk().state_machine(), p)) {
      return false;
    }
  }
  return true;
}

// Time a backlog of log entries may take to move, on top of the
// liveness bounds: after a long fault phase a leader may have to ship
// hundreds of entries (a stale leader without check-quorum keeps accepting
// proposals it cannot commit) and every replica to apply them, and runs
// with tiny messages, one append in flight and slow fsyncs move as few as
// two entries per round trip. The worst round trip is two message
// latencies, an fsync and a heartbeat interval (a paused probe waits for
// a heartbeat answer). The backlog is everything between the lowest
// applied index and the highest last index of the live replicas.
SimTime BacklogAllowance(SimCluster& c, const SimNode::Options& opt) {
  uint64_t lowest_applied = UINT64_MAX;
  uint64_t highest_last = 0;
  for (uint64_t id : c.LiveIds()) {
    const SimDisk& d = c.node(id)->disk();
    lowest_applied = std::min(lowest_applied, d.state_machine().applied_index);
    highest_last = std::max(highest_last, d.storage().LastIndex());
  }
  if (highest_last <= lowest_applied) return 0;
  // An entry takes at most 24 bytes plus a payload of at most 9.
  const uint64_t per_batch =
      std::max<uint64_t>(1, opt.config.max_size_per_msg / 33);
  const uint64_t batches = (highest_last - lowest_applied) / per_batch + 1;
  const SimTime round_trip = 2 * SimNetwork::Conditions{}.max_latency +
                             opt.max_sync_latency +
                             opt.config.heartbeat_tick * kTickInterval;
  return static_cast<SimTime>(batches) * round_trip;
}

// Heal phase: fails the checker on a liveness violation. A leader must be
// elected and a fresh proposal committed (held by a majority) within the
// liveness bound; then every member must apply it (no member is left
// stranded) within another election-timeout bound. Both bounds add the
// backlog allowance.
void CheckLiveness(SimCluster& c, SimNemesis& nemesis,
                   const SimNode::Options& opt) {
  nemesis.HealAll();
  const SimTime healed = c.now();
  const SimTime allowance = BacklogAllowance(c, opt);
  const int timeouts = opt.config.pre_vote
                           ? kLivenessElectionTimeouts
                           : kLivenessElectionTimeoutsWithoutPreVote;
  const SimTime election = kElectionTick * kTickInterval;
  SimTime deadline = healed + timeouts * election + allowance;
  std::vector<std::string> finals;
  std::string committed;  // the first final known committed
  uint64_t asked_leader = 0;
  uint64_t asked_term = 0;
  SimTime asked_at = 0;
  while (!c.failed()) {
    CollectRemoved(c);
    SimNode* leader = c.Leader();
    if (committed.empty()) {
      for (const std::string& p : finals) {
        if (!c.checker().IsCommitted(p)) continue;
        committed = p;
        c.Trace(1, "liveness: \"%s\" committed after %.1f ticks", p,
                static_cast<double>(c.now() - healed) / kTickInterval);
        deadline = c.now() + timeouts * election + allowance;
        break;
      }
    }
    if (!committed.empty() && leader != nullptr &&
        AppliedEverywhere(c, *leader, committed)) {
      c.Trace(1, "liveness: \"%s\" applied everywhere after %.1f ticks",
              committed,
              static_cast<double>(c.now() - healed) / kTickInterval);
      return;
    }
    if (c.now() > deadline) {
      const double ticks =
          static_cast<double>(c.now() - healed) / kTickInterval;
      const double allowed = static_cast<double>(allowance) / kTickInterval;
      if (committed.empty()) {
        c.checker().Fail(absl::StrFormat(
            "liveness: %.0f ticks after all faults healed (bound %d election "
            "timeouts + %.0f ticks of backlog), %s (finals proposed: %s)",
            ticks, timeouts, allowed,
            leader == nullptr ? "there is no leader"
                              : "no new proposal committed",
            absl::StrJoin(finals, ",")));
      } else {
        c.checker().Fail(absl::StrFormat(
            "liveness: \"%s\" committed but, %.0f ticks after all faults "
            "healed (bound %d election timeouts + %.0f ticks of backlog "
            "after the commit), %s",
            committed, ticks, timeouts, allowed,
            leader == nullptr ? "there is no leader"
                              : "some member has not applied it"));
      }
      return;
    }
    // (Re)propose to each new leader, and again after a while: a proposal
    // can be lost with a leader change.
    if (committed.empty() && leader != nullptr &&
        (leader->id() != asked_leader || leader->term() != asked_term ||
         c.now() - asked_at > 3 * election)) {
      const std::string p = absl::StrFormat("f%d", finals.size());
      if (leader->raw().Propose(p).ok()) {
        finals.push_back(p);
        asked_leader = leader->id();
        asked_term = leader->term();
        asked_at = c.now();
        c.AfterStep();
      }
    }
    c.RunUntil(c.now() + kTickInterval / 2);
  }
}

}  // namespace

SimResult RunSimulation(uint64_t seed, int verbosity) {
  SimCluster c(seed, verbosity);
  SimRandom& rng = c.rng();

  // Per-run driver and raft settings.
  SimNode::Options opt;
  opt.config.election_tick = kElectionTick;
  opt.config.heartbeat_tick = rng.Chance(0.8) ? 1 : 3;
  opt.config.pre_vote = rng.Chance(0.8);
  opt.config.check_quorum = rng.Chance(0.8);
  static constexpr uint64_t kMsgBytes[] = {64, 256, 1 << 20};
  opt.config.max_size_per_msg = kMsgBytes[rng.Uniform(3)];
  static constexpr int kInflight[] = {1, 4, 256};
  opt.config.max_inflight_msgs = kInflight[rng.Uniform(3)];
  static constexpr double kExtraSync[] = {0, 0.1, 0.5};
  opt.extra_sync = kExtraSync[rng.Uniform(3)];
  // Most runs lose every unsynced write on a crash; some keep a prefix of
  // the unsynced write batches.
  opt.keep_unsynced = rng.Chance(0.3) ? 0.5 : 0;
  static constexpr SimTime kSyncLatency[] = {0, 0, 2000, 20000};
  opt.max_sync_latency = kSyncLatency[rng.Uniform(4)];
  // Runs with check-quorum also issue linearizable reads (ReadIndex), half
  // of them served from the leader's lease. Drawn from a random source of
  // their own, so that the other choices of a seed stay what they were.
  SimRandom read_rng(seed ^ 0x5eadbeefcafef00dULL);
  const bool reads = opt.config.check_quorum;
  opt.config.lease_reads = reads && read_rng.Chance(0.5);
  // Half the runs let commits ride on the next append or heartbeat, as the
  // kv store does; a source of its own again, for the same reason.
  SimRandom commit_rng(seed ^ 0xc0111177ab1eULL);
  opt.config.announce_commits = commit_rng.Chance(0.5);
  const int voters = static_cast<int>(rng.Range(3, 7));
  c.set_compaction(rng.Range(5, 80), rng.Range(0, 5));
  const SimTime fault_end = rng.Range(200, 1500) * kTickInterval;
  c.Trace(1,
          "seed %d: %d voters, heartbeat %d, pre-vote %d, check-quorum %d, "
          "lease reads %d, announce commits %d, msg bytes %d, inflight %d, "
          "fault phase %d ticks",
          seed, voters, opt.config.heartbeat_tick, opt.config.pre_vote,
          opt.config.check_quorum, opt.config.lease_reads, opt.config.announce_commits,
          opt.config.max_size_per_msg,
          opt.config.max_inflight_msgs, fault_end / kTickInterval);
  c.Bootstrap(voters, opt);
  SimNemesis nemesis(&c);

  // Fault phase: faults, restarts and proposals between the events.
  SimTime next_fault = rng.Range(0, 5 * kTickInterval);
  SimTime next_proposal = rng.Range(0, kTickInterval);
  int64_t proposals = 0;
  int64_t read_count = 0;
  while (!c.failed()) {
    const SimTime t =
        std::min({next_fault, next_proposal, nemesis.NextRestart(), fault_end});
    c.RunUntil(t);
    if (c.failed() || t >= fault_end) break;
    if (nemesis.NextRestart() <= t) nemesis.RestartDue();
    if (next_fault <= t) {
      nemesis.Act();
      next_fault = t + rng.Range(kTickInterval / 2, 8 * kTickInterval);
    }
    if (next_proposal <= t) {
      std::vector<SimNode*> leaders;
      for (const auto& [id, n] : c.nodes()) {
        if (n->is_leader()) leaders.push_back(n.get());
      }
      // Any node that believes it leads, stale ones included.
      if (!leaders.empty()) {
        SimNode* l = rng.Pick(leaders);
        if (l->raw().Propose(absl::StrFormat("p%d", proposals)).ok()) {
          ++proposals;
        }
        c.AfterStep();
      }
      next_proposal = t + rng.Range(kTickInterval / 4, 3 * kTickInterval);
      if (reads) {
        // A read on any node that is up: followers forward it.
        std::vector<SimNode*> up;
        for (const auto& [id, n] : c.nodes()) {
          if (n->up()) up.push_back(n.get());
        }
        if (!up.empty()) {
          const std::string context = absl::StrFormat("r%d", read_count++);
          SimNode* n = read_rng.Pick(up);
          c.checker().OnReadIssued(context);
          (void)n->raw().ReadIndex(context);
          c.AfterStep();
        }
      }
    }
  }
  if (!c.failed()) CheckLiveness(c, nemesis, opt);

  SimResult result;
  result.ticks = c.now() / kTickInterval;
  int crashes = 0;
  for (const auto& [id, n] : c.nodes()) crashes += n->crashes();
  result.summary = absl::StrFormat(
      "%d voters, %d nodes, %d ticks, %d events, %d proposals, %d applied "
      "payloads, %d committed entries, %d leader changes, %d crashes, "
      "%d snapshots, %d reads checked",
      voters, c.nodes().size(), result.ticks, c.stats().events, proposals,
      c.checker().history_size(), c.checker().max_committed(),
      c.stats().leader_changes, crashes, c.stats().snapshots_sent,
      c.checker().reads_checked());
  if (c.failed()) {
    result.ok = false;
    result.violation = absl::StrCat(c.checker().violation(), "\n",
                                    c.DebugString());
  }
  return result;
}

}  // namespace cairn::raft::sim
