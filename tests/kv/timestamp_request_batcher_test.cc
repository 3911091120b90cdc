#include "kv/transport/timestamp_request_batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/error_code.h"

namespace cairn::kv {
namespace {

// Stands in for the remote oracle: hands out consecutive timestamps,
// records every request's count, holds the first request until released
// (so that others queue behind it) and fails requests while told to.
class FakeOracle {
 public:
  TimestampRequestBatcher::Send Fn() {
    return [this](uint32_t count) -> absl::StatusOr<Timestamp> {
      bool first_request = false;
      {
        absl::MutexLock lock(&mu_);
        counts_.push_back(count);
        first_request = counts_.size() == 1;
      }
      if (first_request) release_first_.WaitForNotification();
      absl::MutexLock lock(&mu_);
      if (fail_) return MakeError(ErrorCode::kRangeNotHere, "injected oracle failure");
      const Timestamp first = next_;
      next_ += count;
      return first;
    };
  }
  void ReleaseFirst() { release_first_.Notify(); }
  void WaitForRequests(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return counts_.size() >= n; };
    mu_.Await(absl::Condition(&enough));
  }
  std::vector<uint32_t> counts() {
    absl::MutexLock lock(&mu_);
    return counts_;
  }
  void set_fail(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_ = fail;
  }

 private:
  absl::Notification release_first_;
  absl::Mutex mu_;
  std::vector<uint32_t> counts_ ABSL_GUARDED_BY(mu_);
  Timestamp next_ ABSL_GUARDED_BY(mu_) = 100;
  bool fail_ ABSL_GUARDED_BY(mu_) = false;
};

// Runs Get(count) on a thread of its own; the answer is read after Join().
class Caller {
 public:
  Caller(TimestampRequestBatcher* batcher, uint32_t count,
         absl::Time deadline = absl::InfiniteFuture())
      : count_(count),
        thread_([this, batcher, deadline] { result_ = batcher->Get(count_, deadline); }) {}
  void Join() { thread_.join(); }
  uint32_t count() const { return count_; }
  const absl::StatusOr<Timestamp>& result() const { return result_; }

 private:
  const uint32_t count_;
  absl::StatusOr<Timestamp> result_;
  std::thread thread_;
};

// Whether `n` callers queued within a generous bound (a failing test
// should fail, not hang).
bool WaitForQueued(const TimestampRequestBatcher& batcher, size_t n) {
  // No hook to wait on inside the batcher: poll its queue.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (batcher.queued() < n) {
    if (absl::Now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(TimestampRequestBatcherTest, ALoneCallerSendsItsOwnRequest) {
  FakeOracle oracle;
  oracle.ReleaseFirst();
  TimestampRequestBatcher batcher(oracle.Fn());
  absl::StatusOr<Timestamp> a = batcher.Get(3, absl::InfiniteFuture());
  absl::StatusOr<Timestamp> b = batcher.Get(1, absl::InfiniteFuture());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, 100u);
  EXPECT_EQ(*b, 103u);
  EXPECT_EQ(oracle.counts(), (std::vector<uint32_t>{3, 1}));
}

TEST(TimestampRequestBatcherTest, CallersQueuedBehindARequestShareTheNextOne) {
  FakeOracle oracle;
  TimestampRequestBatcher batcher(oracle.Fn());
  Caller first(&batcher, 1);
  oracle.WaitForRequests(1);  // in flight, held
  std::vector<std::unique_ptr<Caller>> queued;
  for (uint32_t count : {2u, 1u, 3u}) {
    queued.push_back(std::make_unique<Caller>(&batcher, count));
  }
  ASSERT_TRUE(WaitForQueued(batcher, 3));
  oracle.ReleaseFirst();
  first.Join();
  for (auto& c : queued) c->Join();

  // One request for the three that arrived while the first was in flight.
  EXPECT_EQ(oracle.counts(), (std::vector<uint32_t>{1, 6}));
  ASSERT_TRUE(first.result().ok());
  EXPECT_EQ(*first.result(), 100u);
  // Each got its own timestamps, all from the second request: above every
  // timestamp handed out before they asked.
  std::vector<std::pair<Timestamp, uint32_t>> ranges;
  for (auto& c : queued) {
    ASSERT_TRUE(c->result().ok()) << c->result().status();
    EXPECT_GT(*c->result(), *first.result());
    ranges.emplace_back(*c->result(), c->count());
  }
  std::sort(ranges.begin(), ranges.end());
  Timestamp expected = 101;
  for (const auto& [start, count] : ranges) {
    EXPECT_EQ(start, expected);
    expected += count;
  }
  EXPECT_EQ(expected, 107u);
}

TEST(TimestampRequestBatcherTest, AFailedRequestFailsEveryCallerItServed) {
  FakeOracle oracle;
  TimestampRequestBatcher batcher(oracle.Fn());
  oracle.set_fail(true);
  Caller first(&batcher, 1);
  oracle.WaitForRequests(1);
  Caller second(&batcher, 1);
  Caller third(&batcher, 2);
  ASSERT_TRUE(WaitForQueued(batcher, 2));
  oracle.ReleaseFirst();
  first.Join();
  second.Join();
  third.Join();
  for (const Caller* c : {&first, &second, &third}) {
    EXPECT_EQ(GetErrorCode(c->result().status()), ErrorCode::kRangeNotHere);
  }
  EXPECT_EQ(oracle.counts(), (std::vector<uint32_t>{1, 3}));

  oracle.set_fail(false);
  absl::StatusOr<Timestamp> again = batcher.Get(1, absl::InfiniteFuture());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 100u);
}

TEST(TimestampRequestBatcherTest, AQueuedCallerLeavesAtItsDeadline) {
  FakeOracle oracle;
  TimestampRequestBatcher batcher(oracle.Fn());
  Caller first(&batcher, 1);
  oracle.WaitForRequests(1);  // held in flight past the second caller's deadline
  Caller impatient(&batcher, 5, absl::Now() + absl::Milliseconds(20));
  impatient.Join();
  EXPECT_EQ(GetErrorCode(impatient.result().status()), ErrorCode::kQueryCanceled);
  EXPECT_EQ(batcher.queued(), 0u);
  oracle.ReleaseFirst();
  first.Join();
  ASSERT_TRUE(first.result().ok());
  // The next request is for the next caller alone, not for the one that left.
  absl::StatusOr<Timestamp> next = batcher.Get(2, absl::InfiniteFuture());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(oracle.counts(), (std::vector<uint32_t>{1, 2}));
}

TEST(TimestampRequestBatcherTest, ACallerPastItsDeadlineSendsNothing) {
  FakeOracle oracle;
  oracle.ReleaseFirst();
  TimestampRequestBatcher batcher(oracle.Fn());
  // Its request would fail at once, and with it everyone queued behind.
  absl::StatusOr<Timestamp> late = batcher.Get(1, absl::Now() - absl::Seconds(1));
  EXPECT_EQ(GetErrorCode(late.status()), ErrorCode::kQueryCanceled);
  EXPECT_TRUE(oracle.counts().empty());
  EXPECT_EQ(batcher.queued(), 0u);
}

TEST(TimestampRequestBatcherTest, ABatchStaysWithinTheOraclesLimit) {
  FakeOracle oracle;
  TimestampRequestBatcher batcher(oracle.Fn());
  constexpr uint32_t kHalf = TimestampRequestBatcher::kMaxBatchCount / 2 + 1;
  Caller first(&batcher, 1);
  oracle.WaitForRequests(1);
  Caller a(&batcher, kHalf);
  ASSERT_TRUE(WaitForQueued(batcher, 1));
  Caller b(&batcher, kHalf);
  ASSERT_TRUE(WaitForQueued(batcher, 2));
  oracle.ReleaseFirst();
  first.Join();
  a.Join();
  b.Join();
  // Two halves do not fit one request: one each, in arrival order.
  EXPECT_EQ(oracle.counts(), (std::vector<uint32_t>{1, kHalf, kHalf}));
  ASSERT_TRUE(a.result().ok() && b.result().ok());
  EXPECT_EQ(*a.result(), 101u);
  EXPECT_EQ(*b.result(), 101u + kHalf);
}

TEST(TimestampRequestBatcherTest, ACountOutsideTheBatchesRangeGoesAlone) {
  FakeOracle oracle;
  oracle.ReleaseFirst();
  TimestampRequestBatcher batcher(oracle.Fn());
  ASSERT_TRUE(
      batcher.Get(TimestampRequestBatcher::kMaxBatchCount + 1, absl::InfiniteFuture()).ok());
  EXPECT_EQ(oracle.counts(), (std::vector<uint32_t>{TimestampRequestBatcher::kMaxBatchCount + 1}));
}

}  // namespace
}  // namespace cairn::kv
