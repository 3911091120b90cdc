#include "kv/store.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"
#include "kv/keys.h"
#include "kv/range_snapshot.h"
#include "kv/range_span.h"

namespace cairn::kv {
namespace {

// More than any election timeout: ticks to catch up at most after a stall.
constexpr uint64_t kMaxCatchUpTicks = 1000;


// A range replicated on `nodes`; each node has one store, with the node's
// id, and replica ids are node ids.
proto::RangeDescriptor MakeDescriptor(uint64_t range_id, std::string start, std::string end,
                                      const std::vector<uint64_t>& nodes) {
  proto::RangeDescriptor d;
  d.set_range_id(range_id);
  d.set_start_key(std::move(start));
  d.set_end_key(std::move(end));
  d.set_generation(1);
  for (uint64_t node : nodes) {
    auto* r = d.add_replicas();
    r->set_node_id(node);
    r->set_store_id(node);
    r->set_replica_id(node);
  }
  return d;
}

std::string NewClusterId(Clock* clock, uint64_t seed) {
  return absl::StrCat("cairn-", clock->NowMillis(), "-", seed % 100000);
}

}  // namespace

Store::Store(std::unique_ptr<KvEngine> engine, Clock* clock, const Options& options)
    : engine_(std::move(engine)), clock_(clock), options_(options) {
  auto& m = MetricRegistry::Global();
  rounds_ = m.GetCounter("cairn_raft_rounds_total", "Raft loop rounds that had work");
  fsyncs_ = m.GetCounter("cairn_raft_fsyncs_total", "Synced writes of Raft log entries");
  entries_applied_ =
      m.GetCounter("cairn_raft_entries_applied_total", "Raft log entries applied to the engine");
  messages_sent_ = m.GetCounter("cairn_raft_messages_sent_total",
                                "Raft messages handed to the transport for other nodes");
  messages_received_ =
      m.GetCounter("cairn_raft_messages_received_total", "Raft messages received from other nodes");
  snapshots_sent_ = m.GetCounter("cairn_raft_snapshots_sent_total",
                                 "Range snapshots streamed in full to a lagging replica");
  snapshots_applied_ = m.GetCounter("cairn_raft_snapshots_applied_total",
                                    "Range snapshots installed by this node's replicas");
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(std::unique_ptr<KvEngine> engine, Clock* clock,
                                                   const Options& options) {
  std::unique_ptr<Store> store(new Store(std::move(engine), clock, options));
  CAIRN_ASSIGN_OR_RETURN(auto ident, store->engine_->Get(ColumnFamily::kRaft, keys::kStoreIdentKey));
  if (!ident && options.join_ident) {
    store->ident_ = *options.join_ident;
    WriteBatch batch;
    batch.Put(ColumnFamily::kRaft, keys::kStoreIdentKey, store->ident_.SerializeAsString());
    CAIRN_RETURN_IF_ERROR(store->engine_->Write(batch, /*sync=*/true));
    CAIRN_LOG_INFO("joined cluster {} as node {}", store->ident_.cluster_id(),
                   store->ident_.node_id());
  } else if (!ident) {
    CAIRN_RETURN_IF_ERROR(store->Bootstrap());
  } else if (!store->ident_.ParseFromString(*ident)) {
    return MakeError(ErrorCode::kDataCorrupted, "unparsable store identity");
  }
  CAIRN_RETURN_IF_ERROR(store->LoadReplicas());
  return store;
}

Store::~Store() { Stop(); }

absl::Status Store::Bootstrap() {
  const uint64_t node_id = options_.bootstrap_node_id;
  std::vector<uint64_t> nodes = options_.bootstrap_nodes;
  if (nodes.empty()) nodes = {node_id};
  if (std::find(nodes.begin(), nodes.end(), node_id) == nodes.end()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("bootstrap: node ", node_id, " is not among the initial nodes"));
  }
  // Nodes bootstrapped together must agree on the cluster id without
  // talking: derive it from the seed they share, not from the clock.
  ident_.set_cluster_id(nodes.size() == 1 ? NewClusterId(clock_, options_.seed)
                                          : absl::StrCat("cairn-static-", options_.seed));
  ident_.set_node_id(node_id);
  ident_.set_store_id(node_id);
  // The meta range covers the system keyspace; one range holds all table
  // data until splits (issue #4) divide it.
  std::vector<proto::RangeDescriptor> ranges = {
      MakeDescriptor(keys::kMetaRangeId, "", keys::kSystemKeyspaceEnd, nodes),
      MakeDescriptor(keys::kFirstDataRangeId, keys::kSystemKeyspaceEnd, "", nodes),
  };
  for (const auto& d : ranges) {
    auto replica =
        std::make_unique<Replica>(d, node_id, engine_.get(), ReplicaWake());
    CAIRN_RETURN_IF_ERROR(replica->Init(/*bootstrap=*/true, RaftConfig(d.range_id())));
  }
  // The identity goes last: a crash before it leaves a store that bootstraps
  // again from scratch, never a half-made one that looks complete.
  WriteBatch batch;
  batch.Put(ColumnFamily::kRaft, keys::kStoreIdentKey, ident_.SerializeAsString());
  CAIRN_RETURN_IF_ERROR(engine_->Write(batch, /*sync=*/true));
  CAIRN_LOG_INFO("bootstrapped cluster {} as node {}", ident_.cluster_id(), ident_.node_id());
  return absl::OkStatus();
}

absl::Status Store::LoadReplicas() {
  auto snapshot = engine_->NewSnapshot();
  std::string prefix(1, keys::kRangeLocalPrefix);
  auto it = snapshot->NewIterator(ColumnFamily::kRaft, prefix, key_codec::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key();
    if (key.size() != prefix.size() + 9 ||
        key.back() != static_cast<char>(keys::RangeLocalKind::kDescriptor)) {
      continue;
    }
    proto::RangeDescriptor d;
    if (!d.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return MakeError(ErrorCode::kDataCorrupted, "unparsable range descriptor");
    }
    uint64_t replica_id = 0;
    for (const auto& r : d.replicas()) {
      if (r.store_id() == ident_.store_id()) replica_id = r.replica_id();
    }
    auto replica =
        std::make_unique<Replica>(d, replica_id, engine_.get(), ReplicaWake());
    CAIRN_RETURN_IF_ERROR(replica->Init(/*bootstrap=*/false, RaftConfig(d.range_id())));
    Configure(replica.get());
    absl::MutexLock lock(&replicas_mu_);
    by_start_[d.start_key()] = replica.get();
    replicas_.push_back(std::move(replica));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return absl::OkStatus();
}

void Store::Configure(Replica* replica) const {
  if (options_.apply_observer) replica->SetApplyObserver(options_.apply_observer);
  replica->SetLeaseClock(clock_, static_cast<uint64_t>(options_.tick_interval_ms) * 1000);
  replica->SetLogRetention(options_.raft_log_retained_entries);
}

raft::Config Store::RaftConfig(uint64_t range_id) const {
  raft::Config config;
  config.election_tick = options_.election_tick;
  config.heartbeat_tick = options_.heartbeat_tick;
  // A commit costs the leader one round less when followers hear of it
  // with the next append or heartbeat (Config::announce_commits): clients
  // wait on the leader's apply, never on a follower's.
  config.announce_commits = false;
  // Leaders serve reads alone only within their lease (Replica::HoldsLease).
  config.lease_reads = true;
  // Nodes must not share election timeouts: mix the node id in.
  config.seed = options_.seed + range_id * 1000003 + ident_.node_id();
  return config;
}

void Store::HandleRaftMessages(uint64_t from_node, std::vector<RaftEnvelope> messages) {
  messages_received_->Add(static_cast<int64_t>(messages.size()));
  for (RaftEnvelope& e : messages) {
    // A range this store has no replica of (yet): dropped; its leader
    // retries, and replica creation on first message comes with issue #4.
    Replica* r = GetReplica(e.range_id);
    if (r == nullptr && e.message.to == ident_.node_id()) r = AddReplicaOnFirstMessage(e.range_id);
    if (r == nullptr) continue;
    if (e.message.snapshot.has_value() && SnapshotOverlapsOtherRange(e.range_id, *e.message.snapshot)) {
      continue;
    }
    r->Deliver(std::move(e.message));
    MarkDirty(r);
  }
  RunRoundsHere();  // once for the whole batch
}

bool Store::SnapshotOverlapsOtherRange(uint64_t range_id, const raft::Snapshot& snapshot) const {
  absl::StatusOr<proto::RangeDescriptor> incoming = PeekSnapshotRange(snapshot.data);
  if (!incoming.ok()) return false;  // staging it reports the damage
  absl::ReaderMutexLock lock(&replicas_mu_);
  for (const auto& r : replicas_) {
    if (r->range_id() == range_id || !r->initialized()) continue;
    const proto::RangeDescriptor d = r->descriptor();
    const bool disjoint =
        (!d.end_key().empty() && d.end_key() <= incoming->start_key()) ||
        (!incoming->end_key().empty() && incoming->end_key() <= d.start_key());
    if (!disjoint) {
      // The range here has not applied the split that made the incoming
      // one (or the merge...): installing it would give two replicas of
      // this store the same keys. Its leader retries once we have caught up.
      CAIRN_LOG_DEBUG("range {}: snapshot refused, it overlaps range {} here", range_id,
                      r->range_id());
      return true;
    }
  }
  return false;
}

Replica* Store::AddReplicaOnFirstMessage(uint64_t range_id) {
  // The group has added this node (replica ids are node ids): a replica
  // with nothing but its id answers the leader, which then sends a
  // snapshot that brings the span, the data and the membership.
  proto::RangeDescriptor d;
  d.set_range_id(range_id);
  auto replica =
      std::make_unique<Replica>(d, ident_.node_id(), engine_.get(), ReplicaWake());
  absl::Status s = replica->InitUninitialized(RaftConfig(range_id));
  if (!s.ok()) {
    CAIRN_LOG_ERROR("range {}: cannot start a replica here: {}", range_id, s.ToString());
    return nullptr;
  }
  Configure(replica.get());
  absl::MutexLock lock(&replicas_mu_);
  for (const auto& r : replicas_) {
    if (r->range_id() == range_id) return r.get();  // another thread was first
  }
  CAIRN_LOG_INFO("range {}: replica added on this node; waiting for a snapshot", range_id);
  replicas_.push_back(std::move(replica));
  return replicas_.back().get();
}

void Store::HandleUnreachable(uint64_t to_node, const std::vector<RaftEnvelope>& dropped) {
  // One report per group and peer is enough to make the leader probe.
  std::set<std::pair<uint64_t, uint64_t>> reported;
  for (const RaftEnvelope& e : dropped) {
    if (!reported.insert({e.range_id, e.message.to}).second) continue;
    if (Replica* r = GetReplica(e.range_id)) {
      r->Deliver(raft::Message{.type = raft::MessageType::kUnreachable, .from = e.message.to});
      MarkDirty(r);
    }
  }
  Wake();
}

void Store::HandleSnapshotSent(uint64_t to_node, const RaftEnvelope& snapshot, bool ok) {
  if (ok) snapshots_sent_->Add();
  if (Replica* r = GetReplica(snapshot.range_id)) {
    r->Deliver(raft::Message{
        .type = raft::MessageType::kSnapshotStatus, .from = snapshot.message.to, .reject = !ok});
    MarkDirty(r);
  }
  Wake();
}

void Store::SendMessages(std::vector<std::pair<Replica*, raft::Ready>>& readies) {
  std::map<uint64_t, std::vector<RaftEnvelope>> by_node;
  for (auto& [replica, ready] : readies) {
    for (raft::Message& m : ready.messages) {
      const uint64_t node = replica->NodeOf(m.to);
      if (node == 0 || node == ident_.node_id()) continue;
      by_node[node].push_back(RaftEnvelope{replica->range_id(), std::move(m)});
    }
    ready.messages.clear();
  }
  if (options_.transport == nullptr) return;  // a single node has no one to talk to
  for (auto& [node, messages] : by_node) {
    messages_sent_->Add(static_cast<int64_t>(messages.size()));
    options_.transport->Send(node, std::move(messages));
  }
}

void Store::Start() {
  for (Replica* r : replicas()) MarkDirty(r);  // a single voter elects itself at once
  loop_ = std::thread([this] { RaftLoop(); });
  started_.store(true);
}

void Store::Stop() {
  stopping_.store(true);  // the loop may have stopped itself (failed write): join it anyway
  Wake();
  if (loop_.joinable()) loop_.join();
}

void Store::TransferLeases(int64_t timeout_ms, const std::function<bool(uint64_t node_id)>& live) {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  for (;;) {
    size_t leading = 0;
    for (Replica* r : replicas()) {
      if (!r->IsServing()) continue;
      const Replica::Membership m = r->GetMembership();
      uint64_t target = 0;
      for (uint64_t v : m.voters) {
        auto match = m.match.find(v);
        if (v != ident_.node_id() && live(v) && m.active.contains(v) && match != m.match.end() &&
            match->second >= m.commit) {
          target = v;
          break;
        }
      }
      if (target == 0) continue;  // no one to hand it to
      ++leading;
      r->TransferLeadership(target);
    }
    if (leading == 0 || absl::Now() > deadline) {
      if (leading != 0) CAIRN_LOG_WARN("draining: {} ranges still led here", leading);
      return;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

absl::Status Store::DestroyReplica(uint64_t range_id) {
  // Between rounds: the Raft loop steps no replica meanwhile.
  absl::MutexLock round(&round_mu_);
  std::unique_ptr<Replica> replica;
  bool data_shared = false;
  {
    absl::MutexLock lock(&replicas_mu_);
    auto it = std::find_if(replicas_.begin(), replicas_.end(),
                           [&](const auto& r) { return r->range_id() == range_id; });
    if (it == replicas_.end()) return absl::OkStatus();
    if ((*it)->is_leader()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       absl::StrCat("range ", range_id, " is led here; it cannot be removed"));
    }
    const proto::RangeDescriptor d = (*it)->descriptor();
    for (const auto& other : replicas_) {
      if (other.get() == it->get() || !other->initialized()) continue;
      const proto::RangeDescriptor o = other->descriptor();
      const bool disjoint = (!o.end_key().empty() && o.end_key() <= d.start_key()) ||
                            (!d.end_key().empty() && d.end_key() <= o.start_key());
      data_shared |= !disjoint;
    }
    replica = std::move(*it);
    replicas_.erase(it);
    std::erase_if(by_start_, [&](const auto& entry) { return entry.second == replica.get(); });
  }
  {
    absl::MutexLock lock(&dirty_mu_);
    dirty_.erase(replica.get());
  }
  const uint64_t term = replica->term();
  const bool had_data = replica->initialized();
  const proto::RangeDescriptor range = replica->descriptor();
  replica->Shutdown();

  WriteBatch batch;
  auto view = engine_->NewSnapshot();
  const std::string prefix = keys::RangeLocalPrefix(range_id);
  auto raft_state = view->NewIterator(ColumnFamily::kRaft, prefix, key_codec::PrefixEnd(prefix));
  for (raft_state->SeekToFirst(); raft_state->Valid(); raft_state->Next()) {
    batch.Delete(ColumnFamily::kRaft, std::string(raft_state->key()));
  }
  CAIRN_RETURN_IF_ERROR(raft_state->status());
  if (had_data && !data_shared) {
    const DataSpan span = DataSpanOf(range);
    for (ColumnFamily cf : {ColumnFamily::kDefault, ColumnFamily::kLock, ColumnFamily::kWrite}) {
      auto it = view->NewIterator(cf, span.lower, span.upper);
      for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(cf, std::string(it->key()));
      CAIRN_RETURN_IF_ERROR(it->status());
    }
  } else if (data_shared) {
    CAIRN_LOG_WARN("range {}: another replica here overlaps it; its data stays", range_id);
  }
  std::string tombstone;
  key_codec::AppendUint64(&tombstone, term);
  batch.Put(ColumnFamily::kRaft, keys::RangeLocalKey(range_id, keys::RangeLocalKind::kTombstone),
            tombstone);
  absl::Status written = engine_->Write(batch, /*sync=*/true);
  CAIRN_LOG_INFO("range {}: replica removed from this store ({})", range_id,
                 written.ok() ? "its group no longer has it" : written.ToString());
  absl::MutexLock lock(&replicas_mu_);
  destroyed_.push_back(std::move(replica));
  return written;
}

Replica* Store::LookupReplica(std::string_view key) const {
  // No two initialized replicas here overlap (HandleRaftMessages refuses a
  // snapshot that would): only the last one starting at or before `key`
  // can hold it.
  absl::ReaderMutexLock lock(&replicas_mu_);
  auto it = by_start_.upper_bound(key);
  if (it == by_start_.begin()) return nullptr;
  --it;
  return it->second->ContainsKey(key) ? it->second : nullptr;
}

Replica* Store::LookupReplicaBefore(std::string_view end) const {
  absl::ReaderMutexLock lock(&replicas_mu_);
  // The last range starting before `end` (any, for the keyspace's end).
  auto it = end.empty() ? by_start_.end() : by_start_.lower_bound(end);
  if (it == by_start_.begin()) return nullptr;
  --it;
  const proto::RangeDescriptor d = it->second->descriptor();
  const bool ends_at_or_after = d.end_key().empty() || (!end.empty() && d.end_key() >= end);
  return ends_at_or_after ? it->second : nullptr;
}

Replica* Store::GetReplica(uint64_t range_id) const {
  absl::ReaderMutexLock lock(&replicas_mu_);
  for (const auto& r : replicas_) {
    if (r->range_id() == range_id) return r.get();
  }
  return nullptr;
}

std::vector<Replica*> Store::replicas() const {
  std::vector<Replica*> out;
  absl::ReaderMutexLock lock(&replicas_mu_);
  for (const auto& r : replicas_) out.push_back(r.get());
  return out;
}

absl::Status Store::WaitServing(int64_t timeout_ms) const {
  for (Replica* r : replicas()) CAIRN_RETURN_IF_ERROR(r->WaitServing(timeout_ms));
  return absl::OkStatus();
}

void Store::Wake() {
  absl::MutexLock lock(&wake_mu_);
  wake_pending_ = true;
  wake_cv_.Signal();
}

namespace {

// Set while this thread runs a round of some store: work that a round
// hands to another store on the same thread (a transport that delivers in
// place, as tests' do) goes to that store's loop instead of nesting rounds.
thread_local bool t_in_round = false;

class InRound {
 public:
  InRound() { t_in_round = true; }
  ~InRound() { t_in_round = false; }
};

}  // namespace

void Store::RunRoundsHere() {
  // A few rounds at most: a proposer or a transport thread has its own
  // work to go back to; the loop takes the rest.
  constexpr int kRoundsHere = 4;
  if (t_in_round || !started_.load() || stopping_.load() || !round_mu_.TryLock()) {
    Wake();
    return;
  }
  bool more = false;
  {
    InRound in_round;
    for (int i = 0; i < kRoundsHere && !stopping_.load(); ++i) {
      more = RunRound();
      if (!more) break;
    }
  }
  round_mu_.Unlock();
  if (more) Wake();
}

void Store::RaftLoop() {
  uint64_t next_tick = clock_->MonotonicMicros();
  while (!stopping_.load()) {
    uint64_t now = clock_->MonotonicMicros();
    absl::ReleasableMutexLock round(&round_mu_);
    InRound in_round;
    if (now >= next_tick) {
      // Tick once for every interval that passed, also after a stall (a
      // slow fsync, a long round): Raft's timeouts and leases count ticks,
      // and a leader that skipped ticks would think its lease younger than
      // its followers do. Bounded, so that a very long stall (a suspended
      // process) does not turn into a burst of millions of ticks.
      const uint64_t interval = options_.tick_interval_ms * 1000;
      const uint64_t due = std::min<uint64_t>((now - next_tick) / interval + 1, kMaxCatchUpTicks);
      const std::vector<Replica*> all = replicas();
      for (uint64_t i = 0; i < due; ++i) {
        for (Replica* r : all) r->Tick();
      }
      for (Replica* r : all) {
        if (r->HasReady()) MarkDirty(r);  // heartbeats, elections
      }
      next_tick = now - (now - next_tick) % interval + interval;
    }
    if (RunRound()) continue;  // more may be ready at once (commits after persistence)
    round.Release();
    absl::MutexLock lock(&wake_mu_);
    if (!wake_pending_) {
      uint64_t wait_us = next_tick > now ? next_tick - now : 0;
      wake_cv_.WaitWithTimeout(&wake_mu_, absl::Microseconds(wait_us));
    }
    wake_pending_ = false;
  }
  // Fail whoever still waits: their outcome is unknown to them, as on a crash.
  absl::MutexLock round(&round_mu_);
  for (Replica* r : replicas()) r->Shutdown();
}

bool Store::RunRound() {
  {
    absl::MutexLock lock(&wake_mu_);
    wake_pending_ = false;
  }
  // Only the replicas with something to do: a round costs nothing for the
  // many ranges that are idle.
  const std::vector<Replica*> replicas = TakeDirty();
  for (Replica* r : replicas) r->StepInbox();
  for (Replica* r : replicas) r->DrainProposals();

  std::vector<std::pair<Replica*, raft::Ready>> readies;
  std::vector<std::pair<Replica*, raft::Ready>> early;  // leaders' appends and heartbeats
  WriteBatch persist;
  bool must_sync = false;
  for (Replica* r : replicas) {
    if (!r->HasReady()) continue;
    raft::Ready ready = r->TakeReady(&persist);
    must_sync |= ready.must_sync || !ready.entries.empty() || ready.snapshot.has_value();
    if (ready.snapshot.has_value()) snapshots_applied_->Add();
    // A leader may ship its appends while it writes them itself: it counts
    // its own copy towards the quorum only once durable (raw_node.h), so a
    // follower's acknowledgement never stands in for the leader's fsync.
    // Only a leader that was one before this Ready: a fresh one's vote for
    // itself is not durable yet.
    if (!ready.soft_state.has_value() && r->is_leader()) {
      raft::Ready shipped;
      std::vector<raft::Message> rest;
      for (raft::Message& m : ready.messages) {
        if (m.type == raft::MessageType::kAppend || m.type == raft::MessageType::kHeartbeat) {
          shipped.messages.push_back(std::move(m));
        } else {
          rest.push_back(std::move(m));
        }
      }
      ready.messages = std::move(rest);
      if (!shipped.messages.empty()) early.emplace_back(r, std::move(shipped));
    }
    readies.emplace_back(r, std::move(ready));
  }
  if (readies.empty()) return false;
  rounds_->Add();
  SendMessages(early);

  // What a leader has committed is durable on a quorum, and here too
  // (earlier rounds persisted it): apply it and answer its proposers
  // before waiting on the fsync of the entries proposed since, which under
  // load is most of a round. (Followers apply after their fsync: their
  // commit index may cover entries of this very Ready.)
  std::vector<bool> applied(readies.size(), false);
  WriteBatch early_apply;
  absl::Status status = absl::OkStatus();
  for (size_t i = 0; i < readies.size(); ++i) {
    auto& [replica, ready] = readies[i];
    if (!replica->CanApplyBeforePersist(ready)) continue;
    status.Update(Apply(replica, ready, &early_apply));
    applied[i] = true;
  }
  if (status.ok() && !early_apply.empty()) {
    status = engine_->Write(early_apply, /*sync=*/false);
  }
  if (!status.ok()) {
    CAIRN_LOG_ERROR("apply write failed, stopping the store: {}", status.ToString());
    stopping_.store(true);
    return false;
  }
  // A split's new replica exists before its proposer hears of the split:
  // the keys it took are never without a replica here.
  std::set<Replica*> in_round;
  for (auto& [replica, ready] : readies) in_round.insert(replica);
  std::vector<std::pair<Replica*, proto::RangeDescriptor>> deferred;
  for (size_t i = 0; i < readies.size(); ++i) {
    if (!applied[i]) continue;
    InstallSplits(readies[i].first, in_round, &deferred);
    readies[i].first->CompleteProposals(status);
  }

  if (!persist.empty()) {
    status = engine_->Write(persist, must_sync);
    if (must_sync) fsyncs_->Add();
  }
  if (!status.ok()) {
    // A store that cannot make its log durable must not acknowledge
    // anything: stop serving rather than continue inconsistently.
    CAIRN_LOG_ERROR("raft log write failed, stopping the store: {}", status.ToString());
    stopping_.store(true);
    return false;
  }
  // Durable: peers may now hear of it.
  SendMessages(readies);
  WriteBatch apply;
  for (size_t i = 0; i < readies.size(); ++i) {
    if (!applied[i]) status.Update(Apply(readies[i].first, readies[i].second, &apply));
  }
  if (status.ok() && !apply.empty()) status = engine_->Write(apply, /*sync=*/false);
  if (!status.ok()) {
    CAIRN_LOG_ERROR("apply write failed, stopping the store: {}", status.ToString());
    stopping_.store(true);
  }
  if (status.ok()) {
    for (size_t i = 0; i < readies.size(); ++i) {
      if (!applied[i]) InstallSplits(readies[i].first, in_round, &deferred);
    }
  }
  for (auto& [replica, ready] : readies) {
    replica->FinishApply(ready, status);
    if (ready.snapshot.has_value()) IndexReplica(replica);  // it may have just got its span
  }
  // Replicas that were mid-Ready above are between rounds now.
  for (auto& [left, right] : deferred) InstallSplit(left, std::move(right));
  for (Replica* r : replicas) {
    if (r->HasReady()) MarkDirty(r);  // committed by this round's fsync, say
  }
  return true;
}

void Store::IndexReplica(Replica* replica) {
  if (!replica->initialized()) return;
  const std::string start = replica->descriptor().start_key();
  absl::MutexLock lock(&replicas_mu_);
  by_start_[start] = replica;
}

Replica::Wake Store::ReplicaWake() {
  return [this](Replica* replica) {
    MarkDirty(replica);
    RunRoundsHere();
  };
}

void Store::MarkDirty(Replica* replica) {
  absl::MutexLock lock(&dirty_mu_);
  dirty_.insert(replica);
}

std::vector<Replica*> Store::TakeDirty() {
  absl::MutexLock lock(&dirty_mu_);
  std::vector<Replica*> out(dirty_.begin(), dirty_.end());
  dirty_.clear();
  return out;
}

void Store::InstallSplits(Replica* left, const std::set<Replica*>& in_round,
                          std::vector<std::pair<Replica*, proto::RangeDescriptor>>* deferred) {
  for (proto::RangeDescriptor& right : left->TakeSplits()) {
    Replica* existing = GetReplica(right.range_id());
    if (existing != nullptr && in_round.contains(existing)) {
      deferred->emplace_back(left, std::move(right));
    } else {
      InstallSplit(left, std::move(right));
    }
  }
}

void Store::InstallSplit(Replica* left, proto::RangeDescriptor right) {
  const uint64_t right_id = right.range_id();
  Replica* replica = GetReplica(right_id);
  absl::Status s;
  if (replica == nullptr) {
    auto made = std::make_unique<Replica>(right, ident_.node_id(), engine_.get(),
                                          ReplicaWake());
    // New to this store (range ids are never reused): its group may elect
    // at once.
    raft::Config config = RaftConfig(right_id);
    config.first_incarnation = true;
    s = made->Init(/*bootstrap=*/false, config);
    if (s.ok()) {
      Configure(made.get());
      replica = made.get();
      absl::MutexLock lock(&replicas_mu_);
      replicas_.push_back(std::move(made));
    }
  } else if (!replica->initialized()) {
    // The new group's messages came before the split did.
    s = replica->InitFromSplit(std::move(right), RaftConfig(right_id));
  } else {
    // A snapshot of the new range can only be installed where no
    // replica's span overlaps it (HandleRaftMessages), so this is a
    // replay after a restart that had already loaded it.
    return;
  }
  if (!s.ok()) {
    // The left-hand side no longer covers the span: without the new
    // replica, this store would serve neither half correctly.
    CAIRN_LOG_ERROR("range {}: cannot create the split's replica: {}", right_id, s.ToString());
    std::abort();
  }
  IndexReplica(replica);
  // The left-hand side's leader campaigns for the right-hand side at once,
  // so that the new range is served within a round rather than after an
  // election timeout.
  if (left->is_leader() && !replica->is_leader()) replica->Campaign();
  MarkDirty(replica);
}

absl::Status Store::Apply(Replica* replica, const raft::Ready& ready, WriteBatch* apply) {
  absl::Status s = replica->ApplyReady(ready, apply);
  if (!s.ok()) CAIRN_LOG_ERROR("range {}: apply failed: {}", replica->range_id(), s.ToString());
  entries_applied_->Add(static_cast<int64_t>(ready.committed_entries.size()));
  return s;
}

}  // namespace cairn::kv
