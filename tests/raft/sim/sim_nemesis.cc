#include "sim_nemesis.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "raft/conf_change.h"

namespace cairn::raft::sim {

namespace {

// Most runs keep the voters between 3 and 7 (the range).
constexpr size_t kMinVoters = 3;
constexpr size_t kMaxMembers = 7;
// Node objects ever created, so a run stays small.
constexpr size_t kMaxNodes = 12;

bool Contains(const std::vector<uint64_t>& v, uint64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

void SimNemesis::Act() {
  SimCluster& c = *cluster_;
  SimRandom& rng = c.rng();
  SimNetwork& net = c.net();
  const int roll = static_cast<int>(rng.Uniform(100));
  if (roll < 10) {
    Partition();
  } else if (roll < 16) {
    Asymmetric();
  } else if (roll < 21) {
    // Isolate one node.
    std::vector<uint64_t> ids = c.LiveIds();
    const uint64_t victim = rng.Pick(ids);
    ids.erase(std::find(ids.begin(), ids.end(), victim));
    net.Split({victim}, ids);
    c.Trace(1, "nemesis: isolate %d", victim);
  } else if (roll < 31) {
    net.HealPartitions();
    c.Trace(1, "nemesis: heal partitions");
  } else if (roll < 41) {
    SimNetwork::Conditions cond = net.conditions();
    static constexpr double kLoss[] = {0, 0, 0.02, 0.1, 0.3};
    static constexpr double kDup[] = {0, 0, 0.02, 0.1};
    cond.loss = kLoss[rng.Uniform(5)];
    cond.duplicate = kDup[rng.Uniform(4)];
    switch (rng.Uniform(3)) {
      case 0:  // a LAN
        cond.max_latency = 3000;
        cond.stall = 0;
        cond.max_stall = 0;
        break;
      case 1:  // slow and jittery: heavy reordering
        cond.max_latency = 3 * kTickInterval;
        cond.stall = 0;
        cond.max_stall = 0;
        break;
      default:  // mostly fast, some messages stuck for long
        cond.max_latency = 3000;
        cond.stall = 0.05;
        cond.max_stall = 20 * kTickInterval;
        break;
    }
    net.set_conditions(cond);
    c.Trace(1, "nemesis: loss %.2f dup %.2f latency <= %d us stall %.2f",
            cond.loss, cond.duplicate, cond.max_latency, cond.stall);
  } else if (roll < 49) {
    CrashNode(/*armed=*/false);
  } else if (roll < 55) {
    CrashNode(/*armed=*/true);
  } else if (roll < 63) {
    Bounce();
  } else if (roll < 75) {
    ChangeMembership();
  } else if (roll < 83) {
    TransferLeader();
  } else if (roll < 87) {
    std::vector<uint64_t> up = c.UpIds();
    if (up.empty()) return;
    const uint64_t id = rng.Pick(up);
    c.Trace(1, "nemesis: compact %d", id);
    c.node(id)->Compact(rng.Uniform(3));
  } else if (roll < 91) {
    std::vector<uint64_t> up = c.UpIds();
    if (up.empty()) return;
    c.node(rng.Pick(up))->disk().Sync();
  } else if (roll < 95) {
    std::vector<uint64_t> up = c.UpIds();
    if (up.empty()) return;
    const uint64_t id = rng.Pick(up);
    c.Trace(1, "nemesis: %d campaigns", id);
    (void)c.node(id)->raw().Campaign();
  } else {
    // Restart a crashed node early.
    if (restarts_.empty()) return;
    auto it = restarts_.begin();
    std::advance(it, rng.Uniform(restarts_.size()));
    const uint64_t id = it->second;
    restarts_.erase(it);
    c.Restart(id);
  }
  c.AfterStep();
}

void SimNemesis::Partition() {
  SimCluster& c = *cluster_;
  std::vector<uint64_t> a;
  std::vector<uint64_t> b;
  for (uint64_t id : c.LiveIds()) (c.rng().Chance(0.5) ? a : b).push_back(id);
  c.net().Split(a, b);
  c.Trace(1, "nemesis: partition %d | %d nodes", a.size(), b.size());
}

void SimNemesis::Asymmetric() {
  SimCluster& c = *cluster_;
  SimRandom& rng = c.rng();
  const std::vector<uint64_t> ids = c.LiveIds();
  const uint64_t victim = rng.Pick(ids);
  // The victim hears the others but they do not hear it, or the reverse.
  const bool deaf = rng.Chance(0.5);
  for (uint64_t other : ids) {
    if (other == victim || !rng.Chance(0.7)) continue;
    if (deaf) {
      c.net().Block(other, victim);
    } else {
      c.net().Block(victim, other);
    }
  }
  c.Trace(1, "nemesis: %d cannot %s", victim, deaf ? "hear" : "speak");
}

void SimNemesis::CrashNode(bool armed) {
  SimCluster& c = *cluster_;
  SimRandom& rng = c.rng();
  const std::vector<uint64_t> up = c.UpIds();
  if (up.empty()) return;
  const uint64_t id = rng.Pick(up);
  SimNode* n = c.node(id);
  if (armed) {
    static constexpr CrashPoint kPoints[] = {
        CrashPoint::kBeforeSync, CrashPoint::kBeforeSend, CrashPoint::kMidSend,
        CrashPoint::kMidApply, CrashPoint::kBeforeAdvance};
    const CrashPoint p = kPoints[rng.Uniform(5)];
    n->ArmCrash(p);
    c.Trace(1, "nemesis: node %d will crash at point %d of its next Ready",
            id, static_cast<int>(p));
  } else {
    c.Trace(1, "nemesis: crash %d (%d unsynced batches)", id,
            n->disk().unsynced_batches());
    n->Crash(rng);
  }
  ScheduleRestart(id);
}

void SimNemesis::Bounce() {
  SimCluster& c = *cluster_;
  // Prefer a node in the middle of an election that has voted: whether
  // its vote survives a restart is what keeps a term to one leader.
  std::vector<uint64_t> voted;
  for (uint64_t id : c.UpIds()) {
    const Status st = c.node(id)->raw().GetStatus();
    if (st.vote != kNone && st.lead == kNone) voted.push_back(id);
  }
  if (voted.empty()) voted = c.UpIds();
  if (voted.empty()) return;
  const uint64_t id = c.rng().Pick(voted);
  c.Trace(1, "nemesis: bounce %d", id);
  c.node(id)->Crash(c.rng());
  c.Restart(id);
}

void SimNemesis::ScheduleRestart(uint64_t id) {
  // Drop any earlier schedule of the same node.
  for (auto it = restarts_.begin(); it != restarts_.end();) {
    it = it->second == id ? restarts_.erase(it) : std::next(it);
  }
  // Often back at once (a process restart), else after up to 30 ticks.
  SimRandom& rng = cluster_->rng();
  const SimTime downtime =
      rng.Range(0, rng.Chance(0.4) ? 2 : 30) * kTickInterval;
  restarts_.emplace(cluster_->now() + downtime, id);
}

void SimNemesis::RestartDue() {
  while (!restarts_.empty() && restarts_.begin()->first <= cluster_->now()) {
    const uint64_t id = restarts_.begin()->second;
    restarts_.erase(restarts_.begin());
    SimNode* n = cluster_->node(id);
    if (n != nullptr && n->up()) {
      // An armed crash that has not fired yet: look again later.
      if (n->armed() != CrashPoint::kNone) {
        restarts_.emplace(cluster_->now() + kTickInterval, id);
      }
      continue;
    }
    cluster_->Restart(id);
  }
}

void SimNemesis::ChangeMembership() {
  SimCluster& c = *cluster_;
  SimRandom& rng = c.rng();
  SimNode* leader = c.Leader();
  if (leader == nullptr) return;
  const ConfState cs = leader->raw().GetStatus().conf_state;
  const size_t members = cs.voters.size() + cs.learners.size();
  std::vector<ConfChange> options;
  if (members < kMaxMembers && c.nodes().size() < kMaxNodes) {
    options.push_back({ConfChange::Type::kAddLearner, 0});  // a new node
  }
  for (uint64_t l : cs.learners) {
    if (cs.voters.size() < kMaxMembers) {
      options.push_back({ConfChange::Type::kAddVoter, l});
    }
    options.push_back({ConfChange::Type::kRemoveNode, l});
  }
  if (cs.voters.size() > kMinVoters) {
    for (uint64_t v : cs.voters) {
      options.push_back({ConfChange::Type::kRemoveNode, v});
      options.push_back({ConfChange::Type::kAddLearner, v});  // demote
    }
  }
  if (options.empty()) return;
  ConfChange cc = rng.Pick(options);
  const bool add_node = cc.node_id == 0;
  if (add_node) cc.node_id = c.nodes().rbegin()->first + 1;
  absl::Status s = leader->raw().ProposeConfChange(cc);
  static constexpr const char* kTypes[] = {"add voter", "add learner",
                                           "remove"};
  c.Trace(1, "nemesis: propose %s %d%s via leader %d: %s",
          kTypes[static_cast<int>(cc.type)], cc.node_id,
          add_node ? " (new node)" : "", leader->id(),
          s.ok() ? "ok" : s.message());
  // The joiner's process exists from the moment it may be asked to join.
  if (s.ok() && add_node && !Contains(c.LiveIds(), cc.node_id)) c.AddNode();
}

void SimNemesis::TransferLeader() {
  SimCluster& c = *cluster_;
  SimRandom& rng = c.rng();
  const std::vector<uint64_t> up = c.UpIds();
  if (up.empty()) return;
  // Usually asked of the leader, sometimes of a follower (forwarded).
  SimNode* via = c.Leader();
  if (via == nullptr || rng.Chance(0.2)) via = c.node(rng.Pick(up));
  const uint64_t target = rng.Pick(c.LiveIds());
  c.Trace(1, "nemesis: transfer leadership to %d via %d", target, via->id());
  via->raw().TransferLeader(target);
}

void SimNemesis::HealAll() {
  SimCluster& c = *cluster_;
  c.net().HealPartitions();
  c.net().set_conditions(SimNetwork::Conditions{});
  restarts_.clear();
  for (uint64_t id : c.LiveIds()) {
    SimNode* n = c.node(id);
    n->ArmCrash(CrashPoint::kNone);
    if (!n->up()) c.Restart(id);
  }
  c.Trace(1, "nemesis: all faults healed");
  c.AfterStep();
}

}  // namespace cairn::raft::sim
