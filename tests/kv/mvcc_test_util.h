#pragma once

// A fixture that runs Percolator actions the way a range does: evaluate on a
// fresh snapshot, then apply the returned batch to the engine.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/key_codec.h"
#include "kv/mvcc/mvcc_reader.h"
#include "kv/mvcc/percolator.h"
#include "kv_test_util.h"

namespace cairn::kv::testing {

inline std::string KindName(TxnError::Kind kind) {
  switch (kind) {
    case TxnError::Kind::kKeyLocked: return "KeyLocked";
    case TxnError::Kind::kWriteConflict: return "WriteConflict";
    case TxnError::Kind::kAlreadyExists: return "AlreadyExists";
    case TxnError::Kind::kRolledBack: return "RolledBack";
    case TxnError::Kind::kCommitted: return "Committed";
  }
  return "?";
}

// "Kind(key)" for each error, space-separated: readable in failures.
inline std::string Describe(const std::vector<TxnError>& errors) {
  std::string out;
  for (const TxnError& e : errors) {
    if (!out.empty()) out += " ";
    out += KindName(e.kind) + "(" + key_codec::PrettyKey(e.key) + ")";
  }
  return out;
}

inline PrewriteMutation PutM(std::string key, std::string value) {
  return {MutationKind::kPut, std::move(key), std::move(value)};
}
inline PrewriteMutation InsertM(std::string key, std::string value) {
  return {MutationKind::kInsert, std::move(key), std::move(value)};
}
inline PrewriteMutation DeleteM(std::string key) {
  return {MutationKind::kDelete, std::move(key), {}};
}
inline PrewriteMutation LockM(std::string key) { return {MutationKind::kLock, std::move(key), {}}; }

struct ReadResult {
  std::optional<std::string> value;
  std::optional<LockedKey> locked;
};

class MvccFixture {
 public:
  static constexpr uint64_t kLongTtlMs = 1000000;

  explicit MvccFixture(KvEngine* engine) : engine_(engine) {}

  // Applies `batch` and remembers its size.
  void Apply(const WriteBatch& batch) {
    last_batch_size_ = batch.size();
    absl::Status s = engine_->Write(batch, false);
    EXPECT_TRUE(s.ok()) << s;
  }

  std::vector<TxnError> Prewrite(std::vector<PrewriteMutation> mutations, std::string primary,
                                 Timestamp start_ts, uint64_t ttl_ms = kLongTtlMs) {
    PrewriteRequest req;
    req.mutations = std::move(mutations);
    req.primary = std::move(primary);
    req.start_ts = start_ts;
    req.ttl_ms = ttl_ms;
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    std::vector<TxnError> errors;
    absl::Status s = kv::Prewrite(reader, req, &batch, &errors);
    EXPECT_TRUE(s.ok()) << s;
    Apply(batch);
    return errors;
  }

  // A prewrite for async commit on a range that has served reads up to
  // max_read_ts; *min_commit_ts gets the least commit_ts the locks allow.
  std::vector<TxnError> PrewriteAsync(std::vector<PrewriteMutation> mutations, std::string primary,
                                      std::vector<std::string> secondaries, Timestamp start_ts,
                                      Timestamp max_read_ts, Timestamp* min_commit_ts,
                                      uint64_t ttl_ms = kLongTtlMs) {
    PrewriteRequest req;
    req.mutations = std::move(mutations);
    req.primary = std::move(primary);
    req.secondaries = std::move(secondaries);
    req.use_async_commit = true;
    req.start_ts = start_ts;
    req.ttl_ms = ttl_ms;
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    std::vector<TxnError> errors;
    absl::Status s = kv::Prewrite(reader, req, &batch, &errors, max_read_ts, min_commit_ts);
    EXPECT_TRUE(s.ok()) << s;
    Apply(batch);
    return errors;
  }

  SecondaryLocksStatus CheckSecondaryLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                                           bool rollback_if_missing = true) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    auto status = kv::CheckSecondaryLocks(reader, keys, start_ts, rollback_if_missing, &batch);
    EXPECT_TRUE(status.ok()) << status.status();
    Apply(batch);
    return status.ok() ? *status : SecondaryLocksStatus{};
  }

  std::vector<TxnError> Commit(const std::vector<std::string>& keys, Timestamp start_ts,
                               Timestamp commit_ts) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    std::vector<TxnError> errors;
    absl::Status s = kv::Commit(reader, keys, start_ts, commit_ts, &batch, &errors);
    EXPECT_TRUE(s.ok()) << s;
    Apply(batch);
    return errors;
  }

  std::vector<TxnError> Rollback(const std::vector<std::string>& keys, Timestamp start_ts) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    std::vector<TxnError> errors;
    absl::Status s = kv::Rollback(reader, keys, start_ts, &batch, &errors);
    EXPECT_TRUE(s.ok()) << s;
    Apply(batch);
    return errors;
  }

  TxnStatus CheckTxnStatus(std::string_view primary, Timestamp lock_ts, Timestamp current_ts,
                           bool rollback_if_missing = true) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    auto status =
        kv::CheckTxnStatus(reader, primary, lock_ts, current_ts, rollback_if_missing, &batch);
    EXPECT_TRUE(status.ok()) << status.status();
    Apply(batch);
    return status.ok() ? *status : TxnStatus{};
  }

  TxnStatus TxnHeartbeat(std::string_view primary, Timestamp start_ts, uint64_t ttl_ms) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    auto status = kv::TxnHeartbeat(reader, primary, start_ts, ttl_ms, &batch);
    EXPECT_TRUE(status.ok()) << status.status();
    Apply(batch);
    return status.ok() ? *status : TxnStatus{};
  }

  void ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                    Timestamp commit_ts) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    absl::Status s = kv::ResolveLocks(reader, keys, start_ts, commit_ts, &batch);
    EXPECT_TRUE(s.ok()) << s;
    Apply(batch);
  }

  size_t GarbageCollect(std::string_view start, std::string_view end, Timestamp safe_point) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    WriteBatch batch;
    auto n = kv::GarbageCollect(reader, start, end, safe_point, &batch);
    EXPECT_TRUE(n.ok()) << n.status();
    Apply(batch);
    return n.ok() ? *n : 0;
  }

  // Prewrites and commits one put (or delete, when value is nullopt).
  void WriteCommitted(const std::string& key, std::optional<std::string> value,
                      Timestamp start_ts, Timestamp commit_ts) {
    auto m = value ? PutM(key, *value) : DeleteM(key);
    EXPECT_EQ(Describe(Prewrite({m}, key, start_ts)), "");
    EXPECT_EQ(Describe(Commit({key}, start_ts, commit_ts)), "");
  }

  ReadResult Read(std::string_view key, Timestamp ts) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    ReadResult r;
    auto v = reader.Get(key, ts, &r.locked);
    EXPECT_TRUE(v.ok()) << v.status();
    if (v.ok()) r.value = *v;
    return r;
  }

  // The value at ts; fails the test if a lock blocks the read.
  std::optional<std::string> Get(std::string_view key, Timestamp ts) {
    ReadResult r = Read(key, ts);
    EXPECT_FALSE(r.locked.has_value()) << "read of " << key_codec::PrettyKey(key) << " at " << ts
                                       << " blocked by lock of " << r.locked->lock.start_ts;
    return r.value;
  }

  struct ScanOutput {
    std::vector<std::pair<std::string, std::string>> rows;
    std::optional<LockedKey> locked;
  };
  ScanOutput Scan(std::string_view start, std::string_view end, Timestamp ts, size_t limit = 0) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    ScanOutput out;
    auto rows = reader.Scan(start, end, ts, limit, &out.locked);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (auto& kv : *rows) out.rows.emplace_back(kv.key, kv.value);
    }
    return out;
  }

  struct BatchGetOutput {
    std::vector<std::optional<std::string>> values;
    std::optional<LockedKey> locked;
  };
  BatchGetOutput BatchGet(const std::vector<std::string>& keys, Timestamp ts) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    BatchGetOutput out;
    auto values = reader.BatchGet(keys, ts, &out.locked);
    EXPECT_TRUE(values.ok()) << values.status();
    if (values.ok()) out.values = *std::move(values);
    return out;
  }

  ScanOutput ReverseScan(std::string_view start, std::string_view end, Timestamp ts,
                         size_t limit = 0) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    ScanOutput out;
    auto rows = reader.ReverseScan(start, end, ts, limit, &out.locked);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (auto& kv : *rows) out.rows.emplace_back(kv.key, kv.value);
    }
    return out;
  }

  std::optional<Lock> LoadLock(std::string_view key) {
    auto snapshot = engine_->NewSnapshot();
    MvccReader reader(snapshot.get());
    auto lock = reader.LoadLock(key);
    EXPECT_TRUE(lock.ok()) << lock.status();
    return lock.ok() ? *lock : std::nullopt;
  }

  // Raw record counts of one user key in a column family.
  size_t CountVersions(ColumnFamily cf, std::string_view user_key) {
    auto snapshot = engine_->NewSnapshot();
    std::string prefix = mvcc_keys::EncodeUserKey(user_key);
    auto it = snapshot->NewIterator(cf, prefix, key_codec::PrefixEnd(prefix));
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }

  // Every (commit_ts, kind) record of a key in the write CF, newest first.
  std::vector<std::pair<Timestamp, WriteKind>> WriteRecords(std::string_view user_key) {
    auto snapshot = engine_->NewSnapshot();
    std::string prefix = mvcc_keys::EncodeUserKey(user_key);
    auto it = snapshot->NewIterator(ColumnFamily::kWrite, prefix, key_codec::PrefixEnd(prefix));
    std::vector<std::pair<Timestamp, WriteKind>> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string k;
      Timestamp ts = 0;
      EXPECT_TRUE(mvcc_keys::DecodeVersionKey(it->key(), &k, &ts).ok());
      out.emplace_back(ts, WriteRecord::Decode(it->value())->kind);
    }
    return out;
  }

  bool HasDefaultValue(std::string_view key, Timestamp start_ts) {
    auto v = engine_->Get(ColumnFamily::kDefault, mvcc_keys::VersionKey(key, start_ts));
    EXPECT_TRUE(v.ok());
    return v.ok() && v->has_value();
  }

  size_t last_batch_size() const { return last_batch_size_; }

 private:
  KvEngine* const engine_;
  size_t last_batch_size_ = 0;
};

}  // namespace cairn::kv::testing
