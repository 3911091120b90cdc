#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/timestamp.h"

namespace cairn::kv {

// The shared vocabulary of Percolator (TiKV's txn_types): what the lock and
// write column families hold, and how MVCC keys are laid out. Used by the
// MVCC engine, the KV API and the transaction client.

enum class MutationKind : uint8_t {
  kPut = 0,
  kDelete = 1,
  kLock = 2,    // SELECT ... FOR UPDATE style: no data change
  kInsert = 3,  // a put that must not find a live row (unique insert)
};

// A prewrite lock in the lock column family.
struct Lock {
  MutationKind kind = MutationKind::kPut;
  std::string primary;
  Timestamp start_ts = 0;
  uint64_t ttl_ms = 0;
  Timestamp min_commit_ts = 0;
  // Values up to kShortValueMax travel inside the lock and then the write
  // record, sparing a read of the default column family.
  std::optional<std::string> short_value;
  // Async commit: the transaction is committed once every key is locked,
  // at the largest min_commit_ts of its locks; the primary's lock lists the
  // other keys so that a reader can find them all (kv::CheckSecondaryLocks).
  bool use_async_commit = false;
  std::vector<std::string> secondaries;  // the primary's lock only

  std::string Encode() const;
  static absl::StatusOr<Lock> Decode(std::string_view data);
  // A lock has expired when the current physical time is past its start
  // plus its TTL.
  bool IsExpired(Timestamp current_ts) const {
    return PhysicalMs(current_ts) >= PhysicalMs(start_ts) + ttl_ms;
  }
};

enum class WriteKind : uint8_t { kPut = 0, kDelete = 1, kLock = 2, kRollback = 3 };

// A commit (or rollback) record in the write column family.
struct WriteRecord {
  WriteKind kind = WriteKind::kPut;
  Timestamp start_ts = 0;
  std::optional<std::string> short_value;

  std::string Encode() const;
  static absl::StatusOr<WriteRecord> Decode(std::string_view data);
};

inline constexpr size_t kShortValueMax = 255;

// Physical key layouts. A user key is escaped (key_codec::AppendBytes) before
// a timestamp is appended, so that no user key's versions interleave with
// another key's. Timestamps are stored inverted: the newest sorts first.
namespace mvcc_keys {

std::string EncodeUserKey(std::string_view user_key);
// The lock column family holds the escaped user key alone.
inline std::string LockKey(std::string_view user_key) { return EncodeUserKey(user_key); }
std::string VersionKey(std::string_view user_key, Timestamp ts);  // write and default CFs
// Splits a write/default key into its user key and timestamp.
absl::Status DecodeVersionKey(std::string_view key, std::string* user_key, Timestamp* ts);
absl::StatusOr<std::string> DecodeLockKey(std::string_view key);

}  // namespace mvcc_keys
}  // namespace cairn::kv
