#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/timestamp.h"

namespace cairn::kv {

// Concurrent requests for timestamps from one remote oracle share one
// request, as a cluster's gateways otherwise spend an RPC (and its thread
// hand-offs at both ends) per transaction start and commit. A caller that
// finds no request in flight sends one for itself and everyone queued, up
// to kMaxBatchCount timestamps; whoever arrives while it is in flight waits
// for the next one, which one of them sends.
//
// A caller is only ever served by a request sent after it arrived, so its
// timestamps stay above every timestamp the oracle handed out before it
// asked (DESIGN.md "Timestamps and the timestamp oracle"): batching keeps
// the oracle's real-time order.
//
// The request runs on the thread of the caller that sends it, under that
// caller's statement deadline; when it fails, every caller it served gets
// the failure (ClusterTimestamps retries them). A caller waiting on
// someone else's request leaves at its own deadline, and one whose
// deadline has passed sends nothing. Thread-safe.
class TimestampRequestBatcher {
 public:
  // Asks the oracle for `count` consecutive timestamps; returns the first.
  using Send = std::function<absl::StatusOr<Timestamp>(uint32_t count)>;

  // Below the oracle's per-request limit (TimestampOracle::GetTimestamps).
  static constexpr uint32_t kMaxBatchCount = 4096;

  explicit TimestampRequestBatcher(Send send);
  TimestampRequestBatcher(const TimestampRequestBatcher&) = delete;
  TimestampRequestBatcher& operator=(const TimestampRequestBatcher&) = delete;

  // Reserves `count` consecutive timestamps and returns the first;
  // kQueryCanceled once `deadline` has passed and no answer is in. A count
  // outside (0, kMaxBatchCount] goes alone.
  absl::StatusOr<Timestamp> Get(uint32_t count, absl::Time deadline);

  // Callers waiting for a request to be sent (tests wait on it).
  size_t queued() const;

 private:
  // Shared with the request that serves it, which may still answer a
  // caller that left at its deadline.
  struct Waiter {
    uint32_t count = 0;
    bool done = false;
    absl::StatusOr<Timestamp> first;
  };

  // Sends one request for the waiters at the head of the queue and answers
  // them. Called with mu_ held and no request in flight.
  void SendBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const Send send_;

  mutable absl::Mutex mu_;
  std::deque<std::shared_ptr<Waiter>> queue_ ABSL_GUARDED_BY(mu_);
  bool in_flight_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cairn::kv
