#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "raft/config.h"
#include "raft/raw_node.h"
#include "raft/types.h"
#include "sim_checker.h"
#include "sim_disk.h"
#include "sim_network.h"
#include "sim_random.h"

// One simulated replica process: a RawNode, its SimDisk, and the driver loop
// of raft/raw_node.h that connects them to the SimNetwork. It follows the
// RawNode contract to the letter (persist, fsync when must_sync, then send,
// then apply, then Advance), so any safety violation the checker finds is
// raft's fault, not the driver's.
//
// The process can crash: at once (between steps), or at an armed point
// inside the handling of its next Ready (after writing but before the
// fsync, after the fsync but before sending, part-way through sending or
// applying, before Advance). A crash loses what was not fsynced (SimDisk);
// Restart() builds a new RawNode over the durable state, as a real process
// restart would.
//
// Thread safety: none.
namespace cairn::raft::sim {

enum class CrashPoint : uint8_t {
  kNone,
  kBeforeSync,
  kBeforeSend,
  kMidSend,
  kMidApply,
  kBeforeAdvance,
};

class SimNode {
 public:
  // Driver behaviour fixed for a run.
  struct Options {
    Config config;  // id, timing and features; storage/applied/seed set here
    double extra_sync = 0;  // chance of an fsync no Ready asked for
    // Chance that a crash keeps some complete unsynced write batches.
    double keep_unsynced = 0;
    // This node's clock rate relative to nominal, in 1/1000 (e.g. 950..1050).
    int64_t drift_permille = 1000;
    // An fsync keeps the disk busy for up to this long. Meanwhile the node
    // keeps stepping messages and ticking, and its next Ready collects all
    // of it (a pipelined driver), which exercises raft's unstable log.
    SimTime max_sync_latency = 0;
  };

  // A replica with empty storage, not yet started (fill disk(), then
  // Start()).
  SimNode(const Options& options, SimChecker* checker);
  SimNode(const SimNode&) = delete;
  SimNode& operator=(const SimNode&) = delete;

  SimDisk& disk() { return disk_; }
  const SimDisk& disk() const { return disk_; }

  // Starts (or restarts) the process over the durable state. Returns false
  // (after telling the checker) if RawNode refuses the storage.
  bool Start(uint64_t raft_seed, SimTime now, SimRandom& rng);
  // Power loss now.
  void Crash(SimRandom& rng);
  // Crash at `point` while handling the next Ready.
  void ArmCrash(CrashPoint point) { armed_ = point; }
  CrashPoint armed() const { return armed_; }
  // Takes the process away for good (replica GC after removal).
  void Destroy() {
    node_.reset();
    destroyed_ = true;
  }

  // Handles Ready batches until there are none (or the node crashed, or
  // its disk is busy with an fsync).
  void HandleReadies(SimNetwork& net, SimRandom& rng, SimTime now);
  // When a busy disk frees up with a Ready waiting (kNever: not waiting).
  SimTime next_wakeup() const {
    return up() && busy_until_ != 0 && node_->HasReady() ? busy_until_
                                                         : kNever;
  }
  // Whether the driver has handled everything raft produced; only then is
  // the whole log in storage, where the checker looks.
  bool settled() const { return up() && !node_->HasReady(); }
  // Snapshots the state machine and compacts the log, keeping `keep`
  // applied entries.
  void Compact(uint64_t keep);
  // Advances the election/heartbeat timer and schedules the next tick.
  void Tick(SimRandom& rng);

  uint64_t id() const { return options_.config.id; }
  bool up() const { return node_ != nullptr; }
  bool destroyed() const { return destroyed_; }
  uint64_t incarnation() const { return incarnation_; }
  // REQUIRES: up().
  RawNode& raw() { return *node_; }
  SimTime next_tick() const { return up() ? next_tick_ : kNever; }
  uint64_t term() const { return term_; }
  uint64_t commit() const { return commit_; }
  Role role() const { return role_; }
  bool is_leader() const { return up() && role_ == Role::kLeader; }
  int crashes() const { return crashes_; }

  std::string DebugString() const;

 private:
  void HandleReady(SimNetwork& net, SimRandom& rng, SimTime now);
  // The process dies; the disk keeps what it keeps.
  void CrashAt(SimRandom& rng);
  void ScheduleTick(SimRandom& rng, SimTime base);

  const Options options_;
  SimChecker* const checker_;  // not owned
  SimDisk disk_;
  std::unique_ptr<RawNode> node_;  // null while down
  uint64_t incarnation_ = 0;
  bool destroyed_ = false;
  CrashPoint armed_ = CrashPoint::kNone;
  int crashes_ = 0;

  // What the driver learnt from Ready (RawNode reports only changes).
  uint64_t term_ = 0;
  uint64_t commit_ = 0;
  Role role_ = Role::kFollower;

  SimTime next_tick_ = kNever;
  SimTime busy_until_ = 0;  // the disk is busy with an fsync until then
};

// Nominal time between two ticks of a replica (10 ms).
inline constexpr SimTime kTickInterval = 10000;

}  // namespace cairn::raft::sim
