#include "sim_cluster.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "raft/bootstrap.h"

namespace cairn::raft::sim {

SimCluster::SimCluster(uint64_t seed, int verbosity)
    : rng_(seed), verbosity_(verbosity), net_(&rng_) {}

void SimCluster::Bootstrap(int n, const SimNode::Options& options) {
  options_ = options;
  std::vector<uint64_t> voters;
  for (int i = 1; i <= n; ++i) voters.push_back(static_cast<uint64_t>(i));
  const Snapshot snap = MakeBootstrapSnapshot(voters);
  for (int i = 0; i < n; ++i) AddNode(&snap);
}

SimNode& SimCluster::AddNode(const Snapshot* bootstrap) {
  SimNode::Options options = options_;
  options.config.id = next_id_++;
  // Clocks differ by up to 5% in rate.
  options.drift_permille = rng_.Range(950, 1050);
  auto node = std::make_unique<SimNode>(options, &checker_);
  SimNode& ref = *node;
  nodes_.emplace(options.config.id, std::move(node));
  if (bootstrap != nullptr) {
    // Durable before the process first starts.
    if (!ref.disk().InstallSnapshot(*bootstrap).ok()) {
      checker_.Fail("bootstrap snapshot refused");
    }
    ref.disk().Sync();
  }
  ref.Start(rng_.Next(), now_, rng_);
  Trace(1, "node %d created", ref.id());
  return ref;
}

SimNode* SimCluster::node(uint64_t id) {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : it->second.get();
}

std::vector<uint64_t> SimCluster::UpIds() const {
  std::vector<uint64_t> out;
  for (const auto& [id, n] : nodes_) {
    if (n->up()) out.push_back(id);
  }
  return out;
}

std::vector<uint64_t> SimCluster::LiveIds() const {
  std::vector<uint64_t> out;
  for (const auto& [id, n] : nodes_) {
    if (!n->destroyed()) out.push_back(id);
  }
  return out;
}

void SimCluster::RunUntil(SimTime until) {
  while (!failed()) {
    // The earliest event: a delivery, else the earliest tick or disk
    // wake-up (lowest id on a tie).
    SimTime t = net_.NextDeliveryTime();
    SimNode* ticker = nullptr;
    bool wakeup = false;
    for (const auto& [id, n] : nodes_) {
      if (n->next_tick() < t) {
        t = n->next_tick();
        ticker = n.get();
        wakeup = false;
      }
      const SimTime wake = std::max(n->next_wakeup(), now_);
      if (wake < t) {
        t = wake;
        ticker = n.get();
        wakeup = true;
      }
    }
    if (t > until) break;
    now_ = t;
    ++stats_.events;
    if (wakeup) {
      // AfterStep() handles its waiting Ready.
    } else if (ticker != nullptr) {
      ticker->Tick(rng_);
    } else {
      Deliver(net_.PopNext());
    }
    AfterStep();
  }
  if (now_ < until) now_ = until;
}

void SimCluster::Deliver(Envelope env) {
  const Message& m = env.msg;
  SimNode* to = node(m.to);
  SimNode* from = node(m.from);
  const bool partitioned = net_.Blocked(m.from, m.to);
  const bool delivered =
      !env.lost && !partitioned && to != nullptr && to->up();
  if (delivered) {
    ++stats_.delivered;
    Trace(2, "deliver %s %d->%d term=%d index=%d log_term=%d commit=%d "
             "entries=%d reject=%d",
          MessageTypeName(m.type), m.from, m.to, m.term, m.index, m.log_term,
          m.commit, m.entries.size(), m.reject);
    if (absl::Status s = to->raw().Step(m); !s.ok()) {
      checker_.Fail(absl::StrFormat("node %d: Step(%s from %d): %s", m.to,
                                    MessageTypeName(m.type), m.from,
                                    s.ToString()));
      return;
    }
  }
  // The transport reports to the process that sent the message, if it is
  // still the same one.
  if (from == nullptr || !from->up() ||
      from->incarnation() != env.from_incarnation) {
    return;
  }
  if (m.type == MessageType::kSnapshot) {
    ++stats_.snapshots_sent;
    Trace(1, "snapshot %d->%d at index %d %s", m.from, m.to,
          m.snapshot ? m.snapshot->metadata.index : 0,
          delivered ? "delivered" : "failed");
    from->raw().ReportSnapshot(m.to, delivered);
  } else if (!delivered && !env.lost && rng_.Chance(0.3)) {
    // A broken connection is noticed some of the time.
    from->raw().ReportUnreachable(m.to);
  }
}

void SimCluster::AfterStep() {
  for (const auto& [id, n] : nodes_) {
    if (failed()) return;
    n->HandleReadies(net_, rng_, now_);
    if (!n->up()) continue;
    const StateMachine& sm = n->disk().state_machine();
    if (sm.applied_index >= n->disk().storage().FirstIndex() +
                                compact_threshold_) {
      n->Compact(compact_keep_);
    }
  }
  for (const auto& [id, n] : nodes_) {
    if (failed()) return;
    const std::pair<Role, uint64_t> role{n->up() ? n->role() : Role::kFollower,
                                         n->term()};
    auto [it, inserted] = traced_role_.emplace(id, role);
    if (!inserted && it->second != role) {
      if (role.first == Role::kLeader) ++stats_.leader_changes;
      Trace(1, "node %d: %s term %d", id, RoleName(role.first), role.second);
      it->second = role;
    }
    if (n->is_leader() && n->settled()) {
      checker_.CheckLeader(id, n->incarnation(), n->term(),
                           n->disk().storage());
    }
  }
}

void SimCluster::Restart(uint64_t id) {
  SimNode* n = node(id);
  if (n == nullptr || n->up() || n->destroyed()) return;
  Trace(1, "node %d restarts", id);
  n->Start(rng_.Next(), now_, rng_);
  AfterStep();
}

SimNode* SimCluster::Leader() {
  SimNode* best = nullptr;
  for (const auto& [id, n] : nodes_) {
    if (n->is_leader() && (best == nullptr || n->term() > best->term())) {
      best = n.get();
    }
  }
  return best;
}

std::string SimCluster::DebugString() const {
  std::string out = absl::StrFormat(
      "t=%.2f ticks, %d messages in flight, %d links blocked\n",
      static_cast<double>(now_) / kTickInterval, net_.in_flight(),
      net_.blocked_links());
  for (const auto& [id, n] : nodes_) {
    absl::StrAppend(&out, "  ", n->DebugString(), "\n");
  }
  return out;
}

void SimCluster::TraceLine(const std::string& line) const {
  std::printf("[%9.2f] %s\n", static_cast<double>(now_) / kTickInterval,
              line.c_str());
}

}  // namespace cairn::raft::sim
