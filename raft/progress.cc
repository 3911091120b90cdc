#include "raft/progress.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace cairn::raft {

void Progress::ResetState(ProgressState new_state) {
  probe_sent = false;
  pending_snapshot = 0;
  state = new_state;
  inflights.Reset();
}

void Progress::BecomeProbe() {
  // After a snapshot the follower holds at least the snapshot's entries.
  if (state == ProgressState::kSnapshot) {
    const uint64_t pending = pending_snapshot;
    ResetState(ProgressState::kProbe);
    next = std::max(match + 1, pending + 1);
  } else {
    ResetState(ProgressState::kProbe);
    next = match + 1;
  }
}

void Progress::BecomeReplicate() {
  ResetState(ProgressState::kReplicate);
  next = match + 1;
}

void Progress::BecomeSnapshot(uint64_t snapshot_index) {
  ResetState(ProgressState::kSnapshot);
  pending_snapshot = snapshot_index;
}

bool Progress::MaybeUpdate(uint64_t index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, index + 1);
  return updated;
}

bool Progress::MaybeDecrTo(uint64_t rejected, uint64_t match_hint) {
  if (state == ProgressState::kReplicate) {
    // Stale: that append was already acknowledged.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // Probe: only the answer to the outstanding probe counts.
  if (next - 1 != rejected) return false;
  next = std::max<uint64_t>(std::min(rejected, match_hint + 1), 1);
  probe_sent = false;
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe: return probe_sent;
    case ProgressState::kReplicate: return inflights.Full();
    case ProgressState::kSnapshot: return true;
  }
  return true;
}

std::string Progress::DebugString() const {
  static constexpr const char* kStates[] = {"probe", "replicate", "snapshot"};
  return absl::StrFormat(
      "%s match=%d next=%d%s%s%s", kStates[static_cast<int>(state)], match,
      next, is_learner ? " learner" : "",
      pending_snapshot ? absl::StrFormat(" pending_snap=%d", pending_snapshot)
                       : "",
      inflights.Count() ? absl::StrFormat(" inflight=%d", inflights.Count())
                        : "");
}

}  // namespace cairn::raft
