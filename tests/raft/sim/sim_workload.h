#pragma once

#include <cstdint>
#include <string>

// One simulated run, a pure function of its seed: a 3- to 7-voter group
// under a fault phase (nemesis actions and client proposals interleaved
// with ticks and message deliveries, see sim_nemesis.h), then a heal phase
// that checks liveness: with every fault gone, a leader is elected and a
// fresh proposal commits within a bounded number of ticks, and then
// reaches every member within another bound (sim_workload.cc says how the
// bounds are chosen). Safety is checked after every step throughout
// (sim_checker.h).
namespace cairn::raft::sim {

struct SimResult {
  bool ok = true;
  std::string violation;  // with the cluster state, when !ok
  std::string summary;    // one line of counters
  int64_t ticks = 0;      // simulated time, in nominal ticks
};

// verbosity: 0 quiet, 1 trace faults and role changes, 2 also messages.
SimResult RunSimulation(uint64_t seed, int verbosity);

}  // namespace cairn::raft::sim
