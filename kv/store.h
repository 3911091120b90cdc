#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "kv/engine.h"
#include "kv/replica.h"
#include "kv/transport/raft_transport.h"
#include "proto/metadata.pb.h"

namespace cairn::kv {

// A node's store: one engine holding the replicas of many ranges, and the
// Raft loop that drives them all.
//
// The loop batches every group's Ready output: all new log entries and hard
// states of one round go into one engine write with one fsync (group commit),
// then the committed entries of all groups are applied in one more write.
// A leader applies its committed entries, and answers their proposers,
// before that fsync: they were made durable by earlier rounds. Proposals
// that arrive while a round is being made durable wait for the next round,
// so concurrent writers share fsyncs.
//
// Messages to replicas on other nodes are sent after the round's batch is
// durable, grouped per node, through the RaftTransport; messages from them
// arrive through the RaftMessageHandler side of the store.
//
// Rounds run one at a time (round_mu_), on the loop thread or on the thread
// that brought the work: a transport thread with a peer's messages, a
// proposer. When no round is under way, that thread runs it at once rather
// than waking the loop, which saves a thread hand-off on each step of a
// commit (a follower's append and its answer, the leader's hearing of it);
// when one is, the work waits for the next round, which batches it with
// whatever else arrived meanwhile. The loop thread ticks and picks up what
// was left to it.
//
// Thread-safe: replicas are created at Open and live until the store is
// destroyed; Stop() ends the loop and fails waiting proposals.
class Store final : public RaftMessageHandler {
 public:
  struct Options {
    int64_t tick_interval_ms = 100;
    uint64_t seed = 0;
    // Raft timing, in ticks (see raft::Config).
    int election_tick = 10;
    int heartbeat_tick = 1;
    // Where messages for other nodes go; nullptr on a single node.
    RaftTransport* transport = nullptr;
    // Bootstrap of an empty engine: this node's id, and the nodes whose
    // replicas (replica id = node id) form every initial range. Empty:
    // this node alone. A statically configured group of nodes bootstraps
    // each node with the same list; joining a running cluster is the
    // meta range's business (issue #4).
    uint64_t bootstrap_node_id = 1;
    std::vector<uint64_t> bootstrap_nodes;
    // An engine without a store identity that joins a running cluster
    // (`cairn start --join`): the identity the cluster gave it. The store
    // starts without replicas; the cluster places them.
    std::optional<proto::StoreIdent> join_ident;
    // How far behind its leader a follower may fall and still catch up
    // from the log; further behind, it is sent a snapshot of the range.
    uint64_t raft_log_retained_entries = 16 * 1024;
    // Called on the Raft loop for every command a replica applies, in log
    // order (replays after a restart included). For tests and tools that
    // watch the replicated history; must be quick.
    Replica::ApplyObserver apply_observer;
  };

  // Opens the store in `engine`. An engine without a store identity is
  // bootstrapped as node 1 of a new cluster with its initial ranges, or
  // takes Options::join_ident when given.
  static absl::StatusOr<std::unique_ptr<Store>> Open(std::unique_ptr<KvEngine> engine,
                                                     Clock* clock, const Options& options);
  ~Store() override;

  void Start();
  void Stop();
  // Hands the leadership of every range this store leads to a caught-up
  // voter on a node for which `live` holds (a draining node), waiting up
  // to `timeout_ms` for them to move. Ranges with no such voter keep their
  // leader here.
  void TransferLeases(int64_t timeout_ms, const std::function<bool(uint64_t node_id)>& live);

  const proto::StoreIdent& ident() const { return ident_; }
  KvEngine* engine() const { return engine_.get(); }
  Clock* clock() const { return clock_; }

  // The replica whose range contains `key`, or nullptr.
  Replica* LookupReplica(std::string_view key) const;
  // The replica holding the keys just below `end` (empty: the last range),
  // or nullptr.
  Replica* LookupReplicaBefore(std::string_view end) const;
  Replica* GetReplica(uint64_t range_id) const;
  // A replica of `range_id` made for the first message of its group here.
  Replica* AddReplicaOnFirstMessage(uint64_t range_id);
  std::vector<Replica*> replicas() const;

  // Removes this store's replica of `range_id`, which its group no longer
  // counts as a member (kv/replica_gc_queue.h): its Raft state, and its
  // data where no other replica here holds those keys, leaving a tombstone
  // with its last term. Refused while the replica leads its group. Threads
  // that still hold the Replica find it shut down: it stays allocated, inert,
  // until the store is destroyed.
  absl::Status DestroyReplica(uint64_t range_id);

  // Waits until every replica serves (after a restart: log replayed).
  absl::Status WaitServing(int64_t timeout_ms) const;

  // RaftMessageHandler, called by the transport.
  void HandleRaftMessages(uint64_t from_node, std::vector<RaftEnvelope> messages) override;
  void HandleUnreachable(uint64_t to_node, const std::vector<RaftEnvelope>& dropped) override;
  void HandleSnapshotSent(uint64_t to_node, const RaftEnvelope& snapshot, bool ok) override;

 private:
  Store(std::unique_ptr<KvEngine> engine, Clock* clock, const Options& options);

  absl::Status Bootstrap();
  absl::Status LoadReplicas();
  raft::Config RaftConfig(uint64_t range_id) const;
  // What every replica of this store is set up with before it runs.
  void Configure(Replica* replica) const;
  // Sends the messages of one round, one transport call per node.
  void SendMessages(std::vector<std::pair<Replica*, raft::Ready>>& readies);
  void RaftLoop();
  // One round: proposals, Ready persistence, apply. Returns whether any
  // group had work.
  bool RunRound() ABSL_EXCLUSIVE_LOCKS_REQUIRED(round_mu_);
  // Runs the rounds that work just brought here on this thread, unless a
  // round is under way elsewhere; then (or if more remains) wakes the loop.
  void RunRoundsHere();
  // Creates (or initializes) the right-hand replicas of the splits that
  // `left` applied, once their apply batch is written; a replica to
  // initialize in place that has a Ready of this round (`in_round`) waits
  // in `deferred` until the round is finished.
  void InstallSplits(Replica* left, const std::set<Replica*>& in_round,
                     std::vector<std::pair<Replica*, proto::RangeDescriptor>>* deferred)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(round_mu_);
  void InstallSplit(Replica* left, proto::RangeDescriptor right)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(round_mu_);
  // Whether `snapshot` of `range_id` covers keys of another range here.
  bool SnapshotOverlapsOtherRange(uint64_t range_id, const raft::Snapshot& snapshot) const;
  // Applies the committed entries of `ready` into `apply`.
  absl::Status Apply(Replica* replica, const raft::Ready& ready, WriteBatch* apply);
  void Wake();
  // Replicas with work for the next round: messages or proposals queued,
  // or a Ready after a tick or a round.
  Replica::Wake ReplicaWake();
  void MarkDirty(Replica* replica);
  std::vector<Replica*> TakeDirty();
  // Makes an initialized replica findable by key.
  void IndexReplica(Replica* replica);

  // Constant after Open.
  std::unique_ptr<KvEngine> engine_;
  Clock* const clock_;
  const Options options_;
  proto::StoreIdent ident_;
  // Replicas are added by Open, by the first message of a group that added
  // this node and by splits; DestroyReplica moves them to destroyed_.
  mutable absl::Mutex replicas_mu_;
  std::vector<std::unique_ptr<Replica>> replicas_ ABSL_GUARDED_BY(replicas_mu_);
  std::vector<std::unique_ptr<Replica>> destroyed_ ABSL_GUARDED_BY(replicas_mu_);
  // The initialized replicas by start key (a range's start never changes),
  // for lookups by key.
  std::map<std::string, Replica*, std::less<>> by_start_ ABSL_GUARDED_BY(replicas_mu_);

  absl::Mutex dirty_mu_;
  absl::flat_hash_set<Replica*> dirty_ ABSL_GUARDED_BY(dirty_mu_);

  std::thread loop_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  // Held while a round (or a tick) runs; the replicas' Raft state is
  // stepped only under it.
  absl::Mutex round_mu_;
  absl::Mutex wake_mu_;
  bool wake_pending_ ABSL_GUARDED_BY(wake_mu_) = false;
  absl::CondVar wake_cv_;

  Counter* rounds_;
  Counter* fsyncs_;
  Counter* entries_applied_;
  Counter* messages_sent_;
  Counter* snapshots_sent_;
  Counter* snapshots_applied_;
  Counter* messages_received_;
};

}  // namespace cairn::kv
