#include "txn/lock_resolver.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/error_code.h"
#include "common/statement_interrupts.h"

namespace cairn::txn {
namespace {

constexpr size_t kMaxCachedVerdicts = 100000;

}  // namespace

absl::StatusOr<LockResolver::Outcome> LockResolver::Resolve(const kv::LockedKey& locked) {
  const Timestamp lock_ts = locked.lock.start_ts;
  std::optional<Timestamp> verdict;
  {
    absl::MutexLock lock(&mu_);
    auto it = verdicts_.find(lock_ts);
    if (it != verdicts_.end()) verdict = it->second;
  }
  if (!verdict) {
    CAIRN_ASSIGN_OR_RETURN(Timestamp now, client_->GetTimestamp());
    // A lock still within its TTL may belong to a transaction whose
    // primary's prewrite (sent in parallel) has not landed yet: alive.
    const bool expired = locked.lock.IsExpired(now);
    CAIRN_ASSIGN_OR_RETURN(kv::TxnStatus status,
                           client_->CheckTxnStatus(locked.lock.primary, lock_ts, now, expired));
    const bool async_commit = !status.secondaries.empty();
    if (status.state == kv::TxnStatus::State::kLocked && !async_commit) {
      return Outcome::kStillAlive;
    }
    if (status.state == kv::TxnStatus::State::kLocked ||
        status.state == kv::TxnStatus::State::kAsyncCommitUndecided) {
      // Async commit: decided by whether every key is locked. While the
      // transaction is alive, a key not locked yet leaves it running (its
      // coordinator may still be prewriting); once every key is, it is
      // committed, and waiting for its coordinator's commit records (sent
      // in the background) would only keep this reader waiting.
      const bool expired_primary = status.state == kv::TxnStatus::State::kAsyncCommitUndecided;
      CAIRN_ASSIGN_OR_RETURN(verdict, DecideAsyncCommit(locked.lock.primary, lock_ts, status,
                                                        /*rollback_if_missing=*/expired_primary));
      if (!verdict) return Outcome::kStillAlive;
    } else {
      verdict = status.state == kv::TxnStatus::State::kCommitted ? status.commit_ts : 0;
    }
    absl::MutexLock lock(&mu_);
    Remember(lock_ts, *verdict);
  }
  CAIRN_RETURN_IF_ERROR(client_->ResolveLocks({locked.key}, lock_ts, *verdict));
  return Outcome::kResolved;
}

absl::StatusOr<std::optional<Timestamp>> LockResolver::DecideAsyncCommit(
    std::string_view primary, Timestamp start_ts, const kv::TxnStatus& primary_status,
    bool rollback_if_missing) {
  CAIRN_ASSIGN_OR_RETURN(
      kv::SecondaryLocksStatus secondaries,
      client_->CheckSecondaryLocks(primary_status.secondaries, start_ts, rollback_if_missing));
  Timestamp commit_ts = 0;
  switch (secondaries.state) {
    case kv::SecondaryLocksStatus::State::kAllLocked:
      // Every key locked: committed, at the commit_ts its coordinator took.
      commit_ts = std::max(primary_status.min_commit_ts, secondaries.ts);
      break;
    case kv::SecondaryLocksStatus::State::kCommitted:
      commit_ts = secondaries.ts;
      break;
    case kv::SecondaryLocksStatus::State::kRolledBack:
      commit_ts = 0;
      break;
    case kv::SecondaryLocksStatus::State::kIncomplete:
      return std::nullopt;
  }
  CAIRN_RETURN_IF_ERROR(client_->ResolveLocks({std::string(primary)}, start_ts, commit_ts));
  return commit_ts;
}

void LockResolver::RememberCommitted(Timestamp start_ts, Timestamp commit_ts) {
  absl::MutexLock lock(&mu_);
  Remember(start_ts, commit_ts);
}

void LockResolver::Remember(Timestamp start_ts, Timestamp commit_ts) {
  if (verdicts_.size() >= kMaxCachedVerdicts) verdicts_.clear();
  verdicts_[start_ts] = commit_ts;
}

absl::Status LockResolver::ResolveOrWait(const kv::LockedKey& locked, int64_t max_wait_ms) {
  int64_t waited_ms = 0;
  int64_t backoff_ms = 2;
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(Outcome outcome, Resolve(locked));
    if (outcome == Outcome::kResolved) return absl::OkStatus();
    if (waited_ms >= max_wait_ms) {
      return MakeError(ErrorCode::kLockNotAvailable,
                       max_wait_ms == 0
                           ? "could not obtain lock: row is locked by a concurrent transaction"
                           : "canceling statement due to lock timeout");
    }
    // A waiting statement can still be cancelled or time out, as in
    // PostgreSQL, however long the lock is held.
    CAIRN_RETURN_IF_ERROR(StatementInterrupts::Check());
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
    waited_ms += backoff_ms;
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 100);
  }
}

}  // namespace cairn::txn
