#include "kv/local_kv_client.h"

#include "common/error_code.h"
#include "kv/keys.h"
#include "kv/range_commands.h"

namespace cairn::kv {
namespace {

constexpr int64_t kStartupWaitMs = 60000;

}  // namespace

LocalKvClient::LocalKvClient(Store* store)
    : RoutingKvClient(&locator_, [this](uint32_t count) { return oracle_->GetTimestamps(count); }),
      store_(store),
      locator_(store) {}

absl::StatusOr<std::unique_ptr<LocalKvClient>> LocalKvClient::Create(Store* store) {
  CAIRN_RETURN_IF_ERROR(store->WaitServing(kStartupWaitMs));
  std::unique_ptr<LocalKvClient> client(new LocalKvClient(store));
  Replica* meta = store->GetReplica(keys::kMetaRangeId);
  if (meta == nullptr) return MakeError(ErrorCode::kInternal, "no meta range on this store");
  client->oracle_ = std::make_unique<TimestampOracle>(
      store->clock(), meta->tso_high_water_ms(), [meta](uint64_t high_water_ms) {
        proto::RaftCommand command;
        command.set_tso_high_water_ms(high_water_ms);
        return meta->ProposeAndWait(std::move(command));
      });
  return client;
}

absl::StatusOr<size_t> LocalKvClient::GarbageCollect(Timestamp safe_point) {
  size_t total = 0;
  for (Replica* r : store_->replicas()) {
    CAIRN_ASSIGN_OR_RETURN(size_t n, RangeCommands(r).GarbageCollect(safe_point));
    total += n;
  }
  return total;
}

}  // namespace cairn::kv
