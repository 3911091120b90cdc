#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kv/kv_client.h"
#include "kv/range_fragment.h"
#include "proto/metadata.pb.h"

namespace cairn::kv {

// Whether `key` lies in the range's span [start_key, end_key); an empty
// end_key is the end of the keyspace.
inline bool KeyInSpan(const proto::RangeDescriptor& range, std::string_view key) {
  return key >= range.start_key() && (range.end_key().empty() || key < range.end_key());
}

// The KV commands of one range, wherever its leaseholder is: RangeCommands
// evaluates them on a replica of this store, RemoteRange (kv/transport)
// sends them to the node that leads the range. All keys of a command must
// lie in descriptor()'s span. A command that reached a node that does not
// serve the range fails with ErrorCode::kRangeNotHere; the routing client
// refreshes its view of the range and retries.
class RangeExecutor {
 public:
  virtual ~RangeExecutor() = default;

  virtual const proto::RangeDescriptor& descriptor() const = 0;

  virtual absl::StatusOr<KvClient::GetResult> Get(std::string_view key, Timestamp ts) = 0;
  // `keys` ascending and distinct.
  virtual absl::StatusOr<KvClient::BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                                            Timestamp ts) = 0;
  virtual absl::StatusOr<KvClient::ScanResult> Scan(std::string_view start, std::string_view end,
                                                    Timestamp ts, size_t limit) = 0;
  virtual absl::StatusOr<KvClient::ScanResult> ReverseScan(std::string_view start,
                                                           std::string_view end, Timestamp ts,
                                                           size_t limit) = 0;
  // Evaluates the registered FragmentEvaluator's `request.fragment` over
  // the live rows of the request's span (within this range) at its
  // timestamp, as one snapshot read.
  virtual absl::StatusOr<FragmentResult> EvaluateFragment(const FragmentRequest& request) = 0;
  // With request.use_async_commit, *min_commit_ts_out is the least
  // commit_ts the locks allow (kv::Prewrite); `now` (the caller's oracle,
  // where the command runs here) syncs a new leaseholder's read maximum.
  virtual absl::StatusOr<std::vector<TxnError>> Prewrite(
      const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& now,
      Timestamp* min_commit_ts_out) = 0;
  // One-phase commit of `request`: the commit timestamp is taken once the
  // keys are latched, from `commit_ts` (the caller's oracle) where the
  // command runs here, from the serving node's oracle where it runs there.
  // Returns the errors, or none and *commit_ts_out.
  virtual absl::StatusOr<std::vector<TxnError>> OnePhaseCommit(
      const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& commit_ts,
      Timestamp* commit_ts_out) = 0;
  virtual absl::StatusOr<std::vector<TxnError>> Commit(const std::vector<std::string>& keys,
                                                       Timestamp start_ts, Timestamp commit_ts) = 0;
  virtual absl::Status Rollback(const std::vector<std::string>& keys, Timestamp start_ts) = 0;
  virtual absl::StatusOr<TxnStatus> CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                                   Timestamp current_ts,
                                                   bool rollback_if_missing) = 0;
  virtual absl::StatusOr<TxnStatus> TxnHeartbeat(std::string_view primary, Timestamp start_ts,
                                                 uint64_t ttl_ms) = 0;
  virtual absl::StatusOr<SecondaryLocksStatus> CheckSecondaryLocks(
      const std::vector<std::string>& keys, Timestamp start_ts, bool rollback_if_missing) = 0;
  virtual absl::Status ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                    Timestamp commit_ts) = 0;
  // Splits the range at `split_key` (inside it, not its start), the new
  // range [split_key, end) taking the id `right_range_id`. Returns once the
  // leaseholder has applied the split.
  virtual absl::Status Split(std::string_view split_key, uint64_t right_range_id) = 0;
};

}  // namespace cairn::kv
