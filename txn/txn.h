#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/timestamp.h"
#include "kv/kv_client.h"
#include "txn/active_transactions.h"
#include "txn/lock_resolver.h"
#include "txn/secondary_committer.h"
#include "txn/txn_heartbeater.h"

namespace cairn::txn {

// A Percolator transaction with snapshot isolation (DESIGN.md
// "Transactions"). Reads see the database as of start_ts plus this
// transaction's own writes; writes are buffered here until Commit, which
// prewrites every key (the primary is the first key locked, else the first
// in order), takes a commit_ts, commits the primary -- the commit point --
// and then the secondaries (after Commit returns, when a SecondaryCommitter
// is set). When every key lives in one range, the whole commit is one step
// instead (one-phase commit); when the keys span ranges but are few, the
// transaction is committed once every key is locked, at the largest
// min_commit_ts of its locks (async commit: Options::async_commit_max_keys).
// A newer committed write or a live foreign lock on a written key fails
// Commit with serialization_failure (40001).
//
// Rows can also be locked before Commit (LockStatementKeys): what a
// statement updated, deleted or selected FOR UPDATE in a transaction block,
// as PostgreSQL's row locks. A writer that meets such a lock waits for its
// transaction; a row changed since start_ts fails the statement at once.
// The first key locked is the primary; a heartbeat keeps the locks alive
// while the client thinks.
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
    // Async commit when the keys span ranges and are at most this many
    // (0: never): COMMIT returns once every key is locked, at a commit_ts
    // the locks fix, with no round to the oracle or to the primary first.
    size_t async_commit_max_keys = 0;
    // Where the transaction is listed while open (schema changes wait on
    // it); none when null.
    ActiveTransactions* active = nullptr;
    // Keeps the locks alive while the transaction holds them; when null,
    // they live base_lock_ttl_ms plus the transaction's age when taken.
    TxnHeartbeater* heartbeater = nullptr;
    // Commits secondaries after Commit returns; when null, Commit does.
    SecondaryCommitter* secondaries = nullptr;
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

  // Whether this transaction wrote or marked a key in [start, end) (empty
  // end: unbounded): a fragment evaluated at the leaseholders would miss it.
  bool HasWritesIn(std::string_view start, std::string_view end) const;
  // `fragment` over the stored rows of [start, end) at start_ts, resolving
  // the locks it meets (kv::KvClient::EvaluateFragment): the part in the
  // first range, and where the rest starts. It sees none of this
  // transaction's writes (HasWritesIn). Unlike the other reads, safe to
  // call from several threads at once: a statement reads ranges in parallel.
  absl::StatusOr<kv::FragmentResult> EvaluateFragment(std::string_view start, std::string_view end,
                                                      const std::string& fragment);
  // The keys in (start, end) where ranges begin (kv::KvClient::RangeBoundaries).
  absl::StatusOr<std::vector<std::string>> RangeBoundaries(std::string_view start,
                                                           std::string_view end) {
    return client_->RangeBoundaries(start, end);
  }

  // Forgets which keys the previous statement wrote (LockStatementKeys).
  void BeginStatement() { statement_keys_.clear(); }
  // How long the statements from now on wait for a row lock (lock_timeout).
  void set_max_lock_wait_ms(int64_t ms) { options_.max_lock_wait_ms = ms; }
  // Marks `key` to be locked without changing it (SELECT ... FOR UPDATE).
  void LockForUpdate(std::string key);
  // Locks, now, the keys this statement put, deleted or marked
  // (LockForUpdate): waits while another transaction holds one (55P03
  // after max_lock_wait_ms), fails with 40001 if one changed since
  // start_ts. Inserted keys are left to Commit's checks. With `nowait`,
  // a row locked by another transaction fails at once (55P03).
  absl::Status LockStatementKeys(bool nowait = false);

  void Put(std::string key, std::string value);
  // A put that Commit fails with unique_violation (23505) if another
  // transaction's committed value exists for the key.
  void Insert(std::string key, std::string value);
  void Delete(std::string key);

  absl::Status Commit();
  // Runs `f` once this transaction has committed (not if it fails or rolls
  // back): what depends on its writes being visible.
  void OnCommit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }
  // Discards the buffered writes and releases the rows locked early.
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
  // Two-phase and async commits prewrite; *async says that an async
  // commit's prewrite was sent, and on success commit_ts_ is set. An async
  // prewrite without an answer fails kStatementCompletionUnknown: its keys
  // may all be locked, and then it is committed.
  absl::Status LockAll(const std::vector<std::string>& keys, bool* one_phase, bool* async);
  absl::Status TranslatePrewriteErrors(const std::vector<kv::TxnError>& errors);
  // How long this transaction's locks live unless a heartbeat extends them:
  // the base TTL, the time it has been open, and more for a big write.
  absl::StatusOr<uint64_t> LockTtlMs(size_t bytes);
  void StartHeartbeat();
  void StopHeartbeat();
  // Releases the rows locked early, if any (best effort: their TTL ends
  // them otherwise).
  void ReleaseEarlyLocks();
  // Commits the locks of `keys` at commit_ts_, in the background when a
  // SecondaryCommitter is set (the transaction is committed already).
  void CommitKeys(std::vector<std::string> keys);
  // Ends the listing in Options::active (once).
  void Unlist();

  kv::KvClient* const client_;
  LockResolver* const resolver_;
  const Timestamp start_ts_;
  Options options_;
  Timestamp commit_ts_ = 0;
  bool finished_ = false;
  std::vector<std::function<void()>> on_commit_;
  std::atomic<uint64_t> kv_reads_{0};  // EvaluateFragment counts from several threads
  bool listed_ = false;
  std::map<std::string, BufferedWrite> buffer_;
  // The keys locked early (LockStatementKeys), and the first of them, the
  // primary (empty until one is locked).
  std::set<std::string> locked_;
  std::string primary_;
  bool heartbeating_ = false;
  // Keys the current statement put, deleted or marked for update.
  std::vector<std::string> statement_keys_;
};

}  // namespace cairn::txn
