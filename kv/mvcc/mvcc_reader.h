#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kv/engine.h"
#include "kv/mvcc/txn_types.h"

namespace cairn::kv {

// A lock that stopped a read or a write: the caller resolves it (check the
// primary, roll forward or back) and retries.
struct LockedKey {
  std::string key;
  Lock lock;
};

struct KeyValue {
  std::string key;
  std::string value;
};

// Reads MVCC state from one engine snapshot (TiKV's MvccReader). Knows the
// layout of the lock, write and default column families, nothing of RocksDB.
// Not thread-safe; lives no longer than its snapshot.
class MvccReader {
 public:
  explicit MvccReader(const EngineSnapshot* snapshot) : snapshot_(snapshot) {}

  absl::StatusOr<std::optional<Lock>> LoadLock(std::string_view key) const;

  // The newest write record of `key` with commit_ts <= ts, of any kind.
  absl::StatusOr<std::optional<std::pair<Timestamp, WriteRecord>>> SeekWrite(
      std::string_view key, Timestamp ts) const;

  // The newest put or delete of `key` with commit_ts <= ts (lock and
  // rollback records skipped).
  absl::StatusOr<std::optional<std::pair<Timestamp, WriteRecord>>> SeekDataWrite(
      std::string_view key, Timestamp ts) const;

  // The record that transaction `start_ts` left on `key`: its commit or its
  // rollback, with the record's commit_ts.
  absl::StatusOr<std::optional<std::pair<Timestamp, WriteRecord>>> FindTxnRecord(
      std::string_view key, Timestamp start_ts) const;

  // The value a snapshot read at `ts` sees. A lock of a transaction that
  // started at or before ts blocks the read: returned in *locked.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view key, Timestamp ts,
                                                 std::optional<LockedKey>* locked) const;

  // Get for each of `keys` (ascending, distinct), one value (or nullopt)
  // per key, reading the write records through one iterator. The first
  // blocking lock ends it: reported in *locked, the values then empty.
  absl::StatusOr<std::vector<std::optional<std::string>>> BatchGet(
      const std::vector<std::string>& keys, Timestamp ts, std::optional<LockedKey>* locked) const;

  // Up to `limit` (0: no limit) live keys in [start, end) at `ts`, in order.
  // Stops at the first blocking lock and reports it in *locked.
  absl::StatusOr<std::vector<KeyValue>> Scan(std::string_view start, std::string_view end,
                                             Timestamp ts, size_t limit,
                                             std::optional<LockedKey>* locked) const;

  // The same, in descending key order: the last `limit` live keys of the
  // span. Blocking locks are looked for over the part of the span read.
  absl::StatusOr<std::vector<KeyValue>> ReverseScan(std::string_view start, std::string_view end,
                                                    Timestamp ts, size_t limit,
                                                    std::optional<LockedKey>* locked) const;

  // Every lock in [start, end) whose start_ts is <= ts.
  absl::StatusOr<std::vector<LockedKey>> ScanLocks(std::string_view start, std::string_view end,
                                                   Timestamp ts, size_t limit) const;

  // The value a put record points to: inline, or in the default CF.
  absl::StatusOr<std::string> LoadValue(std::string_view key, const WriteRecord& write) const;

  const EngineSnapshot* snapshot() const { return snapshot_; }

 private:
  // Whether `lock` blocks a read at `ts`.
  static bool BlocksRead(const Lock& lock, Timestamp ts);

  const EngineSnapshot* snapshot_;
};

}  // namespace cairn::kv
