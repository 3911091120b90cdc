#include "kv/transport/cluster_service.h"

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "kv/mvcc/txn_types.h"
#include "kv/range_commands.h"
#include "kv/range_span.h"
#include "kv/transport/kv_codec.h"

namespace cairn::kv {
namespace {

std::vector<std::string> KeysOf(const proto::KvRequest& request) {
  return std::vector<std::string>(request.keys().begin(), request.keys().end());
}

absl::Status NotHere(const Replica* replica, std::string_view why) {
  return MakeError(ErrorCode::kRangeNotHere,
                   absl::StrCat("range ", replica->range_id(), " ", std::string(why)));
}

}  // namespace

grpc::Status ClusterService::Join(grpc::ServerContext*, const proto::JoinRequest* request,
                                  proto::JoinResponse* response) {
  absl::StatusOr<proto::JoinResponse> joined = hooks_.join(*request);
  if (!joined.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(joined.status().message()));
  }
  *response = *std::move(joined);
  return grpc::Status::OK;
}

grpc::Status ClusterService::RangeLookup(grpc::ServerContext*,
                                         const proto::RangeLookupRequest* request,
                                         proto::RangeLookupResponse* response) {
  Replica* replica = request->before() ? store_->LookupReplicaBefore(request->key())
                                       : store_->LookupReplica(request->key());
  if (replica == nullptr) {
    StatusToProto(MakeError(ErrorCode::kRangeNotHere,
                            absl::StrCat("node ", hooks_.node_id, " has no replica holding ",
                                         key_codec::PrettyKey(request->key()))),
                  response->mutable_error());
    return grpc::Status::OK;
  }
  *response->mutable_range() = replica->descriptor();
  response->set_has_replica(true);
  response->set_approximate_bytes(RangeDataBytes(*store_->engine(), response->range()));
  if (replica->IsServing()) {
    response->set_answered_by_leaseholder(true);
    response->set_leaseholder_node_id(hooks_.node_id);
    response->set_leaseholder_address(hooks_.rpc_address);
    return grpc::Status::OK;
  }
  const uint64_t leader = replica->LeaderNodeId();
  const std::string address = leader == 0 ? "" : hooks_.address_of(leader);
  if (address.empty()) {
    StatusToProto(NotHere(replica, "has no known leader"), response->mutable_error());
    return grpc::Status::OK;
  }
  response->set_leaseholder_node_id(leader);
  response->set_leaseholder_address(address);
  return grpc::Status::OK;
}

grpc::Status ClusterService::Kv(grpc::ServerContext*, const proto::KvRequest* request,
                                proto::KvResponse* response) {
  Replica* replica = store_->GetReplica(request->range_id());
  absl::Status status;
  if (replica == nullptr) {
    status = MakeError(
        ErrorCode::kRangeNotHere,
        absl::StrCat("node ", hooks_.node_id, " has no replica of range ", request->range_id()));
  } else if (replica->descriptor().generation() != request->range_generation()) {
    status = NotHere(replica, "has changed (another generation)");
  } else if (!replica->IsServing()) {
    status = NotHere(replica, "is not led by this node");
  } else {
    status = Evaluate(replica, *request, response);
  }
  if (!status.ok()) {
    response->Clear();
    StatusToProto(status, response->mutable_error());
    if (replica != nullptr && GetErrorCode(status) == ErrorCode::kRangeNotHere) {
      response->mutable_error()->set_leader_node_id(replica->LeaderNodeId());
    }
  }
  return grpc::Status::OK;
}

absl::Status ClusterService::Evaluate(Replica* replica, const proto::KvRequest& request,
                                      proto::KvResponse* response) {
  const proto::RangeDescriptor& range = replica->descriptor();
  for (const std::string& key : request.keys()) {
    if (!KeyInSpan(range, key)) return NotHere(replica, "does not hold a key of the request");
  }
  for (const auto& m : request.prewrite().mutations()) {
    if (!KeyInSpan(range, m.key())) return NotHere(replica, "does not hold a key of the request");
  }
  RangeCommands commands(replica);
  switch (request.method()) {
    case proto::KvRequest::GET: {
      if (request.keys_size() != 1) {
        return MakeError(ErrorCode::kInvalidArgument, "get takes one key");
      }
      CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, commands.Get(request.keys(0), request.ts()));
      auto* v = response->add_values();
      v->set_present(got.value.has_value());
      if (got.value) v->set_value(*got.value);
      LockedToProto(got.locked, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::BATCH_GET: {
      CAIRN_ASSIGN_OR_RETURN(KvClient::BatchGetResult got,
                             commands.BatchGet(KeysOf(request), request.ts()));
      for (const auto& value : got.values) {
        auto* v = response->add_values();
        v->set_present(value.has_value());
        if (value) v->set_value(*value);
      }
      LockedToProto(got.locked, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::SCAN:
    case proto::KvRequest::REVERSE_SCAN: {
      const bool reverse = request.method() == proto::KvRequest::REVERSE_SCAN;
      // The span must lie in the range: [start, end) within [start_key, end_key).
      const bool inside =
          request.start() >= range.start_key() &&
          (range.end_key().empty() || (!request.end().empty() && request.end() <= range.end_key()));
      if (!inside) return NotHere(replica, "does not hold the whole span");
      CAIRN_ASSIGN_OR_RETURN(
          KvClient::ScanResult got,
          reverse
              ? commands.ReverseScan(request.start(), request.end(), request.ts(), request.limit())
              : commands.Scan(request.start(), request.end(), request.ts(), request.limit()));
      for (auto& row : got.rows) {
        auto* r = response->add_rows();
        r->set_key(std::move(row.key));
        r->set_value(std::move(row.value));
      }
      LockedToProto(got.locked, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::EVALUATE_FRAGMENT: {
      const bool inside =
          request.start() >= range.start_key() &&
          (range.end_key().empty() || (!request.end().empty() && request.end() <= range.end_key()));
      if (!inside) return NotHere(replica, "does not hold the whole span");
      FragmentRequest fragment{request.start(), request.end(), request.ts(), request.fragment()};
      CAIRN_ASSIGN_OR_RETURN(FragmentResult got, commands.EvaluateFragment(fragment));
      response->set_fragment_output(std::move(got.output));
      response->set_resume_key(std::move(got.resume_key));
      response->set_keys_read(got.keys_read);
      LockedToProto(got.locked, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::PREWRITE: {
      CAIRN_ASSIGN_OR_RETURN(PrewriteRequest prewrite, PrewriteFromProto(request.prewrite()));
      Timestamp min_commit_ts = 0;
      CAIRN_ASSIGN_OR_RETURN(
          auto errors, commands.Prewrite(
                           prewrite, [this] { return hooks_.timestamps(1); }, &min_commit_ts));
      TxnErrorsToProto(errors, response);
      response->set_commit_ts(min_commit_ts);
      return absl::OkStatus();
    }
    case proto::KvRequest::ONE_PHASE_COMMIT: {
      CAIRN_ASSIGN_OR_RETURN(PrewriteRequest prewrite, PrewriteFromProto(request.prewrite()));
      Timestamp commit_ts = 0;
      CAIRN_ASSIGN_OR_RETURN(auto errors,
                             commands.OnePhaseCommit(
                                 prewrite, [this] { return hooks_.timestamps(1); }, &commit_ts));
      TxnErrorsToProto(errors, response);
      response->set_commit_ts(commit_ts);
      return absl::OkStatus();
    }
    case proto::KvRequest::COMMIT: {
      CAIRN_ASSIGN_OR_RETURN(auto errors,
                             commands.Commit(KeysOf(request), request.ts(), request.commit_ts()));
      TxnErrorsToProto(errors, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::ROLLBACK:
      return commands.Rollback(KeysOf(request), request.ts());
    case proto::KvRequest::CHECK_TXN_STATUS: {
      if (request.keys_size() != 1) {
        return MakeError(ErrorCode::kInvalidArgument, "check_txn_status takes one key");
      }
      CAIRN_ASSIGN_OR_RETURN(
          TxnStatus status,
          commands.CheckTxnStatus(request.keys(0), request.ts(), request.current_ts(),
                                  request.rollback_if_missing()));
      TxnStatusToProto(status, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::TXN_HEARTBEAT: {
      if (request.keys_size() != 1) {
        return MakeError(ErrorCode::kInvalidArgument, "txn_heartbeat takes one key");
      }
      CAIRN_ASSIGN_OR_RETURN(
          TxnStatus status, commands.TxnHeartbeat(request.keys(0), request.ts(), request.ttl_ms()));
      TxnStatusToProto(status, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::CHECK_SECONDARY_LOCKS: {
      CAIRN_ASSIGN_OR_RETURN(SecondaryLocksStatus status,
                             commands.CheckSecondaryLocks(KeysOf(request), request.ts(),
                                                          request.rollback_if_missing()));
      SecondaryLocksStatusToProto(status, response);
      return absl::OkStatus();
    }
    case proto::KvRequest::RESOLVE_LOCKS:
      return commands.ResolveLocks(KeysOf(request), request.ts(), request.commit_ts());
    case proto::KvRequest::SPLIT:
      if (request.keys_size() != 1 || request.new_range_id() == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "split takes one key and a new range id");
      }
      return commands.Split(request.keys(0), request.new_range_id());
    default:
      return MakeError(ErrorCode::kInvalidArgument, "unknown range command");
  }
}

grpc::Status ClusterService::Timestamps(grpc::ServerContext*,
                                        const proto::TimestampsRequest* request,
                                        proto::TimestampsResponse* response) {
  absl::StatusOr<Timestamp> first =
      hooks_.local_timestamps(std::max<uint32_t>(request->count(), 1));
  if (first.ok()) {
    response->set_first(*first);
  } else {
    StatusToProto(first.status(), response->mutable_error());
  }
  return grpc::Status::OK;
}

grpc::Status ClusterService::Decommission(grpc::ServerContext*,
                                          const proto::DecommissionRequest* request,
                                          proto::DecommissionResponse* response) {
  StatusToProto(hooks_.decommission(request->node_id()), response->mutable_error());
  return grpc::Status::OK;
}

grpc::Status ClusterService::Drain(grpc::ServerContext*, const proto::DrainRequest* request,
                                   proto::DrainResponse* response) {
  absl::StatusOr<uint64_t> left = hooks_.drain(request->timeout_ms());
  if (left.ok()) response->set_leases_left(*left);
  StatusToProto(left.status(), response->mutable_error());
  return grpc::Status::OK;
}

grpc::Status ClusterService::Nodes(grpc::ServerContext*, const proto::NodesRequest*,
                                   proto::NodesResponse* response) {
  for (proto::NodeStatus& node : hooks_.nodes()) *response->add_nodes() = std::move(node);
  return grpc::Status::OK;
}

}  // namespace cairn::kv
