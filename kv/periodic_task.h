#pragma once

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace cairn::kv {

// Runs `pass` on a thread of its own once every `interval` (the first time
// one interval after Start) until Stop: the loop of the store's background
// queues (replicate, split, replica GC, meta records) and of the cluster
// settings' refresh. Stop wakes the thread and waits for the pass under way.
// Thread-safe.
class PeriodicTask {
 public:
  PeriodicTask(absl::Duration interval, std::function<void()> pass)
      : interval_(interval), pass_(std::move(pass)) {}
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;
  ~PeriodicTask() { Stop(); }

  void Start() {
    thread_ = std::thread([this] {
      for (;;) {
        {
          absl::MutexLock lock(&mu_);
          if (!stopping_) cv_.WaitWithTimeout(&mu_, interval_);
          if (stopping_) return;
        }
        pass_();
      }
    });
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      cv_.SignalAll();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  const absl::Duration interval_;
  const std::function<void()> pass_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar cv_;
  std::thread thread_;
};

}  // namespace cairn::kv
