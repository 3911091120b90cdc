#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/error_code.h"
#include "common/timestamp.h"
#include "kv/mvcc/mvcc_reader.h"
#include "kv/mvcc/percolator.h"
#include "kv/range_fragment.h"

namespace cairn::kv {

// The KV API that transactions are written against (DESIGN.md "txn/ over the
// KV API"). Keys may fall in any range; an implementation routes each key to
// the range that holds it and splits multi-key requests by range. Routing
// errors are retried inside; what reaches the caller is either a result, a
// TxnError list (conflicts the transaction must handle) or a failed Status.
// Thread-safe.
class KvClient {
 public:
  virtual ~KvClient() = default;

  virtual absl::StatusOr<Timestamp> GetTimestamp() = 0;

  struct GetResult {
    std::optional<std::string> value;
    std::optional<LockedKey> locked;  // set when a lock blocked the read
  };
  virtual absl::StatusOr<GetResult> Get(std::string_view key, Timestamp ts) = 0;

  struct BatchGetResult {
    std::vector<std::optional<std::string>> values;  // one per key, in the keys' order
    std::optional<LockedKey> locked;                 // set (values empty) when a lock blocked
  };
  // Get of many keys (any order, distinct) at ts, across ranges.
  virtual absl::StatusOr<BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                                  Timestamp ts) = 0;

  struct ScanResult {
    std::vector<KeyValue> rows;
    std::optional<LockedKey> locked;
  };
  // Up to `limit` (0: all) live keys in [start, end) at ts, in key order,
  // across ranges. An empty `end` means the end of the keyspace.
  virtual absl::StatusOr<ScanResult> Scan(std::string_view start, std::string_view end,
                                          Timestamp ts, size_t limit) = 0;
  // The same in descending key order: the last `limit` live keys.
  virtual absl::StatusOr<ScanResult> ReverseScan(std::string_view start, std::string_view end,
                                                 Timestamp ts, size_t limit) = 0;

  // Evaluates request.fragment (kv/range_fragment.h) at the leaseholder of
  // the range that holds request.start, over the part of the span inside
  // that range. The result's resume_key is where the rest of the span
  // starts (the range's end when the span goes on past it), empty once the
  // whole span is read. A client that cannot ship fragments answers
  // kFeatureNotSupported, and the caller evaluates them itself.
  virtual absl::StatusOr<FragmentResult> EvaluateFragment(const FragmentRequest&) {
    return MakeError(ErrorCode::kFeatureNotSupported, "no plan fragments through this client");
  }
  // The keys inside (start, end) where ranges begin, as the client knows
  // them now: parts of the span that separate requests may read in
  // parallel. A stale answer only costs parallelism.
  virtual absl::StatusOr<std::vector<std::string>> RangeBoundaries(std::string_view,
                                                                   std::string_view) {
    return std::vector<std::string>{};
  }

  virtual absl::StatusOr<std::vector<TxnError>> Prewrite(const PrewriteRequest& request) = 0;
  // Prewrite for async commit (request.use_async_commit): its errors, or
  // none and the least commit_ts every lock allows (kv::Prewrite).
  struct AsyncPrewriteResult {
    std::vector<TxnError> errors;
    Timestamp min_commit_ts = 0;
  };
  virtual absl::StatusOr<AsyncPrewriteResult> PrewriteForAsyncCommit(
      const PrewriteRequest& request) = 0;
  // Commits `request` in one step when all its keys live in one range (one
  // Raft round instead of two). `applied` is false, and nothing happened,
  // when they don't.
  struct OnePhaseResult {
    bool applied = false;
    std::vector<TxnError> errors;
    Timestamp commit_ts = 0;
  };
  virtual absl::StatusOr<OnePhaseResult> TryOnePhaseCommit(const PrewriteRequest& request) = 0;

  virtual absl::StatusOr<std::vector<TxnError>> Commit(const std::vector<std::string>& keys,
                                                       Timestamp start_ts,
                                                       Timestamp commit_ts) = 0;
  virtual absl::Status Rollback(const std::vector<std::string>& keys, Timestamp start_ts) = 0;
  // The fate of transaction lock_ts, from its primary (kv::CheckTxnStatus).
  virtual absl::StatusOr<TxnStatus> CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                                   Timestamp current_ts,
                                                   bool rollback_if_missing) = 0;
  // Raises the TTL of transaction start_ts's lock on its primary
  // (kv::TxnHeartbeat).
  virtual absl::StatusOr<TxnStatus> TxnHeartbeat(std::string_view primary, Timestamp start_ts,
                                                 uint64_t ttl_ms) = 0;
  // The secondaries of an async-commit transaction whose primary lock
  // expired (kv::CheckSecondaryLocks), across ranges: all locked (ts: the
  // largest min_commit_ts), or committed, or rolled back.
  virtual absl::StatusOr<SecondaryLocksStatus> CheckSecondaryLocks(
      const std::vector<std::string>& keys, Timestamp start_ts, bool rollback_if_missing) = 0;
  virtual absl::Status ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                    Timestamp commit_ts) = 0;
};

}  // namespace cairn::kv
