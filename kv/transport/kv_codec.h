#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kv/kv_client.h"
#include "proto/cluster.pb.h"

// The KV API's types <-> their proto::Cluster messages, for range commands
// sent to another node (RemoteRange) and answered there (ClusterService).
namespace cairn::kv {

// A failed Status keeps its ErrorCode and message across the wire.
void StatusToProto(const absl::Status& status, proto::KvError* out);
absl::Status StatusFromProto(const proto::KvError& error);

void PrewriteToProto(const PrewriteRequest& request, proto::PrewriteRequestProto* out);
absl::StatusOr<PrewriteRequest> PrewriteFromProto(const proto::PrewriteRequestProto& p);

void TxnErrorsToProto(const std::vector<TxnError>& errors, proto::KvResponse* out);
absl::StatusOr<std::vector<TxnError>> TxnErrorsFromProto(const proto::KvResponse& response);

void TxnStatusToProto(const TxnStatus& status, proto::KvResponse* out);
absl::StatusOr<TxnStatus> TxnStatusFromProto(const proto::KvResponse& response);

void SecondaryLocksStatusToProto(const SecondaryLocksStatus& status, proto::KvResponse* out);
absl::StatusOr<SecondaryLocksStatus> SecondaryLocksStatusFromProto(
    const proto::KvResponse& response);

void LockedToProto(const std::optional<LockedKey>& locked, proto::KvResponse* out);
absl::StatusOr<std::optional<LockedKey>> LockedFromProto(const proto::KvResponse& response);

}  // namespace cairn::kv
