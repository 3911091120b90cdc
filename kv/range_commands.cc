#include "kv/range_commands.h"

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/key_codec.h"

namespace cairn::kv {
namespace {

constexpr int64_t kServingWaitMs = 10000;
// A new leader's lease starts with the first heartbeats a quorum answers,
// within a tick or two.
constexpr int64_t kLeaseWaitMs = 2000;

}  // namespace

absl::Status RangeCommands::CheckKeysHere(const std::vector<std::string>& keys) const {
  for (const std::string& key : keys) {
    if (!replica_->ContainsKey(key)) {
      return MakeError(ErrorCode::kRangeNotHere,
                       absl::StrCat("range ", replica_->range_id(), " no longer holds ",
                                    key_codec::PrettyKey(key)));
    }
  }
  return absl::OkStatus();
}

absl::Status RangeCommands::CheckSpanHere(std::string_view start, std::string_view end) const {
  if (replica_->ContainsSpan(start, end)) return absl::OkStatus();
  return MakeError(ErrorCode::kRangeNotHere,
                   absl::StrCat("range ", replica_->range_id(), " no longer holds the span"));
}

absl::Status RangeCommands::CheckLeaseHeld() const {
  if (replica_->HoldsLease()) return absl::OkStatus();
  return MakeError(ErrorCode::kRangeNotHere, absl::StrCat("range ", replica_->range_id(),
                                                          ": lease lapsed before the answer"));
}

absl::Status RangeCommands::CheckReadableAt(Timestamp ts) const {
  const Timestamp threshold = replica_->gc_threshold();
  if (ts >= threshold) return absl::OkStatus();
  return MakeError(ErrorCode::kSnapshotTooOld,
                   absl::StrCat("cannot read at ", TimestampToString(ts), ": range ",
                                replica_->range_id(), " keeps no versions older than ",
                                TimestampToString(threshold),
                                " (cluster setting gc.ttl_seconds)"));
}

absl::Status RangeCommands::ProposeBatch(const WriteBatch& batch) {
  if (batch.empty()) return absl::OkStatus();
  proto::RaftCommand command;
  for (const Mutation& m : batch.mutations()) {
    auto* pm = command.add_mutations();
    pm->set_cf(static_cast<uint32_t>(m.cf));
    pm->set_is_delete(m.op == Mutation::Op::kDelete);
    pm->set_key(m.key);
    if (m.op == Mutation::Op::kPut) pm->set_value(m.value);
  }
  return replica_->ProposeAndWait(std::move(command));
}

absl::StatusOr<KvClient::GetResult> RangeCommands::Get(std::string_view key, Timestamp ts) {
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  // A read sees every committed write only where no newer leader can exist.
  CAIRN_RETURN_IF_ERROR(replica_->WaitForLease(kLeaseWaitMs));
  // Counted before the latch wait: see MaxReadTimestamp.
  replica_->max_read_timestamp().Observe(ts);
  replica_->latches().WaitUnlatched(key);
  // A point read needs no pinned snapshot: it reads the lock, then the
  // write records. A transaction that committed at or below ts took its
  // commit_ts after locking the key, so either the first read sees its lock
  // or the second sees its commit (applied atomically with the lock's
  // removal); one-phase commits are ordered by the latch wait above.
  auto view = replica_->engine()->NewLatestView();
  // After the view: a split applied before it sends the read to the new range,
  // a lease lost before it to the new leaseholder.
  CAIRN_RETURN_IF_ERROR(CheckKeysHere({std::string(key)}));
  CAIRN_RETURN_IF_ERROR(CheckLeaseHeld());
  CAIRN_RETURN_IF_ERROR(CheckReadableAt(ts));
  MvccReader reader(view.get());
  KvClient::GetResult result;
  CAIRN_ASSIGN_OR_RETURN(result.value, reader.Get(key, ts, &result.locked));
  return result;
}

absl::StatusOr<KvClient::BatchGetResult> RangeCommands::BatchGet(
    const std::vector<std::string>& keys, Timestamp ts) {
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  // A read sees every committed write only where no newer leader can exist.
  CAIRN_RETURN_IF_ERROR(replica_->WaitForLease(kLeaseWaitMs));
  replica_->max_read_timestamp().Observe(ts);
  for (const std::string& key : keys) replica_->latches().WaitUnlatched(key);
  // As Get, key by key: each read sees a committed write or its lock.
  auto view = replica_->engine()->NewLatestView();
  CAIRN_RETURN_IF_ERROR(CheckKeysHere(keys));
  CAIRN_RETURN_IF_ERROR(CheckLeaseHeld());
  CAIRN_RETURN_IF_ERROR(CheckReadableAt(ts));
  MvccReader reader(view.get());
  KvClient::BatchGetResult result;
  CAIRN_ASSIGN_OR_RETURN(result.values, reader.BatchGet(keys, ts, &result.locked));
  return result;
}

absl::StatusOr<KvClient::ScanResult> RangeCommands::Scan(std::string_view start,
                                                         std::string_view end, Timestamp ts,
                                                         size_t limit) {
  return ReadSpan(start, end, ts, limit, /*reverse=*/false);
}

absl::StatusOr<KvClient::ScanResult> RangeCommands::ReverseScan(std::string_view start,
                                                                std::string_view end, Timestamp ts,
                                                                size_t limit) {
  return ReadSpan(start, end, ts, limit, /*reverse=*/true);
}

absl::StatusOr<KvClient::ScanResult> RangeCommands::ReadSpan(std::string_view start,
                                                             std::string_view end, Timestamp ts,
                                                             size_t limit, bool reverse) {
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  // A read sees every committed write only where no newer leader can exist.
  CAIRN_RETURN_IF_ERROR(replica_->WaitForLease(kLeaseWaitMs));
  replica_->max_read_timestamp().Observe(ts);
  replica_->latches().WaitRangeUnlatched(start, end);
  auto snapshot = replica_->engine()->NewSnapshot();
  CAIRN_RETURN_IF_ERROR(CheckSpanHere(start, end));
  CAIRN_RETURN_IF_ERROR(CheckLeaseHeld());
  CAIRN_RETURN_IF_ERROR(CheckReadableAt(ts));
  MvccReader reader(snapshot.get());
  KvClient::ScanResult result;
  if (reverse) {
    CAIRN_ASSIGN_OR_RETURN(result.rows, reader.ReverseScan(start, end, ts, limit, &result.locked));
  } else {
    CAIRN_ASSIGN_OR_RETURN(result.rows, reader.Scan(start, end, ts, limit, &result.locked));
  }
  return result;
}

absl::StatusOr<FragmentResult> RangeCommands::EvaluateFragment(const FragmentRequest& request) {
  FragmentEvaluator* evaluator = RegisteredFragmentEvaluator();
  if (evaluator == nullptr) {
    return MakeError(ErrorCode::kFeatureNotSupported, "this node evaluates no plan fragments");
  }
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  CAIRN_RETURN_IF_ERROR(replica_->WaitForLease(kLeaseWaitMs));
  replica_->max_read_timestamp().Observe(request.ts);
  replica_->latches().WaitRangeUnlatched(request.start, request.end);
  auto snapshot = replica_->engine()->NewSnapshot();
  CAIRN_RETURN_IF_ERROR(CheckSpanHere(request.start, request.end));
  CAIRN_RETURN_IF_ERROR(CheckLeaseHeld());
  CAIRN_RETURN_IF_ERROR(CheckReadableAt(request.ts));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<FragmentRun> run, evaluator->Start(request.fragment));
  MvccReader reader(snapshot.get());
  FragmentResult result;
  std::string cursor = request.start;
  // The span in chunks of one snapshot, until it ends, the run has enough
  // or the request has read its share.
  constexpr size_t kChunk = 1024;
  while (true) {
    std::optional<LockedKey> locked;
    CAIRN_ASSIGN_OR_RETURN(std::vector<KeyValue> rows,
                           reader.Scan(cursor, request.end, request.ts, kChunk, &locked));
    if (locked) {
      result.locked = std::move(locked);
      result.output.clear();
      return result;
    }
    for (const KeyValue& kv : rows) {
      ++result.keys_read;
      CAIRN_ASSIGN_OR_RETURN(bool more, run->Add(kv.key, kv.value));
      if (!more || result.keys_read >= kMaxFragmentRowsPerRequest) {
        result.resume_key = kv.key + std::string(1, '\0');
        if (!request.end.empty() && result.resume_key >= request.end) result.resume_key.clear();
        CAIRN_ASSIGN_OR_RETURN(result.output, run->Finish());
        return result;
      }
    }
    if (rows.size() < kChunk) break;
    cursor = rows.back().key + std::string(1, '\0');
  }
  CAIRN_ASSIGN_OR_RETURN(result.output, run->Finish());
  return result;
}

absl::Status RangeCommands::LatchEvaluatePropose(std::vector<std::string> keys,
                                                 const Action& action) {
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  auto guard = replica_->latches().Acquire(keys);
  CAIRN_RETURN_IF_ERROR(replica_->WaitForLease(kLeaseWaitMs));
  CAIRN_RETURN_IF_ERROR(CheckKeysHere(keys));
  auto snapshot = replica_->engine()->NewSnapshot();
  MvccReader reader(snapshot.get());
  WriteBatch batch;
  CAIRN_RETURN_IF_ERROR(action(reader, &batch));
  // A batch proves itself: it commits only in a term no newer leader has
  // begun. An empty one proves nothing: a leader woken from a stall would
  // answer from the state it had before it (a lock the new leaseholder has
  // since resolved, a key it has since locked), and a resolver would
  // decide a transaction's fate on that past.
  if (batch.empty()) return CheckLeaseHeld();
  return ProposeBatch(batch);
}

namespace {

std::vector<std::string> KeysOf(const PrewriteRequest& request) {
  std::vector<std::string> keys;
  keys.reserve(request.mutations.size());
  for (const auto& m : request.mutations) keys.push_back(m.key);
  return keys;
}

}  // namespace

absl::StatusOr<std::vector<TxnError>> RangeCommands::Prewrite(
    const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& now,
    Timestamp* min_commit_ts_out) {
  std::vector<TxnError> errors;
  MaxReadTimestamp& reads = replica_->max_read_timestamp();
  if (request.use_async_commit) {
    CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
    const uint64_t term = replica_->serving_term();
    if (!reads.Get(term).has_value()) {
      // A new leaseholder: above whatever its predecessors served.
      CAIRN_ASSIGN_OR_RETURN(Timestamp fresh, now());
      reads.Sync(term, fresh);
    }
  }
  CAIRN_RETURN_IF_ERROR(
      LatchEvaluatePropose(KeysOf(request), [&](const MvccReader& reader, WriteBatch* batch) {
        Timestamp max_read_ts = 0;
        if (request.use_async_commit) {
          // Read under the latches: see MaxReadTimestamp.
          std::optional<Timestamp> max_read = reads.Get(replica_->serving_term());
          if (!max_read.has_value()) {
            return MakeError(ErrorCode::kRangeNotHere,
                             absl::StrCat("range ", replica_->range_id(),
                                          " changed leaseholder during a prewrite"));
          }
          max_read_ts = *max_read;
        }
        return kv::Prewrite(reader, request, batch, &errors, max_read_ts, min_commit_ts_out);
      }));
  return errors;
}

absl::StatusOr<std::vector<TxnError>> RangeCommands::OnePhaseCommit(
    const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& commit_ts,
    Timestamp* commit_ts_out) {
  std::vector<TxnError> errors;
  CAIRN_RETURN_IF_ERROR(
      LatchEvaluatePropose(KeysOf(request), [&](const MvccReader& reader, WriteBatch* batch) {
        // Taken under the latches: see OnePhaseCommit in percolator.h.
        CAIRN_ASSIGN_OR_RETURN(*commit_ts_out, commit_ts());
        return kv::OnePhaseCommit(reader, request, *commit_ts_out, batch, &errors);
      }));
  return errors;
}

absl::StatusOr<std::vector<TxnError>> RangeCommands::Commit(const std::vector<std::string>& keys,
                                                            Timestamp start_ts,
                                                            Timestamp commit_ts) {
  std::vector<TxnError> errors;
  CAIRN_RETURN_IF_ERROR(
      LatchEvaluatePropose(keys, [&](const MvccReader& reader, WriteBatch* batch) {
        return kv::Commit(reader, keys, start_ts, commit_ts, batch, &errors);
      }));
  return errors;
}

absl::Status RangeCommands::Rollback(const std::vector<std::string>& keys, Timestamp start_ts) {
  return LatchEvaluatePropose(keys, [&](const MvccReader& reader, WriteBatch* batch) {
    std::vector<TxnError> errors;  // a committed key stays committed; nothing to report
    return kv::Rollback(reader, keys, start_ts, batch, &errors);
  });
}

absl::StatusOr<TxnStatus> RangeCommands::CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                                        Timestamp current_ts,
                                                        bool rollback_if_missing) {
  TxnStatus status;
  CAIRN_RETURN_IF_ERROR(LatchEvaluatePropose(
      {std::string(primary)}, [&](const MvccReader& reader, WriteBatch* batch) -> absl::Status {
        CAIRN_ASSIGN_OR_RETURN(status, kv::CheckTxnStatus(reader, primary, lock_ts, current_ts,
                                                          rollback_if_missing, batch));
        return absl::OkStatus();
      }));
  return status;
}

absl::StatusOr<TxnStatus> RangeCommands::TxnHeartbeat(std::string_view primary, Timestamp start_ts,
                                                      uint64_t ttl_ms) {
  TxnStatus status;
  CAIRN_RETURN_IF_ERROR(LatchEvaluatePropose(
      {std::string(primary)}, [&](const MvccReader& reader, WriteBatch* batch) -> absl::Status {
        CAIRN_ASSIGN_OR_RETURN(status, kv::TxnHeartbeat(reader, primary, start_ts, ttl_ms, batch));
        return absl::OkStatus();
      }));
  return status;
}

absl::StatusOr<SecondaryLocksStatus> RangeCommands::CheckSecondaryLocks(
    const std::vector<std::string>& keys, Timestamp start_ts, bool rollback_if_missing) {
  SecondaryLocksStatus status;
  CAIRN_RETURN_IF_ERROR(
      LatchEvaluatePropose(keys, [&](const MvccReader& reader, WriteBatch* batch) -> absl::Status {
        CAIRN_ASSIGN_OR_RETURN(
            status, kv::CheckSecondaryLocks(reader, keys, start_ts, rollback_if_missing, batch));
        return absl::OkStatus();
      }));
  return status;
}

absl::Status RangeCommands::ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                         Timestamp commit_ts) {
  return LatchEvaluatePropose(keys, [&](const MvccReader& reader, WriteBatch* batch) {
    return kv::ResolveLocks(reader, keys, start_ts, commit_ts, batch);
  });
}

absl::Status RangeCommands::Split(std::string_view split_key, uint64_t right_range_id) {
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  const std::string key(split_key);
  proto::RangeDescriptor range = replica_->descriptor();
  if (!KeyInSpan(range, key) || key == range.start_key()) {
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("range ", range.range_id(), " cannot split at ",
                                  key_codec::PrettyKey(key)));
  }
  // Writes on the right-hand side that were evaluated against this range
  // finish before the split; those that come after it find their keys
  // gone (CheckKeysHere) and go to the new range.
  auto freeze = replica_->latches().Freeze(key, range.end_key());
  range = replica_->descriptor();
  proto::RaftCommand command;
  command.mutable_split()->set_split_key(key);
  command.mutable_split()->set_right_range_id(right_range_id);
  command.mutable_split()->set_left_generation(range.generation());
  CAIRN_RETURN_IF_ERROR(replica_->ProposeAndWait(std::move(command)));
  if (replica_->descriptor().end_key() != key) {
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("range ", range.range_id(), " changed during its split"));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> RangeCommands::GarbageCollect(Timestamp safe_point) {
  CAIRN_RETURN_IF_ERROR(replica_->WaitServing(kServingWaitMs));
  auto snapshot = replica_->engine()->NewSnapshot();
  MvccReader reader(snapshot.get());
  WriteBatch batch;
  const auto& d = replica_->descriptor();
  CAIRN_ASSIGN_OR_RETURN(size_t n,
                         kv::GarbageCollect(reader, d.start_key(), d.end_key(), safe_point, &batch));
  CAIRN_RETURN_IF_ERROR(ProposeBatch(batch));
  return n;
}

}  // namespace cairn::kv
