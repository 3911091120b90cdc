#include "kv/transport/cluster_timestamps.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "common/statement_interrupts.h"
#include "kv/keys.h"
#include "kv/transport/kv_codec.h"

namespace cairn::kv {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(20);
constexpr std::chrono::seconds kRpcDeadline{10};

}  // namespace

ClusterTimestamps::ClusterTimestamps(Store* store, ClusterRangeLocator* locator,
                                     ClusterDialer* dialer)
    : store_(store), locator_(locator), dialer_(dialer) {}

absl::StatusOr<Timestamp> ClusterTimestamps::GetLocal(uint32_t count) {
  Replica* meta = store_->GetReplica(keys::kMetaRangeId);
  std::shared_ptr<TimestampOracle> oracle;
  uint64_t term = 0;
  {
    absl::MutexLock lock(&mu_);
    // The lease, not only leadership: a leader stopped (SIGSTOP) and woken
    // still leads until it hears of a newer term, and its timestamps, though
    // below the mark a newer leader started above, would be older than ones
    // that leader has handed out since.
    if (meta == nullptr || !meta->HoldsLease()) {
      if (meta == nullptr || !meta->IsServing()) oracle_.reset();
      return MakeError(ErrorCode::kRangeNotHere, "this node does not lead the meta range");
    }
    if (oracle_ == nullptr || oracle_term_ != meta->serving_term()) {
      // A new term of leadership, even this node's again: another leader
      // may have raised the mark since this oracle was made.
      oracle_term_ = meta->serving_term();
      oracle_ = std::make_shared<TimestampOracle>(store_->clock(), meta->tso_high_water_ms(),
                                                  [meta](uint64_t high_water_ms) {
                                                    proto::RaftCommand command;
                                                    command.set_tso_high_water_ms(high_water_ms);
                                                    return meta->ProposeAndWait(std::move(command));
                                                  });
    }
    oracle = oracle_;
    term = oracle_term_;
  }
  CAIRN_ASSIGN_OR_RETURN(Timestamp first, oracle->GetTimestamps(count));
  // Checked again after: a node stopped (SIGSTOP, a VM pause) after the
  // check above -- say while the oracle's new high-water mark was being
  // replicated, the acknowledgements arriving as it wakes -- answers with a
  // timestamp taken before the stop, below what a newer leader's oracle
  // may have handed out meanwhile. One taken while the lease still holds
  // is above every timestamp any oracle issued before this request began:
  // no newer leader's oracle exists within the lease.
  if (!meta->HoldsLease() || meta->serving_term() != term) {
    CAIRN_LOG_WARN(
        "timestamp oracle: lease of the meta range lost while answering (term {}); "
        "timestamps from {} discarded",
        term, TimestampToString(first));
    return MakeError(ErrorCode::kRangeNotHere,
                     "this node lost the meta range's lease while handing out timestamps");
  }
  return first;
}

absl::StatusOr<Timestamp> ClusterTimestamps::GetRemote(const std::string& address, uint32_t count) {
  TimestampRequestBatcher* batcher = nullptr;
  {
    absl::MutexLock lock(&mu_);
    std::unique_ptr<TimestampRequestBatcher>& b = batchers_[address];
    if (b == nullptr) {
      b = std::make_unique<TimestampRequestBatcher>(
          [this, address](uint32_t n) { return AskOracleAt(address, n); });
    }
    batcher = b.get();
  }
  absl::StatusOr<Timestamp> first = batcher->Get(count, StatementInterrupts::Deadline());
  if (GetErrorCode(first.status()) == ErrorCode::kQueryCanceled) {
    // The statement's deadline passed while it waited: answer as its
    // interrupts do (statement_timeout's message), not as a lost oracle.
    absl::Status interrupted = StatementInterrupts::Check();
    if (!interrupted.ok()) return interrupted;
  }
  return first;
}

absl::StatusOr<Timestamp> ClusterTimestamps::AskOracleAt(const std::string& address,
                                                         uint32_t count) {
  grpc::ClientContext context;
  // Asking for a timestamp changes nothing: a statement's deadline may cut
  // it short.
  context.set_deadline(std::min(std::chrono::system_clock::now() + kRpcDeadline,
                                absl::ToChronoTime(StatementInterrupts::Deadline())));
  proto::TimestampsRequest request;
  request.set_count(count);
  proto::TimestampsResponse response;
  grpc::Status rpc = dialer_->StubFor(address)->Timestamps(&context, request, &response);
  if (!rpc.ok()) {
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("timestamp oracle at ", address, ": ", rpc.error_message()));
  }
  CAIRN_RETURN_IF_ERROR(StatusFromProto(response.error()));
  return response.first();
}

absl::StatusOr<Timestamp> ClusterTimestamps::Get(uint32_t count) {
  const std::string meta_key(1, keys::kSystemPrefix);
  const absl::Time deadline = absl::Now() + kDeadline;
  absl::Duration backoff = absl::Milliseconds(5);
  for (;;) {
    absl::StatusOr<std::string> address = locator_->LeaseholderOf(meta_key);
    absl::StatusOr<Timestamp> ts = !address.ok()      ? address.status()
                                   : address->empty() ? GetLocal(count)
                                                      : GetRemote(*address, count);
    if (ts.ok() || GetErrorCode(ts.status()) != ErrorCode::kRangeNotHere) return ts;
    locator_->Invalidate(keys::kMetaRangeId);
    if (shutting_down_.load() || absl::Now() + backoff > deadline) {
      return MakeError(ErrorCode::kUnavailable,
                       absl::StrCat("no timestamp oracle reachable: ", ts.status().message()));
    }
    CAIRN_RETURN_IF_ERROR(StatementInterrupts::Check());
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(250));
  }
}

}  // namespace cairn::kv
