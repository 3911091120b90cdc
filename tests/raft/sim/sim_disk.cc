#include "sim_disk.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "raft/fatal.h"

namespace cairn::raft::sim {

std::string EncodeStateMachine(const std::vector<std::string>& payloads) {
  return absl::StrJoin(payloads, "\n");
}

std::vector<std::string> DecodeStateMachine(const std::string& data) {
  if (data.empty()) return {};
  return absl::StrSplit(data, '\n');
}

void SimDisk::BeginBatch() {
  unsynced_.emplace_back();
  batch_open_ = true;
}

absl::Status SimDisk::Do(Write w) {
  absl::Status s = w(live_);
  if (!s.ok()) return s;
  if (!batch_open_) unsynced_.emplace_back();
  unsynced_.back().push_back(std::move(w));
  return s;
}

absl::Status SimDisk::InstallSnapshot(const Snapshot& snap) {
  return Do([snap](State& st) -> absl::Status {
    absl::Status s = st.log.ApplySnapshot(snap);
    if (!s.ok()) return s;
    st.sm.applied_index = snap.metadata.index;
    st.sm.payloads = DecodeStateMachine(snap.data);
    st.sm.conf_state = snap.metadata.conf_state;
    return absl::OkStatus();
  });
}

absl::Status SimDisk::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  return Do([entries](State& st) { return st.log.Append(entries); });
}

void SimDisk::SetHardState(const HardState& hs) {
  (void)Do([hs](State& st) {
    st.log.SetHardState(hs);
    return absl::OkStatus();
  });
}

void SimDisk::Apply(const Entry& entry, const ConfState& conf_state) {
  const bool payload = entry.type == EntryType::kNormal && !entry.data.empty();
  const bool conf = entry.type == EntryType::kConfChange;
  (void)Do([index = entry.index, data = payload ? entry.data : std::string(),
            payload, conf, conf_state](State& st) {
    st.sm.applied_index = index;
    if (payload) st.sm.payloads.push_back(data);
    if (conf) {
      st.sm.conf_state = conf_state;
      st.log.SetConfState(conf_state);
    }
    return absl::OkStatus();
  });
}

absl::Status SimDisk::Compact(uint64_t compact_index) {
  return Do([compact_index](State& st) -> absl::Status {
    const uint64_t applied = st.sm.applied_index;
    // The log may keep entries below the last snapshot (compaction keeps
    // a tail), so compare with the snapshot, not with FirstIndex().
    if (applied > st.log.GetSnapshot()->metadata.index) {
      absl::StatusOr<Snapshot> snap = st.log.CreateSnapshot(
          applied, st.sm.conf_state, EncodeStateMachine(st.sm.payloads));
      if (!snap.ok()) return snap.status();
    }
    if (compact_index < st.log.FirstIndex()) return absl::OkStatus();
    return st.log.Compact(compact_index);
  });
}

void SimDisk::Sync() {
  for (std::vector<Write>& batch : unsynced_) {
    for (Write& w : batch) {
      // The same writes succeeded on live_ starting from the same state.
      absl::Status s = w(durable_);
      if (!s.ok()) {
        Fatalf("sim disk: replaying a write failed: %s", s.ToString());
      }
    }
  }
  // An open batch stays open (empty) for the writes still to come.
  unsynced_.clear();
  if (batch_open_) unsynced_.emplace_back();
}

void SimDisk::Crash(size_t survivors) {
  survivors = std::min(survivors, unsynced_batches());
  unsynced_.resize(survivors);
  batch_open_ = false;
  Sync();
  live_ = durable_;
}

}  // namespace cairn::raft::sim
