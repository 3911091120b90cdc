#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

// Flow control for one follower in the replicate state: the last index of
// each append message in flight, oldest first. The leader stops sending when
// `capacity` messages are unacknowledged (Config::max_inflight_msgs).
//
// Thread safety: none.
namespace cairn::raft {

class Inflights {
 public:
  explicit Inflights(size_t capacity) : capacity_(capacity) {}

  // REQUIRES: !Full(); indexes added in increasing order.
  void Add(uint64_t index) { indexes_.push_back(index); }
  // Acknowledges every message whose last index is <= `index`.
  void FreeLE(uint64_t index);
  void FreeFirstOne();
  void Reset() { indexes_.clear(); }

  bool Full() const { return indexes_.size() >= capacity_; }
  size_t Count() const { return indexes_.size(); }

 private:
  size_t capacity_;
  std::deque<uint64_t> indexes_;
};

}  // namespace cairn::raft
