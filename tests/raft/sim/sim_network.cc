#include "sim_network.h"

#include <utility>

namespace cairn::raft::sim {

void SimNetwork::Send(Message m, uint64_t from_incarnation, SimTime now) {
  const bool lost = Blocked(m.from, m.to) || rng_->Chance(conditions_.loss);
  if (lost) {
    if (m.type == MessageType::kSnapshot) {
      Enqueue(std::move(m), from_incarnation, true, now);
    }
    return;
  }
  if (rng_->Chance(conditions_.duplicate)) {
    Enqueue(m, from_incarnation, false, now);
  }
  Enqueue(std::move(m), from_incarnation, false, now);
}

void SimNetwork::Enqueue(Message m, uint64_t from_incarnation, bool lost,
                         SimTime now) {
  SimTime latency =
      rng_->Range(conditions_.min_latency, conditions_.max_latency);
  if (conditions_.max_stall > 0 && rng_->Chance(conditions_.stall)) {
    latency += rng_->Range(0, conditions_.max_stall);
  }
  queue_.emplace(std::make_pair(now + latency, next_seq_++),
                 Envelope{std::move(m), from_incarnation, lost});
}

Envelope SimNetwork::PopNext() {
  auto it = queue_.begin();
  Envelope e = std::move(it->second);
  queue_.erase(it);
  return e;
}

void SimNetwork::Split(const std::vector<uint64_t>& a,
                       const std::vector<uint64_t>& b) {
  for (uint64_t x : a) {
    for (uint64_t y : b) {
      Block(x, y);
      Block(y, x);
    }
  }
}

}  // namespace cairn::raft::sim
