#pragma once

// Helpers shared by the kv/ tests: temporary directories, engines by kind,
// and a test-only engine wrapper that outlives a Store (for restarts over
// MemoryEngine) and can fail writes on demand (for crash-between-persist-
// and-apply tests).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "kv/engine.h"
#include "kv/keys.h"
#include "kv/memory_engine.h"
#include "kv/rocksdb_engine.h"

#define CAIRN_EXPECT_OK(expr)                   \
  do {                                          \
    const ::absl::Status cairn_s_ = (expr);     \
    EXPECT_TRUE(cairn_s_.ok()) << cairn_s_;     \
  } while (0)
#define CAIRN_ASSERT_OK(expr)                   \
  do {                                          \
    const ::absl::Status cairn_s_ = (expr);     \
    ASSERT_TRUE(cairn_s_.ok()) << cairn_s_;     \
  } while (0)

namespace cairn::kv::testing {

// A fresh directory under the system temp dir, removed with its contents
// on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-test-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

enum class EngineKind { kMemory, kRocksDb };

inline std::string EngineKindName(const ::testing::TestParamInfo<EngineKind>& info) {
  return info.param == EngineKind::kMemory ? "Memory" : "RocksDb";
}

inline std::unique_ptr<KvEngine> OpenRocksDb(const std::string& path) {
  RocksDbEngine::Options options;
  options.block_cache_bytes = 8 << 20;
  auto engine = RocksDbEngine::Open(path, options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  if (!engine.ok()) return nullptr;
  return std::move(engine).value();
}

// `dir` must outlive the engine when kind is kRocksDb.
inline std::unique_ptr<KvEngine> MakeEngine(EngineKind kind, const TempDir& dir) {
  if (kind == EngineKind::kMemory) return std::make_unique<MemoryEngine>();
  return OpenRocksDb(dir.path() + "/db");
}

// Forwards to an engine it does not own, so a test can destroy a Store (which
// owns its engine) and open a new one over the same data. Can be told to fail
// every write that touches the MVCC column families, which is how a Store's
// apply step fails while its Raft log write (raft CF only) succeeds.
class SharedEngine : public KvEngine {
 public:
  explicit SharedEngine(KvEngine* target) : target_(target) {}

  void set_fail_data_writes(bool fail) { fail_data_writes_ = fail; }
  int failed_writes() const { return failed_writes_; }

  std::unique_ptr<EngineSnapshot> NewSnapshot() const override { return target_->NewSnapshot(); }
  std::unique_ptr<EngineSnapshot> NewLatestView() const override { return target_->NewLatestView(); }
  absl::Status Write(const WriteBatch& batch, bool sync) override {
    if (fail_data_writes_) {
      for (const Mutation& m : batch.mutations()) {
        if (m.cf != ColumnFamily::kRaft) {
          ++failed_writes_;
          return MakeError(ErrorCode::kInternal, "injected write failure");
        }
      }
    }
    return target_->Write(batch, sync);
  }
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                 std::string_view key) const override {
    return target_->Get(cf, key);
  }
  uint64_t ApproximateSize(std::string_view start, std::string_view end) const override {
    return target_->ApproximateSize(start, end);
  }

 private:
  KvEngine* const target_;
  std::atomic<bool> fail_data_writes_{false};
  std::atomic<int> failed_writes_{0};
};

// The indexes of range `range_id`'s Raft log entries stored in `engine`.
inline std::vector<uint64_t> StoredLogIndexes(const KvEngine& engine, uint64_t range_id) {
  std::string prefix = keys::RangeLocalKey(range_id, keys::RangeLocalKind::kLogEntry);
  auto snapshot = engine.NewSnapshot();
  auto it = snapshot->NewIterator(ColumnFamily::kRaft, prefix, key_codec::PrefixEnd(prefix));
  std::vector<uint64_t> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    k.remove_prefix(prefix.size());
    auto index = key_codec::DecodeUint64(&k);
    EXPECT_TRUE(index.ok());
    if (index.ok()) out.push_back(*index);
  }
  EXPECT_TRUE(it->status().ok());
  return out;
}

}  // namespace cairn::kv::testing
