#include "txn/txn.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/failpoint.h"
#include "common/key_codec.h"
#include "common/statement_interrupts.h"

namespace cairn::txn {
namespace {

// A read resolves the locks it meets one at a time (a scan stops at the
// first): each round that clears a lock it had not met before is progress,
// however many a dead transaction left; this many rounds in a row without
// progress (a lock that comes back) end the read with a conflict.
constexpr int kMaxRoundsWithoutProgress = 100;
// A writer's prewrite resolves the locks it met and tries again, this many
// times at most.
constexpr int kMaxLockResolveRounds = 100;
// A big write's locks live longer: this much per MiB written, up to the cap
// (TiKV's rule of thumb: prewriting a MiB takes well under this).
constexpr uint64_t kLockTtlPerMiBMs = 6000;
constexpr uint64_t kMaxSizeTtlMs = 120000;

absl::Status WriteConflict() {
  return MakeError(ErrorCode::kSerializationFailure,
                   "could not serialize access due to concurrent update (restart transaction)");
}

absl::Status CompletionUnknown(const absl::Status& cause) {
  return MakeError(ErrorCode::kStatementCompletionUnknown,
                   absl::StrCat("the outcome of COMMIT is unknown: ", cause.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Txn>> Txn::Begin(kv::KvClient* client, LockResolver* resolver,
                                                const Options& options) {
  const uint64_t ticket = options.active != nullptr ? options.active->Reserve() : 0;
  absl::StatusOr<Timestamp> start_ts = client->GetTimestamp();
  if (!start_ts.ok()) {
    if (options.active != nullptr) options.active->Cancel(ticket);
    return start_ts.status();
  }
  if (options.active != nullptr) options.active->Activate(ticket, *start_ts);
  auto txn = std::unique_ptr<Txn>(new Txn(client, resolver, *start_ts, options));
  txn->listed_ = options.active != nullptr;
  return txn;
}

Txn::~Txn() {
  // A session that ends mid-transaction (a dropped connection) releases
  // its row locks at once rather than after their TTL.
  if (!finished_) ReleaseEarlyLocks();
  StopHeartbeat();
  Unlist();
}

void Txn::Unlist() {
  if (!listed_) return;
  listed_ = false;
  options_.active->Remove(start_ts_);
}

std::unique_ptr<Txn> Txn::AtTimestamp(kv::KvClient* client, LockResolver* resolver, Timestamp ts,
                                      const Options& options) {
  return std::unique_ptr<Txn>(new Txn(client, resolver, ts, options));
}

template <typename Read>
auto Txn::ReadResolvingLocks(Read read) -> decltype(read()) {
  std::optional<std::pair<std::string, Timestamp>> last;  // the lock met last
  for (int stalled = 0; stalled < kMaxRoundsWithoutProgress;) {
    ++kv_reads_;
    auto result = read();
    if (!result.ok() || !result->locked) return result;
    const kv::LockedKey& locked = *result->locked;
    std::pair<std::string, Timestamp> met(locked.key, locked.lock.start_ts);
    // Locks are met in key order: a later one (or another transaction's)
    // is progress; the same one again is not.
    stalled = last && met <= *last ? stalled + 1 : 0;
    last = std::move(met);
    CAIRN_RETURN_IF_ERROR(resolver_->ResolveOrWait(locked, options_.max_lock_wait_ms));
  }
  return WriteConflict();
}

absl::StatusOr<std::optional<std::string>> Txn::Get(std::string_view key) {
  auto it = buffer_.find(std::string(key));
  if (it != buffer_.end() && it->second.kind != kv::MutationKind::kLock) {
    if (it->second.kind == kv::MutationKind::kDelete) return std::nullopt;
    return it->second.value;
  }
  CAIRN_ASSIGN_OR_RETURN(auto result,
                         ReadResolvingLocks([&] { return client_->Get(key, start_ts_); }));
  return std::move(result.value);
}

absl::StatusOr<std::vector<std::optional<std::string>>> Txn::BatchGet(
    const std::vector<std::string>& keys) {
  std::vector<std::optional<std::string>> out(keys.size());
  std::vector<std::string> stored;  // the keys to read from the store
  std::vector<size_t> slots;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = buffer_.find(keys[i]);
    if (it == buffer_.end() || it->second.kind == kv::MutationKind::kLock) {
      stored.push_back(keys[i]);
      slots.push_back(i);
    } else if (it->second.kind != kv::MutationKind::kDelete) {
      out[i] = it->second.value;
    }
  }
  if (stored.empty()) return out;
  CAIRN_ASSIGN_OR_RETURN(auto result,
                         ReadResolvingLocks([&] { return client_->BatchGet(stored, start_ts_); }));
  for (size_t j = 0; j < slots.size(); ++j) out[slots[j]] = std::move(result.values[j]);
  return out;
}

absl::StatusOr<std::vector<kv::KeyValue>> Txn::Scan(std::string_view start, std::string_view end,
                                                    size_t limit) {
  auto first = buffer_.lower_bound(std::string(start));
  auto last = end.empty() ? buffer_.end() : buffer_.lower_bound(std::string(end));
  // Buffered deletes may hide stored rows: read without a limit then.
  size_t kv_limit = first == last ? limit : 0;
  CAIRN_ASSIGN_OR_RETURN(auto result, ReadResolvingLocks([&] {
                           return client_->Scan(start, end, start_ts_, kv_limit);
                         }));
  std::vector<kv::KeyValue> stored = std::move(result.rows);
  if (first == last) return stored;

  std::vector<kv::KeyValue> merged;
  auto s = stored.begin();
  auto b = first;
  while ((s != stored.end() || b != last) && (limit == 0 || merged.size() < limit)) {
    if (b != last && b->second.kind == kv::MutationKind::kLock) {
      ++b;  // a row locked, not changed: the stored row stands
      continue;
    }
    if (b == last || (s != stored.end() && s->key < b->first)) {
      merged.push_back(std::move(*s++));
      continue;
    }
    if (s != stored.end() && s->key == b->first) ++s;  // the buffered write wins
    if (b->second.kind != kv::MutationKind::kDelete) merged.push_back({b->first, b->second.value});
    ++b;
  }
  return merged;
}

absl::StatusOr<std::vector<kv::KeyValue>> Txn::ReverseScan(std::string_view start,
                                                           std::string_view end, size_t limit) {
  auto first = buffer_.lower_bound(std::string(start));
  auto last = end.empty() ? buffer_.end() : buffer_.lower_bound(std::string(end));
  // Buffered deletes may hide stored rows: read without a limit then.
  size_t kv_limit = first == last ? limit : 0;
  CAIRN_ASSIGN_OR_RETURN(auto result, ReadResolvingLocks([&] {
                           return client_->ReverseScan(start, end, start_ts_, kv_limit);
                         }));
  std::vector<kv::KeyValue> stored = std::move(result.rows);
  if (first == last) return stored;

  // Both in descending order: the stored rows, and the buffer walked back
  // from `last`.
  std::vector<kv::KeyValue> merged;
  auto s = stored.begin();
  auto b = last;
  while ((s != stored.end() || b != first) && (limit == 0 || merged.size() < limit)) {
    if (b != first && std::prev(b)->second.kind == kv::MutationKind::kLock) {
      --b;  // a row locked, not changed: the stored row stands
      continue;
    }
    if (b == first || (s != stored.end() && s->key > std::prev(b)->first)) {
      merged.push_back(std::move(*s++));
      continue;
    }
    --b;
    if (s != stored.end() && s->key == b->first) ++s;  // the buffered write wins
    if (b->second.kind != kv::MutationKind::kDelete) merged.push_back({b->first, b->second.value});
  }
  return merged;
}

bool Txn::HasWritesIn(std::string_view start, std::string_view end) const {
  auto first = buffer_.lower_bound(std::string(start));
  return first != buffer_.end() && (end.empty() || first->first < end);
}

absl::StatusOr<kv::FragmentResult> Txn::EvaluateFragment(std::string_view start,
                                                         std::string_view end,
                                                         const std::string& fragment) {
  const kv::FragmentRequest request{std::string(start), std::string(end), start_ts_, fragment};
  return ReadResolvingLocks([&] { return client_->EvaluateFragment(request); });
}

void Txn::LockForUpdate(std::string key) {
  statement_keys_.push_back(key);
  buffer_.try_emplace(std::move(key), BufferedWrite{kv::MutationKind::kLock, {}});
}

void Txn::Put(std::string key, std::string value) {
  statement_keys_.push_back(key);
  auto it = buffer_.find(key);
  // A put after an insert in the same transaction keeps the insert's check.
  if (it != buffer_.end() && it->second.kind == kv::MutationKind::kInsert) {
    it->second.value = std::move(value);
    return;
  }
  buffer_[std::move(key)] = {kv::MutationKind::kPut, std::move(value)};
}

void Txn::Insert(std::string key, std::string value) {
  auto it = buffer_.find(key);
  // Re-inserting a key this transaction deleted replaces a row it saw.
  kv::MutationKind kind = kv::MutationKind::kInsert;
  if (it != buffer_.end() && it->second.kind == kv::MutationKind::kDelete) {
    kind = kv::MutationKind::kPut;
  }
  buffer_[std::move(key)] = {kind, std::move(value)};
}

void Txn::Delete(std::string key) {
  statement_keys_.push_back(key);
  auto it = buffer_.find(key);
  if (it != buffer_.end() && it->second.kind == kv::MutationKind::kInsert &&
      !locked_.contains(key)) {
    // The row never existed outside this transaction.
    buffer_.erase(it);
    return;
  }
  buffer_[std::move(key)] = {kv::MutationKind::kDelete, {}};
}

absl::Status Txn::TranslatePrewriteErrors(const std::vector<kv::TxnError>& errors) {
  for (const kv::TxnError& e : errors) {
    if (e.kind == kv::TxnError::Kind::kAlreadyExists) {
      return MakeError(ErrorCode::kUniqueViolation,
                       absl::StrCat("duplicate key value violates unique constraint (key ",
                                    key_codec::PrettyKey(e.key), ")"));
    }
  }
  return WriteConflict();
}

absl::StatusOr<uint64_t> Txn::LockTtlMs(size_t bytes) {
  // The TTL covers the time this transaction has already been open, so a
  // long-running transaction's fresh locks are not expired on arrival.
  CAIRN_ASSIGN_OR_RETURN(Timestamp now, client_->GetTimestamp());
  const uint64_t size_ms = std::min(kMaxSizeTtlMs, bytes * kLockTtlPerMiBMs / (1 << 20));
  return options_.base_lock_ttl_ms + (PhysicalMs(now) - PhysicalMs(start_ts_)) + size_ms;
}

void Txn::StartHeartbeat() {
  if (heartbeating_ || options_.heartbeater == nullptr) return;
  heartbeating_ = true;
  options_.heartbeater->Add(start_ts_, primary_);
}

void Txn::StopHeartbeat() {
  if (!heartbeating_) return;
  heartbeating_ = false;
  options_.heartbeater->Remove(start_ts_);
}

void Txn::ReleaseEarlyLocks() {
  if (locked_.empty()) return;
  (void)client_->Rollback(std::vector<std::string>(locked_.begin(), locked_.end()), start_ts_);
  locked_.clear();
}

absl::Status Txn::LockStatementKeys(bool nowait) {
  if (finished_) return MakeError(ErrorCode::kInvalidTransactionState, "transaction finished");
  std::vector<std::string> keys;
  for (std::string& key : statement_keys_) {
    auto it = buffer_.find(key);
    if (it == buffer_.end() || it->second.kind == kv::MutationKind::kInsert) continue;
    if (!locked_.contains(key)) keys.push_back(std::move(key));
  }
  statement_keys_.clear();
  if (keys.empty()) return absl::OkStatus();
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  kv::PrewriteRequest request;
  if (primary_.empty()) primary_ = keys.front();
  request.primary = primary_;
  request.start_ts = start_ts_;
  for (const std::string& key : keys)
    request.mutations.push_back({kv::MutationKind::kLock, key, {}});
  // Whatever happens now, some of these may be locked: a rollback releases them.
  locked_.insert(keys.begin(), keys.end());
  for (int round = 0; round < kMaxLockResolveRounds; ++round) {
    CAIRN_ASSIGN_OR_RETURN(request.ttl_ms, LockTtlMs(0));
    CAIRN_ASSIGN_OR_RETURN(std::vector<kv::TxnError> errors, client_->Prewrite(request));
    if (errors.empty()) {
      StartHeartbeat();
      return absl::OkStatus();
    }
    for (const kv::TxnError& e : errors) {
      switch (e.kind) {
        case kv::TxnError::Kind::kKeyLocked:
          // Wait-die: holding rows while waiting for an older transaction
          // could close a cycle of waits (a deadlock), so the younger gives
          // up. Under snapshot isolation it rarely loses anything: had it
          // waited, the older one's commit would have changed a row it
          // locks after its snapshot.
          if (e.lock.start_ts < start_ts_ && locked_.size() > 1) return WriteConflict();
          // Otherwise wait, as PostgreSQL waits for a row lock; if the other
          // transaction commits a change, the next round reports it.
          CAIRN_RETURN_IF_ERROR(
              resolver_->ResolveOrWait({e.key, e.lock}, nowait ? 0 : options_.max_lock_wait_ms));
          break;
        case kv::TxnError::Kind::kRolledBack:
          return MakeError(ErrorCode::kSerializationFailure,
                           "transaction was aborted by a conflicting transaction (restart "
                           "transaction)");
        default:
          return WriteConflict();
      }
    }
  }
  return WriteConflict();
}

absl::Status Txn::LockAll(const std::vector<std::string>& keys, bool* one_phase, bool* async) {
  kv::PrewriteRequest request;
  request.primary = primary_;
  request.start_ts = start_ts_;
  *async = false;
  size_t bytes = 0;
  for (const auto& [key, write] : buffer_) {
    request.mutations.push_back({write.kind, key, write.value});
    bytes += key.size() + write.value.size();
  }
  for (int round = 0; round < kMaxLockResolveRounds; ++round) {
    CAIRN_ASSIGN_OR_RETURN(request.ttl_ms, LockTtlMs(bytes));
    std::vector<kv::TxnError> errors;
    *one_phase = false;
    if (options_.allow_one_phase_commit) {
      auto one_or = client_->TryOnePhaseCommit(request);
      // The commit may or may not have been applied: never report a
      // retryable error for it, or a retry could apply it twice.
      if (!one_or.ok()) return CompletionUnknown(one_or.status());
      auto& one = *one_or;
      if (one.applied) {
        *one_phase = true;
        commit_ts_ = one.commit_ts;
        errors = std::move(one.errors);
      }
    }
    if (!*one_phase) {
      StartHeartbeat();
      if (keys.size() <= options_.async_commit_max_keys) {
        request.use_async_commit = true;
        request.secondaries.assign(keys.begin() + 1, keys.end());
        *async = true;
        auto prewritten = client_->PrewriteForAsyncCommit(request);
        // Unanswered, every key may be locked now: then the transaction is
        // committed, and a reader that finds all the locks commits it.
        if (!prewritten.ok()) return CompletionUnknown(prewritten.status());
        errors = std::move(prewritten->errors);
        if (errors.empty()) commit_ts_ = prewritten->min_commit_ts;
      } else {
        CAIRN_ASSIGN_OR_RETURN(errors, client_->Prewrite(request));
      }
    }
    if (errors.empty()) return absl::OkStatus();
    // Locks of dead or finished transactions can be cleared and the
    // request retried; anything else is a conflict.
    bool retry = true;
    for (const kv::TxnError& e : errors) {
      if (e.kind != kv::TxnError::Kind::kKeyLocked) {
        retry = false;
        break;
      }
      // Nothing is held after a failed one-phase commit (one range, all
      // or nothing) or while no row is locked early: waiting can't close a
      // cycle of waits, so wait, as PostgreSQL's writers do. Otherwise
      // wait-die: only for a younger transaction.
      const bool holds_nothing = *one_phase && locked_.empty();
      if (holds_nothing || e.lock.start_ts > start_ts_) {
        CAIRN_RETURN_IF_ERROR(resolver_->ResolveOrWait({e.key, e.lock}, options_.max_lock_wait_ms));
        continue;
      }
      CAIRN_ASSIGN_OR_RETURN(auto outcome, resolver_->Resolve({e.key, e.lock}));
      if (outcome == LockResolver::Outcome::kStillAlive) retry = false;
    }
    if (!retry) return TranslatePrewriteErrors(errors);
  }
  return WriteConflict();
}

absl::Status Txn::Commit() {
  absl::Status status = CommitWrites();
  if (status.ok()) {
    for (auto& f : on_commit_) f();
  }
  on_commit_.clear();
  return status;
}

absl::Status Txn::CommitWrites() {
  if (finished_) return MakeError(ErrorCode::kInvalidTransactionState, "transaction finished");
  finished_ = true;
  // Listed until the commit is decided: a schema change waiting on this
  // transaction must see its writes committed (or not) when it moves on.
  struct UnlistAtEnd {
    Txn* txn;
    ~UnlistAtEnd() { txn->Unlist(); }
  } unlist_at_end{this};
  struct StopHeartbeatAtEnd {
    Txn* txn;
    ~StopHeartbeatAtEnd() { txn->StopHeartbeat(); }
  } stop_heartbeat_at_end{this};
  const bool changes_rows = std::any_of(buffer_.begin(), buffer_.end(), [](const auto& entry) {
    return entry.second.kind != kv::MutationKind::kLock;
  });
  if (!changes_rows) {
    ReleaseEarlyLocks();  // rows locked FOR UPDATE and never changed
    return absl::OkStatus();
  }
  if (primary_.empty()) primary_ = buffer_.begin()->first;
  // The primary first: it is committed first, the commit point.
  std::vector<std::string> keys{primary_};
  keys.reserve(buffer_.size());
  for (const auto& [key, write] : buffer_) {
    if (key != primary_) keys.push_back(key);
  }

  bool one_phase = false;
  bool async = false;
  absl::Status locked = LockAll(keys, &one_phase, &async);
  if (!locked.ok()) {
    // Leave rollback records so no late prewrite of ours can land, and
    // release whatever we did lock. Best effort: TTLs clean up otherwise.
    // Not after an async prewrite went unanswered: a reader may have found
    // every lock and committed the transaction (primary first), and a
    // rollback racing it would undo the keys it had not reached yet. Its
    // locks stay for readers to decide once their TTL runs out.
    const bool maybe_committed =
        async && GetErrorCode(locked) == ErrorCode::kStatementCompletionUnknown;
    if (!one_phase && !maybe_committed) (void)client_->Rollback(keys, start_ts_);
    return locked;
  }
  if (one_phase) return absl::OkStatus();  // committed in the same step
  // Every key is locked: from here the transaction commits or its outcome
  // is unknown, but a cancel or a statement timeout must not abandon it
  // half-way and report it failed.
  HeldInterrupts commit_point;
  if (async) {
    // Every key is locked: the transaction is committed, at commit_ts_.
    // The commit records follow, primary first, without keeping the
    // client waiting; a reader meanwhile waits for them, or, if this node
    // dies first, finds every lock and commits it (LockResolver).
    failpoint::CrashIfSet("txn.commit.after_async_prewrite");
    resolver_->RememberCommitted(start_ts_, commit_ts_);
    CommitKeys(std::move(keys));
    return absl::OkStatus();
  }
  failpoint::CrashIfSet("txn.commit.after_prewrite");
  CAIRN_ASSIGN_OR_RETURN(commit_ts_, client_->GetTimestamp());

  // The commit point.
  auto errors_or = client_->Commit({primary_}, start_ts_, commit_ts_);
  if (!errors_or.ok()) return CompletionUnknown(errors_or.status());
  auto& errors = *errors_or;
  if (!errors.empty()) {
    (void)client_->Rollback(keys, start_ts_);
    return MakeError(ErrorCode::kSerializationFailure,
                     "transaction was aborted by a conflicting transaction (restart transaction)");
  }
  failpoint::CrashIfSet("txn.commit.after_primary");
  resolver_->RememberCommitted(start_ts_, commit_ts_);
  // Committed already; a failure from here on only leaves locks that
  // readers roll forward from the primary.
  if (keys.size() > 1) CommitKeys(std::vector<std::string>(keys.begin() + 1, keys.end()));
  return absl::OkStatus();
}

void Txn::CommitKeys(std::vector<std::string> keys) {
  if (options_.secondaries != nullptr) {
    options_.secondaries->Commit(std::move(keys), start_ts_, commit_ts_);
  } else {
    (void)client_->Commit(keys, start_ts_, commit_ts_);
  }
}

void Txn::Rollback() {
  if (!finished_) ReleaseEarlyLocks();
  finished_ = true;
  buffer_.clear();
  on_commit_.clear();
  StopHeartbeat();
  Unlist();
}

}  // namespace cairn::txn
