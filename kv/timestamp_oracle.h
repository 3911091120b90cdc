#pragma once

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/timestamp.h"

namespace cairn::kv {

// The timestamp oracle (TSO): hands out strictly increasing hybrid
// timestamps (DESIGN.md "Timestamps"). Its guarantee across restarts and
// leader changes rests on a persisted high-water mark: a physical time that
// no timestamp handed out has reached. Before handing out a timestamp at or
// beyond the mark, the oracle persists a new mark kWindowMs ahead, and a
// restarted oracle starts from the persisted mark. So the persisted state is
// written once per window, not once per timestamp.
//
// Thread-safe; concurrent callers are served in one critical section each.
class TimestampOracle {
 public:
  static constexpr uint64_t kWindowMs = 3000;

  // `persist` makes a new high-water mark durable (through the meta range's
  // Raft log) and returns once it is.
  using PersistFn = std::function<absl::Status(uint64_t high_water_ms)>;

  // `persisted_high_water_ms`: the mark found at start-up (0 for a new
  // cluster). Every timestamp issued is above it.
  TimestampOracle(Clock* clock, uint64_t persisted_high_water_ms, PersistFn persist);

  // Reserves `count` consecutive timestamps and returns the first.
  absl::StatusOr<Timestamp> GetTimestamps(uint32_t count = 1);

 private:
  Clock* const clock_;
  const PersistFn persist_;

  absl::Mutex mu_;
  uint64_t physical_ms_ ABSL_GUARDED_BY(mu_);
  uint64_t logical_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t high_water_ms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
