// mvcc_bench: CairnDB's MVCC layer (MvccReader + Percolator actions over a
// RocksDbEngine) against raw RocksDB, in one run and on the same data.
//
// Set-up (once per process, in a temp dir removed at exit):
//   - a RocksDbEngine loaded with kNumKeys keys of kValueBytes-byte values,
//     each committed through Prewrite + Commit (the batches applied with
//     KvEngine::Write), so every key has one lock-free committed version;
//   - a raw rocksdb::DB opened with the options RocksDbEngine uses (block
//     cache, bloom filter, LZ4/Snappy, write buffer, background jobs), holding
//     the same user keys and values in its default column family.
// Both stores are then flushed and fully compacted (bottommost level forced,
// so the lock CF's tombstones are really gone), so the reads compare the two
// layouts rather than the state of their memtables; each put benchmark
// starts from such a settled state too (Fixture::MaybeSettle), so that the
// order they run in doesn't favour one over another.
//
// What one "op" costs on each side (single thread, fixed seed):
//   BM_MvccGet   MvccReader::Get over the engine's latest view at a ts after
//                every commit (a lock lookup, then a seek in the write CF;
//                the value is inline in the write record), exactly as
//                RangeCommands::Get reads: the per-request cost of a point
//                read below Raft and the network.
//   BM_MvccGetSharedSnapshot  the same with one snapshot per 100 gets: how
//                much of the gap is the snapshot itself.
//   BM_RawGet    DB::Get with default ReadOptions.
//   BM_MvccPut   a new key: snapshot + Prewrite, Write(lock batch), snapshot +
//                Commit, Write(commit batch), sync=false. This is two
//                engine writes per key, as the two-phase protocol does
//                without one-phase commit.
//   BM_MvccPutOnePhase  a new key through OnePhaseCommit (the path of a
//                transaction whose keys all live in one range, such as a
//                single-row INSERT): snapshot + checks + one Write of the
//                commit record, sync=false; no lock is written.
//   BM_RawPut    DB::Put of a new key, sync=false.
//   BM_MvccScan  fresh snapshot + MvccReader::Scan of 100 keys from a random
//                start key, bounded by the end of the loaded key span.
//   BM_RawScan   an iterator with the same bounds, 100 keys copied out.
//   BM_MvccGetLockTombstones, BM_MvccScanLockTombstones  the MVCC reads
//                again once the lock CF holds the tombstones that committing
//                the loaded keys leaves (put back and flushed to L0): the
//                state of recently written keys, or of a lock CF that has not
//                been compacted since (a trivially moved file keeps them).
// items/s counts keys read or written.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/key_codec.h"
#include "common/timestamp.h"
#include "kv/engine.h"
#include "kv/mvcc/mvcc_reader.h"
#include "kv/mvcc/percolator.h"
#include "kv/mvcc/txn_types.h"
#include "kv/rocksdb_engine.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace cairn::bench {
namespace {

using kv::ColumnFamily;

constexpr int64_t kNumKeys = 100'000;
constexpr size_t kValueBytes = 100;
constexpr size_t kScanKeys = 100;
constexpr size_t kLoadTxnKeys = 1'000;  // keys per Prewrite+Commit during load
constexpr uint64_t kSeed = 20240601;
constexpr int32_t kTableId = 100;
constexpr int32_t kLoadedIndex = 1;  // the preloaded keys
constexpr int32_t kPutIndex = 2;     // keys written by the put benchmarks

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "mvcc_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

void Check(const rocksdb::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

// A row key in the table keyspace: /table/index/pk.
std::string IndexPrefix(int32_t index_id) {
  std::string key;
  key_codec::AppendInt32(&key, kTableId);
  key_codec::AppendInt32(&key, index_id);
  return key;
}

std::string RowKey(int32_t index_id, int64_t pk) {
  std::string key = IndexPrefix(index_id);
  key_codec::AppendInt64(&key, pk);
  return key;
}

std::string ValueFor(int64_t i) {
  std::string v(kValueBytes, 'v');
  std::string tag = std::to_string(i);
  v.replace(0, tag.size(), tag);
  return v;
}

rocksdb::ColumnFamilyOptions RawFamilyOptions(rocksdb::CompressionType compression) {
  // Mirrors RocksDbEngine::Open (kv/rocksdb_engine.cc).
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(256 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  table.whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = compression;
  cf.write_buffer_size = 32 << 20;
  return cf;
}

std::unique_ptr<rocksdb::DB> OpenRaw(const std::string& path) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  rocksdb::Options options(db_options, RawFamilyOptions(rocksdb::kLZ4Compression));
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
  if (!s.ok() && s.IsInvalidArgument()) {
    options = rocksdb::Options(db_options, RawFamilyOptions(rocksdb::kSnappyCompression));
    s = rocksdb::DB::Open(options, path, &db);
  }
  Check(s, "open raw rocksdb");
  return std::unique_ptr<rocksdb::DB>(db);
}

// Hands out strictly increasing timestamps, as the timestamp oracle would.
class Clock {
 public:
  Timestamp Next() { return ++ts_; }

 private:
  Timestamp ts_ = ComposeTimestamp(1'700'000'000'000ULL, 0);
};

// Prewrites and commits `mutations` as one transaction on `engine`.
void CommitTxn(kv::KvEngine* engine, Clock* clock, std::vector<kv::PrewriteMutation> mutations) {
  kv::PrewriteRequest req;
  req.primary = mutations.front().key;
  req.start_ts = clock->Next();
  req.ttl_ms = 3000;
  req.mutations = std::move(mutations);
  std::vector<kv::TxnError> errors;
  {
    auto snap = engine->NewSnapshot();
    kv::MvccReader reader(snap.get());
    kv::WriteBatch batch;
    Check(kv::Prewrite(reader, req, &batch, &errors), "prewrite");
    if (!errors.empty()) Die("prewrite reported a conflict on " + errors.front().key);
    Check(engine->Write(batch, /*sync=*/false), "write prewrite batch");
  }
  std::vector<std::string> keys;
  keys.reserve(req.mutations.size());
  for (const auto& m : req.mutations) keys.push_back(m.key);
  Timestamp commit_ts = clock->Next();
  auto snap = engine->NewSnapshot();
  kv::MvccReader reader(snap.get());
  kv::WriteBatch batch;
  Check(kv::Commit(reader, keys, req.start_ts, commit_ts, &batch, &errors), "commit");
  if (!errors.empty()) Die("commit reported an error on " + errors.front().key);
  Check(engine->Write(batch, /*sync=*/false), "write commit batch");
}

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<kv::RocksDbEngine> engine;
  std::unique_ptr<rocksdb::DB> raw;
  Clock clock;
  Timestamp read_ts = 0;
  std::string span_start, span_end;  // the loaded keys
  std::vector<std::string> get_keys;   // random loaded keys, fixed seed
  std::vector<std::string> scan_keys;  // random scan starts

  // The n-th key written by a put benchmark: new, never repeated (a repeat
  // would be an overwrite, which reads more on the MVCC side), and spread
  // over the key space (multiplying by an odd constant is a bijection).
  static std::string PutKey(uint64_t n) {
    return RowKey(kPutIndex, static_cast<int64_t>((n + 1) * 0x9E3779B97F4A7C15ULL));
  }

  void Load() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                       "/cairn_mvcc_bench.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed in " + tmpl);
    dir = tmpl;

    auto opened = kv::RocksDbEngine::Open((dir / "mvcc").string(), kv::RocksDbEngine::Options{});
    Check(opened.status(), "open engine");
    engine = std::move(*opened);
    raw = OpenRaw((dir / "raw").string());

    span_start = IndexPrefix(kLoadedIndex);
    span_end = key_codec::PrefixEnd(span_start);

    std::vector<kv::PrewriteMutation> txn;
    rocksdb::WriteBatch raw_batch;
    rocksdb::WriteOptions wo;
    wo.sync = false;
    for (int64_t i = 0; i < kNumKeys; ++i) {
      std::string key = RowKey(kLoadedIndex, i);
      std::string value = ValueFor(i);
      Check(raw_batch.Put(key, value), "raw batch put");
      txn.push_back({kv::MutationKind::kPut, std::move(key), std::move(value)});
      if (txn.size() == kLoadTxnKeys || i + 1 == kNumKeys) {
        CommitTxn(engine.get(), &clock, std::move(txn));
        txn.clear();
        Check(raw->Write(wo, &raw_batch), "raw write");
        raw_batch.Clear();
      }
    }
    read_ts = clock.Next();
    Settle();

    std::mt19937_64 rng(kSeed);
    std::uniform_int_distribution<int64_t> pick(0, kNumKeys - 1);
    constexpr size_t kSample = 1 << 16;
    for (size_t i = 0; i < kSample; ++i) get_keys.push_back(RowKey(kLoadedIndex, pick(rng)));
    std::uniform_int_distribution<int64_t> pick_start(0, kNumKeys - 1 - kScanKeys);
    for (size_t i = 0; i < kSample; ++i) {
      scan_keys.push_back(RowKey(kLoadedIndex, pick_start(rng)));
    }
    Verify();
  }

  // Flushes and fully compacts both stores, so that each side starts from
  // its settled layout: everything in one sorted run, memtables empty. The
  // bottommost level is rewritten even where a file could be trivially
  // moved, so the lock CF's tombstones (every commit deletes its lock) are
  // really dropped.
  void Settle() {
    rocksdb::FlushOptions fo;
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (ColumnFamily cf : {ColumnFamily::kDefault, ColumnFamily::kLock, ColumnFamily::kWrite}) {
      Check(engine->db()->Flush(fo, engine->handle(cf)), "flush engine");
      Check(engine->db()->CompactRange(co, engine->handle(cf), nullptr, nullptr),
            "compact engine");
    }
    Check(raw->Flush(fo), "flush raw");
    Check(raw->CompactRange(co, nullptr, nullptr), "compact raw");
    puts_since_settle = 0;
  }

  // Before a put benchmark's run (untimed): settles the stores if earlier
  // puts left anything in memtables or L0, unless the run is one of the
  // short ones Google Benchmark makes to size the measured runs.
  void MaybeSettle(const benchmark::State& state) {
    if (puts_since_settle > 0 && state.max_iterations >= 1000) Settle();
  }
  uint64_t puts_since_settle = 0;

  // Puts back the lock CF tombstones that committing the loaded keys left
  // (each Commit deletes its key's lock) and that the compaction in Load()
  // dropped, and flushes them to an L0 file: the state of a store whose keys
  // were written recently, or whose lock CF has not been compacted since.
  void AddLockTombstones() {
    if (lock_tombstones) return;
    kv::WriteBatch batch;
    for (int64_t i = 0; i < kNumKeys; ++i) {
      batch.Delete(ColumnFamily::kLock, kv::mvcc_keys::LockKey(RowKey(kLoadedIndex, i)));
    }
    Check(engine->Write(batch, /*sync=*/false), "write lock tombstones");
    Check(engine->db()->Flush(rocksdb::FlushOptions(), engine->handle(ColumnFamily::kLock)),
          "flush lock tombstones");
    lock_tombstones = true;
  }
  bool lock_tombstones = false;

  // Both sides must hold the same data, or the comparison means nothing.
  void Verify() const {
    auto snap = engine->NewSnapshot();
    kv::MvccReader reader(snap.get());
    for (size_t i = 0; i < 1000; ++i) {
      const std::string& key = get_keys[i];
      std::optional<kv::LockedKey> locked;
      auto mvcc = reader.Get(key, read_ts, &locked);
      Check(mvcc.status(), "verify mvcc get");
      std::string raw_value;
      Check(raw->Get(rocksdb::ReadOptions(), key, &raw_value), "verify raw get");
      if (locked) Die("verify: key unexpectedly locked");
      if (!*mvcc || **mvcc != raw_value) Die("verify: mvcc and raw values differ");
    }
    std::optional<kv::LockedKey> locked;
    auto rows = reader.Scan(span_start, span_end, read_ts, 0, &locked);
    Check(rows.status(), "verify mvcc scan");
    if (static_cast<int64_t>(rows->size()) != kNumKeys || locked) {
      Die("verify: mvcc scan saw " + std::to_string(rows->size()) + " keys");
    }
  }

  ~Fixture() {
    engine.reset();
    if (raw) raw->Close().PermitUncheckedError();
    raw.reset();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

Fixture* fixture = nullptr;

void MvccGetLoop(benchmark::State& state) {
  Fixture& f = *fixture;
  size_t i = 0, found = 0;
  for (auto _ : state) {
    const std::string& key = f.get_keys[i++ & (f.get_keys.size() - 1)];
    auto view = f.engine->NewLatestView();  // as RangeCommands::Get reads
    kv::MvccReader reader(view.get());
    std::optional<kv::LockedKey> locked;
    auto value = reader.Get(key, f.read_ts, &locked);
    if (!value.ok()) Die(value.status().ToString());
    found += value->has_value();
    benchmark::DoNotOptimize(value);
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("missing keys");
  state.SetItemsProcessed(state.iterations());
}

void BM_MvccGet(benchmark::State& state) {
  if (fixture->lock_tombstones) Die("BM_MvccGet must run before the tombstone variants");
  MvccGetLoop(state);
}

void BM_MvccGetLockTombstones(benchmark::State& state) {
  fixture->AddLockTombstones();
  MvccGetLoop(state);
}

void BM_MvccGetSharedSnapshot(benchmark::State& state) {
  Fixture& f = *fixture;
  size_t i = 0, found = 0;
  std::unique_ptr<kv::EngineSnapshot> snap;
  for (auto _ : state) {
    if (i % 100 == 0) snap = f.engine->NewSnapshot();
    const std::string& key = f.get_keys[i++ & (f.get_keys.size() - 1)];
    kv::MvccReader reader(snap.get());
    std::optional<kv::LockedKey> locked;
    auto value = reader.Get(key, f.read_ts, &locked);
    if (!value.ok()) Die(value.status().ToString());
    found += value->has_value();
    benchmark::DoNotOptimize(value);
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("missing keys");
  state.SetItemsProcessed(state.iterations());
}

void BM_RawGet(benchmark::State& state) {
  Fixture& f = *fixture;
  size_t i = 0, found = 0;
  rocksdb::ReadOptions ro;
  std::string value;
  for (auto _ : state) {
    const std::string& key = f.get_keys[i++ & (f.get_keys.size() - 1)];
    rocksdb::Status s = f.raw->Get(ro, key, &value);
    if (!s.ok()) Die(s.ToString());
    ++found;
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MvccPut(benchmark::State& state) {
  Fixture& f = *fixture;
  f.MaybeSettle(state);
  static uint64_t next = 0;  // put keys are never reused, across repetitions too
  const std::string value = ValueFor(42);
  for (auto _ : state) {
    CommitTxn(f.engine.get(), &f.clock, {{kv::MutationKind::kPut, Fixture::PutKey(next++), value}});
  }
  f.puts_since_settle += state.iterations();
  state.SetItemsProcessed(state.iterations());
}

void BM_MvccPutOnePhase(benchmark::State& state) {
  Fixture& f = *fixture;
  f.MaybeSettle(state);
  static uint64_t next = 1ULL << 40;  // a key space apart from BM_MvccPut's
  const std::string value = ValueFor(42);
  for (auto _ : state) {
    kv::PrewriteRequest req;
    req.mutations = {{kv::MutationKind::kPut, Fixture::PutKey(next++), value}};
    req.primary = req.mutations.front().key;
    req.start_ts = f.clock.Next();
    req.ttl_ms = 3000;
    Timestamp commit_ts = f.clock.Next();
    auto snap = f.engine->NewSnapshot();
    kv::MvccReader reader(snap.get());
    kv::WriteBatch batch;
    std::vector<kv::TxnError> errors;
    Check(kv::OnePhaseCommit(reader, req, commit_ts, &batch, &errors), "one-phase commit");
    if (!errors.empty()) Die("one-phase commit reported a conflict");
    Check(f.engine->Write(batch, /*sync=*/false), "write one-phase batch");
  }
  f.puts_since_settle += state.iterations();
  state.SetItemsProcessed(state.iterations());
}

void BM_RawPut(benchmark::State& state) {
  Fixture& f = *fixture;
  f.MaybeSettle(state);
  static uint64_t next = 0;
  const std::string value = ValueFor(42);
  rocksdb::WriteOptions wo;
  wo.sync = false;
  for (auto _ : state) {
    rocksdb::Status s = f.raw->Put(wo, Fixture::PutKey(next++), value);
    if (!s.ok()) Die(s.ToString());
  }
  f.puts_since_settle += state.iterations();
  state.SetItemsProcessed(state.iterations());
}

void MvccScanLoop(benchmark::State& state) {
  Fixture& f = *fixture;
  size_t i = 0, rows = 0;
  for (auto _ : state) {
    const std::string& start = f.scan_keys[i++ & (f.scan_keys.size() - 1)];
    auto snap = f.engine->NewSnapshot();
    kv::MvccReader reader(snap.get());
    std::optional<kv::LockedKey> locked;
    auto out = reader.Scan(start, f.span_end, f.read_ts, kScanKeys, &locked);
    if (!out.ok()) Die(out.status().ToString());
    rows += out->size();
    benchmark::DoNotOptimize(out);
  }
  if (rows != kScanKeys * state.iterations()) state.SkipWithError("short scan");
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}

void BM_MvccScan(benchmark::State& state) {
  if (fixture->lock_tombstones) Die("BM_MvccScan must run before the tombstone variants");
  MvccScanLoop(state);
}

void BM_MvccScanLockTombstones(benchmark::State& state) {
  fixture->AddLockTombstones();
  MvccScanLoop(state);
}

void BM_RawScan(benchmark::State& state) {
  Fixture& f = *fixture;
  size_t i = 0, rows = 0;
  rocksdb::Slice upper(f.span_end);
  for (auto _ : state) {
    const std::string& start = f.scan_keys[i++ & (f.scan_keys.size() - 1)];
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(f.raw->NewIterator(ro));
    std::vector<kv::KeyValue> out;
    for (it->Seek(start); it->Valid() && out.size() < kScanKeys; it->Next()) {
      out.push_back({it->key().ToString(), it->value().ToString()});
    }
    if (!it->status().ok()) Die(it->status().ToString());
    rows += out.size();
    benchmark::DoNotOptimize(out);
  }
  if (rows != kScanKeys * state.iterations()) state.SkipWithError("short scan");
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}

// Benchmarks run in this order. Reads first, on the freshly compacted
// stores; then the same MVCC reads with the lock CF tombstones of the load
// put back (raw RocksDB has no counterpart: compare with BM_RawGet and
// BM_RawScan); then the puts, which write under another index prefix that
// the reads never touch.
BENCHMARK(BM_MvccGet);
BENCHMARK(BM_MvccGetSharedSnapshot);
BENCHMARK(BM_RawGet);
BENCHMARK(BM_MvccScan);
BENCHMARK(BM_RawScan);
BENCHMARK(BM_MvccGetLockTombstones);
BENCHMARK(BM_MvccScanLockTombstones);
BENCHMARK(BM_MvccPut);
BENCHMARK(BM_MvccPutOnePhase);
BENCHMARK(BM_RawPut);

}  // namespace
}  // namespace cairn::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  cairn::bench::Fixture f;
  std::fprintf(stderr, "mvcc_bench: loading %lld keys of %zu bytes into both stores...\n",
               static_cast<long long>(cairn::bench::kNumKeys), cairn::bench::kValueBytes);
  f.Load();
  cairn::bench::fixture = &f;
  benchmark::AddCustomContext("keys", std::to_string(cairn::bench::kNumKeys));
  benchmark::AddCustomContext("value_bytes", std::to_string(cairn::bench::kValueBytes));
  benchmark::AddCustomContext("seed", std::to_string(cairn::bench::kSeed));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  cairn::bench::fixture = nullptr;
  return 0;
}
