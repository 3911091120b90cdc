#pragma once

#include <atomic>
#include <cstdint>

namespace cairn {

// Wall and monotonic time come through this interface so that the timestamp
// oracle, lock TTLs and Raft ticking can run on a simulated clock in tests.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual uint64_t NowMillis() const = 0;
  // Monotonic microseconds from an arbitrary origin.
  virtual uint64_t MonotonicMicros() const = 0;

  static Clock* Real();
};

// A clock that moves only when told to; for tests.
class ManualClock : public Clock {
 public:
  explicit ManualClock(uint64_t now_ms) : now_ms_(now_ms) {}
  uint64_t NowMillis() const override { return now_ms_.load(); }
  uint64_t MonotonicMicros() const override { return now_ms_.load() * 1000; }
  void Advance(uint64_t ms) { now_ms_ += ms; }

 private:
  std::atomic<uint64_t> now_ms_;
};

}  // namespace cairn
