#include "txn/txn_heartbeater.h"

#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/metrics.h"

namespace cairn::txn {
namespace {

Counter* HeartbeatsCounter() {
  static Counter* c = MetricRegistry::Global().GetCounter(
      "cairn_txn_heartbeats_total", "Heartbeats sent to the primaries of long transactions");
  return c;
}

}  // namespace

TxnHeartbeater::TxnHeartbeater(kv::KvClient* client, uint64_t base_ttl_ms, absl::Duration interval)
    : client_(client), base_ttl_ms_(base_ttl_ms), task_(interval, [this] { Beat(); }) {}

void TxnHeartbeater::Add(Timestamp start_ts, std::string primary) {
  absl::MutexLock lock(&mu_);
  primaries_[start_ts] = std::move(primary);
}

void TxnHeartbeater::Remove(Timestamp start_ts) {
  absl::MutexLock lock(&mu_);
  primaries_.erase(start_ts);
}

void TxnHeartbeater::Beat() {
  std::vector<std::pair<Timestamp, std::string>> beating;
  {
    absl::MutexLock lock(&mu_);
    beating.assign(primaries_.begin(), primaries_.end());
  }
  if (beating.empty()) return;
  absl::StatusOr<Timestamp> now = client_->GetTimestamp();
  if (!now.ok()) return;  // the next pass tries again, well within the TTL
  for (const auto& [start_ts, primary] : beating) {
    const uint64_t age_ms = PhysicalMs(*now) - PhysicalMs(start_ts);
    absl::StatusOr<kv::TxnStatus> status =
        client_->TxnHeartbeat(primary, start_ts, age_ms + base_ttl_ms_);
    HeartbeatsCounter()->Add();
    if (!status.ok()) {
      CAIRN_LOG_WARN("heartbeat of transaction {} failed: {}", start_ts,
                     status.status().ToString());
    }
    // A transaction that was rolled back learns it when it next writes.
  }
}

}  // namespace cairn::txn
