#pragma once

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include <set>
#include "absl/synchronization/mutex.h"

namespace cairn::kv {

// Serialises commands that touch the same keys between their evaluation on
// a snapshot and the application of their result (TiKV's latches). A
// command holds the latches of all its keys at once, so two commands never
// evaluate against a state the other is about to change. Thread-safe.
class Latches {
 public:
  // Holds a set of latches until destroyed.
  class Guard {
   public:
    Guard(Latches* latches, std::vector<std::string> keys)
        : latches_(latches), keys_(std::move(keys)) {}
    Guard(Guard&& other) noexcept : latches_(other.latches_), keys_(std::move(other.keys_)) {
      other.latches_ = nullptr;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() {
      if (latches_) latches_->Release(keys_);
    }

   private:
    Latches* latches_;
    std::vector<std::string> keys_;
  };

  // Blocks until no other holder has any of `keys`, then takes them all.
  Guard Acquire(std::vector<std::string> keys);

  // Blocks while a latch is held on `key`, or on any key in [start, end)
  // (empty end: unbounded). Readers call this so that a one-phase commit in
  // flight is either entirely before or entirely after their snapshot.
  void WaitUnlatched(std::string_view key);
  void WaitRangeUnlatched(std::string_view start, std::string_view end);

 private:
  void Release(const std::vector<std::string>& keys);

  absl::Mutex mu_;
  absl::CondVar released_;
  std::set<std::string, std::less<>> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
