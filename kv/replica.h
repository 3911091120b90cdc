#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "common/timestamp.h"
#include "kv/engine.h"
#include "kv/latches.h"
#include "kv/max_read_timestamp.h"
#include "kv/replica_log_storage.h"
#include "proto/metadata.pb.h"
#include "proto/raft_command.pb.h"
#include "raft/conf_change.h"
#include "raft/config.h"
#include "raft/memory_log_storage.h"
#include "raft/raw_node.h"

namespace cairn::kv {

// One range's replica on this store: its Raft group and the state machine
// (the MVCC data of the range, in the store's engine) that the group's log
// drives.
//
// The group's members are the replicas of the range descriptor (replica id
// -> node id); messages to them leave through the store's transport, and
// messages from them arrive through Deliver(). A replica that fell behind
// the leader's compacted log catches up from a snapshot of the range's data
// (range_snapshot.h).
//
// Threading: the Store's Raft loop is the only thread that touches the Raft
// node and the log (Tick, HandleReady...). Client threads call Propose(),
// which queues a command, wakes the loop and waits until the loop has
// applied it, and the read accessors; transport threads call Deliver(), and
// the Store wakes the loop once per batch. The queues and waiters are
// guarded by mu_.
class Replica {
 public:
  using ApplyObserver =
      std::function<void(uint64_t range_id, uint64_t index, const proto::RaftCommand& command)>;

  // `wake(this)` tells the Store that this replica has work queued (a
  // proposal, a membership change, a leadership transfer).
  using Wake = std::function<void(Replica*)>;
  Replica(proto::RangeDescriptor descriptor, uint64_t replica_id, KvEngine* engine, Wake wake);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Loads the Raft log and hard state from the engine (a restart) or, with
  // `bootstrap`, creates a fresh group whose voters are the descriptor's
  // replicas. `base_config` gives the timing and features of the Raft config (its
  // id, storage and applied index are the replica's own). Called before
  // the loop starts.
  absl::Status Init(bool bootstrap, const raft::Config& base_config);

  // REQUIRES: called before the Raft loop starts.
  void SetApplyObserver(ApplyObserver observer) { apply_observer_ = std::move(observer); }

  // Makes this replica the right-hand side of a split that a replica of
  // the left-hand range applied on this store (Replica::TakeSplits): Init
  // from the state the split wrote. For a replica that messages of the new
  // group brought here before the split reached this store (uninitialized),
  // it keeps what that replica voted. Raft loop only.
  absl::Status InitFromSplit(proto::RangeDescriptor descriptor, const raft::Config& base_config);

  // Starts a replica that a message of its group brought to this store
  // (the group added it on this node): no span, no log, no membership
  // until the leader's snapshot arrives. Keeps a hard state it may have
  // written before a restart (its vote).
  absl::Status InitUninitialized(const raft::Config& base_config);

  uint64_t range_id() const { return range_id_; }
  // A copy: the replica set changes as the group's membership does.
  proto::RangeDescriptor descriptor() const;
  // Whether the descriptor, as this replica has applied it, lists `node_id`.
  bool ListsNode(uint64_t node_id) const;
  // When this replica was made on this store (by Open, a message, a split).
  absl::Time created() const { return created_; }
  // False for a replica still waiting for its first snapshot: it holds no
  // keys and serves nothing.
  bool initialized() const { return initialized_.load(std::memory_order_acquire); }
  bool ContainsKey(std::string_view key) const;
  // Whether [start, end) (empty end: unbounded) lies in the range.
  bool ContainsSpan(std::string_view start, std::string_view end) const;
  Latches& latches() { return latches_; }
  KvEngine* engine() const { return engine_; }

  // True once this replica leads its group and has applied every entry
  // committed before its term: only then do reads see all acknowledged
  // writes.
  bool IsServing() const { return serving_.load(std::memory_order_acquire); }
  // The Raft term in which this replica last began to serve (0: never). A
  // leader that lost its group and won it back serves in a later term.
  uint64_t serving_term() const { return serving_term_.load(std::memory_order_acquire); }
  // Waits up to `timeout_ms` for IsServing().
  absl::Status WaitServing(int64_t timeout_ms);

  // Reads are served by the leader alone only within its lease: while a
  // quorum acknowledged a heartbeat recently enough that no other leader
  // can have been elected since (raft Config::lease_reads). `tick_us` is
  // the store's tick interval. REQUIRES: called before the loop starts;
  // without it the lease is not checked (IsServing() decides).
  void SetLeaseClock(Clock* clock, uint64_t tick_us) {
    lease_clock_ = clock;
    tick_us_ = tick_us;
  }
  // A leader keeps the log entries a follower still needs up to
  // `max_lag` behind its applied index (a follower further behind gets a
  // snapshot), and compacts at most every max_lag / 4 entries (1024 at
  // most). REQUIRES: called before the loop starts.
  void SetLogRetention(uint64_t max_lag) {
    max_retained_lag_ = std::max<uint64_t>(max_lag, 1);
    compaction_interval_ = std::clamp<uint64_t>(max_lag / 4, 1, 1024);
  }
  // Whether this replica serves and holds a valid lease now.
  bool HoldsLease() const;
  // Waits up to `timeout_ms` for HoldsLease(); fails with kRangeNotHere.
  absl::Status WaitForLease(int64_t timeout_ms) const;

  // Proposes `command` to the group and waits until it has been applied.
  // Safe from any thread but the Raft loop.
  absl::Status ProposeAndWait(proto::RaftCommand command);

  // A message from a peer replica, or transport feedback about one (a local
  // kUnreachable or kSnapshotStatus message whose `from` is that peer).
  // Safe from any thread; the Raft loop steps it once woken (the caller
  // wakes it).
  void Deliver(raft::Message message);
  // The node holding replica `replica_id` (0 for 0). Replica ids are node
  // ids, which is also the answer for a replica not in the descriptor.
  uint64_t NodeOf(uint64_t replica_id) const;
  // The node whose replica leads the group as far as this replica knows,
  // or 0. Safe from any thread.
  uint64_t LeaderNodeId() const { return NodeOf(leader_replica_id_.load()); }

  // Asks the group to change its membership (replica ids are node ids).
  // Returns once queued; the change shows in Membership() once applied.
  // Safe from any thread.
  void ProposeConfChange(raft::ConfChange change);
  // Asks the group's leader (this replica) to hand leadership to the
  // replica `to`. Returns once queued. Safe from any thread.
  void TransferLeadership(uint64_t to);
  // What the leader knows of its group, as of its last round (empty on a
  // follower): members, and how far each has the log.
  struct Membership {
    std::vector<uint64_t> voters;
    std::vector<uint64_t> learners;
    std::map<uint64_t, uint64_t> match;  // replica id -> last index it holds
    std::set<uint64_t> active;           // replicas heard from recently
    uint64_t commit = 0;
    bool conf_change_pending = false;
  };
  Membership GetMembership() const;

  // The highest timestamp-oracle limit applied (meta range).
  uint64_t tso_high_water_ms() const { return tso_high_water_ms_.load(); }
  // Reads below this timestamp are refused: versions older than it may
  // have been garbage-collected (kv/gc_queue.h). 0: never collected.
  Timestamp gc_threshold() const { return gc_threshold_.load(std::memory_order_acquire); }
  // The newest read served here (async commit's guard).
  MaxReadTimestamp& max_read_timestamp() { return max_read_timestamp_; }

  // --- Raft loop only ---------------------------------------------------

  void Tick();
  // Steps everything Deliver() queued.
  void StepInbox();
  // Fails every waiting and future proposal: the store is going away.
  void Shutdown();
  // Hands queued proposals to Raft, packed into as few entries as a size
  // limit allows; fails them if this replica can't lead.
  void DrainProposals();
  bool HasReady();
  bool is_leader() const { return node_->is_leader(); }
  uint64_t term() const { return node_->GetStatus().term; }
  // Starts an election now rather than after a timeout: the right-hand
  // side of a split on the node that led the left-hand side.
  void Campaign();
  // The right-hand ranges of the splits applied since the last call, whose
  // state is in the engine once the apply batch is written.
  std::vector<proto::RangeDescriptor> TakeSplits() { return std::move(applied_splits_); }
  // Takes the next Ready; its entries and hard state go into `persist`.
  raft::Ready TakeReady(WriteBatch* persist);
  // Whether the committed entries of `ready` may be applied before its
  // `persist` batch is durable: a leader's are, as earlier rounds persisted
  // them (no follower can have acknowledged the entries of the Ready that
  // first carries them), and nothing else in the Ready changes its role.
  bool CanApplyBeforePersist(const raft::Ready& ready) const;
  // After `persist` is durable, or before it if CanApplyBeforePersist:
  // updates the in-memory log, applies committed entries into `apply`
  // (with the Ready's hard state, so that on disk the applied index never
  // passes the commit index) and remembers whose proposals they complete.
  absl::Status ApplyReady(const raft::Ready& ready, WriteBatch* apply);
  // Once `apply` is written: answers the proposals ApplyReady completed.
  // Idempotent; FinishApply calls it too.
  void CompleteProposals(const absl::Status& apply_status);
  // Once `persist` and `apply` are written: hands the Ready back to Raft.
  void FinishApply(const raft::Ready& ready, const absl::Status& apply_status);

 private:
  struct Waiter {
    absl::Notification done;
    absl::Status status;
  };
  struct Proposal {
    uint64_t id;
    std::string data;  // the encoded proto::RaftCommand
    bool packable;     // may share a log entry with its neighbours
  };

  void FailAllWaiters(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Answers the waiters of proposals Raft refused (no leader, say).
  void FailProposals(const std::vector<uint64_t>& ids, const absl::Status& cause)
      ABSL_LOCKS_EXCLUDED(mu_);
  // A snapshot of the range at the applied index, for a lagging follower.
  absl::StatusOr<raft::Snapshot> MakeSnapshot() const;
  // Adds to `persist` what installs `snapshot` in place of the replica's
  // data and log.
  absl::Status StageSnapshot(const raft::Snapshot& snapshot, WriteBatch* persist);
  // Publishes what GetMembership() returns (Raft loop).
  void UpdateMembership();
  // Publishes until when the lease holds, from the Raft node's ticks left
  // (Raft loop).
  void UpdateLease();
  // Drops the log prefix that no follower we lead still needs.
  void MaybeCompactLog();

  // Raises the GC threshold to `threshold` (never lowers it), into `batch`.
  void RaiseGcThreshold(uint64_t threshold, WriteBatch* batch);
  // Divides the range per `split` (see proto::SplitTrigger) and adds the
  // new range's initial state to `apply`.
  void ApplySplit(const proto::SplitTrigger& split, WriteBatch* apply);

  // Takes the replica set of `conf_state` into the descriptor, and the
  // descriptor into `batch`.
  void AdoptMembership(const raft::ConfState& conf_state, WriteBatch* batch);

  // Constant after construction.
  const uint64_t range_id_;
  const uint64_t replica_id_;
  KvEngine* const engine_;
  const Wake wake_;
  const absl::Time created_ = absl::Now();

  ApplyObserver apply_observer_;  // set before the loop starts

  // Raft loop state.
  raft::MemoryLogStorage log_;
  ReplicaLogStorage log_view_;  // what the Raft node reads: log_ + snapshots
  std::unique_ptr<raft::RawNode> node_;
  raft::ConfState conf_state_;  // as of applied_index_
  uint64_t applied_index_ = 0;
  uint64_t applied_term_ = 0;
  bool applying_ = false;  // between ApplyReady and FinishApply
  uint64_t last_term_seen_ = 0;
  std::vector<uint64_t> completed_ids_;  // proposals applied in the current Ready
  uint64_t pending_tso_high_water_ms_ = 0;
  uint64_t snapshot_tso_high_water_ms_ = 0;  // of the snapshot being installed
  uint64_t persisted_log_first_ = 1;  // lowest log index that may be on disk
  uint64_t max_retained_lag_ = 16 * 1024;  // SetLogRetention
  uint64_t compaction_interval_ = 1024;
  std::vector<proto::RangeDescriptor> applied_splits_;

  mutable absl::Mutex desc_mu_;
  proto::RangeDescriptor descriptor_ ABSL_GUARDED_BY(desc_mu_);
  std::atomic<bool> initialized_{true};

  Latches latches_;
  std::atomic<bool> serving_{false};
  std::atomic<uint64_t> serving_term_{0};
  std::atomic<uint64_t> tso_high_water_ms_{0};
  std::atomic<uint64_t> gc_threshold_{0};
  MaxReadTimestamp max_read_timestamp_;
  std::atomic<uint64_t> leader_replica_id_{0};
  Clock* lease_clock_ = nullptr;  // set before the loop starts
  uint64_t tick_us_ = 0;
  // Monotonic micros before which the lease holds; 0: no lease.
  std::atomic<uint64_t> lease_until_us_{0};
  // When each of the last kTickHistory ticks happened (monotonic micros),
  // by tick count: Raft measures a lease in ticks, and a node whose loop
  // was stopped (SIGSTOP, a long stall) ticks far less than time passes.
  // The lease runs in real time from the tick its heartbeat was sent at.
  static constexpr size_t kTickHistory = 256;
  std::array<uint64_t, kTickHistory> tick_micros_{};  // Raft loop only
  uint64_t ticks_ = 0;                                // Raft loop only

  mutable absl::Mutex mu_;
  // Proposal ids count up from a random start, so that an entry proposed
  // by another node or an earlier incarnation never completes a waiter.
  uint64_t next_proposal_id_ ABSL_GUARDED_BY(mu_);
  std::vector<raft::Message> inbox_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Proposal> queued_ ABSL_GUARDED_BY(mu_);
  std::vector<raft::ConfChange> queued_conf_changes_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_transfer_to_ ABSL_GUARDED_BY(mu_) = 0;
  Membership membership_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::shared_ptr<Waiter>> waiters_ ABSL_GUARDED_BY(mu_);
  absl::CondVar serving_cv_;
};

}  // namespace cairn::kv
