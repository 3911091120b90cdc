#include "txn/active_transactions.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "common/error_code.h"

namespace cairn::txn {
namespace {

absl::Status Never() { return absl::OkStatus(); }

TEST(ActiveTransactionsTest, NothingOlderOpenReturnsAtOnce) {
  ActiveTransactions active;
  active.Activate(active.Reserve(), 50);
  EXPECT_TRUE(active.WaitForOlderThan(50, Never).ok());  // 50 is not older than 50
  EXPECT_TRUE(active.WaitForOlderThan(10, Never).ok());
}

TEST(ActiveTransactionsTest, WaitsUntilOlderTransactionsEnd) {
  ActiveTransactions active;
  active.Activate(active.Reserve(), 10);
  active.Activate(active.Reserve(), 20);
  active.Activate(active.Reserve(), 30);
  std::future<absl::Status> waiter =
      std::async(std::launch::async, [&] { return active.WaitForOlderThan(25, Never); });
  active.Remove(10);
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  active.Remove(20);
  EXPECT_TRUE(waiter.get().ok());  // 30 may stay open
  EXPECT_EQ(active.open(), 1u);
}

// A transaction between asking for its timestamp and registering it may
// get one older than the state change: the wait covers it.
TEST(ActiveTransactionsTest, WaitsForReservedTickets) {
  ActiveTransactions active;
  const uint64_t ticket = active.Reserve();
  std::future<absl::Status> waiter =
      std::async(std::launch::async, [&] { return active.WaitForOlderThan(100, Never); });
  EXPECT_EQ(waiter.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  active.Cancel(ticket);
  EXPECT_TRUE(waiter.get().ok());
}

TEST(ActiveTransactionsTest, TicketsAfterTheWaitBeganDoNotHoldIt) {
  ActiveTransactions active;
  active.Activate(active.Reserve(), 10);
  std::atomic<bool> waiting{false};
  std::future<absl::Status> waiter = std::async(std::launch::async, [&] {
    waiting.store(true);
    return active.WaitForOlderThan(50, Never);
  });
  while (!waiting.load()) std::this_thread::yield();
  // Reserved (possibly) after the wait took its horizon: whether it counts
  // depends on the race, so it must be activated with a newer timestamp.
  active.Activate(active.Reserve(), 60);
  active.Remove(10);
  EXPECT_TRUE(waiter.get().ok());
}

TEST(ActiveTransactionsTest, CheckEndsTheWait) {
  ActiveTransactions active;
  active.Activate(active.Reserve(), 10);
  int calls = 0;
  absl::Status s = active.WaitForOlderThan(20, [&]() -> absl::Status {
    if (++calls < 3) return absl::OkStatus();
    return MakeError(ErrorCode::kQueryCanceled, "canceling statement due to statement timeout");
  });
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kQueryCanceled);
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace cairn::txn
