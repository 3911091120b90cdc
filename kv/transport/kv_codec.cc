#include "kv/transport/kv_codec.h"

#include "common/error_code.h"

namespace cairn::kv {

void StatusToProto(const absl::Status& status, proto::KvError* out) {
  if (status.ok()) return;
  out->set_code(static_cast<uint32_t>(GetErrorCode(status)) + 1);  // 0: no error
  out->set_message(std::string(status.message()));
  if (std::optional<int> position = GetErrorPosition(status)) out->set_position(*position);
  out->set_detail(GetErrorDetail(status));
  out->set_context(GetErrorContext(status));
}

absl::Status StatusFromProto(const proto::KvError& error) {
  if (error.code() == 0) return absl::OkStatus();
  const uint32_t code = error.code() - 1;
  if (code > static_cast<uint32_t>(kLastErrorCode)) {
    return MakeError(ErrorCode::kInternal, error.message());
  }
  absl::Status status = MakeError(static_cast<ErrorCode>(code), error.message());
  if (error.position() > 0) status = WithPosition(std::move(status), error.position());
  if (!error.detail().empty()) status = WithDetail(std::move(status), error.detail());
  if (!error.context().empty()) status = WithContext(std::move(status), error.context());
  return status;
}

void PrewriteToProto(const PrewriteRequest& request, proto::PrewriteRequestProto* out) {
  for (const PrewriteMutation& m : request.mutations) {
    auto* pm = out->add_mutations();
    pm->set_kind(static_cast<uint32_t>(m.kind));
    pm->set_key(m.key);
    pm->set_value(m.value);
  }
  out->set_primary(request.primary);
  out->set_start_ts(request.start_ts);
  out->set_ttl_ms(request.ttl_ms);
  out->set_use_async_commit(request.use_async_commit);
  for (const std::string& key : request.secondaries) out->add_secondaries(key);
}

absl::StatusOr<PrewriteRequest> PrewriteFromProto(const proto::PrewriteRequestProto& p) {
  PrewriteRequest request;
  for (const auto& pm : p.mutations()) {
    if (pm.kind() > static_cast<uint32_t>(MutationKind::kInsert)) {
      return MakeError(ErrorCode::kDataCorrupted, "unknown mutation kind in a prewrite");
    }
    request.mutations.push_back(PrewriteMutation{
        .kind = static_cast<MutationKind>(pm.kind()), .key = pm.key(), .value = pm.value()});
  }
  request.primary = p.primary();
  request.start_ts = p.start_ts();
  request.ttl_ms = p.ttl_ms();
  request.use_async_commit = p.use_async_commit();
  request.secondaries.assign(p.secondaries().begin(), p.secondaries().end());
  return request;
}

void TxnErrorsToProto(const std::vector<TxnError>& errors, proto::KvResponse* out) {
  for (const TxnError& e : errors) {
    auto* pe = out->add_txn_errors();
    pe->set_kind(static_cast<uint32_t>(e.kind));
    pe->set_key(e.key);
    if (e.kind == TxnError::Kind::kKeyLocked) pe->set_lock(e.lock.Encode());
    pe->set_conflict_ts(e.conflict_ts);
  }
}

void TxnStatusToProto(const TxnStatus& status, proto::KvResponse* out) {
  out->set_txn_state(static_cast<uint32_t>(status.state));
  out->set_txn_commit_ts(status.commit_ts);
  out->set_txn_ttl_ms(status.ttl_ms);
  out->set_txn_min_commit_ts(status.min_commit_ts);
  for (const std::string& key : status.secondaries) out->add_txn_secondaries(key);
}

absl::StatusOr<TxnStatus> TxnStatusFromProto(const proto::KvResponse& response) {
  if (response.txn_state() > static_cast<uint32_t>(TxnStatus::State::kAsyncCommitUndecided)) {
    return MakeError(ErrorCode::kDataCorrupted, "unknown transaction state");
  }
  TxnStatus status;
  status.state = static_cast<TxnStatus::State>(response.txn_state());
  status.commit_ts = response.txn_commit_ts();
  status.ttl_ms = response.txn_ttl_ms();
  status.min_commit_ts = response.txn_min_commit_ts();
  status.secondaries.assign(response.txn_secondaries().begin(), response.txn_secondaries().end());
  return status;
}

void SecondaryLocksStatusToProto(const SecondaryLocksStatus& status, proto::KvResponse* out) {
  out->set_txn_state(static_cast<uint32_t>(status.state));
  out->set_txn_commit_ts(status.ts);
}

absl::StatusOr<SecondaryLocksStatus> SecondaryLocksStatusFromProto(
    const proto::KvResponse& response) {
  if (response.txn_state() > static_cast<uint32_t>(SecondaryLocksStatus::State::kIncomplete)) {
    return MakeError(ErrorCode::kDataCorrupted, "unknown state of secondary locks");
  }
  return SecondaryLocksStatus{static_cast<SecondaryLocksStatus::State>(response.txn_state()),
                              response.txn_commit_ts()};
}

absl::StatusOr<std::vector<TxnError>> TxnErrorsFromProto(const proto::KvResponse& response) {
  std::vector<TxnError> errors;
  for (const auto& pe : response.txn_errors()) {
    if (pe.kind() > static_cast<uint32_t>(TxnError::Kind::kCommitted)) {
      return MakeError(ErrorCode::kDataCorrupted, "unknown transaction error kind");
    }
    TxnError e{.kind = static_cast<TxnError::Kind>(pe.kind()), .key = pe.key()};
    if (e.kind == TxnError::Kind::kKeyLocked) {
      CAIRN_ASSIGN_OR_RETURN(e.lock, Lock::Decode(pe.lock()));
    }
    e.conflict_ts = pe.conflict_ts();
    errors.push_back(std::move(e));
  }
  return errors;
}

void LockedToProto(const std::optional<LockedKey>& locked, proto::KvResponse* out) {
  if (!locked) return;
  out->mutable_locked()->set_key(locked->key);
  out->mutable_locked()->set_lock(locked->lock.Encode());
}

absl::StatusOr<std::optional<LockedKey>> LockedFromProto(const proto::KvResponse& response) {
  if (!response.has_locked()) return std::nullopt;
  LockedKey locked{.key = response.locked().key()};
  CAIRN_ASSIGN_OR_RETURN(locked.lock, Lock::Decode(response.locked().lock()));
  return locked;
}

}  // namespace cairn::kv
