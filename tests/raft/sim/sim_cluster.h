#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "sim_checker.h"
#include "sim_network.h"
#include "sim_node.h"
#include "sim_random.h"

// A simulated Raft group: the replicas, the network between them and the
// simulated clock, driven one event at a time. An event is a replica's
// tick, the delivery of a message, or a replica's disk finishing an fsync;
// after each one every replica handles its Ready batches and the checker
// runs (SimChecker), so an invariant is checked after every step. The
// workload (sim_workload.h) drives faults and proposals between events.
//
// Events at the same simulated time run in a fixed order (deliveries in
// send order, then ticks and wake-ups by node id), so a run is a function
// of the seed.
//
// Thread safety: none.
namespace cairn::raft::sim {

class SimCluster {
 public:
  SimCluster(uint64_t seed, int verbosity);
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  SimRandom& rng() { return rng_; }
  SimNetwork& net() { return net_; }
  SimChecker& checker() { return checker_; }
  SimTime now() const { return now_; }
  // Whether the run must stop (an invariant was violated).
  bool failed() const { return checker_.failed(); }

  // Creates and starts voters 1..n of a new group (bootstrap snapshot).
  void Bootstrap(int n, const SimNode::Options& options);
  // Creates and starts a replica with the next id, over empty storage (a
  // joiner) or, with `bootstrap`, a durable bootstrap snapshot.
  SimNode& AddNode(const Snapshot* bootstrap = nullptr);
  SimNode* node(uint64_t id);
  const std::map<uint64_t, std::unique_ptr<SimNode>>& nodes() const {
    return nodes_;
  }
  // Ids of the nodes that are up.
  std::vector<uint64_t> UpIds() const;
  // Ids of the nodes that exist and are not destroyed.
  std::vector<uint64_t> LiveIds() const;

  // Runs every event due at or before `until`, then sets the clock to it.
  void RunUntil(SimTime until);
  // Call after acting on a replica from outside an event (propose, crash,
  // restart, ...): handles Ready batches and checks.
  void AfterStep();
  // Restarts a down replica.
  void Restart(uint64_t id);

  // The up leader with the highest term, or nullptr.
  SimNode* Leader();

  // Compaction policy: keep at most `threshold` applied entries in the log
  // (then compact, keeping `keep`).
  void set_compaction(uint64_t threshold, uint64_t keep) {
    compact_threshold_ = threshold;
    compact_keep_ = keep;
  }

  template <typename... Args>
  void Trace(int level, const absl::FormatSpec<Args...>& format,
             const Args&... args) {
    if (verbosity_ >= level) TraceLine(absl::StrFormat(format, args...));
  }
  int verbosity() const { return verbosity_; }
  std::string DebugString() const;

  // Counters for the summary line.
  struct Stats {
    int64_t events = 0;
    int64_t delivered = 0;
    int64_t leader_changes = 0;
    int64_t snapshots_sent = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  void Deliver(Envelope env);
  void TraceLine(const std::string& line) const;

  SimRandom rng_;
  const int verbosity_;
  SimChecker checker_;
  SimNetwork net_;
  SimNode::Options options_;
  SimTime now_ = 0;
  std::map<uint64_t, std::unique_ptr<SimNode>> nodes_;
  uint64_t next_id_ = 1;
  uint64_t compact_threshold_ = 1000;
  uint64_t compact_keep_ = 0;
  // Last traced (role, term) per node, to trace changes.
  std::map<uint64_t, std::pair<Role, uint64_t>> traced_role_;
  Stats stats_;
};

}  // namespace cairn::raft::sim
