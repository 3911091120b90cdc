#include "kv/mvcc/txn_types.h"

#include <gtest/gtest.h>

#include <random>

#include "common/error_code.h"
#include "test_seed.h"

namespace cairn::kv {
namespace {

TEST(TxnTypesTest, LockRoundTrip) {
  Lock lock;
  lock.kind = MutationKind::kInsert;
  lock.primary = std::string("pri\0mary", 8);
  lock.start_ts = ComposeTimestamp(123456, 7);
  lock.ttl_ms = 3000;
  lock.min_commit_ts = lock.start_ts + 1;
  lock.short_value = std::string("v\0\xff", 3);
  auto back = Lock::Decode(lock.Encode());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->kind, lock.kind);
  EXPECT_EQ(back->primary, lock.primary);
  EXPECT_EQ(back->start_ts, lock.start_ts);
  EXPECT_EQ(back->ttl_ms, lock.ttl_ms);
  EXPECT_EQ(back->min_commit_ts, lock.min_commit_ts);
  EXPECT_EQ(back->short_value, lock.short_value);

  Lock no_value;
  no_value.kind = MutationKind::kDelete;
  auto nv = Lock::Decode(no_value.Encode());
  ASSERT_TRUE(nv.ok());
  EXPECT_EQ(nv->short_value, std::nullopt);

  Lock empty_value;
  empty_value.short_value = "";
  EXPECT_EQ(Lock::Decode(empty_value.Encode())->short_value, std::optional<std::string>(""));
  EXPECT_FALSE(Lock::Decode(empty_value.Encode())->use_async_commit);

  Lock async_primary = lock;
  async_primary.use_async_commit = true;
  async_primary.secondaries = {"s1", std::string("s\0002", 3), ""};
  auto a = Lock::Decode(async_primary.Encode());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->use_async_commit);
  EXPECT_EQ(a->secondaries, async_primary.secondaries);
  EXPECT_EQ(a->short_value, lock.short_value);
}

TEST(TxnTypesTest, WriteRecordRoundTrip) {
  for (auto kind : {WriteKind::kPut, WriteKind::kDelete, WriteKind::kLock, WriteKind::kRollback}) {
    WriteRecord w{kind, 42, std::nullopt};
    auto back = WriteRecord::Decode(w.Encode());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->kind, kind);
    EXPECT_EQ(back->start_ts, 42u);
    EXPECT_EQ(back->short_value, std::nullopt);
  }
  for (std::string v : {std::string(), std::string("x"), std::string("\0\1", 2),
                        std::string(255, 'z')}) {
    WriteRecord w{WriteKind::kPut, 7, v};
    auto back = WriteRecord::Decode(w.Encode());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->short_value, std::optional<std::string>(v));
  }
}

TEST(TxnTypesTest, CorruptRecordsFailToDecode) {
  EXPECT_EQ(GetErrorCode(Lock::Decode("").status()), ErrorCode::kDataCorrupted);
  EXPECT_EQ(GetErrorCode(WriteRecord::Decode("").status()), ErrorCode::kDataCorrupted);
  std::string lock = Lock{MutationKind::kPut, "p", 1, 2, 3, "value"}.Encode();
  for (size_t cut = 1; cut < lock.size(); ++cut) {
    EXPECT_FALSE(Lock::Decode(lock.substr(0, cut)).ok()) << "cut at " << cut;
  }
  EXPECT_FALSE(WriteRecord::Decode(std::string("\0\0\0", 3)).ok());
}

TEST(TxnTypesTest, LockExpiryUsesPhysicalTime) {
  Lock lock;
  lock.start_ts = ComposeTimestamp(1000, 5);
  lock.ttl_ms = 100;
  EXPECT_FALSE(lock.IsExpired(ComposeTimestamp(1000, 6)));
  EXPECT_FALSE(lock.IsExpired(ComposeTimestamp(1099, (1 << kLogicalBits) - 1)));
  EXPECT_TRUE(lock.IsExpired(ComposeTimestamp(1100, 0)));
  EXPECT_TRUE(lock.IsExpired(ComposeTimestamp(5000, 0)));
}

TEST(TxnTypesTest, VersionKeysSortNewestFirstAndNeverInterleave) {
  using mvcc_keys::VersionKey;
  EXPECT_LT(VersionKey("k", 20), VersionKey("k", 10));
  EXPECT_LT(VersionKey("k", kMaxTimestamp), VersionKey("k", 0));
  // All versions of "a" sort before any version of "a\0" and of "ab".
  EXPECT_LT(VersionKey("a", 0), VersionKey(std::string("a\0", 2), kMaxTimestamp));
  EXPECT_LT(VersionKey(std::string("a\0", 2), 0), VersionKey("ab", kMaxTimestamp));
  EXPECT_LT(VersionKey("", 0), VersionKey(std::string("\0", 1), kMaxTimestamp));

  std::string user_key;
  Timestamp ts = 0;
  absl::Status s =
      mvcc_keys::DecodeVersionKey(VersionKey(std::string("x\0y", 3), 99), &user_key, &ts);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(user_key, std::string("x\0y", 3));
  EXPECT_EQ(ts, 99u);
  EXPECT_EQ(*mvcc_keys::DecodeLockKey(mvcc_keys::LockKey(std::string("\0", 1))),
            std::string("\0", 1));
  EXPECT_FALSE(mvcc_keys::DecodeVersionKey("garbage", &user_key, &ts).ok());
}

TEST(TxnTypesTest, RandomVersionKeysOrderByKeyThenNewestFirst) {
  const uint64_t seed = cairn::testing::TestSeed(5);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const char alphabet[] = {'\0', '\x01', '\xff', 'a'};
  for (int i = 0; i < 5000; ++i) {
    std::string k1, k2;
    for (size_t n = rng() % 4; n > 0; --n) k1.push_back(alphabet[rng() % 4]);
    for (size_t n = rng() % 4; n > 0; --n) k2.push_back(alphabet[rng() % 4]);
    Timestamp t1 = rng() % 4 == 0 ? kMaxTimestamp : rng() % 100;
    Timestamp t2 = rng() % 100;
    bool model_less = k1 != k2 ? k1 < k2 : t1 > t2;
    bool model_equal = k1 == k2 && t1 == t2;
    std::string v1 = mvcc_keys::VersionKey(k1, t1), v2 = mvcc_keys::VersionKey(k2, t2);
    ASSERT_EQ(v1 == v2, model_equal);
    if (!model_equal) {
      ASSERT_EQ(v1 < v2, model_less) << i;
    }
  }
}

}  // namespace
}  // namespace cairn::kv
