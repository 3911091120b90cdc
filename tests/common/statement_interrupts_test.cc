#include "common/statement_interrupts.h"

#include <thread>

#include "absl/time/clock.h"
#include "common/error_code.h"
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

}  // namespace
}  // namespace cairn
