// The meta range's directory of range descriptors, keyed by end key: the
// keys order as lookups need, each leader writes its ranges' records (again
// after a split, not again while nothing changed), and a record of a later
// generation is never overwritten by an older view.

#include "kv/meta_records.h"

#include <gtest/gtest.h>

#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "kv/local_kv_client.h"
#include "kv/range_commands.h"
#include "kv_test_util.h"
#include "mvcc_test_util.h"

namespace cairn::kv {
namespace {

using testing::PutM;
using testing::TempDir;

std::string Row(int i) { return absl::StrFormat("\x80row%05d", i); }

TEST(MetaRecordKeysTest, RecordsSortByEndKeyWithTheLastRangeLast) {
  EXPECT_LT(meta_records::Key("\x02"), meta_records::Key(Row(1)));
  EXPECT_LT(meta_records::Key(Row(1)), meta_records::Key(Row(2)));
  EXPECT_LT(meta_records::Key(std::string(8, '\xff')), meta_records::Key(""));
  EXPECT_LT(meta_records::Key(""), meta_records::KeysEnd());
  // The range holding a key ends above it: not the one ending at it.
  EXPECT_GT(meta_records::HoldingStart(Row(1)), meta_records::Key(Row(1)));
  EXPECT_LT(meta_records::HoldingStart(Row(1)), meta_records::Key(Row(1) + "\x01"));
  // The range holding the keys below an end may end there.
  EXPECT_EQ(meta_records::BeforeStart(Row(1)), meta_records::Key(Row(1)));
}

class MetaPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(testing::OpenRocksDb(dir_.path() + "/db"), Clock::Real(), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    store_->Start();
    auto client = LocalKvClient::Create(store_.get());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(client).value();
  }

  // The record the lookup of `key` finds, if any.
  std::optional<proto::RangeDescriptor> RecordHolding(const std::string& key) {
    auto scan =
        client_->Scan(meta_records::HoldingStart(key), meta_records::KeysEnd(), kMaxTimestamp, 1);
    EXPECT_TRUE(scan.ok()) << scan.status();
    if (!scan.ok() || scan->rows.empty()) return std::nullopt;
    proto::RangeDescriptor range;
    EXPECT_TRUE(range.ParseFromString(scan->rows.front().value));
    return range;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LocalKvClient> client_;
};

TEST_F(MetaPublisherTest, LeadersWriteTheirRangesAndAgainAfterASplit) {
  MetaPublisher publisher(store_.get(), client_.get(), {});
  EXPECT_EQ(publisher.RunOnce(), 2u) << "the meta range and the data range";
  EXPECT_EQ(publisher.RunOnce(), 0u) << "nothing changed";
  ASSERT_TRUE(RecordHolding("\x01zz").has_value());
  EXPECT_EQ(RecordHolding("\x01zz")->range_id(), keys::kMetaRangeId);
  ASSERT_TRUE(RecordHolding(Row(5)).has_value());
  EXPECT_EQ(RecordHolding(Row(5))->range_id(), keys::kFirstDataRangeId);

  CAIRN_ASSERT_OK(RangeCommands(store_->LookupReplica(Row(10))).Split(Row(10), 7));
  EXPECT_EQ(publisher.RunOnce(), 2u) << "both halves of the split";
  const auto left = RecordHolding(Row(5));
  const auto right = RecordHolding(Row(15));
  ASSERT_TRUE(left.has_value() && right.has_value());
  EXPECT_EQ(left->range_id(), keys::kFirstDataRangeId);
  EXPECT_EQ(left->end_key(), Row(10));
  EXPECT_EQ(right->range_id(), 7u);
  EXPECT_EQ(right->start_key(), Row(10));
  EXPECT_EQ(RecordHolding(Row(10))->range_id(), 7u) << "a range holds its start key";
}

TEST_F(MetaPublisherTest, ALaterGenerationIsNotOverwritten) {
  // A record for the last range from a generation this store never saw.
  proto::RangeDescriptor later = store_->GetReplica(keys::kFirstDataRangeId)->descriptor();
  later.set_generation(9);
  later.set_range_id(42);
  auto ts = client_->GetTimestamp();
  ASSERT_TRUE(ts.ok());
  PrewriteRequest request;
  request.primary = meta_records::Key("");
  request.start_ts = *ts;
  request.ttl_ms = 3000;
  request.mutations.push_back(PutM(meta_records::Key(""), later.SerializeAsString()));
  auto written = client_->TryOnePhaseCommit(request);
  ASSERT_TRUE(written.ok() && written->applied && written->errors.empty());

  MetaPublisher publisher(store_.get(), client_.get(), {});
  publisher.RunOnce();
  ASSERT_TRUE(RecordHolding(Row(1)).has_value());
  EXPECT_EQ(RecordHolding(Row(1))->range_id(), 42u);
  EXPECT_EQ(RecordHolding(Row(1))->generation(), 9u);
}

}  // namespace
}  // namespace cairn::kv
