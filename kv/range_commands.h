#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kv/kv_client.h"
#include "kv/range_executor.h"
#include "kv/replica.h"

namespace cairn::kv {

// Evaluates KV API requests on one replica, as the range's leaseholder:
// reads from an engine snapshot; writes take the keys' latches, run the
// Percolator action on a snapshot and propose its write batch through Raft,
// releasing the latches once it is applied. All keys of a request must lie
// in the replica's range; a command whose keys a split moved to another
// range fails with kRangeNotHere before it does anything.
class RangeCommands final : public RangeExecutor {
 public:
  explicit RangeCommands(Replica* replica)
      : replica_(replica), descriptor_(replica->descriptor()) {}

  const proto::RangeDescriptor& descriptor() const override { return descriptor_; }

  absl::StatusOr<KvClient::GetResult> Get(std::string_view key, Timestamp ts) override;
  // `keys` ascending and distinct.
  absl::StatusOr<KvClient::BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                                    Timestamp ts) override;
  absl::StatusOr<KvClient::ScanResult> Scan(std::string_view start, std::string_view end,
                                            Timestamp ts, size_t limit) override;
  absl::StatusOr<KvClient::ScanResult> ReverseScan(std::string_view start, std::string_view end,
                                                   Timestamp ts, size_t limit) override;
  absl::StatusOr<FragmentResult> EvaluateFragment(const FragmentRequest& request) override;
  absl::StatusOr<std::vector<TxnError>> Prewrite(
      const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& now,
      Timestamp* min_commit_ts_out) override;
  // One-phase commit of `request`; `commit_ts` is called once the keys are
  // latched. Returns the errors, or none and *commit_ts_out.
  absl::StatusOr<std::vector<TxnError>> OnePhaseCommit(
      const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& commit_ts,
      Timestamp* commit_ts_out) override;
  absl::StatusOr<std::vector<TxnError>> Commit(const std::vector<std::string>& keys,
                                               Timestamp start_ts, Timestamp commit_ts) override;
  absl::Status Rollback(const std::vector<std::string>& keys, Timestamp start_ts) override;
  absl::StatusOr<TxnStatus> CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                           Timestamp current_ts, bool rollback_if_missing) override;
  absl::StatusOr<TxnStatus> TxnHeartbeat(std::string_view primary, Timestamp start_ts,
                                         uint64_t ttl_ms) override;
  absl::StatusOr<SecondaryLocksStatus> CheckSecondaryLocks(const std::vector<std::string>& keys,
                                                           Timestamp start_ts,
                                                           bool rollback_if_missing) override;
  absl::Status ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                            Timestamp commit_ts) override;
  absl::Status Split(std::string_view split_key, uint64_t right_range_id) override;
  // Garbage-collects versions below `safe_point` in the whole range.
  absl::StatusOr<size_t> GarbageCollect(Timestamp safe_point);

 private:
  // Scan or ReverseScan: a pinned snapshot once the span's latches are free.
  absl::StatusOr<KvClient::ScanResult> ReadSpan(std::string_view start, std::string_view end,
                                                Timestamp ts, size_t limit, bool reverse);

  // The shape of every write command: wait for the range to serve with a
  // lease, latch `keys`, run `action` (a Percolator action) on a snapshot,
  // propose the batch it fills and wait until it is applied, then release
  // the latches. An action that writes nothing (a transaction's status,
  // a lock that is still there) answers from the snapshot alone, so it is
  // a read and needs the lease as reads do.
  using Action = std::function<absl::Status(const MvccReader&, WriteBatch*)>;
  absl::Status LatchEvaluatePropose(std::vector<std::string> keys, const Action& action);
  // kRangeNotHere unless the range, as it is now, holds `keys` (a split may
  // have moved them since the command was routed here).
  absl::Status CheckKeysHere(const std::vector<std::string>& keys) const;
  absl::Status CheckSpanHere(std::string_view start, std::string_view end) const;
  // kRangeNotHere unless the lease still holds. Checked again once a read's
  // snapshot is taken: a node stopped between its lease check and the
  // snapshot (SIGSTOP, a long stall) wakes to a state that a new
  // leaseholder may have written past in the meantime.
  absl::Status CheckLeaseHeld() const;
  // kSnapshotTooOld for a read below the range's GC threshold.
  absl::Status CheckReadableAt(Timestamp ts) const;
  absl::Status ProposeBatch(const WriteBatch& batch);

  Replica* replica_;
  const proto::RangeDescriptor descriptor_;  // as of construction
};

}  // namespace cairn::kv
