#include "kv/replica.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "kv/keys.h"
#include "kv/range_executor.h"
#include "kv/range_snapshot.h"
#include "raft/conf_change.h"

namespace cairn::kv {
namespace {

// Commands queued together are packed into one log entry up to this size:
// enough to take a round's worth of small writes, small enough that an
// entry stays far below the Raft message size limit.
constexpr size_t kMaxPackedEntryBytes = 256 * 1024;
// Where this incarnation's proposal ids start: random, so that ids of
// different nodes and of the same node before and after a restart do not
// meet (an entry proposed by another incarnation must never complete a
// waiter of this one).
uint64_t RandomProposalIdBase() {
  std::random_device rd;
  uint64_t base = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return base == 0 ? 1 : base;
}

std::string EncodeEntry(const raft::Entry& e) {
  std::string out;
  key_codec::AppendUint64(&out, e.term);
  out.push_back(static_cast<char>(e.type));
  out.append(e.data);
  return out;
}

absl::StatusOr<raft::Entry> DecodeEntry(uint64_t index, std::string_view in) {
  raft::Entry e;
  e.index = index;
  CAIRN_ASSIGN_OR_RETURN(e.term, key_codec::DecodeUint64(&in));
  if (in.empty()) return MakeError(ErrorCode::kDataCorrupted, "truncated raft entry");
  e.type = static_cast<raft::EntryType>(in[0]);
  in.remove_prefix(1);
  e.data = std::string(in);
  return e;
}

std::string EncodeHardState(const raft::HardState& hs) {
  std::string out;
  key_codec::AppendUint64(&out, hs.term);
  key_codec::AppendUint64(&out, hs.vote);
  key_codec::AppendUint64(&out, hs.commit);
  return out;
}

absl::StatusOr<raft::HardState> DecodeHardState(std::string_view in) {
  raft::HardState hs;
  CAIRN_ASSIGN_OR_RETURN(hs.term, key_codec::DecodeUint64(&in));
  CAIRN_ASSIGN_OR_RETURN(hs.vote, key_codec::DecodeUint64(&in));
  CAIRN_ASSIGN_OR_RETURN(hs.commit, key_codec::DecodeUint64(&in));
  return hs;
}

std::string EncodeConfState(const raft::ConfState& cs) {
  std::string out;
  key_codec::AppendUint32(&out, static_cast<uint32_t>(cs.voters.size()));
  for (uint64_t v : cs.voters) key_codec::AppendUint64(&out, v);
  key_codec::AppendUint32(&out, static_cast<uint32_t>(cs.learners.size()));
  for (uint64_t v : cs.learners) key_codec::AppendUint64(&out, v);
  return out;
}

absl::StatusOr<raft::ConfState> DecodeConfState(std::string_view in) {
  raft::ConfState cs;
  CAIRN_ASSIGN_OR_RETURN(uint32_t n, key_codec::DecodeUint32(&in));
  for (uint32_t i = 0; i < n; ++i) {
    CAIRN_ASSIGN_OR_RETURN(uint64_t v, key_codec::DecodeUint64(&in));
    cs.voters.push_back(v);
  }
  CAIRN_ASSIGN_OR_RETURN(n, key_codec::DecodeUint32(&in));
  for (uint32_t i = 0; i < n; ++i) {
    CAIRN_ASSIGN_OR_RETURN(uint64_t v, key_codec::DecodeUint64(&in));
    cs.learners.push_back(v);
  }
  return cs;
}

// Where the log of a range made by a split starts: as if it had applied a
// snapshot at this index and term. Both above a fresh group's (1, 1), as
// in CockroachDB, so that a message from the new group's leader never
// looks like one from an older incarnation.
constexpr uint64_t kSplitInitialIndex = 10;
constexpr uint64_t kSplitInitialTerm = 5;

// Applied state: the index and term of the last applied entry.
std::string EncodeAppliedState(uint64_t index, uint64_t term) {
  std::string out;
  key_codec::AppendUint64(&out, index);
  key_codec::AppendUint64(&out, term);
  return out;
}

}  // namespace

Replica::Replica(proto::RangeDescriptor descriptor, uint64_t replica_id, KvEngine* engine,
                 Wake wake)
    : range_id_(descriptor.range_id()),
      replica_id_(replica_id),
      engine_(engine),
      wake_(std::move(wake)),
      log_view_(&log_, [this] { return MakeSnapshot(); }),
      descriptor_(std::move(descriptor)),
      next_proposal_id_(RandomProposalIdBase()) {}

proto::RangeDescriptor Replica::descriptor() const {
  absl::ReaderMutexLock lock(&desc_mu_);
  return descriptor_;
}

void Replica::AdoptMembership(const raft::ConfState& conf_state, WriteBatch* batch) {
  std::vector<std::pair<uint64_t, bool>> members;  // id, learner
  for (uint64_t id : conf_state.voters) members.push_back({id, false});
  for (uint64_t id : conf_state.learners) members.push_back({id, true});
  std::sort(members.begin(), members.end());
  absl::MutexLock lock(&desc_mu_);
  descriptor_.clear_replicas();
  for (const auto& [id, learner] : members) {
    auto* r = descriptor_.add_replicas();
    r->set_node_id(id);  // replica ids are node ids
    r->set_store_id(id);
    r->set_replica_id(id);
    r->set_learner(learner);
  }
  batch->Put(ColumnFamily::kRaft, keys::RangeLocalKey(range_id_, keys::RangeLocalKind::kDescriptor),
             descriptor_.SerializeAsString());
}

void Replica::ProposeConfChange(raft::ConfChange change) {
  {
    absl::MutexLock lock(&mu_);
    queued_conf_changes_.push_back(change);
  }
  wake_(this);
}

void Replica::TransferLeadership(uint64_t to) {
  {
    absl::MutexLock lock(&mu_);
    queued_transfer_to_ = to;
  }
  wake_(this);
}

Replica::Membership Replica::GetMembership() const {
  absl::MutexLock lock(&mu_);
  return membership_;
}

uint64_t Replica::NodeOf(uint64_t replica_id) const {
  absl::ReaderMutexLock lock(&desc_mu_);
  for (const auto& r : descriptor_.replicas()) {
    if (r.replica_id() == replica_id) return r.node_id();
  }
  // Replica ids are node ids: a replica that has not learned its group's
  // membership yet (waiting for its first snapshot) still answers the
  // leader that wrote to it.
  return replica_id;
}

bool Replica::ListsNode(uint64_t node_id) const {
  absl::ReaderMutexLock lock(&desc_mu_);
  for (const auto& r : descriptor_.replicas()) {
    if (r.node_id() == node_id) return true;
  }
  return false;
}

bool Replica::ContainsKey(std::string_view key) const {
  if (!initialized()) return false;
  absl::ReaderMutexLock lock(&desc_mu_);
  return KeyInSpan(descriptor_, key);
}

bool Replica::ContainsSpan(std::string_view start, std::string_view end) const {
  if (!initialized()) return false;
  absl::ReaderMutexLock lock(&desc_mu_);
  const std::string& range_end = descriptor_.end_key();
  return start >= descriptor_.start_key() &&
         (range_end.empty() || (!end.empty() && end <= range_end));
}

void Replica::RaiseGcThreshold(uint64_t threshold, WriteBatch* batch) {
  if (threshold <= gc_threshold_.load()) return;
  std::string v;
  key_codec::AppendUint64(&v, threshold);
  batch->Put(ColumnFamily::kRaft, keys::RangeLocalKey(range_id_, keys::RangeLocalKind::kGcThreshold),
             v);
  // Refused from now on, a little before the batch is written: never later.
  gc_threshold_.store(threshold, std::memory_order_release);
}

void Replica::ApplySplit(const proto::SplitTrigger& split, WriteBatch* apply) {
  proto::RangeDescriptor left;
  {
    absl::MutexLock lock(&desc_mu_);
    const std::string& key = split.split_key();
    if (descriptor_.generation() != split.left_generation() || !KeyInSpan(descriptor_, key) ||
        key == descriptor_.start_key()) {
      // Overtaken by another change; every replica sees the same and skips.
      CAIRN_LOG_INFO("range {}: split at {} skipped (range changed since it was proposed)",
                     range_id_, key_codec::PrettyKey(key));
      return;
    }
    proto::RangeDescriptor right = descriptor_;
    right.set_range_id(split.right_range_id());
    right.set_start_key(key);
    right.set_generation(descriptor_.generation() + 1);
    descriptor_.set_end_key(key);
    descriptor_.set_generation(descriptor_.generation() + 1);
    left = descriptor_;
    applied_splits_.push_back(std::move(right));
  }
  const proto::RangeDescriptor& right = applied_splits_.back();
  const uint64_t right_id = right.range_id();
  apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(range_id_, keys::RangeLocalKind::kDescriptor),
             left.SerializeAsString());
  apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(right_id, keys::RangeLocalKind::kDescriptor),
             right.SerializeAsString());
  apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(right_id, keys::RangeLocalKind::kConfState),
             EncodeConfState(conf_state_));
  apply->Put(ColumnFamily::kRaft,
             keys::RangeLocalKey(right_id, keys::RangeLocalKind::kAppliedState),
             EncodeAppliedState(kSplitInitialIndex, kSplitInitialTerm));
  if (const uint64_t threshold = gc_threshold_.load(); threshold != 0) {
    // The right half's old versions were collected with the left's.
    std::string v;
    key_codec::AppendUint64(&v, threshold);
    apply->Put(ColumnFamily::kRaft,
               keys::RangeLocalKey(right_id, keys::RangeLocalKind::kGcThreshold), v);
  }
  CAIRN_LOG_INFO("range {} split at {}: range {} takes [{}, {})", range_id_,
                 key_codec::PrettyKey(right.start_key()), right_id,
                 key_codec::PrettyKey(right.start_key()),
                 right.end_key().empty() ? "end" : key_codec::PrettyKey(right.end_key()));
}

absl::Status Replica::InitFromSplit(proto::RangeDescriptor descriptor,
                                    const raft::Config& base_config) {
  {
    absl::MutexLock lock(&desc_mu_);
    descriptor_ = std::move(descriptor);
  }
  log_ = raft::MemoryLogStorage();
  node_.reset();
  CAIRN_RETURN_IF_ERROR(Init(/*bootstrap=*/false, base_config));
  initialized_.store(true, std::memory_order_release);
  return absl::OkStatus();
}

void Replica::Campaign() {
  absl::Status s = node_->Campaign();
  if (!s.ok()) CAIRN_LOG_INFO("range {}: cannot campaign: {}", range_id_, s.ToString());
}

absl::Status Replica::InitUninitialized(const raft::Config& base_config) {
  initialized_.store(false, std::memory_order_release);
  CAIRN_ASSIGN_OR_RETURN(
      auto hs, engine_->Get(ColumnFamily::kRaft,
                            keys::RangeLocalKey(range_id_, keys::RangeLocalKind::kHardState)));
  if (hs) {
    CAIRN_ASSIGN_OR_RETURN(raft::HardState hard_state, DecodeHardState(*hs));
    log_.SetHardState(hard_state);
  }
  bool had_state = hs.has_value();
  if (!hs) {
    // A replica this store had before and removed: it starts in the term
    // the old one reached, as if it had voted for itself there, so that it
    // cannot vote a second time in that term.
    CAIRN_ASSIGN_OR_RETURN(
        auto tombstone,
        engine_->Get(ColumnFamily::kRaft,
                     keys::RangeLocalKey(range_id_, keys::RangeLocalKind::kTombstone)));
    if (tombstone) {
      std::string_view in = *tombstone;
      CAIRN_ASSIGN_OR_RETURN(uint64_t term, key_codec::DecodeUint64(&in));
      log_.SetHardState(raft::HardState{.term = term, .vote = replica_id_});
      had_state = true;
    }
  }
  raft::Config config = base_config;
  config.id = replica_id_;
  config.storage = &log_view_;
  config.applied = 0;
  config.first_incarnation = !had_state;
  CAIRN_ASSIGN_OR_RETURN(node_, raft::RawNode::Create(config));
  return absl::OkStatus();
}

absl::Status Replica::Init(bool bootstrap, const raft::Config& base_config) {
  const uint64_t id = range_id();
  raft::ConfState conf_state;
  uint64_t applied_term = 0;
  if (bootstrap) {
    const proto::RangeDescriptor descriptor = this->descriptor();
    for (const auto& r : descriptor.replicas()) conf_state.voters.push_back(r.replica_id());
    std::sort(conf_state.voters.begin(), conf_state.voters.end());
    WriteBatch batch;
    batch.Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kConfState),
              EncodeConfState(conf_state));
    batch.Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kDescriptor),
              descriptor.SerializeAsString());
    // A new group starts from a snapshot at index 1, term 1 that holds its
    // membership (raft/bootstrap.h): the applied state says just that.
    batch.Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kAppliedState),
              EncodeAppliedState(1, 1));
    applied_index_ = 1;
    applied_term = 1;
    CAIRN_RETURN_IF_ERROR(engine_->Write(batch, /*sync=*/true));
  } else {
    CAIRN_ASSIGN_OR_RETURN(
        auto cs, engine_->Get(ColumnFamily::kRaft,
                              keys::RangeLocalKey(id, keys::RangeLocalKind::kConfState)));
    if (!cs) return MakeError(ErrorCode::kDataCorrupted, "range without conf state");
    CAIRN_ASSIGN_OR_RETURN(conf_state, DecodeConfState(*cs));
    CAIRN_ASSIGN_OR_RETURN(
        auto applied, engine_->Get(ColumnFamily::kRaft, keys::RangeLocalKey(
                                                            id, keys::RangeLocalKind::kAppliedState)));
    if (applied) {
      std::string_view in = *applied;
      CAIRN_ASSIGN_OR_RETURN(applied_index_, key_codec::DecodeUint64(&in));
      CAIRN_ASSIGN_OR_RETURN(applied_term, key_codec::DecodeUint64(&in));
    }
    CAIRN_ASSIGN_OR_RETURN(
        auto tso, engine_->Get(ColumnFamily::kRaft,
                               keys::RangeLocalKey(id, keys::RangeLocalKind::kTsoHighWater)));
    if (tso) {
      std::string_view in = *tso;
      CAIRN_ASSIGN_OR_RETURN(uint64_t hwm, key_codec::DecodeUint64(&in));
      tso_high_water_ms_.store(hwm);
    }
    CAIRN_ASSIGN_OR_RETURN(
        auto gc, engine_->Get(ColumnFamily::kRaft,
                              keys::RangeLocalKey(id, keys::RangeLocalKind::kGcThreshold)));
    if (gc) {
      std::string_view in = *gc;
      CAIRN_ASSIGN_OR_RETURN(uint64_t threshold, key_codec::DecodeUint64(&in));
      gc_threshold_.store(threshold);
    }
  }

  // The applied state is the snapshot the in-memory log starts from.
  raft::Snapshot base;
  base.metadata.index = applied_index_;
  base.metadata.term = applied_term;
  base.metadata.conf_state = conf_state;
  CAIRN_RETURN_IF_ERROR(log_.ApplySnapshot(base));

  if (!bootstrap) {
    // Entries after the applied index, then the hard state.
    std::vector<raft::Entry> entries;
    auto snapshot = engine_->NewSnapshot();
    std::string prefix = keys::RangeLocalKey(id, keys::RangeLocalKind::kLogEntry);
    auto it = snapshot->NewIterator(ColumnFamily::kRaft, prefix, key_codec::PrefixEnd(prefix));
    persisted_log_first_ = applied_index_ + 1;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view k = it->key();
      k.remove_prefix(prefix.size());
      CAIRN_ASSIGN_OR_RETURN(uint64_t index, key_codec::DecodeUint64(&k));
      if (index <= applied_index_) {
        // Applied before the restart but not yet compacted away: the next
        // compaction deletes it.
        persisted_log_first_ = std::min(persisted_log_first_, index);
        continue;
      }
      CAIRN_ASSIGN_OR_RETURN(raft::Entry e, DecodeEntry(index, it->value()));
      entries.push_back(std::move(e));
    }
    CAIRN_RETURN_IF_ERROR(it->status());
    if (!entries.empty()) CAIRN_RETURN_IF_ERROR(log_.Append(entries));
    CAIRN_ASSIGN_OR_RETURN(
        auto hs, snapshot->Get(ColumnFamily::kRaft,
                               keys::RangeLocalKey(id, keys::RangeLocalKind::kHardState)));
    raft::HardState hard_state;
    if (hs) {
      CAIRN_ASSIGN_OR_RETURN(hard_state, DecodeHardState(*hs));
    }
    // What is applied is committed, in a term at least the applied one. A
    // range made by a split starts from its applied state alone, or with
    // the vote its replica cast before the split reached it.
    if (hard_state.term < applied_term) hard_state = raft::HardState{.term = applied_term};
    hard_state.commit = std::max(hard_state.commit, applied_index_);
    log_.SetHardState(hard_state);
  }

  conf_state_ = conf_state;
  applied_term_ = applied_term;
  raft::Config config = base_config;
  config.id = replica_id_;
  config.storage = &log_view_;
  config.applied = applied_index_;
  config.first_incarnation |= bootstrap;
  CAIRN_ASSIGN_OR_RETURN(node_, raft::RawNode::Create(config));
  if (conf_state.voters.size() == 1 && conf_state.voters[0] == replica_id_) {
    // A single voter needs no election timeout to lead.
    CAIRN_RETURN_IF_ERROR(node_->Campaign());
  }
  return absl::OkStatus();
}

absl::Status Replica::WaitServing(int64_t timeout_ms) {
  absl::MutexLock lock(&mu_);
  absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (!serving_.load()) {
    if (serving_cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  if (serving_.load()) return absl::OkStatus();
  return MakeError(ErrorCode::kUnavailable,
                   absl::StrCat("range ", range_id(), " has no serving leader"));
}

absl::Status Replica::ProposeAndWait(proto::RaftCommand command) {
  static Counter* const proposals = MetricRegistry::Global().GetCounter(
      "cairn_raft_proposals_total", "Commands proposed to Raft groups led here");
  proposals->Add();
  auto waiter = std::make_shared<Waiter>();
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return MakeError(ErrorCode::kUnavailable, "store is shutting down");
    uint64_t id = next_proposal_id_++;
    command.add_proposal_ids(id);
    queued_.push_back({.id = id,
                       .data = command.SerializeAsString(),
                       .packable = command.tso_high_water_ms() == 0 && !command.has_split() &&
                                   command.gc_threshold() == 0});
    waiters_[id] = waiter;
  }
  wake_(this);
  waiter->done.WaitForNotification();
  return waiter->status;
}

void Replica::FailAllWaiters(const absl::Status& status) {
  for (auto& [id, waiter] : waiters_) {
    waiter->status = status;
    waiter->done.Notify();
  }
  waiters_.clear();
  queued_.clear();
}

void Replica::Tick() {
  node_->Tick();
  ++ticks_;
  if (lease_clock_ != nullptr) {
    tick_micros_[ticks_ % kTickHistory] = lease_clock_->MonotonicMicros();
  }
  UpdateLease();
}

void Replica::UpdateLease() {
  if (lease_clock_ == nullptr) return;
  const uint64_t left = node_->LeaseTicksLeft();
  const uint64_t length = node_->LeaseLengthTicks();
  if (left < 2 || left > length) {
    lease_until_us_.store(0, std::memory_order_release);
    return;
  }
  // The lease runs from the tick the acknowledged heartbeat was sent at,
  // in real time: ticks stand still while the node is stopped, time does
  // not. It ends at the tick boundary when its last tick is used up; the
  // next boundary may come at once, so count one tick fewer.
  const uint64_t anchor_age = length - left;
  if (anchor_age >= kTickHistory || anchor_age > ticks_) {
    lease_until_us_.store(0, std::memory_order_release);
    return;
  }
  const uint64_t anchor_us = tick_micros_[(ticks_ - anchor_age) % kTickHistory];
  const uint64_t by_ticks = anchor_us + (length - 1) * tick_us_;
  const uint64_t now = lease_clock_->MonotonicMicros();
  const uint64_t until = std::min(by_ticks, now + (left - 1) * tick_us_);
  lease_until_us_.store(until, std::memory_order_release);
}

bool Replica::HoldsLease() const {
  if (!IsServing()) return false;
  if (lease_clock_ == nullptr) return true;
  return lease_clock_->MonotonicMicros() < lease_until_us_.load(std::memory_order_acquire);
}

absl::Status Replica::WaitForLease(int64_t timeout_ms) const {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (!HoldsLease()) {
    // No longer the leader (or handing leadership over): the lease will
    // not come back here; the client should look for the new leader now.
    if (!IsServing() || absl::Now() > deadline) {
      return MakeError(ErrorCode::kRangeNotHere,
                       absl::StrCat("range ", range_id(), ": no valid lease here"));
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  return absl::OkStatus();
}

void Replica::Deliver(raft::Message message) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    inbox_.push_back(std::move(message));
  }
}

void Replica::StepInbox() {
  std::vector<raft::Message> messages;
  {
    absl::MutexLock lock(&mu_);
    messages.swap(inbox_);
  }
  absl::Cleanup update_lease = [this] { UpdateLease(); };  // acks renew it
  for (raft::Message& m : messages) {
    switch (m.type) {
      case raft::MessageType::kUnreachable:
        node_->ReportUnreachable(m.from);
        break;
      case raft::MessageType::kSnapshotStatus:
        node_->ReportSnapshot(m.from, !m.reject);
        break;
      default:
        // Errors here are messages raft/ refuses from the network (local
        // types); the transport never produces them.
        (void)node_->Step(m);
    }
  }
}

void Replica::Shutdown() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  serving_.store(false);
  FailAllWaiters(MakeError(ErrorCode::kUnavailable, "store is shutting down"));
  serving_cv_.SignalAll();
}

void Replica::DrainProposals() {
  std::deque<Proposal> proposals;
  std::vector<raft::ConfChange> conf_changes;
  uint64_t transfer_to = 0;
  {
    absl::MutexLock lock(&mu_);
    proposals.swap(queued_);
    conf_changes.swap(queued_conf_changes_);
    transfer_to = std::exchange(queued_transfer_to_, 0);
  }
  if (transfer_to != 0 && node_->is_leader()) node_->TransferLeader(transfer_to);
  for (const raft::ConfChange& cc : conf_changes) {
    absl::Status s = node_->ProposeConfChange(cc);
    if (!s.ok()) CAIRN_LOG_INFO("range {}: conf change not proposed: {}", range_id(), s.ToString());
  }
  // Each entry costs every replica a log write, a memtable insert and later
  // a delete, and the leader its bookkeeping, whatever its size: commands
  // that queued up while the loop was busy share one.
  std::vector<uint64_t> ids;
  for (size_t next = 0; next < proposals.size();) {
    ids.clear();
    std::string entry = std::move(proposals[next].data);
    ids.push_back(proposals[next].id);
    bool packable = proposals[next].packable;
    ++next;
    while (packable && next < proposals.size() && proposals[next].packable &&
           entry.size() + proposals[next].data.size() <= kMaxPackedEntryBytes) {
      entry.append(proposals[next].data);
      ids.push_back(proposals[next].id);
      ++next;
    }
    absl::Status s = node_->Propose(std::move(entry));
    if (!s.ok()) FailProposals(ids, s);
  }
}

void Replica::FailProposals(const std::vector<uint64_t>& ids, const absl::Status& cause) {
  const uint64_t leader_node = NodeOf(node_->leader());
  // Raft refused these before appending them (not the leader, handing
  // leadership over, removed): they are certainly not applied, so the
  // routing client may send them again to whoever leads now.
  absl::Status status = MakeError(
      ErrorCode::kRangeNotHere,
      absl::StrCat("range ", range_id(), ": ", cause.message(),
                   leader_node != 0 ? absl::StrCat(" (leader: node ", leader_node, ")") : ""));
  absl::MutexLock lock(&mu_);
  for (uint64_t id : ids) {
    auto it = waiters_.find(id);
    if (it == waiters_.end()) continue;
    it->second->status = status;
    it->second->done.Notify();
    waiters_.erase(it);
  }
}

bool Replica::HasReady() { return node_->HasReady(); }

raft::Ready Replica::TakeReady(WriteBatch* persist) {
  raft::Ready ready = node_->GetReady();
  const uint64_t id = range_id();
  if (ready.snapshot) {
    absl::Status s = StageSnapshot(*ready.snapshot, persist);
    if (!s.ok()) {
      // Installing it is what Raft asked for and cannot be skipped.
      CAIRN_LOG_ERROR("range {}: cannot stage snapshot: {}", id, s.ToString());
      std::abort();
    }
  }
  for (const raft::Entry& e : ready.entries) {
    persist->Put(ColumnFamily::kRaft, keys::RaftLogKey(id, e.index), EncodeEntry(e));
  }
  if (ready.hard_state) {
    persist->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kHardState),
                 EncodeHardState(*ready.hard_state));
  }
  return ready;
}

bool Replica::CanApplyBeforePersist(const raft::Ready& ready) const {
  if (ready.committed_entries.empty() || ready.snapshot.has_value() ||
      ready.soft_state.has_value() || !node_->is_leader()) {
    return false;
  }
  return ready.entries.empty() ||
         ready.committed_entries.back().index < ready.entries.front().index;
}

absl::Status Replica::ApplyReady(const raft::Ready& ready, WriteBatch* apply) {
  applying_ = true;  // until FinishApply: the engine lags applied_index_
  if (ready.snapshot) {
    // The data went to the engine with the persisted batch; the in-memory
    // log keeps only the metadata.
    raft::Snapshot meta_only{.metadata = ready.snapshot->metadata};
    CAIRN_RETURN_IF_ERROR(log_.ApplySnapshot(meta_only));
    applied_index_ = meta_only.metadata.index;
    applied_term_ = meta_only.metadata.term;
    last_term_seen_ = applied_term_;
    conf_state_ = meta_only.metadata.conf_state;
    persisted_log_first_ = applied_index_ + 1;
    if (pending_tso_high_water_ms_ == 0) pending_tso_high_water_ms_ = snapshot_tso_high_water_ms_;
  }
  if (!ready.entries.empty()) CAIRN_RETURN_IF_ERROR(log_.Append(ready.entries));
  if (ready.hard_state) log_.SetHardState(*ready.hard_state);
  if (ready.soft_state) leader_replica_id_.store(ready.soft_state->lead);
  if (ready.soft_state && ready.soft_state->role != raft::Role::kLeader) {
    serving_.store(false, std::memory_order_release);
    absl::MutexLock lock(&mu_);
    FailAllWaiters(MakeError(ErrorCode::kUnavailable,
                             absl::StrCat("range ", range_id(), " lost its leader")));
  }
  const uint64_t id = range_id();
  completed_ids_.clear();
  for (const raft::Entry& e : ready.committed_entries) {
    applied_index_ = e.index;
    applied_term_ = e.term;
    if (e.type == raft::EntryType::kConfChange) {
      CAIRN_ASSIGN_OR_RETURN(raft::ConfChange cc, raft::DecodeConfChange(e.data));
      conf_state_ = node_->ApplyConfChange(cc);
      log_.SetConfState(conf_state_);
      apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kConfState),
                 EncodeConfState(conf_state_));
      AdoptMembership(conf_state_, apply);
      continue;
    }
    if (e.data.empty()) continue;  // a new leader's empty entry
    proto::RaftCommand command;
    if (!command.ParseFromString(e.data)) {
      return MakeError(ErrorCode::kDataCorrupted,
                       absl::StrCat("unparsable raft command at index ", e.index));
    }
    for (const proto::EngineMutation& m : command.mutations()) {
      auto cf = static_cast<ColumnFamily>(m.cf());
      if (m.is_delete()) {
        apply->Delete(cf, m.key());
      } else {
        apply->Put(cf, m.key(), m.value());
      }
    }
    if (command.has_split()) ApplySplit(command.split(), apply);
    if (command.gc_threshold() != 0) RaiseGcThreshold(command.gc_threshold(), apply);
    if (command.tso_high_water_ms() != 0) {
      std::string v;
      key_codec::AppendUint64(&v, command.tso_high_water_ms());
      apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kTsoHighWater),
                 v);
      pending_tso_high_water_ms_ = command.tso_high_water_ms();
    }
    completed_ids_.insert(completed_ids_.end(), command.proposal_ids().begin(),
                          command.proposal_ids().end());
    if (apply_observer_) apply_observer_(id, e.index, command);
  }
  if (!ready.committed_entries.empty()) {
    apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kAppliedState),
               EncodeAppliedState(applied_index_, applied_term_));
    if (ready.hard_state) {
      apply->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kHardState),
                 EncodeHardState(*ready.hard_state));
    }
    last_term_seen_ = applied_term_;
  }
  return absl::OkStatus();
}

void Replica::CompleteProposals(const absl::Status& apply_status) {
  // Published first: a proposer of a high-water mark reads it once answered,
  // and a proposer may read as soon as it is answered.
  if (apply_status.ok() && pending_tso_high_water_ms_ != 0) {
    tso_high_water_ms_.store(pending_tso_high_water_ms_);
  }
  pending_tso_high_water_ms_ = 0;
  raft::Status status = node_->GetStatus();
  bool leader = status.role == raft::Role::kLeader;
  // Serving once the leader has applied an entry of its own term: every
  // entry committed before it has then been applied too.
  bool serving = leader && apply_status.ok() && last_term_seen_ == status.term;
  if (completed_ids_.empty() && serving == serving_.load()) return;
  absl::MutexLock lock(&mu_);
  if (serving != serving_.load()) {
    if (serving) serving_term_.store(status.term, std::memory_order_release);
    serving_.store(serving, std::memory_order_release);
    serving_cv_.SignalAll();
  }
  for (uint64_t pid : completed_ids_) {
    auto it = waiters_.find(pid);
    if (it == waiters_.end()) continue;  // proposed before a restart, or by another node
    it->second->status = apply_status;
    it->second->done.Notify();
    waiters_.erase(it);
  }
  completed_ids_.clear();
}

void Replica::FinishApply(const raft::Ready& ready, const absl::Status& apply_status) {
  applying_ = false;
  node_->Advance(ready);
  CompleteProposals(apply_status);
  UpdateMembership();
  UpdateLease();

  if (apply_status.ok()) MaybeCompactLog();
}

void Replica::UpdateMembership() {
  Membership m;
  if (node_->is_leader()) {
    raft::Status status = node_->GetStatus();
    m.voters = conf_state_.voters;
    m.learners = conf_state_.learners;
    for (const auto& [id, pr] : status.progress) {
      m.match[id] = pr.match;
      if (pr.recent_active) m.active.insert(id);
    }
    m.commit = status.commit;
    m.conf_change_pending = status.conf_change_pending;
  }
  absl::MutexLock lock(&mu_);
  membership_ = std::move(m);
}

void Replica::MaybeCompactLog() {
  // Fold the applied prefix of the log into the applied state, every
  // compaction_interval_ entries. A leader keeps the entries that a
  // follower still needs, up to max_retained_lag_ behind its applied index:
  // a follower back from a short outage (or a partition) catches up from
  // the log, one further behind gets a snapshot, and one down for good
  // holds back at most that many entries.
  if (applied_index_ < log_.FirstIndex() + compaction_interval_) return;
  uint64_t compact_to = applied_index_;
  raft::Status status = node_->GetStatus();
  for (const auto& [id, pr] : status.progress) {
    if (id == replica_id_ || pr.match >= compact_to) continue;
    if (applied_index_ - pr.match <= max_retained_lag_) compact_to = std::min(compact_to, pr.match);
  }
  if (compact_to < log_.FirstIndex()) return;
  if (!log_.Compact(compact_to).ok()) return;
  WriteBatch batch;
  for (uint64_t i = persisted_log_first_; i <= compact_to; ++i) {
    batch.Delete(ColumnFamily::kRaft, keys::RaftLogKey(range_id(), i));
  }
  // Unsynced is enough: the write-ahead log keeps batches in order, so
  // these deletes never survive a crash that lost the apply before them.
  absl::Status s = engine_->Write(batch, /*sync=*/false);
  if (s.ok()) {
    persisted_log_first_ = compact_to + 1;
  } else {
    CAIRN_LOG_WARN("range {}: log compaction failed: {}", range_id(), s.ToString());
  }
}

absl::StatusOr<raft::Snapshot> Replica::MakeSnapshot() const {
  // Between ApplyReady and FinishApply the engine lags applied_index_ (the
  // apply batch is not written yet); Raft can ask then, from a conf change
  // being applied. It retries later.
  if (applying_) return raft::SnapshotTemporarilyUnavailableError();
  raft::Snapshot snap;
  snap.metadata.index = applied_index_;
  snap.metadata.term = applied_term_;
  snap.metadata.conf_state = conf_state_;
  std::unique_ptr<EngineSnapshot> view = engine_->NewSnapshot();
  CAIRN_ASSIGN_OR_RETURN(
      snap.data,
      BuildRangeSnapshot(*view, RangeSnapshotState{.tso_high_water_ms = tso_high_water_ms_,
                                                   .range = descriptor(),
                                                   .gc_threshold = gc_threshold_.load()}));
  return snap;
}

absl::Status Replica::StageSnapshot(const raft::Snapshot& snapshot, WriteBatch* persist) {
  const uint64_t id = range_id();
  std::unique_ptr<EngineSnapshot> current = engine_->NewSnapshot();
  CAIRN_ASSIGN_OR_RETURN(RangeSnapshotState state,
                         StageRangeSnapshot(*current, snapshot.data, persist));
  if (state.range.range_id() != id) {
    return MakeError(
        ErrorCode::kDataCorrupted,
        absl::StrCat("snapshot of range ", state.range.range_id(), " sent to range ", id));
  }
  {
    absl::MutexLock lock(&desc_mu_);
    descriptor_ = state.range;
  }
  AdoptMembership(snapshot.metadata.conf_state, persist);
  initialized_.store(true, std::memory_order_release);
  // The whole old log is superseded.
  std::string prefix = keys::RangeLocalKey(id, keys::RangeLocalKind::kLogEntry);
  auto it = current->NewIterator(ColumnFamily::kRaft, prefix, key_codec::PrefixEnd(prefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    persist->Delete(ColumnFamily::kRaft, std::string(it->key()));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  const raft::SnapshotMetadata& meta = snapshot.metadata;
  persist->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kAppliedState),
               EncodeAppliedState(meta.index, meta.term));
  persist->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kConfState),
               EncodeConfState(meta.conf_state));
  if (state.tso_high_water_ms != 0) {
    std::string v;
    key_codec::AppendUint64(&v, state.tso_high_water_ms);
    persist->Put(ColumnFamily::kRaft, keys::RangeLocalKey(id, keys::RangeLocalKind::kTsoHighWater),
                 v);
  }
  snapshot_tso_high_water_ms_ = state.tso_high_water_ms;
  RaiseGcThreshold(state.gc_threshold, persist);
  return absl::OkStatus();
}

}  // namespace cairn::kv
