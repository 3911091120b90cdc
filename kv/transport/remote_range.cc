#include "kv/transport/remote_range.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "kv/transport/kv_codec.h"

namespace cairn::kv {
namespace {

// A command may wait on latches and for its replica to serve (10 s at
// most, RangeCommands): well within this.
constexpr std::chrono::seconds kCommandDeadline{60};

}  // namespace

RemoteRange::RemoteRange(proto::RangeDescriptor descriptor,
                         std::shared_ptr<proto::Cluster::Stub> stub,
                         Invalidate invalidate)
    : descriptor_(std::move(descriptor)),
      stub_(std::move(stub)),
      invalidate_(std::move(invalidate)) {}

absl::StatusOr<proto::KvResponse> RemoteRange::Call(proto::KvRequest request,
                                                    Repeatable repeatable) {
  request.set_range_id(descriptor_.range_id());
  request.set_range_generation(descriptor_.generation());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCommandDeadline);
  proto::KvResponse response;
  grpc::Status rpc = stub_->Kv(&context, request, &response);
  if (!rpc.ok()) {
    invalidate_(descriptor_.range_id(), /*leader_hint=*/0);
    if (repeatable == Repeatable::kNo) {
      return MakeError(
          ErrorCode::kStatementCompletionUnknown,
          absl::StrCat("lost contact with the leaseholder of range ", descriptor_.range_id(),
                       " while committing: ", rpc.error_message()));
    }
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("range ", descriptor_.range_id(),
                                  ": leaseholder unreachable: ", rpc.error_message()));
  }
  absl::Status status = StatusFromProto(response.error());
  if (!status.ok()) {
    if (GetErrorCode(status) == ErrorCode::kRangeNotHere) {
      invalidate_(descriptor_.range_id(), response.error().leader_node_id());
    }
    return status;
  }
  return response;
}

absl::StatusOr<KvClient::GetResult> RemoteRange::Get(std::string_view key, Timestamp ts) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::GET);
  request.add_keys(std::string(key));
  request.set_ts(ts);
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  KvClient::GetResult result;
  CAIRN_ASSIGN_OR_RETURN(result.locked, LockedFromProto(response));
  if (response.values_size() == 1 && response.values(0).present()) {
    result.value = response.values(0).value();
  }
  return result;
}

absl::StatusOr<KvClient::BatchGetResult> RemoteRange::BatchGet(const std::vector<std::string>& keys,
                                                               Timestamp ts) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::BATCH_GET);
  for (const std::string& key : keys) request.add_keys(key);
  request.set_ts(ts);
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  KvClient::BatchGetResult result;
  CAIRN_ASSIGN_OR_RETURN(result.locked, LockedFromProto(response));
  if (result.locked) return result;
  if (response.values_size() != static_cast<int>(keys.size())) {
    return MakeError(ErrorCode::kDataCorrupted, "batch get answered a different number of keys");
  }
  for (const auto& v : response.values()) {
    result.values.push_back(v.present() ? std::optional<std::string>(v.value()) : std::nullopt);
  }
  return result;
}

absl::StatusOr<KvClient::ScanResult> RemoteRange::ScanResponse(const proto::KvResponse& response) {
  KvClient::ScanResult result;
  for (const auto& row : response.rows()) result.rows.push_back({row.key(), row.value()});
  CAIRN_ASSIGN_OR_RETURN(result.locked, LockedFromProto(response));
  return result;
}

absl::StatusOr<KvClient::ScanResult> RemoteRange::Scan(std::string_view start, std::string_view end,
                                                       Timestamp ts, size_t limit) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::SCAN);
  request.set_start(std::string(start));
  request.set_end(std::string(end));
  request.set_ts(ts);
  request.set_limit(limit);
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  return ScanResponse(response);
}

absl::StatusOr<KvClient::ScanResult> RemoteRange::ReverseScan(std::string_view start,
                                                              std::string_view end, Timestamp ts,
                                                              size_t limit) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::REVERSE_SCAN);
  request.set_start(std::string(start));
  request.set_end(std::string(end));
  request.set_ts(ts);
  request.set_limit(limit);
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  return ScanResponse(response);
}

absl::StatusOr<FragmentResult> RemoteRange::EvaluateFragment(const FragmentRequest& request) {
  proto::KvRequest p;
  p.set_method(proto::KvRequest::EVALUATE_FRAGMENT);
  p.set_start(request.start);
  p.set_end(request.end);
  p.set_ts(request.ts);
  p.set_fragment(request.fragment);
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(p), Repeatable::kYes));
  FragmentResult result;
  result.output = std::move(*response.mutable_fragment_output());
  result.resume_key = std::move(*response.mutable_resume_key());
  result.keys_read = response.keys_read();
  CAIRN_ASSIGN_OR_RETURN(result.locked, LockedFromProto(response));
  return result;
}

absl::StatusOr<std::vector<TxnError>> RemoteRange::Prewrite(
    const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>&,
    Timestamp* min_commit_ts_out) {
  // The leaseholder syncs its read maximum from its own node's oracle.
  proto::KvRequest p;
  p.set_method(proto::KvRequest::PREWRITE);
  PrewriteToProto(request, p.mutable_prewrite());
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(p), Repeatable::kYes));
  if (min_commit_ts_out != nullptr) *min_commit_ts_out = response.commit_ts();
  return TxnErrorsFromProto(response);
}

absl::StatusOr<std::vector<TxnError>> RemoteRange::OnePhaseCommit(
    const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>&,
    Timestamp* commit_ts_out) {
  // The leaseholder takes the commit timestamp itself, once it holds the
  // latches: one taken here would be older than writes it may still see.
  proto::KvRequest p;
  p.set_method(proto::KvRequest::ONE_PHASE_COMMIT);
  PrewriteToProto(request, p.mutable_prewrite());
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(p), Repeatable::kNo));
  *commit_ts_out = response.commit_ts();
  return TxnErrorsFromProto(response);
}

absl::StatusOr<std::vector<TxnError>> RemoteRange::Commit(const std::vector<std::string>& keys,
                                                          Timestamp start_ts, Timestamp commit_ts) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::COMMIT);
  for (const std::string& key : keys) request.add_keys(key);
  request.set_ts(start_ts);
  request.set_commit_ts(commit_ts);
  // Committing a lock is idempotent (a key already committed at start_ts
  // commits again as a no-op; one rolled back meanwhile reports it).
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  return TxnErrorsFromProto(response);
}

absl::Status RemoteRange::Rollback(const std::vector<std::string>& keys, Timestamp start_ts) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::ROLLBACK);
  for (const std::string& key : keys) request.add_keys(key);
  request.set_ts(start_ts);
  return Call(std::move(request), Repeatable::kYes).status();
}

absl::StatusOr<TxnStatus> RemoteRange::CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                                      Timestamp current_ts,
                                                      bool rollback_if_missing) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::CHECK_TXN_STATUS);
  request.add_keys(std::string(primary));
  request.set_ts(lock_ts);
  request.set_current_ts(current_ts);
  request.set_rollback_if_missing(rollback_if_missing);
  // Checking may roll the transaction back; doing that twice is harmless.
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  return TxnStatusFromProto(response);
}

absl::StatusOr<TxnStatus> RemoteRange::TxnHeartbeat(std::string_view primary, Timestamp start_ts,
                                                    uint64_t ttl_ms) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::TXN_HEARTBEAT);
  request.add_keys(std::string(primary));
  request.set_ts(start_ts);
  request.set_ttl_ms(ttl_ms);
  // The TTL only grows: sending it twice is harmless.
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  return TxnStatusFromProto(response);
}

absl::StatusOr<SecondaryLocksStatus> RemoteRange::CheckSecondaryLocks(
    const std::vector<std::string>& keys, Timestamp start_ts, bool rollback_if_missing) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::CHECK_SECONDARY_LOCKS);
  for (const std::string& key : keys) request.add_keys(key);
  request.set_ts(start_ts);
  request.set_rollback_if_missing(rollback_if_missing);
  // Its rollback records are the same when written twice.
  CAIRN_ASSIGN_OR_RETURN(proto::KvResponse response, Call(std::move(request), Repeatable::kYes));
  return SecondaryLocksStatusFromProto(response);
}

absl::Status RemoteRange::ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                       Timestamp commit_ts) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::RESOLVE_LOCKS);
  for (const std::string& key : keys) request.add_keys(key);
  request.set_ts(start_ts);
  request.set_commit_ts(commit_ts);
  return Call(std::move(request), Repeatable::kYes).status();
}

absl::Status RemoteRange::Split(std::string_view split_key, uint64_t right_range_id) {
  proto::KvRequest request;
  request.set_method(proto::KvRequest::SPLIT);
  request.add_keys(std::string(split_key));
  request.set_new_range_id(right_range_id);
  // Sent again after a loss, it meets a range of another generation and is
  // routed afresh: where the split happened, the key starts a range.
  return Call(std::move(request), Repeatable::kYes).status();
}

}  // namespace cairn::kv
