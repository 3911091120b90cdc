#pragma once

// The fixture of the transaction tests (txn_test.cc, isolation_test.cc):
// Percolator transactions (txn/txn.h) over a real Store and LocalKvClient,
// with helpers to write, read and scan, and to leave a dead coordinator's
// locks behind.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "kv/keys.h"
#include "kv/local_kv_client.h"
#include "kv/memory_engine.h"
#include "kv/mvcc/mvcc_reader.h"
#include "kv/store.h"
#include "txn/lock_resolver.h"
#include "txn/txn.h"

namespace cairn::txn {

inline constexpr uint64_t kStartMs = 1700000000000;

// Table keyspace (range 2) and system keyspace (range 1): a transaction over
// both spans two Raft groups.
inline std::string K(std::string_view name) { return "\x80" + std::string(name); }
inline std::string S(std::string_view name) { return kv::keys::SystemKey('z', name); }

using KvPairs = std::vector<std::pair<std::string, std::string>>;

inline KvPairs ToPairs(const std::vector<kv::KeyValue>& rows) {
  KvPairs out;
  for (const kv::KeyValue& kv : rows) out.emplace_back(kv.key, kv.value);
  return out;
}

// A Store (Raft loop, MemoryEngine) with its two initial ranges, a
// LocalKvClient over it, a LockResolver, and a ManualClock that only moves
// when a test advances it (so lock TTLs expire exactly when asked).
class TxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = kv::Store::Open(std::make_unique<kv::MemoryEngine>(), &clock_, {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    store_->Start();
    auto client = kv::LocalKvClient::Create(store_.get());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::move(client).value();
    resolver_ = std::make_unique<LockResolver>(client_.get());
  }
  void TearDown() override {
    resolver_.reset();
    client_.reset();
    if (store_) store_->Stop();
    store_.reset();
  }

  std::unique_ptr<Txn> Begin(Txn::Options options = {}) {
    auto txn = Txn::Begin(client_.get(), resolver_.get(), options);
    EXPECT_TRUE(txn.ok()) << txn.status();
    return txn.ok() ? std::move(txn).value() : nullptr;
  }

  // Commits `writes` (nullopt: delete) in one transaction.
  void Write(const std::vector<std::pair<std::string, std::optional<std::string>>>& writes) {
    auto txn = Begin();
    ASSERT_NE(txn, nullptr);
    for (const auto& [k, v] : writes) {
      if (v) {
        txn->Put(k, *v);
      } else {
        txn->Delete(k);
      }
    }
    absl::Status s = txn->Commit();
    ASSERT_TRUE(s.ok()) << s;
  }

  // The committed value as a new transaction reads it.
  std::optional<std::string> Read(std::string_view key) {
    auto txn = Begin();
    if (txn == nullptr) return std::nullopt;
    auto v = txn->Get(key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  std::optional<std::string> MustGet(Txn* txn, std::string_view key) {
    auto v = txn->Get(key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  KvPairs MustScan(Txn* txn, std::string_view start, std::string_view end, size_t limit = 0) {
    auto rows = txn->Scan(start, end, limit);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? ToPairs(*rows) : KvPairs{};
  }

  // The lock on `key` as the KV layer sees it, bypassing transactions.
  std::optional<kv::Lock> LockOn(std::string_view key) {
    auto r = client_->Get(key, kMaxTimestamp);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->locked) return std::nullopt;
    return r->locked->lock;
  }

  // Any lock on `key`, read from the store (LockOn sees only those that
  // block readers; a row lock taken early does not).
  std::optional<kv::Lock> AnyLockOn(std::string_view key) {
    auto snapshot = store_->engine()->NewSnapshot();
    kv::MvccReader reader(snapshot.get());
    auto lock = reader.LoadLock(key);
    EXPECT_TRUE(lock.ok()) << lock.status();
    return lock.ok() ? *lock : std::nullopt;
  }

  // Prewrites puts as a coordinator that then disappears. Returns start_ts.
  Timestamp PrewriteAndVanish(const std::vector<std::pair<std::string, std::string>>& puts,
                              uint64_t ttl_ms) {
    auto start = client_->GetTimestamp();
    EXPECT_TRUE(start.ok());
    kv::PrewriteRequest req;
    req.primary = puts.front().first;
    req.start_ts = *start;
    req.ttl_ms = ttl_ms;
    for (const auto& [k, v] : puts) req.mutations.push_back({kv::MutationKind::kPut, k, v});
    auto errors = client_->Prewrite(req);
    EXPECT_TRUE(errors.ok()) << errors.status();
    EXPECT_TRUE(errors.ok() && errors->empty());
    return *start;
  }

  ManualClock clock_{kStartMs};
  std::unique_ptr<kv::Store> store_;
  std::unique_ptr<kv::LocalKvClient> client_;
  std::unique_ptr<LockResolver> resolver_;
};

}  // namespace cairn::txn
