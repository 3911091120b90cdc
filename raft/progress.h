#pragma once

#include <cstdint>
#include <string>

#include "raft/inflights.h"

// The leader's view of one follower (or learner): how much of the log it is
// known to hold (`match`) and what to send next (`next`).
//
//  kProbe:     the leader does not know where the logs agree; it sends one
//              append at a time and waits for the answer (rejections walk
//              `next` back, using the follower's hint).
//  kReplicate: the logs agree up to `match`; appends are streamed
//              optimistically, bounded by `inflights`.
//  kSnapshot:  the follower needs entries the leader compacted; a snapshot
//              at `pending_snapshot` is on its way and nothing else is sent.
//
// Thread safety: none.
namespace cairn::raft {

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };

class Progress {
 public:
  Progress(uint64_t next, size_t max_inflight, bool is_learner)
      : next(next), is_learner(is_learner), inflights(max_inflight) {}

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);

  // An append up to `index` was acknowledged. Returns whether match grew.
  bool MaybeUpdate(uint64_t index);
  // Replicate state: an append ending at `last` was just sent.
  void OptimisticUpdate(uint64_t last) { next = last + 1; }
  // The follower rejected an append at `rejected`; `match_hint` is where
  // the logs may agree. Returns false for a stale rejection.
  bool MaybeDecrTo(uint64_t rejected, uint64_t match_hint);
  // Whether the leader must hold back appends to this follower.
  bool IsPaused() const;

  std::string DebugString() const;

  uint64_t match = 0;
  uint64_t next = 1;
  ProgressState state = ProgressState::kProbe;
  uint64_t pending_snapshot = 0;
  // Heard from since the last check-quorum round.
  bool recent_active = false;
  // Probe state: an append is outstanding; wait for its answer or a
  // heartbeat response before sending another.
  bool probe_sent = false;
  bool is_learner = false;
  Inflights inflights;

 private:
  void ResetState(ProgressState state);
};

}  // namespace cairn::raft
