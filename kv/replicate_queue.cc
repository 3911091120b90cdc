#include "kv/replicate_queue.h"

#include <algorithm>
#include <set>

#include "common/logging.h"
#include "common/metrics.h"

namespace cairn::kv {

ReplicateQueue::ReplicateQueue(Store* store, NodeRegistry* registry, Options options)
    : store_(store),
      registry_(registry),
      options_(options),
      lag_gauge_(MetricRegistry::Global().GetGauge(
          "cairn_raft_replication_lag_entries",
          "Largest number of committed log entries a voter lacks, over the ranges led here")) {}

ReplicateQueue::~ReplicateQueue() { Stop(); }

void ReplicateQueue::Start() { task_.Start(); }

void ReplicateQueue::Stop() { task_.Stop(); }

void ReplicateQueue::RunOnce() {
  const std::vector<NodeRegistry::Member> members = registry_->Members();
  uint64_t lag = 0;
  for (Replica* r : store_->replicas()) {
    if (!r->IsServing()) continue;
    const Replica::Membership m = r->GetMembership();
    for (uint64_t v : m.voters) {
      auto match = m.match.find(v);
      const uint64_t at = match == m.match.end() ? 0 : match->second;
      lag = std::max(lag, m.commit > at ? m.commit - at : 0);
    }
    if (!members.empty()) Step(r, members);  // none before the first heartbeat
  }
  lag_gauge_->Set(static_cast<int64_t>(lag));
}

void ReplicateQueue::Step(Replica* replica, const std::vector<NodeRegistry::Member>& members) {
  const uint64_t self = store_->ident().node_id();
  const Replica::Membership m = replica->GetMembership();
  if (m.voters.empty() || m.conf_change_pending) return;
  // Where replicas may be: live nodes not being decommissioned. Replicas
  // elsewhere are replaced as a dead node's are.
  std::set<uint64_t> live;
  bool self_leaving = false;
  for (const auto& member : members) {
    if (member.placeable()) live.insert(member.record.node_id());
    if (member.record.node_id() == self) {
      self_leaving = member.record.decommissioning() || member.record.draining();
    }
  }
  if (self_leaving) {
    // A node being decommissioned or drained leads nothing it can hand over.
    if (uint64_t to = CaughtUpVoter(m, members); to != 0) {
      CAIRN_LOG_INFO("range {}: handing the lease to node {}: this node is leaving or draining",
                     replica->range_id(), to);
      replica->TransferLeadership(to);
      return;
    }
  }
  auto match_of = [&](uint64_t id) {
    auto it = m.match.find(id);
    return it == m.match.end() ? 0 : it->second;
  };

  // A learner where replicas may no longer be (its node died or is being
  // decommissioned while it caught up) goes; it would never be promoted.
  for (uint64_t learner : m.learners) {
    if (live.contains(learner)) continue;
    CAIRN_LOG_INFO("range {}: removing the learner on node {}", replica->range_id(), learner);
    replica->ProposeConfChange({.type = raft::ConfChange::Type::kRemoveNode, .node_id = learner});
    return;
  }
  // Promote a learner that holds the log up to the commit point.
  for (uint64_t learner : m.learners) {
    if (live.contains(learner) && match_of(learner) >= m.commit) {
      CAIRN_LOG_INFO("range {}: promoting the replica on node {} to voter", replica->range_id(),
                     learner);
      replica->ProposeConfChange({.type = raft::ConfChange::Type::kAddVoter, .node_id = learner});
      return;
    }
  }
  if (!m.learners.empty()) return;  // still catching up

  auto is_voter = [&](uint64_t id) {
    return std::find(m.voters.begin(), m.voters.end(), id) != m.voters.end();
  };
  size_t live_voters = 0;
  for (uint64_t v : m.voters) live_voters += live.contains(v) ? 1 : 0;
  const size_t factor = options_.replication_factor();
  const size_t target = std::min(factor, live.size());

  // Too few live voters: add a learner on the live node without a replica
  // that holds the fewest ranges. A dead voter stays until its replacement
  // is a voter: removing it first would leave two voters, and the group
  // would be stuck for good if one of them failed before the replacement
  // caught up.
  if (live_voters < target) {
    const NodeRegistry::Member* best = nullptr;
    for (const auto& member : members) {
      if (!member.placeable() || is_voter(member.record.node_id())) continue;
      if (best == nullptr || member.record.range_count() < best->record.range_count()) {
        best = &member;
      }
    }
    if (best == nullptr) return;
    CAIRN_LOG_INFO("range {}: adding a replica on node {} ({} live voters, target {})",
                   replica->range_id(), best->record.node_id(), live_voters, target);
    replica->ProposeConfChange(
        {.type = raft::ConfChange::Type::kAddLearner, .node_id = best->record.node_id()});
    return;
  }
  if (m.voters.size() <= factor) {
    // A dead voter with no spare node to replace it stays: it counts against
    // the quorum as a removed one would, and rejoins if its node returns.
    if (m.voters.size() == target) Balance(replica, m, members);
    return;
  }
  // More voters than the replication factor (a replacement done): drop a
  // dead one first, else the one on the most loaded other live node.
  for (uint64_t v : m.voters) {
    if (live.contains(v) || v == self) continue;
    CAIRN_LOG_INFO("range {}: removing the replica on node {} (dead or being decommissioned)",
                   replica->range_id(), v);
    replica->ProposeConfChange({.type = raft::ConfChange::Type::kRemoveNode, .node_id = v});
    return;
  }
  // The most loaded voter goes (a balancing move done: the node it came
  // from); on a tie, not this one, which would first have to hand off.
  const NodeRegistry::Member* most = nullptr;
  for (const auto& member : members) {
    const uint64_t id = member.record.node_id();
    if (!member.placeable() || !is_voter(id)) continue;
    const uint64_t count = member.record.range_count();
    if (most == nullptr || count > most->record.range_count() ||
        (count == most->record.range_count() && most->record.node_id() == self)) {
      most = &member;
    }
  }
  if (most == nullptr) return;
  if (most->record.node_id() == self) {
    // Raft can remove its leader, but the range would be leaderless until
    // an election: hand the lease over and let the new leader remove us.
    if (uint64_t to = CaughtUpVoter(m, members); to != 0) {
      CAIRN_LOG_INFO("range {}: handing the lease to node {} before leaving the range",
                     replica->range_id(), to);
      replica->TransferLeadership(to);
    }
    return;
  }
  CAIRN_LOG_INFO("range {}: removing the replica on node {} ({} voters, replication factor {})",
                 replica->range_id(), most->record.node_id(), m.voters.size(),
                 factor);
  replica->ProposeConfChange(
      {.type = raft::ConfChange::Type::kRemoveNode, .node_id = most->record.node_id()});
}

uint64_t ReplicateQueue::CaughtUpVoter(const Replica::Membership& m,
                                       const std::vector<NodeRegistry::Member>& members) const {
  const uint64_t self = store_->ident().node_id();
  const NodeRegistry::Member* best = nullptr;
  for (const auto& member : members) {
    const uint64_t id = member.record.node_id();
    if (id == self || !member.can_lead() || !m.active.contains(id)) continue;
    if (std::find(m.voters.begin(), m.voters.end(), id) == m.voters.end()) continue;
    auto match = m.match.find(id);
    if (match == m.match.end() || match->second < m.commit) continue;
    if (best == nullptr || member.record.lease_count() < best->record.lease_count()) best = &member;
  }
  return best == nullptr ? 0 : best->record.node_id();
}

bool ReplicateQueue::MoveReplica(Replica* replica, const Replica::Membership& m,
                                 const std::vector<NodeRegistry::Member>& members) {
  auto is_member = [&](uint64_t id) {
    return std::find(m.voters.begin(), m.voters.end(), id) != m.voters.end() ||
           std::find(m.learners.begin(), m.learners.end(), id) != m.learners.end();
  };
  const NodeRegistry::Member* fullest = nullptr;   // a voter of this range
  const NodeRegistry::Member* emptiest = nullptr;  // a live node without it
  for (const auto& member : members) {
    if (!member.placeable()) continue;
    const uint64_t count = member.record.range_count();
    if (is_member(member.record.node_id())) {
      if (fullest == nullptr || count > fullest->record.range_count()) fullest = &member;
    } else if (emptiest == nullptr || count < emptiest->record.range_count()) {
      emptiest = &member;
    }
  }
  // Two apart at least: a move between counts one apart only swaps them.
  if (fullest == nullptr || emptiest == nullptr ||
      fullest->record.range_count() < emptiest->record.range_count() + 2) {
    return false;
  }
  CAIRN_LOG_INFO("range {}: moving a replica from node {} ({} ranges) to node {} ({} ranges)",
                 replica->range_id(), fullest->record.node_id(), fullest->record.range_count(),
                 emptiest->record.node_id(), emptiest->record.range_count());
  // The learner catches up, is promoted, and then the group has one voter
  // too many: the one on the fullest node is removed (Step).
  replica->ProposeConfChange(
      {.type = raft::ConfChange::Type::kAddLearner, .node_id = emptiest->record.node_id()});
  return true;
}

bool ReplicateQueue::Balance(Replica* replica, const Replica::Membership& m,
                             const std::vector<NodeRegistry::Member>& members) {
  // One replica move and one lease move at a time on this node: the counts
  // it decides by are a heartbeat old, and two moves on the same counts
  // overshoot.
  const absl::Time now = absl::Now();
  const absl::Duration cooldown = absl::Milliseconds(options_.balance_cooldown_ms);
  if (now - last_replica_move_ >= cooldown && MoveReplica(replica, m, members)) {
    last_replica_move_ = now;
    return true;
  }
  if (now - last_lease_move_ < cooldown) return false;
  const uint64_t self = store_->ident().node_id();
  auto is_voter = [&](uint64_t id) {
    return std::find(m.voters.begin(), m.voters.end(), id) != m.voters.end();
  };
  const NodeRegistry::Member* fewest_leases = nullptr;  // a caught-up, active voter
  uint64_t live_nodes = 0;
  uint64_t leases = 0;
  uint64_t my_leases = 0;
  for (const auto& member : members) {
    if (!member.placeable()) continue;
    const proto::NodeRecord& r = member.record;
    ++live_nodes;
    leases += r.lease_count();
    if (r.node_id() == self) my_leases = r.lease_count();
    if (!is_voter(r.node_id())) continue;
    auto match = m.match.find(r.node_id());
    if (r.node_id() != self && member.can_lead() && m.active.contains(r.node_id()) &&
        match != m.match.end() && match->second >= m.commit &&
        (fewest_leases == nullptr || r.lease_count() < fewest_leases->record.lease_count())) {
      fewest_leases = &member;
    }
  }
  // This node's fair share of leases, rounded up.
  const uint64_t share = live_nodes == 0 ? 0 : (leases + live_nodes - 1) / live_nodes;
  if (fewest_leases != nullptr && my_leases > share &&
      fewest_leases->record.lease_count() + 1 < my_leases) {
    CAIRN_LOG_INFO("range {}: handing the lease to node {} ({} leases here, {} there)",
                   replica->range_id(), fewest_leases->record.node_id(), my_leases,
                   fewest_leases->record.lease_count());
    replica->TransferLeadership(fewest_leases->record.node_id());
    last_lease_move_ = now;
    return true;
  }
  return false;
}

}  // namespace cairn::kv
