#pragma once

#include <functional>
#include <memory>

#include "kv/range_executor.h"
#include "proto/cluster.grpc.pb.h"

namespace cairn::kv {

// A range whose leaseholder is another node: each command is one Cluster.Kv
// RPC to that node, which evaluates it on its replica (ClusterService).
//
// Failures: the node answering that it does not serve the range, or a read
// or an idempotent write (prewrite, rollback, lock resolution) that could
// not reach it, fail with kRangeNotHere after `invalidate(range_id, hint)`, so
// the routing client looks the range up again and retries; committing
// locks is idempotent too. A one-phase commit lost in transit may or may
// not have happened, and repeating it could apply it twice: it fails with
// kStatementCompletionUnknown instead.
class RemoteRange final : public RangeExecutor {
 public:
  // `invalidate(range_id, leader_hint)`: what was remembered of the range
  // is stale; the node that answered names the leader it knows (0: none).
  using Invalidate = std::function<void(uint64_t range_id, uint64_t leader_hint)>;
  RemoteRange(proto::RangeDescriptor descriptor, std::shared_ptr<proto::Cluster::Stub> stub,
              Invalidate invalidate);

  const proto::RangeDescriptor& descriptor() const override { return descriptor_; }

  absl::StatusOr<KvClient::GetResult> Get(std::string_view key, Timestamp ts) override;
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

 private:
  // Whether a command lost in transit may simply be sent again.
  enum class Repeatable { kYes, kNo };

  // Sends `request` (its range fields filled in here) and returns the
  // response of a command that ran, or the failure as described above.
  absl::StatusOr<proto::KvResponse> Call(proto::KvRequest request, Repeatable repeatable);
  absl::StatusOr<KvClient::ScanResult> ScanResponse(const proto::KvResponse& response);

  const proto::RangeDescriptor descriptor_;
  const std::shared_ptr<proto::Cluster::Stub> stub_;
  const Invalidate invalidate_;
};

}  // namespace cairn::kv
