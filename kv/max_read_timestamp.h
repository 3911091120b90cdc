#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>

#include "common/timestamp.h"

namespace cairn::kv {

// The newest timestamp at which a range's leaseholder has served a read:
// the guard of async commit (DESIGN.md "Transactions"). A transaction that
// commits without asking the oracle for a commit_ts must commit above every
// read that did not see its locks. Reads record their timestamp before
// they wait for the keys' latches; a prewrite reads the maximum once it
// holds its latches. So a read is either counted here or waits for the
// lock and sees it.
//
// A new leaseholder cannot know what its predecessor served: it has no
// answer until it has synced in its serving term -- raised the maximum to a
// timestamp fresh from the oracle, above any read timestamp issued before.
// Thread-safe.
class MaxReadTimestamp {
 public:
  // A read at kMaxTimestamp reads the latest of everything (meta lookups),
  // not a snapshot: it is not counted.
  void Observe(Timestamp ts) {
    if (ts != kMaxTimestamp) RaiseTo(ts);
  }

  // The maximum, if synced in `serving_term`.
  std::optional<Timestamp> Get(uint64_t serving_term) const {
    if (synced_term_.load(std::memory_order_acquire) != serving_term) return std::nullopt;
    return max_.load(std::memory_order_acquire);
  }

  void Sync(uint64_t serving_term, Timestamp fresh) {
    RaiseTo(fresh);
    synced_term_.store(serving_term, std::memory_order_release);
  }

 private:
  void RaiseTo(Timestamp ts) {
    Timestamp seen = max_.load(std::memory_order_relaxed);
    while (seen < ts && !max_.compare_exchange_weak(seen, ts, std::memory_order_acq_rel)) {
    }
  }

  std::atomic<Timestamp> max_{0};
  std::atomic<uint64_t> synced_term_{0};
};

}  // namespace cairn::kv
