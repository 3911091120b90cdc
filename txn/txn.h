#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/timestamp.h"
#include "kv/kv_client.h"
#include "txn/active_transactions.h"
#include "txn/lock_resolver.h"

namespace cairn::txn {

// A Percolator transaction with snapshot isolation (DESIGN.md
// "Transactions"). Reads see the database as of start_ts plus this
// transaction's own writes; writes are buffered here until Commit, which
// prewrites every key (the first key in order is the primary), takes a
// commit_ts, commits the primary -- the commit point -- and then the
// secondaries. When every key lives in one range, the whole commit is one
// step instead (one-phase commit). A newer committed write or a live foreign lock on a written
// key fails Commit with serialization_failure (40001).
//
// Not thread-safe: one statement at a time uses a transaction.
class Txn {
 public:
  struct Options {
    uint64_t base_lock_ttl_ms = 3000;
    // How long a read waits for a live lock's owner before giving up.
    int64_t max_lock_wait_ms = 10000;
    // Commit in one Raft round when every key lives in one range.
    bool allow_one_phase_commit = true;
    // Where the transaction is listed while open (schema changes wait on
    // it); none when null.
    ActiveTransactions* active = nullptr;
  };

  static absl::StatusOr<std::unique_ptr<Txn>> Begin(kv::KvClient* client, LockResolver* resolver,
                                                    const Options& options);
  // A read-only view at a given timestamp (historical reads, tests).
  static std::unique_ptr<Txn> AtTimestamp(kv::KvClient* client, LockResolver* resolver,
                                          Timestamp ts, const Options& options);

  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  Timestamp start_ts() const { return start_ts_; }
  bool has_writes() const { return !buffer_.empty(); }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key);
  // Get of each of `keys` (distinct), in one KV read for those this
  // transaction did not write.
  absl::StatusOr<std::vector<std::optional<std::string>>> BatchGet(
      const std::vector<std::string>& keys);
  // Live keys in [start, end) (empty end: unbounded), at most `limit`
  // (0: all), merged with this transaction's writes.
  absl::StatusOr<std::vector<kv::KeyValue>> Scan(std::string_view start, std::string_view end,
                                                 size_t limit);
  // The same in descending key order: the last `limit` live keys.
  absl::StatusOr<std::vector<kv::KeyValue>> ReverseScan(std::string_view start,
                                                        std::string_view end, size_t limit);

  void Put(std::string key, std::string value);
  // A put that Commit fails with unique_violation (23505) if another
  // transaction's committed value exists for the key.
  void Insert(std::string key, std::string value);
  void Delete(std::string key);

  absl::Status Commit();
  // Runs `f` once this transaction has committed (not if it fails or rolls
  // back): what depends on its writes being visible.
  void OnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }
  // Discards the buffered writes. Nothing was written before Commit, so
  // nothing remains to clean up in the store.
  void Rollback();

  Timestamp commit_ts() const { return commit_ts_; }
  // Reads (gets and scan pages) sent to the KV layer so far, for EXPLAIN
  // ANALYZE.
  uint64_t kv_reads() const { return kv_reads_; }

 private:
  struct BufferedWrite {
    kv::MutationKind kind;
    std::string value;
  };

  Txn(kv::KvClient* client, LockResolver* resolver, Timestamp start_ts, const Options& options)
      : client_(client), resolver_(resolver), start_ts_(start_ts), options_(options) {}

  // Runs `read` (a KV read whose result may name a blocking lock) until
  // no lock blocks it, resolving or waiting out each; 40001 after too many.
  template <typename Read>
  auto ReadResolvingLocks(Read read) -> decltype(read());

  absl::Status CommitWrites();
  // Prewrites every key, or commits them in one phase when the KV layer can
  // (*one_phase then says so and commit_ts_ is set).
  absl::Status LockAll(const std::vector<std::string>& keys, bool* one_phase);
  absl::Status TranslatePrewriteErrors(const std::vector<kv::TxnError>& errors);
  // Ends the listing in Options::active (once).
  void Unlist();

  kv::KvClient* const client_;
  LockResolver* const resolver_;
  const Timestamp start_ts_;
  const Options options_;
  Timestamp commit_ts_ = 0;
  bool finished_ = false;
  std::vector<std::function<void()>> on_commit_;
  uint64_t kv_reads_ = 0;
  bool listed_ = false;
  std::map<std::string, BufferedWrite> buffer_;
};

}  // namespace cairn::txn
