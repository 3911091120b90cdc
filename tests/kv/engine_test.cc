#include "kv/engine.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "kv/memory_engine.h"
#include "kv/rocksdb_engine.h"
#include "kv_test_util.h"

namespace cairn::kv {
namespace {

using testing::EngineKind;
using testing::TempDir;

std::vector<std::string> Keys(EngineIterator* it) {
  std::vector<std::string> out;
  for (; it->Valid(); it->Next()) out.emplace_back(it->key());
  return out;
}

// Both engines must behave alike behind the KvEngine interface.
class EngineTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override { engine_ = testing::MakeEngine(GetParam(), dir_); }
  void TearDown() override { engine_.reset(); }

  std::optional<std::string> MustGet(ColumnFamily cf, std::string_view key) {
    auto v = engine_->Get(cf, key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  TempDir dir_;
  std::unique_ptr<KvEngine> engine_;
};

TEST_P(EngineTest, WriteBatchPutsAndDeletesInOrder) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kWrite, "a", "1");
  batch.Put(ColumnFamily::kWrite, "b", "2");
  batch.Delete(ColumnFamily::kWrite, "a");
  batch.Put(ColumnFamily::kWrite, "c", "3");
  batch.Put(ColumnFamily::kWrite, "c", "4");  // the later mutation wins
  batch.Put(ColumnFamily::kLock, "a", "lock");
  EXPECT_EQ(batch.size(), 6u);
  CAIRN_ASSERT_OK(engine_->Write(batch, /*sync=*/true));

  EXPECT_EQ(MustGet(ColumnFamily::kWrite, "a"), std::nullopt);
  EXPECT_EQ(MustGet(ColumnFamily::kWrite, "b"), "2");
  EXPECT_EQ(MustGet(ColumnFamily::kWrite, "c"), "4");
  // Column families are separate keyspaces.
  EXPECT_EQ(MustGet(ColumnFamily::kLock, "a"), "lock");
  EXPECT_EQ(MustGet(ColumnFamily::kDefault, "b"), std::nullopt);
  EXPECT_EQ(MustGet(ColumnFamily::kRaft, "b"), std::nullopt);

  // Values are binary-safe.
  WriteBatch bin;
  bin.Put(ColumnFamily::kDefault, std::string("k\0\xff", 3), std::string("v\0", 2));
  CAIRN_ASSERT_OK(engine_->Write(bin, false));
  EXPECT_EQ(MustGet(ColumnFamily::kDefault, std::string("k\0\xff", 3)), std::string("v\0", 2));
}

TEST_P(EngineTest, SnapshotIsStable) {
  WriteBatch b1;
  b1.Put(ColumnFamily::kWrite, "k", "old");
  CAIRN_ASSERT_OK(engine_->Write(b1, false));
  auto snapshot = engine_->NewSnapshot();

  WriteBatch b2;
  b2.Put(ColumnFamily::kWrite, "k", "new");
  b2.Put(ColumnFamily::kWrite, "k2", "x");
  CAIRN_ASSERT_OK(engine_->Write(b2, false));

  EXPECT_EQ(*snapshot->Get(ColumnFamily::kWrite, "k"), "old");
  EXPECT_EQ(*snapshot->Get(ColumnFamily::kWrite, "k2"), std::nullopt);
  auto it = snapshot->NewIterator(ColumnFamily::kWrite, "", "");
  it->SeekToFirst();
  EXPECT_EQ(Keys(it.get()), std::vector<std::string>{"k"});
  EXPECT_EQ(MustGet(ColumnFamily::kWrite, "k"), "new");
  EXPECT_EQ(*engine_->NewSnapshot()->Get(ColumnFamily::kWrite, "k"), "new");
}

TEST_P(EngineTest, IteratorBounds) {
  WriteBatch batch;
  for (std::string k : {"a", "b", "ba", "c", "d"}) batch.Put(ColumnFamily::kWrite, k, "v" + k);
  batch.Put(ColumnFamily::kLock, "bb", "other cf");
  CAIRN_ASSERT_OK(engine_->Write(batch, false));
  auto snapshot = engine_->NewSnapshot();

  auto it = snapshot->NewIterator(ColumnFamily::kWrite, "b", "d");
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "vb");
  EXPECT_EQ(Keys(it.get()), (std::vector<std::string>{"b", "ba", "c"}));  // upper exclusive
  CAIRN_EXPECT_OK(it->status());

  it->Seek("bb");
  EXPECT_EQ(Keys(it.get()), (std::vector<std::string>{"c"}));
  it->Seek("d");
  EXPECT_FALSE(it->Valid());

  // Empty upper: unbounded.
  auto all = snapshot->NewIterator(ColumnFamily::kWrite, "", "");
  all->SeekToFirst();
  EXPECT_EQ(Keys(all.get()), (std::vector<std::string>{"a", "b", "ba", "c", "d"}));
  auto tail = snapshot->NewIterator(ColumnFamily::kWrite, "c", "");
  tail->Seek("a");  // below the lower bound: clamped to it
  EXPECT_EQ(Keys(tail.get()), (std::vector<std::string>{"c", "d"}));
}

// Backwards within the same bounds: from the last key, from the last key
// at or before a target, one step at a time.
TEST_P(EngineTest, IteratorWalksBackwardsWithinBounds) {
  WriteBatch batch;
  for (std::string k : {"a", "b", "ba", "c", "d"}) batch.Put(ColumnFamily::kWrite, k, "v" + k);
  CAIRN_ASSERT_OK(engine_->Write(batch, false));
  auto snapshot = engine_->NewSnapshot();
  auto backwards = [](EngineIterator* it) {
    std::vector<std::string> keys;
    for (; it->Valid(); it->Prev()) keys.emplace_back(it->key());
    return keys;
  };

  auto it = snapshot->NewIterator(ColumnFamily::kWrite, "b", "d");
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value(), "vc");
  EXPECT_EQ(backwards(it.get()), (std::vector<std::string>{"c", "ba", "b"}));  // lower inclusive
  it->SeekForPrev("bz");
  EXPECT_EQ(backwards(it.get()), (std::vector<std::string>{"ba", "b"}));
  it->SeekForPrev("ba");  // at the target itself
  EXPECT_EQ(backwards(it.get()), (std::vector<std::string>{"ba", "b"}));
  it->SeekForPrev("zz");  // above the upper bound: clamped below it
  EXPECT_EQ(backwards(it.get()), (std::vector<std::string>{"c", "ba", "b"}));
  it->SeekForPrev("a");  // below the lower bound: nothing
  EXPECT_FALSE(it->Valid());

  auto all = snapshot->NewIterator(ColumnFamily::kWrite, "", "");
  all->SeekToLast();
  EXPECT_EQ(backwards(all.get()), (std::vector<std::string>{"d", "c", "ba", "b", "a"}));
  auto empty = snapshot->NewIterator(ColumnFamily::kWrite, "e", "");
  empty->SeekToLast();
  EXPECT_FALSE(empty->Valid());
}

TEST_P(EngineTest, EmptyBatchAndMissingKeys) {
  CAIRN_EXPECT_OK(engine_->Write(WriteBatch(), true));
  EXPECT_EQ(MustGet(ColumnFamily::kWrite, "missing"), std::nullopt);
  WriteBatch del;
  del.Delete(ColumnFamily::kWrite, "missing");  // deleting nothing is fine
  CAIRN_EXPECT_OK(engine_->Write(del, false));
  auto it = engine_->NewSnapshot()->NewIterator(ColumnFamily::kDefault, "", "");
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

// kv/engine.h: ApproximateSize covers "the data column families"; the Raft
// column family (log entries, hard state) is not range data and must not
// count towards a range's size (RocksDbEngine already leaves it out).
TEST_P(EngineTest, ApproximateSizeCountsOnlyDataColumnFamilies) {
  WriteBatch raft_only;
  raft_only.Put(ColumnFamily::kRaft, "r-log-entry", std::string(1000, 'x'));
  CAIRN_ASSERT_OK(engine_->Write(raft_only, false));
  EXPECT_EQ(engine_->ApproximateSize("", ""), 0u);
  if (GetParam() == EngineKind::kMemory) {
    WriteBatch data;
    data.Put(ColumnFamily::kWrite, "k", std::string(100, 'y'));
    CAIRN_ASSERT_OK(engine_->Write(data, false));
    EXPECT_GE(engine_->ApproximateSize("", ""), 100u);
    EXPECT_EQ(engine_->ApproximateSize("l", ""), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineTest,
                         ::testing::Values(EngineKind::kMemory, EngineKind::kRocksDb),
                         testing::EngineKindName);

TEST(RocksDbEngineTest, DataSurvivesReopenInEveryColumnFamily) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  {
    auto engine = testing::OpenRocksDb(path);
    ASSERT_NE(engine, nullptr);
    WriteBatch batch;
    batch.Put(ColumnFamily::kDefault, "d", "1");
    batch.Put(ColumnFamily::kLock, "l", "2");
    batch.Put(ColumnFamily::kWrite, "w", "3");
    batch.Put(ColumnFamily::kRaft, "r", "4");
    CAIRN_ASSERT_OK(engine->Write(batch, /*sync=*/true));
    WriteBatch unsynced;
    unsynced.Put(ColumnFamily::kWrite, "w2", "5");
    CAIRN_ASSERT_OK(engine->Write(unsynced, /*sync=*/false));
  }
  auto engine = testing::OpenRocksDb(path);
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(*engine->Get(ColumnFamily::kDefault, "d"), "1");
  EXPECT_EQ(*engine->Get(ColumnFamily::kLock, "l"), "2");
  EXPECT_EQ(*engine->Get(ColumnFamily::kWrite, "w"), "3");
  EXPECT_EQ(*engine->Get(ColumnFamily::kRaft, "r"), "4");
  EXPECT_EQ(*engine->Get(ColumnFamily::kWrite, "w2"), "5");  // clean close keeps unsynced writes
}

// The write-ahead log grows in zero-filled chunks (kv/zero_filled_wal.h). A
// process that dies without closing the engine leaves a log that ends in
// zeros: reopening recovers every synced write, none of the zeros, and the
// engine writes on.
TEST(RocksDbEngineTest, SyncedWritesSurviveACrashThatLeavesTheLogsZeroFilledTail) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  constexpr int kWrites = 600;  // 8 KiB each: the log crosses a 4 MiB fill chunk
  const std::string value(8 << 10, 'v');
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto engine = RocksDbEngine::Open(path, RocksDbEngine::Options{.block_cache_bytes = 8 << 20});
    if (!engine.ok()) _exit(2);
    for (int i = 0; i < kWrites; ++i) {
      WriteBatch batch;
      batch.Put(ColumnFamily::kRaft, absl::StrCat("k", i), value);
      if (!(*engine)->Write(batch, /*sync=*/true).ok()) _exit(3);
    }
    _exit(0);  // no close: what a kill -9 leaves
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;

  uint64_t log_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() == ".log") log_bytes += entry.file_size();
  }
  EXPECT_EQ(log_bytes % (4 << 20), 0u) << "the log does not end in a zero-filled chunk";
  EXPECT_GT(log_bytes, uint64_t{kWrites} * value.size()) << "the log crossed no fill chunk";

  for (int reopen = 0; reopen < 2; ++reopen) {
    auto engine = testing::OpenRocksDb(path);
    ASSERT_NE(engine, nullptr);
    for (int i = 0; i < kWrites; ++i) {
      auto got = engine->Get(ColumnFamily::kRaft, absl::StrCat("k", i));
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(*got, value) << "k" << i << " after reopen " << reopen;
    }
    auto got = engine->Get(ColumnFamily::kRaft, "after");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, reopen == 0 ? std::nullopt : std::optional<std::string>("1"));
    WriteBatch batch;
    batch.Put(ColumnFamily::kRaft, "after", "1");
    CAIRN_ASSERT_OK(engine->Write(batch, /*sync=*/true));
  }
}

}  // namespace
}  // namespace cairn::kv
