#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cairn::kv {

// The column families of a store (DESIGN.md "MVCC engine").
enum class ColumnFamily : uint8_t {
  kDefault = 0,  // user_key + ~start_ts -> long values
  kLock = 1,     // user_key -> Lock
  kWrite = 2,    // user_key + ~commit_ts -> WriteRecord
  kRaft = 3,     // range-local state: log, hard state, applied index, descriptor
};
inline constexpr int kNumColumnFamilies = 4;

// One change in a WriteBatch.
struct Mutation {
  enum class Op : uint8_t { kPut, kDelete };
  ColumnFamily cf = ColumnFamily::kDefault;
  Op op = Op::kPut;
  std::string key;
  std::string value;
};

// An ordered list of changes applied atomically by KvEngine::Write. It is a
// plain value so that Percolator actions can return one and Raft can carry
// it as a command.
class WriteBatch {
 public:
  void Put(ColumnFamily cf, std::string key, std::string value) {
    mutations_.push_back({cf, Mutation::Op::kPut, std::move(key), std::move(value)});
  }
  void Delete(ColumnFamily cf, std::string key) {
    mutations_.push_back({cf, Mutation::Op::kDelete, std::move(key), {}});
  }
  void Append(const WriteBatch& other) {
    mutations_.insert(mutations_.end(), other.mutations_.begin(), other.mutations_.end());
  }
  const std::vector<Mutation>& mutations() const { return mutations_; }
  std::vector<Mutation>& mutable_mutations() { return mutations_; }
  bool empty() const { return mutations_.empty(); }
  size_t size() const { return mutations_.size(); }

 private:
  std::vector<Mutation> mutations_;
};

// Iterates one column family in key order within [lower, upper).
// Not thread-safe; valid while its snapshot or engine lives.
class EngineIterator {
 public:
  virtual ~EngineIterator() = default;
  virtual void Seek(std::string_view key) = 0;
  virtual void SeekToFirst() = 0;
  // Backwards: the last key within the bounds, the last key <= `key`, the
  // key before the current one.
  virtual void SeekToLast() = 0;
  virtual void SeekForPrev(std::string_view key) = 0;
  virtual void Prev() = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual absl::Status status() const = 0;
};

// A consistent, read-only view of the engine at one instant.
// Thread-safe for concurrent readers.
class EngineSnapshot {
 public:
  virtual ~EngineSnapshot() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                         std::string_view key) const = 0;
  // An empty `upper` means no upper bound.
  virtual std::unique_ptr<EngineIterator> NewIterator(ColumnFamily cf, std::string lower,
                                                      std::string upper) const = 0;
};

// The storage engine under the MVCC layer and the Raft log (STYLE.md:
// "storage behind an interface"). RocksDB is the production implementation;
// MemoryEngine serves fast tests. Thread-safe.
class KvEngine {
 public:
  virtual ~KvEngine() = default;
  virtual std::unique_ptr<EngineSnapshot> NewSnapshot() const = 0;
  // A view of the latest state without a pinned snapshot: each read sees the
  // engine as it is when that read runs (an iterator pins its own state), so
  // two reads through it may see different states. Cheaper than
  // NewSnapshot; for callers whose reads are correct under that.
  virtual std::unique_ptr<EngineSnapshot> NewLatestView() const = 0;
  // Applies `batch` atomically. With `sync`, returns only once the batch is
  // durable (fsync of the write-ahead log).
  [[nodiscard]] virtual absl::Status Write(const WriteBatch& batch, bool sync) = 0;
  // Reads the latest state, outside any snapshot.
  virtual absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                         std::string_view key) const = 0;
  // Approximate bytes stored in [start, end) of the data column families.
  virtual uint64_t ApproximateSize(std::string_view start, std::string_view end) const = 0;
};

}  // namespace cairn::kv
