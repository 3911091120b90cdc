#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"

namespace cairn::server {

// Rates of a few of the node's counters (Raft proposals, SQL statements...)
// over the last kWindow, for the status page: a thread samples them once a
// second. Thread-safe.
class ThroughputMeter {
 public:
  static constexpr std::chrono::seconds kWindow{10};

  struct Measured {
    std::string label;  // "Raft proposals", shown as is
    const Counter* counter;
  };
  struct Rate {
    std::string label;
    double per_second = 0;
  };

  explicit ThroughputMeter(std::vector<Measured> measured);
  ~ThroughputMeter();  // Stop()s

  void Start();
  void Stop();
  // Per second over the window (or since the first sample, when younger).
  std::vector<Rate> Rates() const;

 private:
  struct Sample {
    std::chrono::steady_clock::time_point at;
    std::vector<int64_t> values;
  };
  void TakeSample();

  const std::vector<Measured> measured_;
  mutable absl::Mutex mu_;
  std::deque<Sample> samples_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cairn::server
