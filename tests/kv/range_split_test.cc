// Splits on one store: a range divides at a key into two Raft groups that
// share the engine's data, both serve at once, survive a restart, and
// writers that race a split land in whichever half holds their keys. The
// split queue picks the key that halves a range's data.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "kv/keys.h"
#include "kv/local_kv_client.h"
#include "kv/range_commands.h"
#include "kv/split_queue.h"
#include "kv/store.h"
#include "kv_test_util.h"
#include "mvcc_test_util.h"

namespace cairn::kv {
namespace {

using testing::PutM;
using testing::TempDir;

constexpr uint64_t kLongTtlMs = 1000000;
constexpr int64_t kServeWaitMs = 10000;

// A table-keyspace key (first data range).
std::string Row(int i) { return absl::StrFormat("\x80row%05d", i); }

class RangeSplitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Open()); }

  void Open() {
    auto store = Store::Open(testing::OpenRocksDb(dir_.path() + "/db"), Clock::Real(), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    store_->Start();
    auto client = LocalKvClient::Create(store_.get());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(client).value();
  }

  void Restart() {
    client_.reset();
    store_->Stop();
    store_.reset();
    ASSERT_NO_FATAL_FAILURE(Open());
  }

  absl::Status SplitAt(const std::string& key, uint64_t right_range_id) {
    Replica* replica = store_->LookupReplica(key);
    if (replica == nullptr) return MakeError(ErrorCode::kInternal, "no range holds the key");
    return RangeCommands(replica).Split(key, right_range_id);
  }

  // One transaction writing `keys` (any ranges), two-phase; its commit_ts.
  absl::StatusOr<Timestamp> Write(const std::vector<std::string>& keys, const std::string& value) {
    CAIRN_ASSIGN_OR_RETURN(Timestamp start_ts, client_->GetTimestamp());
    PrewriteRequest request;
    request.primary = keys.front();
    request.start_ts = start_ts;
    request.ttl_ms = kLongTtlMs;
    for (const std::string& key : keys) request.mutations.push_back(PutM(key, value));
    CAIRN_ASSIGN_OR_RETURN(std::vector<TxnError> errors, client_->Prewrite(request));
    if (!errors.empty()) return MakeError(ErrorCode::kSerializationFailure, "prewrite conflict");
    CAIRN_ASSIGN_OR_RETURN(Timestamp commit_ts, client_->GetTimestamp());
    CAIRN_ASSIGN_OR_RETURN(errors, client_->Commit(keys, start_ts, commit_ts));
    if (!errors.empty()) return MakeError(ErrorCode::kSerializationFailure, "commit conflict");
    return commit_ts;
  }

  std::vector<std::string> ScanKeys(std::string_view start, std::string_view end) {
    auto ts = client_->GetTimestamp();
    EXPECT_TRUE(ts.ok()) << ts.status();
    auto scan = client_->Scan(start, end, ts.value_or(kMaxTimestamp), 0);
    EXPECT_TRUE(scan.ok()) << scan.status();
    std::vector<std::string> keys;
    if (scan.ok()) {
      for (const KeyValue& kv : scan->rows) keys.push_back(kv.key);
    }
    return keys;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LocalKvClient> client_;
};

TEST_F(RangeSplitTest, SplitDividesTheRangeAndBothHalvesServe) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Write({Row(i)}, absl::StrCat("v", i)).ok());

  ASSERT_TRUE(SplitAt(Row(10), 7).ok());

  Replica* left = store_->GetReplica(keys::kFirstDataRangeId);
  Replica* right = store_->GetReplica(7);
  ASSERT_NE(right, nullptr) << "the split made no replica for the new range";
  EXPECT_EQ(left->descriptor().start_key(), keys::kSystemKeyspaceEnd);
  EXPECT_EQ(left->descriptor().end_key(), Row(10));
  EXPECT_EQ(right->descriptor().start_key(), Row(10));
  EXPECT_EQ(right->descriptor().end_key(), "");
  EXPECT_EQ(left->descriptor().generation(), 2u);
  EXPECT_EQ(right->descriptor().generation(), 2u);
  EXPECT_EQ(store_->LookupReplica(Row(9)), left);
  EXPECT_EQ(store_->LookupReplica(Row(10)), right);
  CAIRN_EXPECT_OK(right->WaitServing(kServeWaitMs));

  // Reads cross the boundary; a transaction writes on both sides of it.
  EXPECT_EQ(ScanKeys(Row(0), "").size(), 20u);
  ASSERT_TRUE(Write({Row(5), Row(15)}, "both").ok());
  auto ts = client_->GetTimestamp();
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(client_->Get(Row(5), *ts)->value, "both");
  EXPECT_EQ(client_->Get(Row(15), *ts)->value, "both");
}

TEST_F(RangeSplitTest, BothHalvesSurviveARestart) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Write({Row(i)}, "before").ok());
  ASSERT_TRUE(SplitAt(Row(10), 7).ok());
  ASSERT_TRUE(Write({Row(3), Row(13)}, "after").ok());

  ASSERT_NO_FATAL_FAILURE(Restart());

  ASSERT_EQ(store_->replicas().size(), 3u);
  Replica* right = store_->GetReplica(7);
  ASSERT_NE(right, nullptr);
  EXPECT_EQ(right->descriptor().start_key(), Row(10));
  EXPECT_EQ(store_->GetReplica(keys::kFirstDataRangeId)->descriptor().end_key(), Row(10));
  EXPECT_EQ(ScanKeys(Row(0), "").size(), 20u);
  auto ts = client_->GetTimestamp();
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(client_->Get(Row(13), *ts)->value, "after");
  // And the new range keeps taking writes.
  ASSERT_TRUE(Write({Row(14)}, "later").ok());
}

TEST_F(RangeSplitTest, SplitAtTheRangeStartOrOfAnOlderGenerationDoesNothing) {
  ASSERT_TRUE(SplitAt(Row(10), 7).ok());
  absl::Status at_start = SplitAt(Row(10), 8);
  EXPECT_EQ(GetErrorCode(at_start), ErrorCode::kRangeNotHere) << at_start;
  EXPECT_EQ(store_->GetReplica(8), nullptr);

  // A split proposed for the generation before the first split: overtaken.
  Replica* left = store_->GetReplica(keys::kFirstDataRangeId);
  proto::RaftCommand stale;
  stale.mutable_split()->set_split_key(Row(5));
  stale.mutable_split()->set_right_range_id(9);
  stale.mutable_split()->set_left_generation(1);
  CAIRN_ASSERT_OK(left->ProposeAndWait(stale));
  EXPECT_EQ(store_->GetReplica(9), nullptr);
  EXPECT_EQ(left->descriptor().end_key(), Row(10));
}

TEST_F(RangeSplitTest, WritersRacingSplitsAllLand) {
  constexpr int kWriters = 4;
  constexpr int kEach = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        // Each transaction touches keys far apart: after the splits, two ranges.
        const int a = (i * kWriters + w) % 200;
        absl::StatusOr<Timestamp> s = Write({Row(a), Row(a + 200)}, absl::StrCat(w, "-", i));
        if (!s.ok() && failures++ < 5) ADD_FAILURE() << "writer " << w << ": " << s.status();
      }
    });
  }
  uint64_t next_id = 10;
  for (int key : {300, 100, 200, 50}) {
    absl::Status s = SplitAt(Row(key), next_id++);
    EXPECT_TRUE(s.ok()) << "split at " << key << ": " << s;
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->replicas().size(), 6u);
  // Every key written, read across all five data ranges.
  std::set<int> expected;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kEach; ++i) {
      expected.insert((i * kWriters + w) % 200);
      expected.insert((i * kWriters + w) % 200 + 200);
    }
  }
  EXPECT_EQ(ScanKeys(Row(0), "").size(), expected.size());
}

TEST_F(RangeSplitTest, SplitQueueHalvesARangeThatOutgrewTheLimit) {
  const std::string payload(200, 'x');
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Write({Row(i)}, payload).ok());
  const proto::RangeDescriptor data = store_->GetReplica(keys::kFirstDataRangeId)->descriptor();
  auto middle = SplitQueue::MiddleKey(*store_->engine(), data);
  ASSERT_TRUE(middle.ok()) << middle.status();
  ASSERT_TRUE(middle->has_value());
  EXPECT_GE(**middle, Row(45));
  EXPECT_LE(**middle, Row(55));

  uint64_t next_id = 20;
  SplitQueue queue(store_.get(), [&]() -> absl::StatusOr<uint64_t> { return next_id++; },
                   {.max_range_bytes = [] { return uint64_t{4096}; }});
  EXPECT_GE(queue.RunOnce(), 1u);
  EXPECT_GT(store_->replicas().size(), 2u);
  // The meta range never splits, however small the limit.
  EXPECT_EQ(store_->GetReplica(keys::kMetaRangeId)->descriptor().end_key(),
            keys::kSystemKeyspaceEnd);
  EXPECT_EQ(ScanKeys(Row(0), "").size(), 100u);
}

TEST_F(RangeSplitTest, MiddleKeyOfARangeWithOneKeyIsNone) {
  ASSERT_TRUE(Write({Row(1)}, "only").ok());
  ASSERT_TRUE(Write({Row(1)}, "again").ok());
  const proto::RangeDescriptor data = store_->GetReplica(keys::kFirstDataRangeId)->descriptor();
  auto middle = SplitQueue::MiddleKey(*store_->engine(), data);
  ASSERT_TRUE(middle.ok()) << middle.status();
  EXPECT_FALSE(middle->has_value()) << "versions of one key must never part";
}

}  // namespace
}  // namespace cairn::kv
