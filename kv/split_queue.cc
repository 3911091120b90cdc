#include "kv/split_queue.h"

#include "absl/time/time.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"
#include "kv/keys.h"
#include "kv/mvcc/txn_types.h"
#include "kv/range_commands.h"
#include "kv/range_span.h"

namespace cairn::kv {
SplitQueue::SplitQueue(Store* store, std::function<absl::StatusOr<uint64_t>()> range_ids,
                       Options options)
    : store_(store),
      range_ids_(std::move(range_ids)),
      options_(options),
      splits_(MetricRegistry::Global().GetCounter(
          "cairn_range_splits_total", "Ranges this node split because they outgrew the size limit")) {}

SplitQueue::~SplitQueue() { Stop(); }

void SplitQueue::Start() { task_.Start(); }

void SplitQueue::Stop() { task_.Stop(); }

size_t SplitQueue::RunOnce() {
  size_t split = 0;
  for (Replica* replica : store_->replicas()) {
    if (!replica->IsServing()) continue;
    const proto::RangeDescriptor range = replica->descriptor();
    // The meta range holds the routing and the oracle: it stays whole.
    if (range.start_key() < keys::kSystemKeyspaceEnd) continue;
    if (RangeDataBytes(*store_->engine(), range) <= options_.max_range_bytes()) continue;
    absl::StatusOr<std::optional<std::string>> key = MiddleKey(*store_->engine(), range);
    if (!key.ok() || !key->has_value()) continue;  // one huge key cannot be divided
    absl::StatusOr<uint64_t> right_id = range_ids_();
    if (!right_id.ok()) {
      CAIRN_LOG_WARN("range {}: no id for a split: {}", range.range_id(),
                     right_id.status().ToString());
      continue;
    }
    absl::Status s = RangeCommands(replica).Split(**key, *right_id);
    if (s.ok()) {
      ++split;
      splits_->Add();
    } else {
      CAIRN_LOG_INFO("range {}: split at {} failed: {}", range.range_id(),
                     key_codec::PrettyKey(**key), s.ToString());
    }
  }
  return split;
}

absl::StatusOr<std::optional<std::string>> SplitQueue::MiddleKey(
    const KvEngine& engine, const proto::RangeDescriptor& range) {
  auto [lower, upper] = DataSpanOf(range);
  std::unique_ptr<EngineSnapshot> view = engine.NewSnapshot();
  // Two passes over the write records: the total, then where half of it is.
  uint64_t total = 0;
  {
    auto it = view->NewIterator(ColumnFamily::kWrite, lower, upper);
    for (it->SeekToFirst(); it->Valid(); it->Next()) total += it->key().size() + it->value().size();
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  uint64_t seen = 0;
  std::optional<std::string> first_key;
  auto it = view->NewIterator(ColumnFamily::kWrite, lower, upper);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen += it->key().size() + it->value().size();
    if (first_key && seen * 2 < total) continue;
    std::string user_key;
    Timestamp ts = 0;
    CAIRN_RETURN_IF_ERROR(mvcc_keys::DecodeVersionKey(it->key(), &user_key, &ts));
    if (!first_key) first_key = user_key;
    // The first user key past the middle, and never the range's first
    // key: each half keeps some data, and versions of one key never part.
    if (seen * 2 < total || user_key == *first_key) continue;
    return std::optional<std::string>(std::move(user_key));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return std::optional<std::string>();
}

}  // namespace cairn::kv
