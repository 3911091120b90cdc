#include "kv/mvcc/percolator.h"

#include <algorithm>

#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"

namespace cairn::kv {

using mvcc_keys::LockKey;
using mvcc_keys::VersionKey;

namespace {

WriteKind ToWriteKind(MutationKind kind) {
  switch (kind) {
    case MutationKind::kPut:
    case MutationKind::kInsert: return WriteKind::kPut;
    case MutationKind::kDelete: return WriteKind::kDelete;
    case MutationKind::kLock: return WriteKind::kLock;
  }
  return WriteKind::kPut;
}

// A rollback record sits where a commit at commit_ts == start_ts would: an
// async commit's commit_ts (a read timestamp + 1, not the oracle's) can
// equal another transaction's start_ts. Such a commit record is never
// overwritten (that would lose its write); the rolled-back transaction's
// late prewrite is refused by that commit instead (NewestCommitAfter
// counts a commit at exactly start_ts).
absl::Status PutRollbackRecord(const MvccReader& reader, std::string_view key, Timestamp start_ts,
                               WriteBatch* out) {
  CAIRN_ASSIGN_OR_RETURN(auto at, reader.SeekWrite(key, start_ts));
  if (at && at->first == start_ts && at->second.kind != WriteKind::kRollback &&
      at->second.start_ts != start_ts) {
    return absl::OkStatus();
  }
  WriteRecord w{WriteKind::kRollback, start_ts, std::nullopt};
  out->Put(ColumnFamily::kWrite, VersionKey(key, start_ts), w.Encode());
  return absl::OkStatus();
}

// Removes the lock of `lock` on `key` and its long value, if any.
void RemoveLock(std::string_view key, const Lock& lock, WriteBatch* out) {
  out->Delete(ColumnFamily::kLock, LockKey(key));
  if (!lock.short_value && (lock.kind == MutationKind::kPut || lock.kind == MutationKind::kInsert)) {
    out->Delete(ColumnFamily::kDefault, VersionKey(key, lock.start_ts));
  }
}

void CommitLock(std::string_view key, const Lock& lock, Timestamp commit_ts, WriteBatch* out) {
  WriteRecord w{ToWriteKind(lock.kind), lock.start_ts, lock.short_value};
  out->Put(ColumnFamily::kWrite, VersionKey(key, commit_ts), w.Encode());
  out->Delete(ColumnFamily::kLock, LockKey(key));
}

absl::Status RollbackKey(const MvccReader& reader, const std::string& key, Timestamp start_ts,
                         WriteBatch* out, std::vector<TxnError>* errors) {
  CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(key));
  if (lock && lock->start_ts == start_ts) {
    RemoveLock(key, *lock, out);
    CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, key, start_ts, out));
    return absl::OkStatus();
  }
  CAIRN_ASSIGN_OR_RETURN(auto record, reader.FindTxnRecord(key, start_ts));
  if (record) {
    if (record->second.kind != WriteKind::kRollback && errors) {
      errors->push_back({TxnError::Kind::kCommitted, key, {}, record->first});
    }
    return absl::OkStatus();
  }
  CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, key, start_ts, out));
  return absl::OkStatus();
}

// The commit_ts of the newest commit of `key` after start_ts (rollback
// records of other transactions don't count), or 0. Another transaction's
// commit at exactly start_ts counts too: it may stand where this
// transaction's rollback record would (see PutRollbackRecord).
absl::StatusOr<Timestamp> NewestCommitAfter(const MvccReader& reader, std::string_view key,
                                            Timestamp start_ts) {
  Timestamp ts = kMaxTimestamp;
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(auto write, reader.SeekWrite(key, ts));
    if (!write || write->first < start_ts) return 0;
    if (write->first == start_ts) {
      const bool others_commit =
          write->second.kind != WriteKind::kRollback && write->second.start_ts != start_ts;
      return others_commit ? write->first : 0;
    }
    if (write->second.kind != WriteKind::kRollback) return write->first;
    ts = write->first - 1;
  }
}

// Prewrite; with `rewrite_own_locks` a lock of the same transaction is
// written again even when nothing about it changes (one-phase commit turns
// every lock written into a commit record).
absl::Status PrewriteKeys(const MvccReader& reader, const PrewriteRequest& req,
                          bool rewrite_own_locks, Timestamp max_read_ts, WriteBatch* out,
                          std::vector<TxnError>* errors, Timestamp* min_commit_ts_out) {
  Timestamp max_min_commit_ts = 0;
  for (const PrewriteMutation& m : req.mutations) {
    CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(m.key));
    if (lock && lock->start_ts != req.start_ts) {
      errors->push_back({TxnError::Kind::kKeyLocked, m.key, std::move(*lock), 0});
      continue;
    }
    if (!lock) {
      CAIRN_ASSIGN_OR_RETURN(auto ours, reader.FindTxnRecord(m.key, req.start_ts));
      if (ours) {
        // Our own rollback means a reader gave up on us: too late to lock.
        if (ours->second.kind == WriteKind::kRollback) {
          errors->push_back({TxnError::Kind::kRolledBack, m.key, {}, 0});
        } else if (req.use_async_commit) {
          // Our own commit: a prewrite retried (its first answer lost, say
          // with a leader that stalled) after a resolver found every lock
          // of ours and committed the transaction at the largest
          // min_commit_ts of them. That commit_ts is the transaction's;
          // answered without it, the coordinator would commit the keys
          // still locked at a lower one, and a read between the two would
          // see part of the transaction.
          max_min_commit_ts = std::max(max_min_commit_ts, ours->first);
          CAIRN_LOG_INFO("prewrite of {} for transaction {}: committed at {} by a resolver already",
                         key_codec::PrettyKey(m.key), TimestampToString(req.start_ts),
                         TimestampToString(ours->first));
        }
        continue;
      }
      CAIRN_ASSIGN_OR_RETURN(Timestamp newer, NewestCommitAfter(reader, m.key, req.start_ts));
      if (newer != 0) {
        errors->push_back({TxnError::Kind::kWriteConflict, m.key, {}, newer});
        continue;
      }
    }
    if (m.kind == MutationKind::kInsert) {
      CAIRN_ASSIGN_OR_RETURN(auto live, reader.SeekDataWrite(m.key, kMaxTimestamp));
      if (live && live->second.kind == WriteKind::kPut) {
        errors->push_back({TxnError::Kind::kAlreadyExists, m.key, {}, 0});
        continue;
      }
    }
    Lock new_lock;
    new_lock.kind = m.kind;
    new_lock.primary = req.primary;
    new_lock.start_ts = req.start_ts;
    new_lock.ttl_ms = req.ttl_ms;
    new_lock.min_commit_ts = req.start_ts + 1;
    if (req.use_async_commit) {
      new_lock.use_async_commit = true;
      new_lock.min_commit_ts = std::max(new_lock.min_commit_ts, max_read_ts + 1);
      if (m.key == req.primary) new_lock.secondaries = req.secondaries;
      // A retried prewrite: the commit_ts its first answer allowed stands.
      if (lock && lock->use_async_commit) new_lock.min_commit_ts = lock->min_commit_ts;
      max_min_commit_ts = std::max(max_min_commit_ts, new_lock.min_commit_ts);
    }
    bool has_value = m.kind == MutationKind::kPut || m.kind == MutationKind::kInsert;
    bool long_value = has_value && m.value.size() > kShortValueMax;
    if (has_value && !long_value) new_lock.short_value = m.value;
    if (lock) {
      // Our own lock: a retried prewrite (the same again: nothing to do),
      // or a row locked early (SELECT ... FOR UPDATE, UPDATE in a
      // transaction block) that now takes its value. The conflict checks
      // passed when it was taken. A heartbeat may have lengthened its TTL:
      // keep that.
      new_lock.ttl_ms = std::max(new_lock.ttl_ms, lock->ttl_ms);
      if (!rewrite_own_locks && !long_value && new_lock.Encode() == lock->Encode()) continue;
      RemoveLock(m.key, *lock, out);
    }
    if (long_value) out->Put(ColumnFamily::kDefault, VersionKey(m.key, req.start_ts), m.value);
    out->Put(ColumnFamily::kLock, LockKey(m.key), new_lock.Encode());
  }
  if (min_commit_ts_out != nullptr) *min_commit_ts_out = max_min_commit_ts;
  if (!errors->empty()) *out = WriteBatch();  // all or nothing
  return absl::OkStatus();
}

}  // namespace

absl::Status Prewrite(const MvccReader& reader, const PrewriteRequest& req, WriteBatch* out,
                      std::vector<TxnError>* errors, Timestamp max_read_ts,
                      Timestamp* min_commit_ts_out) {
  return PrewriteKeys(reader, req, /*rewrite_own_locks=*/false, max_read_ts, out, errors,
                      min_commit_ts_out);
}

absl::Status OnePhaseCommit(const MvccReader& reader, const PrewriteRequest& req,
                            Timestamp commit_ts, WriteBatch* out, std::vector<TxnError>* errors) {
  WriteBatch locked;
  CAIRN_RETURN_IF_ERROR(PrewriteKeys(reader, req, /*rewrite_own_locks=*/true, /*max_read_ts=*/0,
                                     &locked, errors, nullptr));
  if (!errors->empty()) return absl::OkStatus();
  for (const Mutation& m : locked.mutations()) {
    if (m.op == Mutation::Op::kDelete) {
      out->Delete(m.cf, m.key);  // a lock this transaction took early
      continue;
    }
    if (m.cf != ColumnFamily::kLock) {
      out->Put(m.cf, m.key, m.value);  // a long value, under start_ts
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(Lock lock, Lock::Decode(m.value));
    CAIRN_ASSIGN_OR_RETURN(std::string key, mvcc_keys::DecodeLockKey(m.key));
    WriteRecord w{ToWriteKind(lock.kind), lock.start_ts, lock.short_value};
    out->Put(ColumnFamily::kWrite, VersionKey(key, commit_ts), w.Encode());
    out->Delete(ColumnFamily::kLock, m.key);
  }
  return absl::OkStatus();
}

absl::Status Commit(const MvccReader& reader, const std::vector<std::string>& keys,
                    Timestamp start_ts, Timestamp commit_ts, WriteBatch* out,
                    std::vector<TxnError>* errors) {
  for (const std::string& key : keys) {
    CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(key));
    if (lock && lock->start_ts == start_ts) {
      CommitLock(key, *lock, commit_ts, out);
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(auto record, reader.FindTxnRecord(key, start_ts));
    if (record && record->second.kind != WriteKind::kRollback) continue;  // already committed
    errors->push_back({TxnError::Kind::kRolledBack, key, {}, 0});
  }
  if (!errors->empty()) *out = WriteBatch();
  return absl::OkStatus();
}

absl::Status Rollback(const MvccReader& reader, const std::vector<std::string>& keys,
                      Timestamp start_ts, WriteBatch* out, std::vector<TxnError>* errors) {
  for (const std::string& key : keys) {
    CAIRN_RETURN_IF_ERROR(RollbackKey(reader, key, start_ts, out, errors));
  }
  return absl::OkStatus();
}

absl::StatusOr<TxnStatus> CheckTxnStatus(const MvccReader& reader, std::string_view primary,
                                         Timestamp lock_ts, Timestamp current_ts,
                                         bool rollback_if_missing, WriteBatch* out) {
  CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(primary));
  if (lock && lock->start_ts == lock_ts) {
    if (!lock->IsExpired(current_ts)) {
      TxnStatus alive{TxnStatus::State::kLocked, 0, lock->ttl_ms};
      if (lock->use_async_commit) {
        alive.min_commit_ts = lock->min_commit_ts;
        alive.secondaries = std::move(lock->secondaries);
      }
      return alive;
    }
    if (lock->use_async_commit) {
      // Its fate is in the secondaries: the caller asks them.
      TxnStatus undecided{TxnStatus::State::kAsyncCommitUndecided, 0, lock->ttl_ms};
      undecided.min_commit_ts = lock->min_commit_ts;
      undecided.secondaries = std::move(lock->secondaries);
      return undecided;
    }
    RemoveLock(primary, *lock, out);
    CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, primary, lock_ts, out));
    return TxnStatus{TxnStatus::State::kRolledBack, 0, 0};
  }
  CAIRN_ASSIGN_OR_RETURN(auto record, reader.FindTxnRecord(primary, lock_ts));
  if (record) {
    if (record->second.kind == WriteKind::kRollback) {
      return TxnStatus{TxnStatus::State::kRolledBack, 0, 0};
    }
    return TxnStatus{TxnStatus::State::kCommitted, record->first, 0};
  }
  if (!rollback_if_missing) return TxnStatus{TxnStatus::State::kLocked, 0, 0};
  CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, primary, lock_ts, out));
  return TxnStatus{TxnStatus::State::kRolledBack, 0, 0};
}

absl::StatusOr<TxnStatus> TxnHeartbeat(const MvccReader& reader, std::string_view primary,
                                       Timestamp start_ts, uint64_t ttl_ms, WriteBatch* out) {
  CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(primary));
  if (lock && lock->start_ts == start_ts) {
    if (lock->ttl_ms < ttl_ms) {
      lock->ttl_ms = ttl_ms;
      out->Put(ColumnFamily::kLock, LockKey(primary), lock->Encode());
    }
    return TxnStatus{TxnStatus::State::kLocked, 0, lock->ttl_ms};
  }
  CAIRN_ASSIGN_OR_RETURN(auto record, reader.FindTxnRecord(primary, start_ts));
  if (record && record->second.kind != WriteKind::kRollback) {
    return TxnStatus{TxnStatus::State::kCommitted, record->first, 0};
  }
  return TxnStatus{TxnStatus::State::kRolledBack, 0, 0};
}

absl::StatusOr<SecondaryLocksStatus> CheckSecondaryLocks(const MvccReader& reader,
                                                         const std::vector<std::string>& keys,
                                                         Timestamp start_ts,
                                                         bool rollback_if_missing,
                                                         WriteBatch* out) {
  const SecondaryLocksStatus incomplete{SecondaryLocksStatus::State::kIncomplete, 0};
  SecondaryLocksStatus status;
  for (const std::string& key : keys) {
    CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(key));
    if (lock && lock->start_ts == start_ts && lock->use_async_commit) {
      status.ts = std::max(status.ts, lock->min_commit_ts);
      continue;
    }
    if (lock && lock->start_ts == start_ts) {
      if (!rollback_if_missing) return incomplete;
      // Locked early, never prewritten for the commit: it never will be.
      RemoveLock(key, *lock, out);
      CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, key, start_ts, out));
      return SecondaryLocksStatus{SecondaryLocksStatus::State::kRolledBack, 0};
    }
    CAIRN_ASSIGN_OR_RETURN(auto record, reader.FindTxnRecord(key, start_ts));
    if (record && record->second.kind == WriteKind::kRollback) {
      return SecondaryLocksStatus{SecondaryLocksStatus::State::kRolledBack, 0};
    }
    if (record) return SecondaryLocksStatus{SecondaryLocksStatus::State::kCommitted, record->first};
    if (!rollback_if_missing) return incomplete;
    // Never prewritten: make sure it never is.
    CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, key, start_ts, out));
    return SecondaryLocksStatus{SecondaryLocksStatus::State::kRolledBack, 0};
  }
  return status;
}

absl::Status ResolveLocks(const MvccReader& reader, const std::vector<std::string>& keys,
                          Timestamp start_ts, Timestamp commit_ts, WriteBatch* out) {
  for (const std::string& key : keys) {
    CAIRN_ASSIGN_OR_RETURN(auto lock, reader.LoadLock(key));
    if (!lock || lock->start_ts != start_ts) continue;
    if (commit_ts > 0) {
      CommitLock(key, *lock, commit_ts, out);
    } else {
      RemoveLock(key, *lock, out);
      CAIRN_RETURN_IF_ERROR(PutRollbackRecord(reader, key, start_ts, out));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> GarbageCollect(const MvccReader& reader, std::string_view start,
                                      std::string_view end, Timestamp safe_point,
                                      WriteBatch* out) {
  size_t dropped = 0;
  auto it = reader.snapshot()->NewIterator(
      ColumnFamily::kWrite, mvcc_keys::EncodeUserKey(start),
      end.empty() ? std::string() : mvcc_keys::EncodeUserKey(end));
  std::string current_key;
  bool kept_newest = false;  // for current_key: the newest version <= safe_point seen
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string user_key;
    Timestamp commit_ts;
    CAIRN_RETURN_IF_ERROR(mvcc_keys::DecodeVersionKey(it->key(), &user_key, &commit_ts));
    if (user_key != current_key) {
      current_key = user_key;
      kept_newest = false;
    }
    if (commit_ts > safe_point) continue;
    CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(it->value()));
    bool drop = false;
    if (w.kind == WriteKind::kRollback || w.kind == WriteKind::kLock) {
      drop = true;
    } else if (!kept_newest) {
      kept_newest = true;
      drop = w.kind == WriteKind::kDelete;  // nothing older is visible anyway
    } else {
      drop = true;
    }
    if (!drop) continue;
    out->Delete(ColumnFamily::kWrite, std::string(it->key()));
    if (w.kind == WriteKind::kPut && !w.short_value) {
      out->Delete(ColumnFamily::kDefault, VersionKey(user_key, w.start_ts));
    }
    ++dropped;
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return dropped;
}

}  // namespace cairn::kv
