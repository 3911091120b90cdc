#include "kv/mvcc/mvcc_reader.h"

#include "common/error_code.h"
#include "common/key_codec.h"

namespace cairn::kv {

using mvcc_keys::EncodeUserKey;
using mvcc_keys::VersionKey;

absl::StatusOr<std::optional<Lock>> MvccReader::LoadLock(std::string_view key) const {
  CAIRN_ASSIGN_OR_RETURN(auto raw, snapshot_->Get(ColumnFamily::kLock, mvcc_keys::LockKey(key)));
  if (!raw) return std::nullopt;
  CAIRN_ASSIGN_OR_RETURN(Lock lock, Lock::Decode(*raw));
  return lock;
}

absl::StatusOr<std::optional<std::pair<Timestamp, WriteRecord>>> MvccReader::SeekWrite(
    std::string_view key, Timestamp ts) const {
  std::string prefix = EncodeUserKey(key);
  auto it = snapshot_->NewIterator(ColumnFamily::kWrite, prefix, key_codec::PrefixEnd(prefix));
  it->Seek(VersionKey(key, ts));
  if (!it->Valid()) {
    CAIRN_RETURN_IF_ERROR(it->status());
    return std::nullopt;
  }
  std::string user_key;
  Timestamp commit_ts;
  CAIRN_RETURN_IF_ERROR(mvcc_keys::DecodeVersionKey(it->key(), &user_key, &commit_ts));
  CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(it->value()));
  return std::make_pair(commit_ts, std::move(w));
}

absl::StatusOr<std::optional<std::pair<Timestamp, WriteRecord>>> MvccReader::SeekDataWrite(
    std::string_view key, Timestamp ts) const {
  // The hot path of every point read: encode the key once, and take each
  // version's timestamp from its last 8 bytes instead of decoding the key.
  std::string seek = EncodeUserKey(key);
  const size_t prefix_size = seek.size();
  std::string upper = key_codec::PrefixEnd(seek);
  key_codec::AppendUint64(&seek, ~ts);
  auto it = snapshot_->NewIterator(ColumnFamily::kWrite, seek.substr(0, prefix_size),
                                   std::move(upper));
  for (it->Seek(seek); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    std::string_view value = it->value();
    if (k.size() != prefix_size + 8 || value.empty()) {
      return MakeError(ErrorCode::kDataCorrupted, "bad write record key");
    }
    auto kind = static_cast<WriteKind>(value[0]);
    if (kind != WriteKind::kPut && kind != WriteKind::kDelete) continue;
    k.remove_prefix(prefix_size);
    CAIRN_ASSIGN_OR_RETURN(uint64_t inverted, key_codec::DecodeUint64(&k));
    CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(value));
    return std::make_pair(~inverted, std::move(w));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return std::nullopt;
}

absl::StatusOr<std::optional<std::pair<Timestamp, WriteRecord>>> MvccReader::FindTxnRecord(
    std::string_view key, Timestamp start_ts) const {
  std::string prefix = EncodeUserKey(key);
  // Records are newest first; a commit of start_ts has commit_ts >= start_ts,
  // so the search stops at the first record older than start_ts.
  auto it = snapshot_->NewIterator(ColumnFamily::kWrite, prefix, key_codec::PrefixEnd(prefix));
  for (it->Seek(VersionKey(key, kMaxTimestamp)); it->Valid(); it->Next()) {
    std::string user_key;
    Timestamp commit_ts;
    CAIRN_RETURN_IF_ERROR(mvcc_keys::DecodeVersionKey(it->key(), &user_key, &commit_ts));
    if (commit_ts < start_ts) break;
    CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(it->value()));
    if (w.start_ts == start_ts) return std::make_pair(commit_ts, std::move(w));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return std::nullopt;
}

bool MvccReader::BlocksRead(const Lock& lock, Timestamp ts) {
  return lock.kind != MutationKind::kLock && lock.start_ts <= ts;
}

absl::StatusOr<std::string> MvccReader::LoadValue(std::string_view key,
                                                  const WriteRecord& write) const {
  if (write.short_value) return *write.short_value;
  CAIRN_ASSIGN_OR_RETURN(auto value,
                         snapshot_->Get(ColumnFamily::kDefault, VersionKey(key, write.start_ts)));
  if (!value) {
    return MakeError(ErrorCode::kDataCorrupted, "committed value missing from default CF: " +
                                                    key_codec::PrettyKey(key));
  }
  return *value;
}

absl::StatusOr<std::optional<std::string>> MvccReader::Get(
    std::string_view key, Timestamp ts, std::optional<LockedKey>* locked) const {
  CAIRN_ASSIGN_OR_RETURN(auto lock, LoadLock(key));
  if (lock && BlocksRead(*lock, ts)) {
    *locked = LockedKey{std::string(key), std::move(*lock)};
    return std::nullopt;
  }
  CAIRN_ASSIGN_OR_RETURN(auto write, SeekDataWrite(key, ts));
  if (!write || write->second.kind == WriteKind::kDelete) return std::nullopt;
  CAIRN_ASSIGN_OR_RETURN(std::string value, LoadValue(key, write->second));
  return value;
}

absl::StatusOr<std::vector<std::optional<std::string>>> MvccReader::BatchGet(
    const std::vector<std::string>& keys, Timestamp ts, std::optional<LockedKey>* locked) const {
  std::vector<std::optional<std::string>> out;
  if (keys.empty()) return out;
  for (const std::string& key : keys) {
    CAIRN_ASSIGN_OR_RETURN(auto lock, LoadLock(key));
    if (lock && BlocksRead(*lock, ts)) {
      *locked = LockedKey{key, std::move(*lock)};
      return std::vector<std::optional<std::string>>{};
    }
  }
  auto it = snapshot_->NewIterator(ColumnFamily::kWrite, EncodeUserKey(keys.front()),
                                   key_codec::PrefixEnd(EncodeUserKey(keys.back())));
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    // As SeekDataWrite, on the shared iterator: the newest put or delete
    // at or before ts.
    const std::string prefix = EncodeUserKey(key);
    std::optional<WriteRecord> visible;
    for (it->Seek(VersionKey(key, ts)); it->Valid(); it->Next()) {
      std::string_view k = it->key();
      if (k.size() != prefix.size() + 8 || k.substr(0, prefix.size()) != prefix) break;
      std::string_view value = it->value();
      if (value.empty()) return MakeError(ErrorCode::kDataCorrupted, "bad write record");
      const auto kind = static_cast<WriteKind>(value[0]);
      if (kind != WriteKind::kPut && kind != WriteKind::kDelete) continue;
      CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(value));
      visible = std::move(w);
      break;
    }
    CAIRN_RETURN_IF_ERROR(it->status());
    if (!visible || visible->kind == WriteKind::kDelete) {
      out.push_back(std::nullopt);
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(std::string value, LoadValue(key, *visible));
    out.push_back(std::move(value));
  }
  return out;
}

absl::StatusOr<std::vector<LockedKey>> MvccReader::ScanLocks(std::string_view start,
                                                             std::string_view end, Timestamp ts,
                                                             size_t limit) const {
  std::vector<LockedKey> out;
  auto it = snapshot_->NewIterator(ColumnFamily::kLock, EncodeUserKey(start),
                                   end.empty() ? std::string() : EncodeUserKey(end));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    CAIRN_ASSIGN_OR_RETURN(Lock lock, Lock::Decode(it->value()));
    if (!BlocksRead(lock, ts)) continue;
    CAIRN_ASSIGN_OR_RETURN(std::string key, mvcc_keys::DecodeLockKey(it->key()));
    out.push_back({std::move(key), std::move(lock)});
    if (limit && out.size() >= limit) break;
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return out;
}

namespace {

// Older versions of a key a scan steps over before it seeks past them.
constexpr int kStepsBeforeSeek = 8;

// Whether two write-CF keys are versions of one user key: the same escaped
// user key before their 8-byte timestamps.
bool SameUserKey(std::string_view a, std::string_view b) {
  return a.size() == b.size() && a.size() >= 8 && a.substr(0, a.size() - 8) == b.substr(0, b.size() - 8);
}

}  // namespace

absl::StatusOr<std::vector<KeyValue>> MvccReader::Scan(std::string_view start,
                                                       std::string_view end, Timestamp ts,
                                                       size_t limit,
                                                       std::optional<LockedKey>* locked) const {
  std::vector<KeyValue> out;
  auto it = snapshot_->NewIterator(ColumnFamily::kWrite, EncodeUserKey(start),
                                   end.empty() ? std::string() : EncodeUserKey(end));
  it->SeekToFirst();
  std::string user_key;
  while (it->Valid()) {
    Timestamp commit_ts;
    CAIRN_RETURN_IF_ERROR(mvcc_keys::DecodeVersionKey(it->key(), &user_key, &commit_ts));
    if (commit_ts > ts) {
      it->Seek(VersionKey(user_key, ts));
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(it->value()));
    if (w.kind == WriteKind::kLock || w.kind == WriteKind::kRollback) {
      it->Next();
      continue;
    }
    if (w.kind == WriteKind::kPut) {
      CAIRN_ASSIGN_OR_RETURN(std::string value, LoadValue(user_key, w));
      out.push_back({user_key, std::move(value)});
      if (limit && out.size() >= limit) break;
    }
    // Skip the older versions of this key. Most keys have one or two, and
    // stepping over them costs far less than a seek (a memtable seek walks
    // the skip list from its head); a key with many seeks past them.
    const std::string current(it->key());
    int steps = 0;
    for (it->Next(); it->Valid() && SameUserKey(it->key(), current); it->Next()) {
      if (++steps == kStepsBeforeSeek) {
        it->Seek(VersionKey(user_key, 0));
        if (it->Valid() && SameUserKey(it->key(), current)) it->Next();
        break;
      }
    }
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  // Then the locks, in the same snapshot and only over the part of the span
  // the scan covered (a limited scan of a big table must not walk all of
  // its lock column family): any blocking lock fails the scan, so the
  // caller resolves it and retries rather than reading around it.
  std::string covered_end(end);
  if (limit && out.size() >= limit) covered_end = out.back().key + std::string(1, '\0');
  CAIRN_ASSIGN_OR_RETURN(auto locks, ScanLocks(start, covered_end, ts, 1));
  if (!locks.empty()) {
    *locked = std::move(locks.front());
    return std::vector<KeyValue>{};
  }
  return out;
}

absl::StatusOr<std::vector<KeyValue>> MvccReader::ReverseScan(
    std::string_view start, std::string_view end, Timestamp ts, size_t limit,
    std::optional<LockedKey>* locked) const {
  std::vector<KeyValue> out;
  auto it = snapshot_->NewIterator(ColumnFamily::kWrite, EncodeUserKey(start),
                                   end.empty() ? std::string() : EncodeUserKey(end));
  // A key's versions sort newest first, so walking backwards meets its
  // oldest first: the last put or delete at or before ts seen before the
  // key changes is the version a read at ts sees.
  std::string key;  // the key whose versions are being walked
  std::string user_key;
  std::optional<WriteRecord> visible;
  auto take_visible = [&]() -> absl::Status {
    if (visible.has_value() && visible->kind == WriteKind::kPut) {
      CAIRN_ASSIGN_OR_RETURN(std::string value, LoadValue(key, *visible));
      out.push_back({key, std::move(value)});
    }
    visible.reset();
    return absl::OkStatus();
  };
  bool full = false;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    Timestamp commit_ts;
    CAIRN_RETURN_IF_ERROR(mvcc_keys::DecodeVersionKey(it->key(), &user_key, &commit_ts));
    if (user_key != key) {
      CAIRN_RETURN_IF_ERROR(take_visible());
      if (limit && out.size() >= limit) {
        full = true;
        break;
      }
      key = user_key;
    }
    if (commit_ts > ts) continue;
    CAIRN_ASSIGN_OR_RETURN(WriteRecord w, WriteRecord::Decode(it->value()));
    if (w.kind == WriteKind::kPut || w.kind == WriteKind::kDelete) visible = std::move(w);
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  if (!full) CAIRN_RETURN_IF_ERROR(take_visible());
  if (limit && out.size() > limit) out.resize(limit);
  // The locks over the part of the span read, as for Scan.
  const std::string covered_start =
      limit && out.size() >= limit ? out.back().key : std::string(start);
  CAIRN_ASSIGN_OR_RETURN(auto locks, ScanLocks(covered_start, end, ts, 1));
  if (!locks.empty()) {
    *locked = std::move(locks.front());
    return std::vector<KeyValue>{};
  }
  return out;
}

}  // namespace cairn::kv
