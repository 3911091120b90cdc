#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raft/types.h"

// LogStorage is the read side of a replica's durable Raft state. Raft reads
// through it; only the driver writes (it persists what Ready hands out, then
// calls RawNode::Advance). kv/ implements it on RocksDB; MemoryLogStorage
// serves tests.
//
// The log holds entries [FirstIndex(), LastIndex()]. Entries before
// FirstIndex() were compacted into the snapshot, whose index is
// FirstIndex() - 1; Term(FirstIndex() - 1) must still answer (the snapshot's
// term). An empty storage has FirstIndex() == 1, LastIndex() == 0 and
// Term(0) == 0.
//
// Error contract (raft/ relies on it):
//  - Entries()/Term() below FirstIndex() - 1 (resp. FirstIndex()) return
//    CompactedError() (ErrorCode::kNotFound).
//  - GetSnapshot() returns SnapshotTemporarilyUnavailableError()
//    (ErrorCode::kUnavailable) while a snapshot is being produced; raft
//    retries later.
//  - Any other error is treated as fatal by raft/: it logs and aborts the
//    process rather than vote or commit on a log it cannot read.
//
// Thread safety: none required; raft/ calls it from the thread that drives
// the RawNode.
namespace cairn::raft {

class LogStorage {
 public:
  virtual ~LogStorage() = default;

  // The persisted hard state and the membership as of the last applied
  // entry (or the snapshot).
  virtual absl::StatusOr<std::pair<HardState, ConfState>> InitialState()
      const = 0;
  // Entries [lo, hi), at least one when lo < hi, then stopping before the
  // total EntrySize() would exceed max_bytes.
  // REQUIRES: FirstIndex() <= lo, hi <= LastIndex() + 1 (else an error).
  virtual absl::StatusOr<std::vector<Entry>> Entries(
      uint64_t lo, uint64_t hi, uint64_t max_bytes) const = 0;
  // REQUIRES: FirstIndex() - 1 <= index <= LastIndex() (else an error).
  virtual absl::StatusOr<uint64_t> Term(uint64_t index) const = 0;
  virtual uint64_t FirstIndex() const = 0;
  virtual uint64_t LastIndex() const = 0;
  // The most recent snapshot, for sending to a follower that lags behind
  // FirstIndex().
  virtual absl::StatusOr<Snapshot> GetSnapshot() const = 0;
};

absl::Status CompactedError();
bool IsCompacted(const absl::Status& status);
absl::Status SnapshotTemporarilyUnavailableError();
bool IsSnapshotTemporarilyUnavailable(const absl::Status& status);

}  // namespace cairn::raft
