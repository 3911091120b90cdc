#include "sim_node.h"

#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "raft/conf_change.h"

namespace cairn::raft::sim {

SimNode::SimNode(const Options& options, SimChecker* checker)
    : options_(options), checker_(checker) {}

bool SimNode::Start(uint64_t raft_seed, SimTime now, SimRandom& rng) {
  const StateMachine& sm = disk_.state_machine();
  auto initial = disk_.storage().InitialState();
  term_ = initial.ok() ? initial->first.term : 0;
  commit_ = initial.ok() ? initial->first.commit : 0;
  role_ = Role::kFollower;
  ++incarnation_;
  checker_->OnRestart(id(), sm);
  Config config = options_.config;
  config.storage = &disk_.storage();
  config.applied = sm.applied_index;
  config.seed = raft_seed;
  absl::StatusOr<std::unique_ptr<RawNode>> node = RawNode::Create(config);
  if (!node.ok()) {
    checker_->Fail(absl::StrFormat("node %d: restart failed: %s", id(),
                                   node.status().ToString()));
    return false;
  }
  node_ = *std::move(node);
  busy_until_ = 0;
  // A process starts at an arbitrary phase of its tick interval.
  next_tick_ = now + rng.Range(1, kTickInterval);
  return true;
}

void SimNode::ScheduleTick(SimRandom& rng, SimTime base) {
  // Same nominal rate for every node, a per-node drift and a per-tick
  // jitter of +-5%, so timers on different nodes never run in lockstep.
  const SimTime interval = kTickInterval * options_.drift_permille / 1000;
  next_tick_ = base + interval + rng.Range(-interval / 20, interval / 20);
}

void SimNode::Tick(SimRandom& rng) {
  const SimTime now = next_tick_;
  node_->Tick();
  ScheduleTick(rng, now);
}

void SimNode::Crash(SimRandom& rng) {
  if (!up()) return;
  CrashAt(rng);
}

void SimNode::CrashAt(SimRandom& rng) {
  node_.reset();
  ++crashes_;
  armed_ = CrashPoint::kNone;
  size_t survivors = 0;
  if (rng.Chance(options_.keep_unsynced)) {
    survivors = rng.Uniform(disk_.unsynced_batches() + 1);
  }
  disk_.Crash(survivors);
  next_tick_ = kNever;
}

void SimNode::HandleReadies(SimNetwork& net, SimRandom& rng, SimTime now) {
  while (up() && !checker_->failed() && now >= busy_until_ &&
         node_->HasReady()) {
    busy_until_ = 0;
    HandleReady(net, rng, now);
  }
}

void SimNode::HandleReady(SimNetwork& net, SimRandom& rng, SimTime now) {
  Ready rd = node_->GetReady();
  const CrashPoint crash = armed_;
  if (rd.hard_state) {
    term_ = rd.hard_state->term;
    commit_ = rd.hard_state->commit;
  }
  if (rd.soft_state) {
    role_ = rd.soft_state->role;
    if (role_ == Role::kLeader) checker_->OnLeader(id(), term_);
  }

  // 1. Persist snapshot, entries, hard state: one write batch.
  disk_.BeginBatch();
  if (rd.snapshot) {
    absl::Status s = disk_.InstallSnapshot(*rd.snapshot);
    if (!s.ok()) {
      checker_->Fail(absl::StrFormat("node %d: installing snapshot: %s", id(),
                                     s.ToString()));
      return;
    }
    checker_->OnSnapshotInstalled(id(), *rd.snapshot,
                                  disk_.state_machine());
  }
  if (absl::Status s = disk_.Append(rd.entries); !s.ok()) {
    checker_->Fail(
        absl::StrFormat("node %d: appending: %s", id(), s.ToString()));
    return;
  }
  checker_->OnStored(id(), rd.entries, disk_.storage());
  if (rd.hard_state) disk_.SetHardState(*rd.hard_state);
  disk_.EndBatch();
  checker_->OnCommit(id(), term_, commit_, disk_.storage());
  if (crash == CrashPoint::kBeforeSync) return CrashAt(rng);
  if (rd.must_sync || rng.Chance(options_.extra_sync)) {
    disk_.Sync();
    if (options_.max_sync_latency > 0) {
      busy_until_ = now + rng.Range(0, options_.max_sync_latency);
    }
  }
  if (crash == CrashPoint::kBeforeSend) return CrashAt(rng);

  // 2. Send.
  const size_t send_crash =
      crash == CrashPoint::kMidSend ? rng.Uniform(rd.messages.size() + 1)
                                    : rd.messages.size() + 1;
  for (size_t i = 0; i < rd.messages.size(); ++i) {
    if (i == send_crash) return CrashAt(rng);
    net.Send(std::move(rd.messages[i]), incarnation_, now);
  }
  if (send_crash == rd.messages.size()) return CrashAt(rng);

  // 3. Apply: one write batch.
  const size_t apply_crash =
      crash == CrashPoint::kMidApply
          ? rng.Uniform(rd.committed_entries.size() + 1)
          : rd.committed_entries.size() + 1;
  disk_.BeginBatch();
  for (size_t i = 0; i < rd.committed_entries.size(); ++i) {
    if (i == apply_crash) return CrashAt(rng);
    const Entry& e = rd.committed_entries[i];
    ConfState cs = disk_.state_machine().conf_state;
    if (e.type == EntryType::kConfChange) {
      absl::StatusOr<ConfChange> cc = DecodeConfChange(e.data);
      if (!cc.ok()) {
        checker_->Fail(absl::StrFormat("node %d: entry %d: %s", id(), e.index,
                                       cc.status().ToString()));
        return;
      }
      cs = node_->ApplyConfChange(*cc);
      checker_->OnMembershipApplied(e.index, cs);
    }
    checker_->OnApply(id(), term_, e, disk_.state_machine());
    disk_.Apply(e, cs);
  }
  disk_.EndBatch();
  if (crash == CrashPoint::kMidApply || crash == CrashPoint::kBeforeAdvance) {
    return CrashAt(rng);
  }
  // 4. Answered reads (the driver would serve them once applied up to
  // their index), then done.
  for (const ReadState& rs : rd.read_states) checker_->OnReadState(id(), rs);
  node_->Advance(rd);
}

void SimNode::Compact(uint64_t keep) {
  const uint64_t applied = disk_.state_machine().applied_index;
  if (applied <= disk_.storage().FirstIndex() + keep) return;
  if (absl::Status s = disk_.Compact(applied - keep); !s.ok()) {
    checker_->Fail(
        absl::StrFormat("node %d: compacting: %s", id(), s.ToString()));
  }
}

std::string SimNode::DebugString() const {
  const StateMachine& sm = disk_.state_machine();
  const MemoryLogStorage& log = disk_.storage();
  std::string out = absl::StrFormat(
      "node %d%s inc=%d crashes=%d", id(),
      destroyed_ ? " (destroyed)" : (up() ? "" : " (down)"), incarnation_,
      crashes_);
  if (up()) {
    const Status st = node_->GetStatus();
    absl::StrAppendFormat(&out, " %s term=%d vote=%d lead=%d commit=%d",
                          RoleName(st.role), st.term, st.vote, st.lead,
                          st.commit);
  }
  absl::StrAppendFormat(
      &out,
      " applied=%d payloads=%d log=[%d,%d] unsynced=%d voters=[%s] "
      "learners=[%s]",
      sm.applied_index, sm.payloads.size(), log.FirstIndex(), log.LastIndex(),
      disk_.unsynced_batches(), absl::StrJoin(sm.conf_state.voters, ","),
      absl::StrJoin(sm.conf_state.learners, ","));
  if (up() && node_->is_leader()) {
    for (const auto& [peer, pr] : node_->GetStatus().progress) {
      absl::StrAppendFormat(&out, "\n    -> %d: %s", peer, pr.DebugString());
    }
  }
  return out;
}

}  // namespace cairn::raft::sim
