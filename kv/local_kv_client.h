#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "kv/kv_client.h"
#include "kv/store.h"
#include "kv/timestamp_oracle.h"

namespace cairn::kv {

// The KvClient of a node whose store holds every range it needs: requests
// are evaluated on the local replicas directly, split by range. The timestamp
// oracle runs here too, on the meta range. With several nodes (issue #4) a
// routing client sends requests for remote ranges over RPC instead;
// transactions don't see the difference. Thread-safe.
class LocalKvClient : public KvClient {
 public:
  // Waits for the store's replicas to serve, then starts the oracle from the
  // meta range's persisted high-water mark.
  static absl::StatusOr<std::unique_ptr<LocalKvClient>> Create(Store* store);

  absl::StatusOr<Timestamp> GetTimestamp() override;
  absl::StatusOr<GetResult> Get(std::string_view key, Timestamp ts) override;
  absl::StatusOr<BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                          Timestamp ts) override;
  absl::StatusOr<ScanResult> ReverseScan(std::string_view start, std::string_view end, Timestamp ts,
                                         size_t limit) override;
  absl::StatusOr<ScanResult> Scan(std::string_view start, std::string_view end, Timestamp ts,
                                  size_t limit) override;
  absl::StatusOr<std::vector<TxnError>> Prewrite(const PrewriteRequest& request) override;
  absl::StatusOr<OnePhaseResult> TryOnePhaseCommit(const PrewriteRequest& request) override;
  absl::StatusOr<std::vector<TxnError>> Commit(const std::vector<std::string>& keys,
                                               Timestamp start_ts, Timestamp commit_ts) override;
  absl::Status Rollback(const std::vector<std::string>& keys, Timestamp start_ts) override;
  absl::StatusOr<TxnStatus> CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                           Timestamp current_ts) override;
  absl::Status ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                            Timestamp commit_ts) override;

  // Runs MVCC garbage collection below `safe_point` on every local range.
  absl::StatusOr<size_t> GarbageCollect(Timestamp safe_point);

 private:
  explicit LocalKvClient(Store* store);

  absl::StatusOr<Replica*> Route(std::string_view key) const;
  // Splits `keys` into per-range groups, in range order.
  absl::StatusOr<std::vector<std::pair<Replica*, std::vector<std::string>>>> GroupByRange(
      const std::vector<std::string>& keys) const;

  Store* const store_;
  std::unique_ptr<TimestampOracle> oracle_;
};

}  // namespace cairn::kv
