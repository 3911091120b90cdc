// MVCC garbage collection on one store: the safe point is now minus the
// TTL (and two heartbeats), capped by the oldest open transaction, whose
// snapshot stays readable; each range first raises its GC threshold, below
// which reads are refused (kSnapshotTooOld), then drops the versions below
// it but the newest.

#include "kv/gc_queue.h"

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "kv/local_kv_client.h"
#include "kv_test_util.h"
#include "mvcc_test_util.h"

namespace cairn::kv {
namespace {

using testing::PutM;
using testing::TempDir;

constexpr uint64_t kStartMs = 1700000000000;

class GcQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(testing::OpenRocksDb(dir_.path() + "/db"), &clock_, {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    store_->Start();
    auto client = LocalKvClient::Create(store_.get());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(client).value();
  }

  // Commits key = value in one step; returns the commit timestamp.
  Timestamp Put(const std::string& key, const std::string& value) {
    auto start = client_->GetTimestamp();
    EXPECT_TRUE(start.ok());
    PrewriteRequest request;
    request.primary = key;
    request.start_ts = *start;
    request.ttl_ms = 3000;
    request.mutations.push_back(PutM(key, value));
    auto result = client_->TryOnePhaseCommit(request);
    EXPECT_TRUE(result.ok() && result->applied && result->errors.empty());
    return result.ok() ? result->commit_ts : 0;
  }

  absl::StatusOr<std::optional<std::string>> ReadAt(const std::string& key, Timestamp ts) {
    CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(key, ts));
    return got.value;
  }

  GcQueue MakeQueue(std::function<std::optional<Timestamp>()> oldest_active) {
    GcQueue::Options options;
    options.now = [this] { return client_->GetTimestamp(); };
    options.ttl_seconds = [] { return int64_t{1}; };
    options.oldest_active = std::move(oldest_active);
    return GcQueue(store_.get(), std::move(options));
  }

  ManualClock clock_{kStartMs};
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LocalKvClient> client_;
};

TEST_F(GcQueueTest, OpenTransactionKeepsItsSnapshotAndOlderReadsAreRefused) {
  const std::string key = "\x80gc";
  Put(key, "v0");
  clock_.Advance(10);
  Put(key, "v1");
  clock_.Advance(10);
  auto open_since = client_->GetTimestamp();  // a transaction still open
  ASSERT_TRUE(open_since.ok());
  clock_.Advance(10);
  Put(key, "v2");
  clock_.Advance(10);
  Put(key, "v3");
  clock_.Advance(10000);

  std::optional<Timestamp> oldest = *open_since;
  GcQueue queue = MakeQueue([&] { return oldest; });
  EXPECT_EQ(queue.RunOnce(), 1u) << "v0 goes; v1 is what the open transaction reads";
  EXPECT_EQ(ReadAt(key, *open_since).value_or(std::nullopt), "v1");
  EXPECT_EQ(ReadAt(key, kMaxTimestamp).value_or(std::nullopt), "v3");
  absl::StatusOr<std::optional<std::string>> too_old = ReadAt(key, *open_since - 1);
  EXPECT_EQ(GetErrorCode(too_old.status()), ErrorCode::kSnapshotTooOld) << too_old.status();

  // The transaction ends: everything but the newest version goes.
  oldest.reset();
  EXPECT_EQ(queue.RunOnce(), 2u) << "v1 and v2";
  EXPECT_EQ(GetErrorCode(ReadAt(key, *open_since).status()), ErrorCode::kSnapshotTooOld);
  EXPECT_EQ(ReadAt(key, kMaxTimestamp).value_or(std::nullopt), "v3");
  // Nothing moved since: the next pass does nothing.
  EXPECT_EQ(queue.RunOnce(), 0u);
}

}  // namespace
}  // namespace cairn::kv
