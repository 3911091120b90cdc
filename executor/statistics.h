#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "catalog/catalog.h"
#include "kv/kv_client.h"
#include "txn/lock_resolver.h"
#include "txn/txn.h"

// Table statistics for the planner: ANALYZE reads a table's rows and keeps,
// in its descriptor, the row count and each column's distinct values and
// NULL fraction (a new descriptor also re-plans cached statements).
// AutoAnalyzer refreshes them in the background once enough rows changed.
namespace cairn::executor {

// ANALYZE of table `name` in `txn` (which the caller commits).
absl::Status AnalyzeTable(catalog::Catalog* catalog, txn::Txn* txn, uint32_t database_id,
                          const std::string& name);

// Counts the rows statements write per table and, once a table has had
// 500 + 10% of its rows (as last counted) written, analyzes it on a thread
// of its own, in transactions of its own.
//
// Thread safety: NoteWrites may be called from any thread.
class AutoAnalyzer {
 public:
  AutoAnalyzer(kv::KvClient* client, txn::LockResolver* resolver, catalog::Catalog* catalog);
  ~AutoAnalyzer();
  AutoAnalyzer(const AutoAnalyzer&) = delete;
  AutoAnalyzer& operator=(const AutoAnalyzer&) = delete;

  void NoteWrites(uint32_t database_id, const std::string& table, uint64_t rows);
  // Finishes the ANALYZE under way, if any, and ends the thread; later
  // writes are ignored. Idempotent (the destructor calls it).
  void Stop();
  // Tables analyzed so far (tests, metrics).
  uint64_t analyzed() const;

 private:
  using TableKey = std::pair<uint32_t, std::string>;
  struct Counts {
    uint64_t written = 0;    // since the last ANALYZE
    uint64_t last_rows = 0;  // what it counted
    bool queued = false;
  };

  void Run();
  absl::Status Analyze(const TableKey& table);

  kv::KvClient* const client_;
  txn::LockResolver* const resolver_;
  catalog::Catalog* const catalog_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<TableKey, Counts> counts_ ABSL_GUARDED_BY(mu_);
  std::deque<TableKey> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t analyzed_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar cv_;
  std::thread thread_;
};

}  // namespace cairn::executor
