#include "kv/range_id_allocator.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "kv/keys.h"

namespace cairn::kv {
namespace {

// The lock of a one-phase commit lives no longer than its Raft round; the
// TTL only matters to a reader that meets it mid-round.
constexpr uint64_t kWriteTtlMs = 3000;
constexpr absl::Duration kConflictDeadline = absl::Seconds(30);

std::string RangeIdAllocatorKey() { return keys::SystemKey(keys::kAllocatorKind, "range-id"); }

}  // namespace

absl::StatusOr<uint64_t> RangeIdAllocator::Next() {
  const absl::Time deadline = absl::Now() + kConflictDeadline;
  for (;;) {
    absl::StatusOr<uint64_t> id = TryNext();
    if (id.ok() || GetErrorCode(id.status()) != ErrorCode::kSerializationFailure ||
        absl::Now() > deadline) {
      return id;
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
}

absl::StatusOr<uint64_t> RangeIdAllocator::TryNext() {
  const std::string key = RangeIdAllocatorKey();
  CAIRN_ASSIGN_OR_RETURN(Timestamp start_ts, client_->GetTimestamp());
  CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(key, start_ts));
  if (got.locked) return MakeError(ErrorCode::kSerializationFailure, "range id allocator locked");
  uint64_t last = keys::kFirstDataRangeId;
  if (got.value && !absl::SimpleAtoi(*got.value, &last)) {
    return MakeError(ErrorCode::kDataCorrupted, "unparsable range id allocator");
  }
  const uint64_t next = last + 1;
  PrewriteRequest request;
  request.primary = key;
  request.start_ts = start_ts;
  request.ttl_ms = kWriteTtlMs;
  request.mutations.push_back(
      {.kind = MutationKind::kPut, .key = key, .value = absl::StrCat(next)});
  CAIRN_ASSIGN_OR_RETURN(KvClient::OnePhaseResult result, client_->TryOnePhaseCommit(request));
  if (!result.applied) return MakeError(ErrorCode::kInternal, "range id allocator not committed");
  if (!result.errors.empty()) {
    return MakeError(ErrorCode::kSerializationFailure, "range id allocator taken concurrently");
  }
  return next;
}

}  // namespace cairn::kv
