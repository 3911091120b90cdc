#include "kv/transport/timestamp_request_batcher.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/error_code.h"

namespace cairn::kv {

TimestampRequestBatcher::TimestampRequestBatcher(Send send) : send_(std::move(send)) {}

absl::StatusOr<Timestamp> TimestampRequestBatcher::Get(uint32_t count, absl::Time deadline) {
  // Out of the batches' range: alone, and the oracle answers what it makes of it.
  if (count == 0 || count > kMaxBatchCount) return send_(count);
  auto me = std::make_shared<Waiter>();
  me->count = count;
  absl::MutexLock lock(&mu_);
  queue_.push_back(me);
  // Answered by a request someone else sent, or free to send one: a request
  // in flight answers only those who were queued when it left.
  auto answered_or_free = [this, &me]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return me->done || !in_flight_;
  };
  for (;;) {
    const bool ready = mu_.AwaitWithDeadline(absl::Condition(&answered_or_free), deadline);
    if (me->done) return std::move(me->first);
    if (!ready || absl::Now() >= deadline) {
      // Its statement is over: it waits no longer, nor sends a request that
      // its own deadline would fail for everyone in it.
      auto queued = std::find(queue_.begin(), queue_.end(), me);
      if (queued != queue_.end()) queue_.erase(queued);
      return MakeError(ErrorCode::kQueryCanceled,
                       "the statement's deadline passed while it waited for a timestamp");
    }
    SendBatch();
  }
}

void TimestampRequestBatcher::SendBatch() {
  std::vector<std::shared_ptr<Waiter>> batch;
  uint32_t total = 0;
  while (!queue_.empty() && total + queue_.front()->count <= kMaxBatchCount) {
    total += queue_.front()->count;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  in_flight_ = true;
  mu_.Unlock();
  absl::StatusOr<Timestamp> first = send_(total);
  mu_.Lock();
  in_flight_ = false;
  Timestamp next = first.ok() ? *first : 0;
  for (const std::shared_ptr<Waiter>& w : batch) {
    if (first.ok()) {
      w->first = next;
      next += w->count;
    } else {
      w->first = first.status();
    }
    w->done = true;
  }
}

size_t TimestampRequestBatcher::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

}  // namespace cairn::kv
