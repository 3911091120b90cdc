#include "kv/local_kv_client.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "kv/range_commands.h"

namespace cairn::kv {
namespace {

constexpr uint64_t kMetaRangeId = 1;
constexpr int64_t kStartupWaitMs = 60000;

}  // namespace

LocalKvClient::LocalKvClient(Store* store) : store_(store) {}

absl::StatusOr<std::unique_ptr<LocalKvClient>> LocalKvClient::Create(Store* store) {
  CAIRN_RETURN_IF_ERROR(store->WaitServing(kStartupWaitMs));
  std::unique_ptr<LocalKvClient> client(new LocalKvClient(store));
  Replica* meta = store->GetReplica(kMetaRangeId);
  if (meta == nullptr) return MakeError(ErrorCode::kInternal, "no meta range on this store");
  client->oracle_ = std::make_unique<TimestampOracle>(
      store->clock(), meta->tso_high_water_ms(), [meta](uint64_t high_water_ms) {
        proto::RaftCommand command;
        command.set_tso_high_water_ms(high_water_ms);
        return meta->ProposeAndWait(std::move(command));
      });
  return client;
}

absl::StatusOr<Replica*> LocalKvClient::Route(std::string_view key) const {
  Replica* r = store_->LookupReplica(key);
  if (r == nullptr) {
    return MakeError(ErrorCode::kUnavailable,
                     absl::StrCat("no range holds key ", key_codec::PrettyKey(key)));
  }
  return r;
}

absl::StatusOr<std::vector<std::pair<Replica*, std::vector<std::string>>>>
LocalKvClient::GroupByRange(const std::vector<std::string>& keys) const {
  std::map<uint64_t, std::pair<Replica*, std::vector<std::string>>> groups;
  for (const std::string& key : keys) {
    CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(key));
    auto& g = groups[r->range_id()];
    g.first = r;
    g.second.push_back(key);
  }
  std::vector<std::pair<Replica*, std::vector<std::string>>> out;
  for (auto& [id, g] : groups) out.push_back(std::move(g));
  return out;
}

absl::StatusOr<Timestamp> LocalKvClient::GetTimestamp() { return oracle_->GetTimestamps(1); }

absl::StatusOr<KvClient::GetResult> LocalKvClient::Get(std::string_view key, Timestamp ts) {
  CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(key));
  return RangeCommands(r).Get(key, ts);
}

absl::StatusOr<KvClient::BatchGetResult> LocalKvClient::BatchGet(
    const std::vector<std::string>& keys, Timestamp ts) {
  // The keys in order, each with where its value goes, grouped by range.
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  BatchGetResult result;
  result.values.resize(keys.size());
  size_t i = 0;
  while (i < order.size()) {
    CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(keys[order[i]]));
    std::vector<std::string> part;
    std::vector<size_t> slots;
    for (; i < order.size() && r->ContainsKey(keys[order[i]]); ++i) {
      part.push_back(keys[order[i]]);
      slots.push_back(order[i]);
    }
    CAIRN_ASSIGN_OR_RETURN(BatchGetResult got, RangeCommands(r).BatchGet(part, ts));
    if (got.locked) {
      result.values.clear();
      result.locked = std::move(got.locked);
      return result;
    }
    for (size_t j = 0; j < slots.size(); ++j) result.values[slots[j]] = std::move(got.values[j]);
  }
  return result;
}

absl::StatusOr<KvClient::ScanResult> LocalKvClient::Scan(std::string_view start,
                                                         std::string_view end, Timestamp ts,
                                                         size_t limit) {
  ScanResult result;
  std::string cursor(start);
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(cursor));
    const std::string& range_end = r->descriptor().end_key();
    // This range's part of the span: up to the sooner of the two ends.
    std::string part_end(end);
    if (!range_end.empty() && (end.empty() || range_end < end)) part_end = range_end;
    size_t remaining = limit == 0 ? 0 : limit - result.rows.size();
    CAIRN_ASSIGN_OR_RETURN(ScanResult part,
                           RangeCommands(r).Scan(cursor, part_end, ts, remaining));
    for (auto& kv : part.rows) result.rows.push_back(std::move(kv));
    if (part.locked) {
      result.locked = std::move(part.locked);
      return result;
    }
    if (limit != 0 && result.rows.size() >= limit) return result;
    if (part_end == std::string(end) || range_end.empty()) return result;
    cursor = range_end;
  }
}

absl::StatusOr<KvClient::ScanResult> LocalKvClient::ReverseScan(std::string_view start,
                                                                std::string_view end, Timestamp ts,
                                                                size_t limit) {
  ScanResult result;
  std::string cursor(end);  // exclusive; empty: the end of the keyspace
  while (true) {
    // The range holding the keys just below the cursor: it starts before
    // the cursor and ends at or after it (an empty end: the keyspace's).
    Replica* r = nullptr;
    for (Replica* candidate : store_->replicas()) {
      const auto& d = candidate->descriptor();
      const bool starts_before = cursor.empty() || d.start_key() < cursor;
      const bool ends_at_or_after =
          d.end_key().empty() || (!cursor.empty() && d.end_key() >= cursor);
      if (starts_before && ends_at_or_after) {
        r = candidate;
        break;
      }
    }
    if (r == nullptr) {
      return MakeError(ErrorCode::kUnavailable, absl::StrCat("no range holds the keys before ",
                                                             key_codec::PrettyKey(cursor)));
    }
    const std::string& range_start = r->descriptor().start_key();
    // This range's part of the span: from the later of the two starts.
    const std::string part_start = range_start > start ? range_start : std::string(start);
    size_t remaining = limit == 0 ? 0 : limit - result.rows.size();
    CAIRN_ASSIGN_OR_RETURN(ScanResult part,
                           RangeCommands(r).ReverseScan(part_start, cursor, ts, remaining));
    for (auto& kv : part.rows) result.rows.push_back(std::move(kv));
    if (part.locked) {
      result.locked = std::move(part.locked);
      return result;
    }
    if (limit != 0 && result.rows.size() >= limit) return result;
    if (range_start <= start) return result;
    cursor = range_start;
  }
}

absl::StatusOr<std::vector<TxnError>> LocalKvClient::Prewrite(const PrewriteRequest& request) {
  std::map<uint64_t, std::pair<Replica*, PrewriteRequest>> groups;
  for (const PrewriteMutation& m : request.mutations) {
    CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(m.key));
    auto& g = groups[r->range_id()];
    if (g.first == nullptr) {
      g.first = r;
      g.second.primary = request.primary;
      g.second.start_ts = request.start_ts;
      g.second.ttl_ms = request.ttl_ms;
    }
    g.second.mutations.push_back(m);
  }
  std::vector<TxnError> errors;
  for (auto& [id, g] : groups) {
    CAIRN_ASSIGN_OR_RETURN(auto part, RangeCommands(g.first).Prewrite(g.second));
    for (auto& e : part) errors.push_back(std::move(e));
  }
  return errors;
}

absl::StatusOr<KvClient::OnePhaseResult> LocalKvClient::TryOnePhaseCommit(
    const PrewriteRequest& request) {
  OnePhaseResult result;
  if (request.mutations.empty()) return result;
  CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(request.mutations.front().key));
  for (const PrewriteMutation& m : request.mutations) {
    if (!r->ContainsKey(m.key)) return result;  // spans ranges: two-phase commit
  }
  CAIRN_ASSIGN_OR_RETURN(result.errors,
                         RangeCommands(r).OnePhaseCommit(
                             request, [this] { return oracle_->GetTimestamps(1); },
                             &result.commit_ts));
  result.applied = true;
  return result;
}

absl::StatusOr<std::vector<TxnError>> LocalKvClient::Commit(const std::vector<std::string>& keys,
                                                            Timestamp start_ts,
                                                            Timestamp commit_ts) {
  CAIRN_ASSIGN_OR_RETURN(auto groups, GroupByRange(keys));
  std::vector<TxnError> errors;
  for (auto& [r, group_keys] : groups) {
    CAIRN_ASSIGN_OR_RETURN(auto part, RangeCommands(r).Commit(group_keys, start_ts, commit_ts));
    for (auto& e : part) errors.push_back(std::move(e));
  }
  return errors;
}

absl::Status LocalKvClient::Rollback(const std::vector<std::string>& keys, Timestamp start_ts) {
  CAIRN_ASSIGN_OR_RETURN(auto groups, GroupByRange(keys));
  for (auto& [r, group_keys] : groups) {
    CAIRN_RETURN_IF_ERROR(RangeCommands(r).Rollback(group_keys, start_ts));
  }
  return absl::OkStatus();
}

absl::StatusOr<TxnStatus> LocalKvClient::CheckTxnStatus(std::string_view primary,
                                                        Timestamp lock_ts, Timestamp current_ts) {
  CAIRN_ASSIGN_OR_RETURN(Replica * r, Route(primary));
  return RangeCommands(r).CheckTxnStatus(primary, lock_ts, current_ts);
}

absl::Status LocalKvClient::ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                         Timestamp commit_ts) {
  CAIRN_ASSIGN_OR_RETURN(auto groups, GroupByRange(keys));
  for (auto& [r, group_keys] : groups) {
    CAIRN_RETURN_IF_ERROR(RangeCommands(r).ResolveLocks(group_keys, start_ts, commit_ts));
  }
  return absl::OkStatus();
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
