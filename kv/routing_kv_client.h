#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kv/kv_client.h"
#include "kv/range_locator.h"

namespace cairn::kv {

// The KvClient over ranges that a RangeLocator finds: requests are split by
// range and each part runs on the range's executor (a local replica or the
// leaseholder on another node). A part that reaches a node which no longer
// serves its range (kRangeNotHere: a leader change, a moved range) makes the
// whole request start over with fresh routes, after a short back-off, until
// a deadline; every command is safe to repeat (Percolator's are idempotent
// per transaction, and a kRangeNotHere part did nothing). Transactions never
// see routing errors. Thread-safe.
class RoutingKvClient : public KvClient {
 public:
  // Reserves `count` consecutive timestamps from the cluster's oracle and
  // returns the first.
  using TimestampSource = std::function<absl::StatusOr<Timestamp>(uint32_t count)>;

  RoutingKvClient(RangeLocator* locator, TimestampSource timestamps);

  // From now on a request that cannot find its range fails at once
  // (kUnavailable) instead of retrying until the routing deadline: the node
  // is stopping, and background work must not hold it up.
  void Shutdown() { shutting_down_.store(true); }

  absl::StatusOr<Timestamp> GetTimestamp() override;
  absl::StatusOr<GetResult> Get(std::string_view key, Timestamp ts) override;
  absl::StatusOr<BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                          Timestamp ts) override;
  absl::StatusOr<ScanResult> Scan(std::string_view start, std::string_view end, Timestamp ts,
                                  size_t limit) override;
  absl::StatusOr<ScanResult> ReverseScan(std::string_view start, std::string_view end, Timestamp ts,
                                         size_t limit) override;
  absl::StatusOr<FragmentResult> EvaluateFragment(const FragmentRequest& request) override;
  absl::StatusOr<std::vector<std::string>> RangeBoundaries(std::string_view start,
                                                           std::string_view end) override;
  absl::StatusOr<std::vector<TxnError>> Prewrite(const PrewriteRequest& request) override;
  absl::StatusOr<AsyncPrewriteResult> PrewriteForAsyncCommit(
      const PrewriteRequest& request) override;
  absl::StatusOr<OnePhaseResult> TryOnePhaseCommit(const PrewriteRequest& request) override;
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

 protected:
  RangeLocator* locator() const { return locator_; }

 private:
  using Group = std::pair<std::unique_ptr<RangeExecutor>, std::vector<std::string>>;

  // Runs `attempt` again while it fails with kRangeNotHere, up to the
  // routing deadline. (Whatever found the route stale has invalidated it
  // in the locator: RemoteRange on a refusal, LocateChecked below.)
  template <typename T>
  absl::StatusOr<T> WithRoutingRetries(const std::function<absl::StatusOr<T>()>& attempt);
  absl::Status WithRoutingRetries(const std::function<absl::Status()>& attempt);

  // Locator::Locate / LocateBefore, checked: a range that does not hold the
  // key (a stale or wrong route) is invalidated and fails with
  // kRangeNotHere, so that no loop below can stall on it.
  absl::StatusOr<std::unique_ptr<RangeExecutor>> LocateChecked(std::string_view key);
  absl::StatusOr<std::unique_ptr<RangeExecutor>> LocateBeforeChecked(std::string_view end);

  // Splits `keys` into per-range groups, in range order.
  absl::StatusOr<std::vector<Group>> GroupByRange(const std::vector<std::string>& keys);
  // The ranges' answers to one request as one: their errors, or the first
  // failure (a routing one before others).
  static absl::StatusOr<std::vector<TxnError>> MergeTxnErrors(
      std::vector<absl::StatusOr<std::vector<TxnError>>>& results);

  absl::StatusOr<GetResult> GetOnce(std::string_view key, Timestamp ts);
  absl::StatusOr<BatchGetResult> BatchGetOnce(const std::vector<std::string>& keys, Timestamp ts);
  absl::StatusOr<ScanResult> ScanOnce(std::string_view start, std::string_view end, Timestamp ts,
                                      size_t limit);
  absl::StatusOr<ScanResult> ReverseScanOnce(std::string_view start, std::string_view end,
                                             Timestamp ts, size_t limit);
  absl::StatusOr<FragmentResult> EvaluateFragmentOnce(const FragmentRequest& request);
  absl::StatusOr<std::vector<std::string>> RangeBoundariesOnce(std::string_view start,
                                                               std::string_view end);
  absl::StatusOr<AsyncPrewriteResult> PrewriteOnce(const PrewriteRequest& request);
  absl::StatusOr<OnePhaseResult> TryOnePhaseCommitOnce(const PrewriteRequest& request);
  absl::StatusOr<std::vector<TxnError>> CommitOnce(const std::vector<std::string>& keys,
                                                   Timestamp start_ts, Timestamp commit_ts);

  RangeLocator* const locator_;
  const TimestampSource timestamps_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace cairn::kv
