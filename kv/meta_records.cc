#include "kv/meta_records.h"

#include "common/error_code.h"
#include "common/logging.h"

namespace cairn::kv {
namespace {

// A one-phase commit's lock lives no longer than its Raft round.
constexpr uint64_t kWriteTtlMs = 3000;

}  // namespace

MetaPublisher::MetaPublisher(Store* store, KvClient* client, Options options)
    : store_(store),
      client_(client),
      options_(options),
      written_(MetricRegistry::Global().GetCounter(
          "cairn_meta_records_written_total",
          "Range descriptors this node wrote to the meta range for ranges it leads")) {}

MetaPublisher::~MetaPublisher() { Stop(); }

void MetaPublisher::Start() { task_.Start(); }

void MetaPublisher::Stop() { task_.Stop(); }

size_t MetaPublisher::RunOnce() {
  size_t written = 0;
  for (Replica* replica : store_->replicas()) {
    if (!replica->IsServing()) continue;
    const proto::RangeDescriptor range = replica->descriptor();
    std::string encoded = range.SerializeAsString();
    auto it = published_.find(range.range_id());
    if (it != published_.end() && it->second == encoded) continue;
    absl::Status s = Publish(range);
    if (!s.ok()) {
      CAIRN_LOG_DEBUG("range {}: meta record not written: {}", range.range_id(), s.ToString());
      continue;
    }
    published_[range.range_id()] = std::move(encoded);
    ++written;
    written_->Add();
  }
  return written;
}

absl::Status MetaPublisher::Publish(const proto::RangeDescriptor& range) {
  const std::string key = meta_records::Key(range.end_key());
  CAIRN_ASSIGN_OR_RETURN(Timestamp start_ts, client_->GetTimestamp());
  CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(key, start_ts));
  if (got.locked) return MakeError(ErrorCode::kSerializationFailure, "meta record locked");
  proto::RangeDescriptor current;
  if (got.value && current.ParseFromString(*got.value) &&
      current.generation() > range.generation()) {
    return absl::OkStatus();  // this replica is behind a split; its leader writes
  }
  PrewriteRequest request;
  request.primary = key;
  request.start_ts = start_ts;
  request.ttl_ms = kWriteTtlMs;
  request.mutations.push_back(
      {.kind = MutationKind::kPut, .key = key, .value = range.SerializeAsString()});
  CAIRN_ASSIGN_OR_RETURN(KvClient::OnePhaseResult result, client_->TryOnePhaseCommit(request));
  if (!result.applied || !result.errors.empty()) {
    return MakeError(ErrorCode::kSerializationFailure, "meta record written concurrently");
  }
  return absl::OkStatus();
}

}  // namespace cairn::kv
