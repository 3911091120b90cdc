#include "common/statement_interrupts.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/parallel_for.h"
#include "gtest/gtest.h"

namespace cairn {
namespace {

absl::Status Canceled() { return MakeError(ErrorCode::kQueryCanceled, "canceled"); }

TEST(StatementInterruptsTest, NoStatementNoInterrupt) {
  EXPECT_TRUE(StatementInterrupts::Check().ok());
  EXPECT_EQ(StatementInterrupts::Deadline(), absl::InfiniteFuture());
}

TEST(StatementInterruptsTest, AnswersTheRunningStatementsCheckEachTime) {
  bool canceled = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  {
    StatementInterrupts interrupts([&] { return canceled ? Canceled() : absl::OkStatus(); },
                                   [&] { return deadline; });
    EXPECT_TRUE(StatementInterrupts::Check().ok());
    EXPECT_EQ(StatementInterrupts::Deadline(), deadline);
    canceled = true;
    EXPECT_EQ(GetErrorCode(StatementInterrupts::Check()), ErrorCode::kQueryCanceled);
  }
  // The scope ended with the statement.
  EXPECT_TRUE(StatementInterrupts::Check().ok());
  EXPECT_EQ(StatementInterrupts::Deadline(), absl::InfiniteFuture());
}

TEST(StatementInterruptsTest, BelongsToTheThreadThatInstalledIt) {
  StatementInterrupts interrupts([] { return Canceled(); }, [] { return absl::Now(); });
  absl::Status other_thread;
  std::thread([&] { other_thread = StatementInterrupts::Check(); }).join();
  EXPECT_TRUE(other_thread.ok()) << other_thread;
  EXPECT_FALSE(StatementInterrupts::Check().ok());
}

TEST(StatementInterruptsTest, InnerScopeHidesTheOuterOneUntilItEnds) {
  StatementInterrupts outer([] { return Canceled(); }, nullptr);
  {
    StatementInterrupts inner([] { return absl::OkStatus(); }, nullptr);
    EXPECT_TRUE(StatementInterrupts::Check().ok());
  }
  EXPECT_FALSE(StatementInterrupts::Check().ok());
}

TEST(StatementInterruptsTest, HeldInterruptsWaitUntilReleased) {
  StatementInterrupts interrupts([] { return Canceled(); },
                                 [] { return absl::Now() - absl::Seconds(1); });
  {
    HeldInterrupts held;
    EXPECT_TRUE(StatementInterrupts::Check().ok());
    EXPECT_EQ(StatementInterrupts::Deadline(), absl::InfiniteFuture());
    {
      HeldInterrupts nested;
      EXPECT_TRUE(StatementInterrupts::Check().ok());
    }
    EXPECT_TRUE(StatementInterrupts::Check().ok());
  }
  EXPECT_EQ(GetErrorCode(StatementInterrupts::Check()), ErrorCode::kQueryCanceled);
}

// A statement's work on ParallelFor's helper threads (a scan reading its
// ranges in parallel) ends with the statement, and a commit's past its
// commit point is held there as on the committing thread.
TEST(StatementInterruptsTest, ParallelForHelpersRunUnderTheCallersInterrupts) {
  // Four ranges on four threads at once: each body waits until all four
  // have begun, so three of them run on helpers.
  static constexpr size_t kRanges = 4;
  auto checks_in_parallel = [] {
    std::mutex mu;
    std::vector<absl::Status> seen;
    std::set<std::thread::id> threads;
    std::atomic<size_t> begun{0};
    ParallelFor(kRanges, kRanges, [&](size_t) {
      ++begun;
      while (begun.load() < kRanges) std::this_thread::yield();
      absl::Status s = StatementInterrupts::Check();
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(s);
      threads.insert(std::this_thread::get_id());
    });
    EXPECT_EQ(threads.size(), kRanges);
    return seen;
  };
  StatementInterrupts interrupts([] { return Canceled(); }, [] { return absl::InfiniteFuture(); });
  for (const absl::Status& s : checks_in_parallel()) {
    EXPECT_EQ(GetErrorCode(s), ErrorCode::kQueryCanceled) << s;
  }
  {
    HeldInterrupts held;
    for (const absl::Status& s : checks_in_parallel()) EXPECT_TRUE(s.ok()) << s;
  }
  // Helpers leave nothing behind on threads that outlive the call.
  std::thread unrelated([] { EXPECT_TRUE(StatementInterrupts::Check().ok()); });
  unrelated.join();
}

}  // namespace
}  // namespace cairn
