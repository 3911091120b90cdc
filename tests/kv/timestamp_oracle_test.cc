#include "kv/timestamp_oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/error_code.h"
#include "kv/latches.h"

namespace cairn::kv {
namespace {

// A clock that can also go backwards (NTP steps, a new leader's host).
class SettableClock : public Clock {
 public:
  explicit SettableClock(uint64_t ms) : ms_(ms) {}
  uint64_t NowMillis() const override { return ms_.load(); }
  uint64_t MonotonicMicros() const override { return ms_.load() * 1000; }
  void Set(uint64_t ms) { ms_ = ms; }

 private:
  std::atomic<uint64_t> ms_;
};

// Records what the oracle persisted and checks the oracle's promise: no
// timestamp handed out reaches the mark persisted before it.
class Persisted {
 public:
  TimestampOracle::PersistFn Fn() {
    return [this](uint64_t mark) -> absl::Status {
      if (fail_) return MakeError(ErrorCode::kUnavailable, "injected persist failure");
      marks_.push_back(mark);
      return absl::OkStatus();
    };
  }
  uint64_t last() const { return marks_.empty() ? 0 : marks_.back(); }
  size_t count() const { return marks_.size(); }
  void set_fail(bool fail) { fail_ = fail; }

 private:
  std::vector<uint64_t> marks_;
  bool fail_ = false;
};

constexpr uint64_t kNow = 1700000000000;

TEST(TimestampOracleTest, StrictlyIncreasingAndBelowThePersistedMark) {
  SettableClock clock(kNow);
  Persisted persisted;
  TimestampOracle tso(&clock, 0, persisted.Fn());
  Timestamp prev = 0;
  for (int i = 0; i < 20000; ++i) {
    if (i % 1000 == 0) clock.Set(clock.NowMillis() + 7);
    auto ts = tso.GetTimestamps();
    ASSERT_TRUE(ts.ok()) << ts.status();
    ASSERT_GT(*ts, prev);
    ASSERT_LT(PhysicalMs(*ts), persisted.last());
    prev = *ts;
  }
  EXPECT_GE(PhysicalMs(prev), clock.NowMillis());  // tracks the clock
  EXPECT_EQ(persisted.count(), 1u);  // 140 ms of time: one window, one write
}

TEST(TimestampOracleTest, FollowsTheClockAndPersistsOncePerWindow) {
  SettableClock clock(kNow);
  Persisted persisted;
  TimestampOracle tso(&clock, 0, persisted.Fn());
  auto first = tso.GetTimestamps();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(PhysicalMs(*first), kNow);
  EXPECT_EQ(persisted.last(), kNow + TimestampOracle::kWindowMs);
  Timestamp prev = *first;
  for (uint64_t t = 1; t <= 4 * TimestampOracle::kWindowMs; t += 100) {
    clock.Set(kNow + t);
    auto ts = tso.GetTimestamps();
    ASSERT_TRUE(ts.ok());
    ASSERT_GT(*ts, prev);
    ASSERT_EQ(PhysicalMs(*ts), kNow + t);
    ASSERT_LT(PhysicalMs(*ts), persisted.last());
    prev = *ts;
  }
  EXPECT_GE(persisted.count(), 4u);
  EXPECT_LE(persisted.count(), 6u);
}

TEST(TimestampOracleTest, BatchesReserveConsecutiveTimestamps) {
  SettableClock clock(kNow);
  Persisted persisted;
  TimestampOracle tso(&clock, 0, persisted.Fn());
  auto a = tso.GetTimestamps(10);
  auto b = tso.GetTimestamps(1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_GE(*b, *a + 10);
  EXPECT_EQ(GetErrorCode(tso.GetTimestamps(0).status()), ErrorCode::kInvalidArgument);
  EXPECT_EQ(GetErrorCode(tso.GetTimestamps(1u << kLogicalBits).status()),
            ErrorCode::kInvalidArgument);
}

TEST(TimestampOracleTest, ExhaustedLogicalCounterBorrowsTheNextMillisecond) {
  SettableClock clock(kNow);
  Persisted persisted;
  TimestampOracle tso(&clock, 0, persisted.Fn());
  const uint32_t big = (1u << kLogicalBits) - 1;
  Timestamp prev_end = 0;
  for (int i = 0; i < 5; ++i) {
    auto ts = tso.GetTimestamps(big);
    ASSERT_TRUE(ts.ok());
    ASSERT_GT(*ts, prev_end);
    Timestamp end = *ts + big - 1;
    ASSERT_EQ(PhysicalMs(end), PhysicalMs(*ts)) << "a batch must not straddle milliseconds";
    prev_end = end;
  }
  EXPECT_GT(PhysicalMs(prev_end), kNow);  // ran ahead of the stopped clock
}

TEST(TimestampOracleTest, ClockGoingBackwardsNeverGoesBackInTime) {
  SettableClock clock(kNow);
  Persisted persisted;
  TimestampOracle tso(&clock, 0, persisted.Fn());
  auto a = tso.GetTimestamps();
  clock.Set(kNow - 60000);
  auto b = tso.GetTimestamps();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_GT(*b, *a);
}

TEST(TimestampOracleTest, RestartStartsAboveThePersistedMark) {
  SettableClock clock(kNow);
  Persisted persisted;
  Timestamp max_issued = 0;
  {
    TimestampOracle tso(&clock, 0, persisted.Fn());
    for (int i = 0; i < 1000; ++i) {
      clock.Set(kNow + i);
      max_issued = std::max(max_issued, *tso.GetTimestamps(3) + 2);
    }
  }
  // The new incarnation's host is 10 s behind.
  clock.Set(kNow - 10000);
  TimestampOracle restarted(&clock, persisted.last(), persisted.Fn());
  auto ts = restarted.GetTimestamps();
  ASSERT_TRUE(ts.ok());
  EXPECT_GT(*ts, max_issued);
  EXPECT_GT(PhysicalMs(*ts), PhysicalMs(max_issued));
}

TEST(TimestampOracleTest, PersistFailureHandsOutNothing) {
  SettableClock clock(kNow);
  Persisted persisted;
  persisted.set_fail(true);
  TimestampOracle tso(&clock, 0, persisted.Fn());
  auto ts = tso.GetTimestamps();
  ASSERT_FALSE(ts.ok());
  EXPECT_EQ(GetErrorCode(ts.status()), ErrorCode::kUnavailable);
  persisted.set_fail(false);
  auto retry = tso.GetTimestamps();
  ASSERT_TRUE(retry.ok());
  EXPECT_LT(PhysicalMs(*retry), persisted.last());
}

TEST(TimestampOracleTest, ConcurrentCallersGetUniqueTimestamps) {
  SettableClock clock(kNow);
  Persisted persisted;  // called under the oracle's lock only
  TimestampOracle tso(&clock, 0, persisted.Fn());
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::vector<Timestamp>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto ts = tso.GetTimestamps();
        if (ts.ok()) got[t].push_back(*ts);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<Timestamp> all;
  for (const auto& g : got) {
    ASSERT_EQ(g.size(), static_cast<size_t>(kEach));
    ASSERT_TRUE(std::is_sorted(g.begin(), g.end()));
    all.insert(all.end(), g.begin(), g.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "duplicate timestamp";
}

TEST(LatchesTest, MutualExclusionPerKey) {
  Latches latches;
  constexpr int kThreads = 4, kEach = 500;
  int64_t counter = 0;  // guarded by the latch of "k" alone
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Overlapping sets, duplicates and different orders must not deadlock.
        std::vector<std::string> keys = t % 2 ? std::vector<std::string>{"k", "x", "k"}
                                              : std::vector<std::string>{"y", "k"};
        auto guard = latches.Acquire(std::move(keys));
        int64_t v = counter;
        std::this_thread::yield();
        counter = v + 1;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter, kThreads * kEach);
  // Everything was released.
  auto all = latches.Acquire({"k", "x", "y"});
}

TEST(LatchesTest, GuardMovesReleaseOnce) {
  Latches latches;
  {
    auto a = latches.Acquire({"a"});
    Latches::Guard b(std::move(a));
  }
  auto again = latches.Acquire({"a"});  // would block forever if still held
}

}  // namespace
}  // namespace cairn::kv
