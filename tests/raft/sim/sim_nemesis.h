#pragma once

#include <cstdint>
#include <set>
#include <utility>

#include "sim_cluster.h"
#include "sim_network.h"

// The fault injector of the simulator. Each Act() picks one fault or
// administrative action at random: symmetric and asymmetric partitions,
// isolating a node, healing; message loss, duplication and delay/reordering
// profiles; crashes (at once, or at an armed point inside Ready handling)
// with a restart scheduled later, or a restart at once (preferably of a
// node that just voted); membership changes (add a learner, promote it,
// demote or remove a voter, possibly the leader) and leader transfers,
// injected while the other faults are in force; log compaction, unrequested
// fsyncs and forced campaigns.
//
// Membership stays within 3..7 voters and at most 7 members: the nemesis
// adds only below 7 and removes voters only above 3 (raft's one change at a
// time keeps it so even when a proposal reaches a stale leader).
//
// Thread safety: none.
namespace cairn::raft::sim {

class SimNemesis {
 public:
  explicit SimNemesis(SimCluster* cluster) : cluster_(cluster) {}

  // One random fault or action, now.
  void Act();
  // Restarts the crashed nodes whose downtime is over.
  void RestartDue();
  SimTime NextRestart() const {
    return restarts_.empty() ? kNever : restarts_.begin()->first;
  }
  // Ends every fault: network whole and well-behaved, every node up.
  void HealAll();

 private:
  void Partition();
  void Asymmetric();
  void CrashNode(bool armed);
  // Crash and restart at once.
  void Bounce();
  void ChangeMembership();
  void TransferLeader();
  // Restart `id` after a random downtime.
  void ScheduleRestart(uint64_t id);

  SimCluster* cluster_;  // not owned
  // (restart time, node id) of the crashed nodes.
  std::set<std::pair<SimTime, uint64_t>> restarts_;
};

}  // namespace cairn::raft::sim
