// The Store and its Raft loop, through LocalKvClient: bootstrap, Percolator
// requests through Raft, routing across ranges, and restarts (the Raft log
// replays what the engine had not applied; the timestamp oracle resumes
// above everything it handed out).

#include "kv/store.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "kv/keys.h"
#include "kv/local_kv_client.h"
#include "kv/memory_engine.h"
#include "kv_test_util.h"
#include "mvcc_test_util.h"

namespace cairn::kv {
namespace {

using testing::Describe;
using testing::PutM;
using testing::SharedEngine;
using testing::StoredLogIndexes;
using testing::TempDir;

constexpr uint64_t kStartMs = 1700000000000;
constexpr uint64_t kLongTtlMs = 1000000;

// Table keyspace (range 2) and system keyspace (range 1) keys.
std::string TableKey(std::string_view name) { return "\x80" + std::string(name); }
std::string SystemKey(std::string_view name) { return keys::SystemKey('z', name); }

std::unique_ptr<Store> MustOpen(std::unique_ptr<KvEngine> engine, Clock* clock) {
  auto store = Store::Open(std::move(engine), clock, Store::Options{});
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return nullptr;
  (*store)->Start();
  return std::move(store).value();
}

std::unique_ptr<LocalKvClient> MustClient(Store* store) {
  auto client = LocalKvClient::Create(store);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(client).value() : nullptr;
}

// Prewrites and commits `writes` as one transaction; returns its commit_ts.
Timestamp WriteTxn(KvClient* client,
                   const std::vector<std::pair<std::string, std::string>>& writes) {
  auto start = client->GetTimestamp();
  EXPECT_TRUE(start.ok()) << start.status();
  PrewriteRequest req;
  req.primary = writes.front().first;
  req.start_ts = *start;
  req.ttl_ms = kLongTtlMs;
  std::vector<std::string> keys;
  for (const auto& [k, v] : writes) {
    req.mutations.push_back(PutM(k, v));
    keys.push_back(k);
  }
  auto errors = client->Prewrite(req);
  EXPECT_TRUE(errors.ok()) << errors.status();
  EXPECT_EQ(Describe(errors.value_or(std::vector<TxnError>{})), "");
  auto commit_ts = client->GetTimestamp();
  EXPECT_TRUE(commit_ts.ok());
  auto committed = client->Commit(keys, *start, *commit_ts);
  EXPECT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(Describe(committed.value_or(std::vector<TxnError>{})), "");
  return *commit_ts;
}

std::optional<std::string> MustGet(KvClient* client, std::string_view key, Timestamp ts) {
  auto r = client->Get(key, ts);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return std::nullopt;
  EXPECT_FALSE(r->locked.has_value()) << "locked: " << key_codec::PrettyKey(key);
  return r->value;
}

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenRocks() {
    return MustOpen(testing::OpenRocksDb(dir_.path() + "/db"), &clock_);
  }

  ManualClock clock_{kStartMs};
  TempDir dir_;
};

TEST_F(StoreTest, OpenBootstrapsANewCluster) {
  auto store = OpenRocks();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->ident().node_id(), 1u);
  EXPECT_EQ(store->ident().store_id(), 1u);
  EXPECT_FALSE(store->ident().cluster_id().empty());
  ASSERT_EQ(store->replicas().size(), 2u);
  CAIRN_ASSERT_OK(store->WaitServing(10000));

  Replica* meta = store->LookupReplica(SystemKey("x"));
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->range_id(), 1u);
  EXPECT_EQ(store->LookupReplica("")->range_id(), 1u);
  EXPECT_EQ(store->LookupReplica(keys::kSystemKeyspaceEnd)->range_id(), 2u);
  EXPECT_EQ(store->LookupReplica(TableKey("t"))->range_id(), 2u);
  EXPECT_EQ(store->LookupReplica("\xff\xff")->range_id(), 2u);
  EXPECT_EQ(store->GetReplica(2), store->LookupReplica(TableKey("t")));
  EXPECT_EQ(store->GetReplica(99), nullptr);
  for (Replica* r : store->replicas()) EXPECT_TRUE(r->IsServing()) << r->range_id();
}

TEST_F(StoreTest, PercolatorThroughRaft) {
  auto store = OpenRocks();
  ASSERT_NE(store, nullptr);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);

  auto start = client->GetTimestamp();
  ASSERT_TRUE(start.ok());
  PrewriteRequest req;
  req.primary = TableKey("a");
  req.start_ts = *start;
  req.ttl_ms = kLongTtlMs;
  req.mutations = {PutM(TableKey("a"), "A"), PutM(SystemKey("b"), "B"),
                   PutM(TableKey("long"), std::string(1000, 'L'))};
  auto errors = client->Prewrite(req);
  ASSERT_TRUE(errors.ok()) << errors.status();
  ASSERT_EQ(Describe(*errors), "");

  // Locked for readers after start_ts, in both ranges.
  auto after = client->GetTimestamp();
  auto locked = client->Get(SystemKey("b"), *after);
  ASSERT_TRUE(locked.ok());
  ASSERT_TRUE(locked->locked.has_value());
  EXPECT_EQ(locked->locked->lock.primary, TableKey("a"));
  auto scan = client->Scan("", "", *after, 0);
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->locked.has_value());

  // A conflicting prewrite is refused.
  PrewriteRequest other = req;
  other.start_ts = *after;
  other.primary = TableKey("a");
  other.mutations = {PutM(TableKey("a"), "X")};
  auto conflict = client->Prewrite(other);
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(Describe(*conflict), "KeyLocked(" + key_codec::PrettyKey(TableKey("a")) + ")");

  auto commit_ts = client->GetTimestamp();
  auto committed = client->Commit({TableKey("a"), SystemKey("b"), TableKey("long")}, *start,
                                  *commit_ts);
  ASSERT_TRUE(committed.ok());
  ASSERT_EQ(Describe(*committed), "");

  EXPECT_EQ(MustGet(client.get(), TableKey("a"), *commit_ts), "A");
  EXPECT_EQ(MustGet(client.get(), SystemKey("b"), *commit_ts), "B");
  EXPECT_EQ(MustGet(client.get(), TableKey("long"), *commit_ts), std::string(1000, 'L'));
  EXPECT_EQ(MustGet(client.get(), TableKey("a"), *commit_ts - 1), std::nullopt);

  // Status of the transaction from its primary.
  auto status = client->CheckTxnStatus(TableKey("a"), *start, *commit_ts + 1, true);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, TxnStatus::State::kCommitted);
  EXPECT_EQ(status->commit_ts, *commit_ts);
}

TEST_F(StoreTest, ScanCrossesRangesInKeyOrder) {
  auto store = OpenRocks();
  ASSERT_NE(store, nullptr);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);
  Timestamp ts = WriteTxn(client.get(), {{SystemKey("1"), "s1"},
                                         {SystemKey("2"), "s2"},
                                         {TableKey("1"), "t1"},
                                         {TableKey("2"), "t2"}});
  auto values_of = [](const KvClient::ScanResult& r) {
    std::vector<std::string> out;
    for (const auto& kv : r.rows) out.push_back(kv.value);
    return out;
  };
  auto all = client->Scan("", "", ts, 0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(values_of(*all), (std::vector<std::string>{"s1", "s2", "t1", "t2"}));
  auto limited = client->Scan("", "", ts, 3);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(values_of(*limited), (std::vector<std::string>{"s1", "s2", "t1"}));
  auto from_second = client->Scan(SystemKey("2"), TableKey("2"), ts, 0);
  ASSERT_TRUE(from_second.ok());
  EXPECT_EQ(values_of(*from_second), (std::vector<std::string>{"s2", "t1"}));
  auto only_data = client->Scan(keys::kSystemKeyspaceEnd, "", ts, 0);
  ASSERT_TRUE(only_data.ok());
  EXPECT_EQ(values_of(*only_data), (std::vector<std::string>{"t1", "t2"}));
  auto only_meta = client->Scan("", keys::kSystemKeyspaceEnd, ts, 0);
  ASSERT_TRUE(only_meta.ok());
  EXPECT_EQ(values_of(*only_meta), (std::vector<std::string>{"s1", "s2"}));
}

TEST_F(StoreTest, RestartKeepsDataAndIdentity) {
  std::string cluster_id;
  Timestamp commit_ts = 0;
  {
    auto store = OpenRocks();
    ASSERT_NE(store, nullptr);
    cluster_id = store->ident().cluster_id();
    auto client = MustClient(store.get());
    ASSERT_NE(client, nullptr);
    commit_ts = WriteTxn(client.get(), {{TableKey("k"), "v"}, {SystemKey("m"), "meta"}});
    WriteTxn(client.get(), {{TableKey("k"), "v2"}});
    store->Stop();
  }
  auto store = OpenRocks();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->ident().cluster_id(), cluster_id) << "a restart must not bootstrap again";
  ASSERT_EQ(store->replicas().size(), 2u);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(MustGet(client.get(), TableKey("k"), commit_ts), "v");
  EXPECT_EQ(MustGet(client.get(), TableKey("k"), kMaxTimestamp), "v2");
  EXPECT_EQ(MustGet(client.get(), SystemKey("m"), kMaxTimestamp), "meta");
  // And it keeps working.
  Timestamp later = WriteTxn(client.get(), {{TableKey("k"), "v3"}});
  EXPECT_GT(later, commit_ts);
  EXPECT_EQ(MustGet(client.get(), TableKey("k"), later), "v3");
}

TEST_F(StoreTest, TimestampsIncreaseAcrossRestarts) {
  Timestamp max_before = 0;
  for (int incarnation = 0; incarnation < 3; ++incarnation) {
    SCOPED_TRACE(absl::StrCat("incarnation ", incarnation));
    // Each incarnation's clock is 10 s behind the previous one: the
    // persisted high-water mark, not the clock, keeps timestamps increasing.
    ManualClock clock(kStartMs - 10000 * incarnation);
    auto store = MustOpen(testing::OpenRocksDb(dir_.path() + "/db"), &clock);
    ASSERT_NE(store, nullptr);
    auto client = MustClient(store.get());
    ASSERT_NE(client, nullptr);
    for (int i = 0; i < 100; ++i) {
      auto ts = client->GetTimestamp();
      ASSERT_TRUE(ts.ok()) << ts.status();
      ASSERT_GT(*ts, max_before);
      max_before = *ts;
    }
    store->Stop();
  }
}

// The lead's case of "restart replays the log": an entry that is durable in
// the Raft log but whose application to the engine failed (a crash between
// the two writes) is applied when the store restarts.
TEST(StoreRestartTest, RestartReplaysCommittedButUnappliedEntries) {
  ManualClock clock(kStartMs);
  MemoryEngine data;  // outlives both incarnations
  Timestamp first_commit = 0, start = 0;
  {
    auto shared = std::make_unique<SharedEngine>(&data);
    SharedEngine* engine = shared.get();
    auto store = MustOpen(std::move(shared), &clock);
    ASSERT_NE(store, nullptr);
    auto client = MustClient(store.get());
    ASSERT_NE(client, nullptr);
    first_commit = WriteTxn(client.get(), {{TableKey("before"), "1"}});

    auto ts = client->GetTimestamp();
    ASSERT_TRUE(ts.ok());
    start = *ts;
    PrewriteRequest req;
    req.primary = TableKey("lost");
    req.start_ts = start;
    req.ttl_ms = kLongTtlMs;
    req.mutations = {PutM(TableKey("lost"), "replayed")};
    engine->set_fail_data_writes(true);
    auto result = client->Prewrite(req);
    EXPECT_FALSE(result.ok()) << "the apply failed, so the proposer must not see success";
    EXPECT_GE(engine->failed_writes(), 1);
    store->Stop();
  }
  // Nothing of the failed apply reached the engine.
  {
    auto snapshot = data.NewSnapshot();
    MvccReader reader(snapshot.get());
    auto lock = reader.LoadLock(TableKey("lost"));
    ASSERT_TRUE(lock.ok());
    ASSERT_FALSE(lock->has_value()) << "test premise: the prewrite was not applied";
  }
  auto store = MustOpen(std::make_unique<SharedEngine>(&data), &clock);
  ASSERT_NE(store, nullptr);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(MustGet(client.get(), TableKey("before"), first_commit), "1");
  auto got = client->Get(TableKey("lost"), kMaxTimestamp);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->locked.has_value()) << "the replayed prewrite's lock is missing";
  EXPECT_EQ(got->locked->lock.start_ts, start);
  auto commit_ts = client->GetTimestamp();
  auto committed = client->Commit({TableKey("lost")}, start, *commit_ts);
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(Describe(*committed), "");
  EXPECT_EQ(MustGet(client.get(), TableKey("lost"), *commit_ts), "replayed");
}

// Restarts around a log compaction (every 1024 entries by default):
// 100 transactions, a restart, enough transactions for a compaction, another
// restart from the compacted log.
//
// Also the regression test for a leak: entries applied before a restart but
// not yet compacted must be deleted by the next compaction. Replica::Init
// sets persisted_log_first_ to applied_index + 1 on restart, so the entries
// on disk below it are never deleted: every restart leaks up to
// 1024 log entries per range (the default compaction interval).
TEST(StoreRestartTest, LogCompactionAcrossRestarts) {
  ManualClock clock(kStartMs);
  MemoryEngine data;
  std::map<std::string, std::string> latest;
  Timestamp last_commit = 0;
  for (int incarnation = 0; incarnation < 2; ++incarnation) {
    auto store = MustOpen(std::make_unique<SharedEngine>(&data), &clock);
    ASSERT_NE(store, nullptr);
    auto client = MustClient(store.get());
    ASSERT_NE(client, nullptr);
    const int txns = incarnation == 0 ? 100 : 560;  // two log entries each
    for (int i = 0; i < txns; ++i) {
      std::string key = TableKey(absl::StrCat("k", i % 20));
      std::string value = absl::StrCat("v", incarnation, "-", i);
      last_commit = WriteTxn(client.get(), {{key, value}});
      latest[key] = value;
      if (::testing::Test::HasFailure()) return;
    }
    store->Stop();
  }
  std::vector<uint64_t> stored = StoredLogIndexes(data, 2);
  ASSERT_FALSE(stored.empty());
  EXPECT_GT(stored.back(), 1300u);
  EXPECT_GT(stored.front(), 1000u) << "entries from before the restart were never deleted";
  // What is on disk is one contiguous suffix of the log.
  EXPECT_EQ(stored.back() - stored.front() + 1, stored.size());

  // Restart from the compacted log.
  auto store = MustOpen(std::make_unique<SharedEngine>(&data), &clock);
  ASSERT_NE(store, nullptr);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);
  for (const auto& [key, value] : latest) {
    EXPECT_EQ(MustGet(client.get(), key, kMaxTimestamp), value) << key_codec::PrettyKey(key);
  }
  Timestamp later = WriteTxn(client.get(), {{TableKey("k0"), "after"}});
  EXPECT_GT(later, last_commit);
  EXPECT_EQ(MustGet(client.get(), TableKey("k0"), later), "after");
}

TEST(StoreRestartTest, CorruptStoreIdentityIsReported) {
  ManualClock clock(kStartMs);
  auto engine = std::make_unique<MemoryEngine>();
  WriteBatch batch;
  batch.Put(ColumnFamily::kRaft, keys::kStoreIdentKey, "\xff\xff\xff garbage");
  CAIRN_ASSERT_OK(engine->Write(batch, true));
  auto store = Store::Open(std::move(engine), &clock, Store::Options{});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(GetErrorCode(store.status()), ErrorCode::kDataCorrupted);
}

TEST_F(StoreTest, ConcurrentWritersShareTheRaftLoop) {
  auto store = OpenRocks();
  ASSERT_NE(store, nullptr);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string name = absl::StrCat("t", t, "-", i);
        WriteTxn(client.get(),
                 {{TableKey(name), absl::StrCat(t * 1000 + i)}, {SystemKey(name), "s"}});
      }
    });
  }
  for (auto& th : threads) th.join();
  auto ts = client->GetTimestamp();
  auto all = client->Scan(keys::kSystemKeyspaceEnd, "", *ts, 0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->rows.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_FALSE(all->locked.has_value());
}

TEST_F(StoreTest, GarbageCollectThroughTheClient) {
  auto store = OpenRocks();
  ASSERT_NE(store, nullptr);
  auto client = MustClient(store.get());
  ASSERT_NE(client, nullptr);
  Timestamp t1 = WriteTxn(client.get(), {{TableKey("g"), "1"}, {SystemKey("g"), "1"}});
  Timestamp t2 = WriteTxn(client.get(), {{TableKey("g"), "2"}, {SystemKey("g"), "2"}});
  Timestamp t3 = WriteTxn(client.get(), {{TableKey("g"), "3"}});
  auto dropped = client->GarbageCollect(t3);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, 3u);  // g@t1, g@t2 in range 2; g@t1 in range 1
  EXPECT_EQ(MustGet(client.get(), TableKey("g"), t3), "3");
  EXPECT_EQ(MustGet(client.get(), SystemKey("g"), t3), "2");
  (void)t1;
  (void)t2;
}

}  // namespace
}  // namespace cairn::kv
