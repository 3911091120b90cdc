#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
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

  // Blocks until no other holder has any of `keys`, and none of them lies
  // in a frozen span, then takes them all.
  Guard Acquire(std::vector<std::string> keys);

  // Keeps writers out of [start, end) (empty end: unbounded) until
  // destroyed: waits for the latches held there to be released and makes
  // Acquire of keys there wait. A split freezes the span it hands to the
  // new range, so that no write evaluated against the old range is
  // proposed after the split.
  class SpanFreeze {
   public:
    SpanFreeze(Latches* latches, uint64_t id) : latches_(latches), id_(id) {}
    SpanFreeze(SpanFreeze&& other) noexcept : latches_(other.latches_), id_(other.id_) {
      other.latches_ = nullptr;
    }
    SpanFreeze(const SpanFreeze&) = delete;
    SpanFreeze& operator=(const SpanFreeze&) = delete;
    ~SpanFreeze() {
      if (latches_) latches_->Thaw(id_);
    }

   private:
    Latches* latches_;
    uint64_t id_;
  };
  SpanFreeze Freeze(std::string start, std::string end);

  // Blocks while a latch is held on `key`, or on any key in [start, end)
  // (empty end: unbounded). Readers call this so that a one-phase commit in
  // flight is either entirely before or entirely after their snapshot.
  void WaitUnlatched(std::string_view key);
  void WaitRangeUnlatched(std::string_view start, std::string_view end);

 private:
  struct FrozenSpan {
    uint64_t id;
    std::string start;
    std::string end;
  };

  void Release(const std::vector<std::string>& keys);
  void Thaw(uint64_t id);
  bool AnyHeldIn(std::string_view start, std::string_view end) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IsFrozen(std::string_view key) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  absl::CondVar released_;
  std::set<std::string, std::less<>> held_ ABSL_GUARDED_BY(mu_);
  std::vector<FrozenSpan> frozen_ ABSL_GUARDED_BY(mu_);
  uint64_t next_freeze_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace cairn::kv
