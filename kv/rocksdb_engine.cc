#include "kv/rocksdb_engine.h"

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "kv/keys.h"
#include "kv/zero_filled_wal.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/options_util.h"

namespace cairn::kv {
namespace {

constexpr const char* kFamilyNames[kNumColumnFamilies] = {"default", "lock", "write", "raft"};

absl::Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsCorruption()) return MakeError(ErrorCode::kDataCorrupted, s.ToString());
  return MakeError(ErrorCode::kInternal, absl::StrCat("rocksdb: ", s.ToString()));
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

class RocksIterator : public EngineIterator {
 public:
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const rocksdb::Snapshot* snap,
                std::string lower, std::string upper)
      : lower_(std::move(lower)), upper_(std::move(upper)) {
    lower_slice_ = rocksdb::Slice(lower_);
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    ro.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro, cf));
  }

  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  void SeekToFirst() override { it_->Seek(lower_slice_); }
  void SeekToLast() override { it_->SeekToLast(); }
  void SeekForPrev(std::string_view key) override { it_->SeekForPrev(ToSlice(key)); }
  void Prev() override { it_->Prev(); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  absl::Status status() const override { return FromRocks(it_->status()); }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksSnapshot : public EngineSnapshot {
 public:
  // With `pinned`, reads see one RocksDB snapshot; without, the latest state.
  RocksSnapshot(const RocksDbEngine* engine, bool pinned)
      : engine_(engine), snapshot_(pinned ? engine->db()->GetSnapshot() : nullptr) {}
  ~RocksSnapshot() override {
    if (snapshot_ != nullptr) engine_->db()->ReleaseSnapshot(snapshot_);
  }

  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                 std::string_view key) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::string value;
    rocksdb::Status s = engine_->db()->Get(ro, engine_->handle(cf), ToSlice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    CAIRN_RETURN_IF_ERROR(FromRocks(s));
    return value;
  }

  std::unique_ptr<EngineIterator> NewIterator(ColumnFamily cf, std::string lower,
                                              std::string upper) const override {
    return std::make_unique<RocksIterator>(engine_->db(), engine_->handle(cf), snapshot_,
                                           std::move(lower), std::move(upper));
  }

 private:
  const RocksDbEngine* engine_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbEngine>> RocksDbEngine::Open(const std::string& path,
                                                                   const Options& options) {
  std::unique_ptr<RocksDbEngine> engine(new RocksDbEngine());
  // Every Raft log write is a synced write-ahead-log append (kv/store.cc).
  engine->env_ =
      rocksdb::NewCompositeEnv(NewZeroFilledWalFileSystem(rocksdb::FileSystem::Default()));
  rocksdb::Options db_options;
  db_options.env = engine->env_.get();
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  table.whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.write_buffer_size = 32 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) families.emplace_back(name, cf_options);
  // A Raft log grows at its end: each range's entries go in at increasing
  // indexes under the range's local prefix ('r', range id, kind; keys.h).
  // With a hint per prefix an append costs the memtable a step or two
  // instead of a search from the top of its skip list, which on a busy
  // store was the largest CPU cost of a log write.
  families[static_cast<int>(ColumnFamily::kRaft)]
      .options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(
          keys::RangeLocalKey(0, keys::RangeLocalKind::kLogEntry).size()));

  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(db_options), path, families,
                                        &engine->handles_, &db);
  if (!s.ok() && s.IsInvalidArgument()) {
    // LZ4 may be missing from this RocksDB build: fall back to Snappy.
    for (auto& f : families) f.options.compression = rocksdb::kSnappyCompression;
    s = rocksdb::DB::Open(rocksdb::DBOptions(db_options), path, families, &engine->handles_, &db);
  }
  CAIRN_RETURN_IF_ERROR(FromRocks(s));
  engine->db_.reset(db);
  return engine;
}

RocksDbEngine::~RocksDbEngine() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }
}

std::unique_ptr<EngineSnapshot> RocksDbEngine::NewSnapshot() const {
  return std::make_unique<RocksSnapshot>(this, /*pinned=*/true);
}

std::unique_ptr<EngineSnapshot> RocksDbEngine::NewLatestView() const {
  return std::make_unique<RocksSnapshot>(this, /*pinned=*/false);
}

absl::Status RocksDbEngine::Write(const WriteBatch& batch, bool sync) {
  rocksdb::WriteBatch wb;
  for (const Mutation& m : batch.mutations()) {
    rocksdb::Status s = m.op == Mutation::Op::kPut
                            ? wb.Put(handle(m.cf), ToSlice(m.key), ToSlice(m.value))
                            : wb.Delete(handle(m.cf), ToSlice(m.key));
    CAIRN_RETURN_IF_ERROR(FromRocks(s));
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocks(db_->Write(wo, &wb));
}

absl::StatusOr<std::optional<std::string>> RocksDbEngine::Get(ColumnFamily cf,
                                                              std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(cf), ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  CAIRN_RETURN_IF_ERROR(FromRocks(s));
  return value;
}

uint64_t RocksDbEngine::ApproximateSize(std::string_view start, std::string_view end) const {
  uint64_t total = 0;
  std::string limit = end.empty() ? std::string(64, '\xff') : std::string(end);
  rocksdb::Range range(ToSlice(start), ToSlice(limit));
  for (ColumnFamily cf : {ColumnFamily::kDefault, ColumnFamily::kWrite, ColumnFamily::kLock}) {
    uint64_t size = 0;
    rocksdb::SizeApproximationOptions opts;
    opts.include_memtables = true;
    opts.include_files = true;
    db_->GetApproximateSizes(opts, handle(cf), &range, 1, &size);
    total += size;
  }
  return total;
}

}  // namespace cairn::kv
