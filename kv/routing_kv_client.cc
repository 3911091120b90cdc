#include "kv/routing_kv_client.h"

#include <algorithm>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/failpoint.h"
#include "common/key_codec.h"
#include "common/parallel_for.h"
#include "common/statement_interrupts.h"

namespace cairn::kv {
namespace {

// Long enough for a Raft election and a lease to move; a request that
// cannot find its range's leaseholder by then fails as unavailable.
constexpr absl::Duration kRoutingDeadline = absl::Seconds(20);
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(5);
constexpr absl::Duration kMaxBackoff = absl::Milliseconds(250);
// A transaction's prewrites and commits go to this many ranges at once.
constexpr size_t kMaxParallelRanges = 8;

bool IsRoutingError(const absl::Status& status) {
  return GetErrorCode(status) == ErrorCode::kRangeNotHere;
}

}  // namespace

RoutingKvClient::RoutingKvClient(RangeLocator* locator, TimestampSource timestamps)
    : locator_(locator), timestamps_(std::move(timestamps)) {}

template <typename T>
absl::StatusOr<T> RoutingKvClient::WithRoutingRetries(
    const std::function<absl::StatusOr<T>()>& attempt) {
  const absl::Time deadline = absl::Now() + kRoutingDeadline;
  absl::Duration backoff = kFirstBackoff;
  for (;;) {
    absl::StatusOr<T> result = attempt();
    if (result.ok() || !IsRoutingError(result.status())) return result;
    if (shutting_down_.load()) {
      return MakeError(ErrorCode::kUnavailable,
                       absl::StrCat("node is shutting down: ", result.status().message()));
    }
    if (absl::Now() + backoff > deadline) {
      return MakeError(ErrorCode::kUnavailable,
                       absl::StrCat("no node serves the range: ", result.status().message()));
    }
    // Each refused attempt did nothing: the statement may end here.
    CAIRN_RETURN_IF_ERROR(StatementInterrupts::Check());
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

absl::Status RoutingKvClient::WithRoutingRetries(const std::function<absl::Status()>& attempt) {
  return WithRoutingRetries<bool>([&]() -> absl::StatusOr<bool> {
           CAIRN_RETURN_IF_ERROR(attempt());
           return true;
         })
      .status();
}

absl::StatusOr<std::unique_ptr<RangeExecutor>> RoutingKvClient::LocateChecked(
    std::string_view key) {
  CAIRN_ASSIGN_OR_RETURN(auto range, locator_->Locate(key));
  if (!KeyInSpan(range->descriptor(), key)) {
    locator_->Invalidate(range->descriptor().range_id());
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("range ", range->descriptor().range_id(), " does not hold ",
                                  key_codec::PrettyKey(key)));
  }
  return range;
}

absl::StatusOr<std::unique_ptr<RangeExecutor>> RoutingKvClient::LocateBeforeChecked(
    std::string_view end) {
  CAIRN_ASSIGN_OR_RETURN(auto range, locator_->LocateBefore(end));
  const proto::RangeDescriptor& d = range->descriptor();
  const bool starts_before = end.empty() || d.start_key() < end;
  const bool ends_at_or_after = d.end_key().empty() || (!end.empty() && d.end_key() >= end);
  if (!starts_before || !ends_at_or_after) {
    locator_->Invalidate(d.range_id());
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("range ", d.range_id(), " does not hold the keys before ",
                                  key_codec::PrettyKey(end)));
  }
  return range;
}

absl::StatusOr<std::vector<RoutingKvClient::Group>> RoutingKvClient::GroupByRange(
    const std::vector<std::string>& keys) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  std::vector<Group> groups;
  for (std::string& key : sorted) {
    if (groups.empty() || !KeyInSpan(groups.back().first->descriptor(), key)) {
      CAIRN_ASSIGN_OR_RETURN(auto executor, LocateChecked(key));
      groups.emplace_back(std::move(executor), std::vector<std::string>{});
    }
    groups.back().second.push_back(std::move(key));
  }
  return groups;
}

absl::StatusOr<Timestamp> RoutingKvClient::GetTimestamp() { return timestamps_(1); }

absl::StatusOr<KvClient::GetResult> RoutingKvClient::Get(std::string_view key, Timestamp ts) {
  return WithRoutingRetries<GetResult>([&] { return GetOnce(key, ts); });
}

absl::StatusOr<KvClient::GetResult> RoutingKvClient::GetOnce(std::string_view key, Timestamp ts) {
  CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(key));
  return range->Get(key, ts);
}

absl::StatusOr<KvClient::BatchGetResult> RoutingKvClient::BatchGet(
    const std::vector<std::string>& keys, Timestamp ts) {
  return WithRoutingRetries<BatchGetResult>([&] { return BatchGetOnce(keys, ts); });
}

absl::StatusOr<KvClient::BatchGetResult> RoutingKvClient::BatchGetOnce(
    const std::vector<std::string>& keys, Timestamp ts) {
  // The keys in order, each with where its value goes, grouped by range.
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  BatchGetResult result;
  result.values.resize(keys.size());
  size_t i = 0;
  while (i < order.size()) {
    CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(keys[order[i]]));
    std::vector<std::string> part;
    std::vector<size_t> slots;
    for (; i < order.size() && KeyInSpan(range->descriptor(), keys[order[i]]); ++i) {
      part.push_back(keys[order[i]]);
      slots.push_back(order[i]);
    }
    CAIRN_ASSIGN_OR_RETURN(BatchGetResult got, range->BatchGet(part, ts));
    if (got.locked) {
      result.values.clear();
      result.locked = std::move(got.locked);
      return result;
    }
    for (size_t j = 0; j < slots.size(); ++j) result.values[slots[j]] = std::move(got.values[j]);
  }
  return result;
}

absl::StatusOr<KvClient::ScanResult> RoutingKvClient::Scan(std::string_view start,
                                                           std::string_view end, Timestamp ts,
                                                           size_t limit) {
  return WithRoutingRetries<ScanResult>([&] { return ScanOnce(start, end, ts, limit); });
}

absl::StatusOr<KvClient::ScanResult> RoutingKvClient::ScanOnce(std::string_view start,
                                                               std::string_view end, Timestamp ts,
                                                               size_t limit) {
  ScanResult result;
  std::string cursor(start);
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(cursor));
    const std::string range_end = range->descriptor().end_key();
    // This range's part of the span: up to the sooner of the two ends.
    std::string part_end(end);
    if (!range_end.empty() && (end.empty() || range_end < end)) part_end = range_end;
    size_t remaining = limit == 0 ? 0 : limit - result.rows.size();
    CAIRN_ASSIGN_OR_RETURN(ScanResult part, range->Scan(cursor, part_end, ts, remaining));
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

absl::StatusOr<KvClient::ScanResult> RoutingKvClient::ReverseScan(std::string_view start,
                                                                  std::string_view end,
                                                                  Timestamp ts, size_t limit) {
  return WithRoutingRetries<ScanResult>([&] { return ReverseScanOnce(start, end, ts, limit); });
}

absl::StatusOr<KvClient::ScanResult> RoutingKvClient::ReverseScanOnce(std::string_view start,
                                                                      std::string_view end,
                                                                      Timestamp ts, size_t limit) {
  ScanResult result;
  std::string cursor(end);  // exclusive; empty: the end of the keyspace
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(auto range, LocateBeforeChecked(cursor));
    const std::string range_start = range->descriptor().start_key();
    // This range's part of the span: from the later of the two starts.
    const std::string part_start = range_start > start ? range_start : std::string(start);
    size_t remaining = limit == 0 ? 0 : limit - result.rows.size();
    CAIRN_ASSIGN_OR_RETURN(ScanResult part, range->ReverseScan(part_start, cursor, ts, remaining));
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

absl::StatusOr<FragmentResult> RoutingKvClient::EvaluateFragment(const FragmentRequest& request) {
  return WithRoutingRetries<FragmentResult>([&] { return EvaluateFragmentOnce(request); });
}

absl::StatusOr<FragmentResult> RoutingKvClient::EvaluateFragmentOnce(
    const FragmentRequest& request) {
  CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(request.start));
  const std::string& range_end = range->descriptor().end_key();
  FragmentRequest part = request;
  const bool span_goes_on = !range_end.empty() && (request.end.empty() || range_end < request.end);
  if (span_goes_on) part.end = range_end;
  CAIRN_ASSIGN_OR_RETURN(FragmentResult result, range->EvaluateFragment(part));
  if (!result.locked && result.resume_key.empty() && span_goes_on) result.resume_key = range_end;
  return result;
}

absl::StatusOr<std::vector<std::string>> RoutingKvClient::RangeBoundaries(std::string_view start,
                                                                          std::string_view end) {
  return WithRoutingRetries<std::vector<std::string>>(
      [&] { return RangeBoundariesOnce(start, end); });
}

absl::StatusOr<std::vector<std::string>> RoutingKvClient::RangeBoundariesOnce(
    std::string_view start, std::string_view end) {
  std::vector<std::string> boundaries;
  std::string cursor(start);
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(cursor));
    const std::string& range_end = range->descriptor().end_key();
    if (range_end.empty() || (!end.empty() && range_end >= end)) return boundaries;
    boundaries.push_back(range_end);
    cursor = range_end;
  }
}

absl::StatusOr<std::vector<TxnError>> RoutingKvClient::Prewrite(const PrewriteRequest& request) {
  CAIRN_ASSIGN_OR_RETURN(AsyncPrewriteResult result, WithRoutingRetries<AsyncPrewriteResult>(
                                                         [&] { return PrewriteOnce(request); }));
  return std::move(result.errors);
}

absl::StatusOr<KvClient::AsyncPrewriteResult> RoutingKvClient::PrewriteForAsyncCommit(
    const PrewriteRequest& request) {
  return WithRoutingRetries<AsyncPrewriteResult>([&] { return PrewriteOnce(request); });
}

absl::StatusOr<KvClient::AsyncPrewriteResult> RoutingKvClient::PrewriteOnce(
    const PrewriteRequest& request) {
  std::vector<std::string> keys;
  for (const PrewriteMutation& m : request.mutations) keys.push_back(m.key);
  CAIRN_ASSIGN_OR_RETURN(std::vector<Group> groups, GroupByRange(keys));
  std::vector<PrewriteRequest> parts(groups.size());
  for (PrewriteRequest& part : parts) {
    part.primary = request.primary;
    part.start_ts = request.start_ts;
    part.ttl_ms = request.ttl_ms;
    part.use_async_commit = request.use_async_commit;
  }
  for (const PrewriteMutation& m : request.mutations) {
    // The groups are in key order: the first whose range ends after the key.
    auto g = std::partition_point(groups.begin(), groups.end(), [&m](const Group& group) {
      const std::string& end = group.first->descriptor().end_key();
      return !end.empty() && end <= m.key;
    });
    PrewriteRequest& part = parts[g - groups.begin()];
    part.mutations.push_back(m);
    // Only the primary's lock lists the secondaries.
    if (m.key == request.primary) part.secondaries = request.secondaries;
  }
  // Every range in parallel; the commit then waits for the slowest only.
  std::vector<absl::StatusOr<std::vector<TxnError>>> results(groups.size());
  std::vector<Timestamp> min_commit_ts(groups.size(), 0);
  ParallelFor(groups.size(), kMaxParallelRanges, [&](size_t i) {
    results[i] = groups[i].first->Prewrite(
        parts[i], [this] { return timestamps_(1); }, &min_commit_ts[i]);
    if (results[i].ok() && groups.size() > 1) failpoint::CrashIfSet("kv.prewrite.after_one_range");
  });
  AsyncPrewriteResult merged;
  CAIRN_ASSIGN_OR_RETURN(merged.errors, MergeTxnErrors(results));
  merged.min_commit_ts = *std::max_element(min_commit_ts.begin(), min_commit_ts.end());
  return merged;
}

absl::StatusOr<std::vector<TxnError>> RoutingKvClient::MergeTxnErrors(
    std::vector<absl::StatusOr<std::vector<TxnError>>>& results) {
  std::vector<TxnError> errors;
  for (auto& result : results) {
    // A routing error first, so that the whole request is routed again.
    if (!result.ok() && IsRoutingError(result.status())) return result.status();
  }
  for (auto& result : results) {
    if (!result.ok()) return result.status();
    for (TxnError& e : *result) errors.push_back(std::move(e));
  }
  return errors;
}

absl::StatusOr<KvClient::OnePhaseResult> RoutingKvClient::TryOnePhaseCommit(
    const PrewriteRequest& request) {
  return WithRoutingRetries<OnePhaseResult>([&] { return TryOnePhaseCommitOnce(request); });
}

absl::StatusOr<KvClient::OnePhaseResult> RoutingKvClient::TryOnePhaseCommitOnce(
    const PrewriteRequest& request) {
  OnePhaseResult result;
  if (request.mutations.empty()) return result;
  CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(request.mutations.front().key));
  for (const PrewriteMutation& m : request.mutations) {
    if (!KeyInSpan(range->descriptor(), m.key)) return result;  // spans ranges: two-phase commit
  }
  CAIRN_ASSIGN_OR_RETURN(result.errors,
                         range->OnePhaseCommit(
                             request, [this] { return timestamps_(1); }, &result.commit_ts));
  result.applied = true;
  return result;
}

absl::StatusOr<std::vector<TxnError>> RoutingKvClient::Commit(const std::vector<std::string>& keys,
                                                              Timestamp start_ts,
                                                              Timestamp commit_ts) {
  return WithRoutingRetries<std::vector<TxnError>>(
      [&] { return CommitOnce(keys, start_ts, commit_ts); });
}

absl::StatusOr<std::vector<TxnError>> RoutingKvClient::CommitOnce(
    const std::vector<std::string>& keys, Timestamp start_ts, Timestamp commit_ts) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Group> groups, GroupByRange(keys));
  std::vector<absl::StatusOr<std::vector<TxnError>>> results(groups.size());
  ParallelFor(groups.size(), kMaxParallelRanges, [&](size_t i) {
    results[i] = groups[i].first->Commit(groups[i].second, start_ts, commit_ts);
  });
  return MergeTxnErrors(results);
}

absl::Status RoutingKvClient::Rollback(const std::vector<std::string>& keys, Timestamp start_ts) {
  return WithRoutingRetries([&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(std::vector<Group> groups, GroupByRange(keys));
    for (auto& [range, group_keys] : groups) {
      CAIRN_RETURN_IF_ERROR(range->Rollback(group_keys, start_ts));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<TxnStatus> RoutingKvClient::CheckTxnStatus(std::string_view primary,
                                                          Timestamp lock_ts, Timestamp current_ts,
                                                          bool rollback_if_missing) {
  return WithRoutingRetries<TxnStatus>([&]() -> absl::StatusOr<TxnStatus> {
    CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(primary));
    return range->CheckTxnStatus(primary, lock_ts, current_ts, rollback_if_missing);
  });
}

absl::StatusOr<TxnStatus> RoutingKvClient::TxnHeartbeat(std::string_view primary,
                                                        Timestamp start_ts, uint64_t ttl_ms) {
  return WithRoutingRetries<TxnStatus>([&]() -> absl::StatusOr<TxnStatus> {
    CAIRN_ASSIGN_OR_RETURN(auto range, LocateChecked(primary));
    return range->TxnHeartbeat(primary, start_ts, ttl_ms);
  });
}

absl::StatusOr<SecondaryLocksStatus> RoutingKvClient::CheckSecondaryLocks(
    const std::vector<std::string>& keys, Timestamp start_ts, bool rollback_if_missing) {
  return WithRoutingRetries<SecondaryLocksStatus>([&]() -> absl::StatusOr<SecondaryLocksStatus> {
    CAIRN_ASSIGN_OR_RETURN(std::vector<Group> groups, GroupByRange(keys));
    std::vector<absl::StatusOr<SecondaryLocksStatus>> results(groups.size());
    ParallelFor(groups.size(), kMaxParallelRanges, [&](size_t i) {
      results[i] =
          groups[i].first->CheckSecondaryLocks(groups[i].second, start_ts, rollback_if_missing);
    });
    // A routing error first, so that every range is asked again.
    for (const auto& result : results) {
      if (!result.ok() && IsRoutingError(result.status())) return result.status();
    }
    SecondaryLocksStatus merged;
    for (const auto& result : results) {
      if (!result.ok()) return result.status();
      // A decided key decides the transaction; an incomplete range leaves
      // it undecided.
      if (result->state != SecondaryLocksStatus::State::kAllLocked) return *result;
      merged.ts = std::max(merged.ts, result->ts);
    }
    return merged;
  });
}

absl::Status RoutingKvClient::ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                           Timestamp commit_ts) {
  return WithRoutingRetries([&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(std::vector<Group> groups, GroupByRange(keys));
    for (auto& [range, group_keys] : groups) {
      CAIRN_RETURN_IF_ERROR(range->ResolveLocks(group_keys, start_ts, commit_ts));
    }
    return absl::OkStatus();
  });
}

}  // namespace cairn::kv
