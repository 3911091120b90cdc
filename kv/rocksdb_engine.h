#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kv/engine.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace cairn::kv {

// The production KvEngine: one RocksDB per store with the column families
// "default", "lock", "write" and "raft". Thread-safe (RocksDB is).
class RocksDbEngine : public KvEngine {
 public:
  struct Options {
    // Bytes of block cache shared by all column families.
    size_t block_cache_bytes = 256 << 20;
  };

  // Opens the store at `path`, creating it and its column families if absent.
  static absl::StatusOr<std::unique_ptr<RocksDbEngine>> Open(const std::string& path,
                                                             const Options& options);
  ~RocksDbEngine() override;

  std::unique_ptr<EngineSnapshot> NewSnapshot() const override;
  std::unique_ptr<EngineSnapshot> NewLatestView() const override;
  absl::Status Write(const WriteBatch& batch, bool sync) override;
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                 std::string_view key) const override;
  uint64_t ApproximateSize(std::string_view start, std::string_view end) const override;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily cf) const {
    return handles_[static_cast<int>(cf)];
  }

 private:
  RocksDbEngine() = default;

  std::unique_ptr<rocksdb::Env> env_;  // outlives db_, which uses it
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by ColumnFamily
};

}  // namespace cairn::kv
