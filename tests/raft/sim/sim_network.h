#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "raft/types.h"
#include "sim_random.h"

// The simulated network between replicas: a queue of messages ordered by
// simulated delivery time. Each message gets its own latency, so messages
// on one link overtake each other (reordering); it may also be lost or
// duplicated. Partitions block directed links, so a partition is symmetric
// when both directions are blocked and asymmetric when only one is.
//
// Faults are decided when a message is sent (loss, duplication, latency)
// and partitions again when it arrives (a link cut while the message was in
// flight loses it); whether the receiver is up is the cluster's business.
//
// Thread safety: none.
namespace cairn::raft::sim {

// Simulated time in microseconds.
using SimTime = int64_t;
inline constexpr SimTime kNever = INT64_MAX;

// A message in flight, with what the transport knows about its sender.
struct Envelope {
  Message msg;
  uint64_t from_incarnation = 0;
  // Lost on the way. Only snapshots travel lost: the transport reports
  // their failure to the sender when they would have arrived, as a real
  // snapshot stream fails after a while rather than at once.
  bool lost = false;
};

class SimNetwork {
 public:
  // How messages fare; the nemesis changes it during a run.
  struct Conditions {
    double loss = 0;         // probability a message is lost
    double duplicate = 0;    // probability a message arrives twice
    SimTime min_latency = 200;
    SimTime max_latency = 3000;
    double stall = 0;        // probability of an extra long delay
    SimTime max_stall = 0;   // ... of up to this long
  };

  explicit SimNetwork(SimRandom* rng) : rng_(rng) {}

  void set_conditions(const Conditions& c) { conditions_ = c; }
  const Conditions& conditions() const { return conditions_; }

  // Queues `m` (from m.from to m.to) unless the link is blocked or the
  // message is lost (a lost snapshot is queued marked `lost`).
  void Send(Message m, uint64_t from_incarnation, SimTime now);
  SimTime NextDeliveryTime() const {
    return queue_.empty() ? kNever : queue_.begin()->first.first;
  }
  // REQUIRES: NextDeliveryTime() != kNever.
  Envelope PopNext();
  size_t in_flight() const { return queue_.size(); }

  void Block(uint64_t from, uint64_t to) { blocked_.insert({from, to}); }
  bool Blocked(uint64_t from, uint64_t to) const {
    return blocked_.count({from, to}) > 0;
  }
  // Blocks both directions between every node of `a` and every node of `b`.
  void Split(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
  void HealPartitions() { blocked_.clear(); }
  size_t blocked_links() const { return blocked_.size(); }

 private:
  void Enqueue(Message m, uint64_t from_incarnation, bool lost, SimTime now);

  SimRandom* rng_;  // not owned
  Conditions conditions_;
  std::set<std::pair<uint64_t, uint64_t>> blocked_;
  // (delivery time, sequence number) -> message; the sequence number breaks
  // ties in send order, so the queue order is a function of the seed.
  std::map<std::pair<SimTime, uint64_t>, Envelope> queue_;
  uint64_t next_seq_ = 0;
};

}  // namespace cairn::raft::sim
