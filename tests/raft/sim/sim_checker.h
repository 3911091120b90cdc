#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "raft/memory_log_storage.h"
#include "raft/types.h"
#include "sim_disk.h"

// The safety invariants of the simulator, checked as the replicas' drivers
// report what they persist, commit and apply, and after every simulation
// step for every leader:
//
//  - Election safety: at most one leader per term.
//  - Log matching: two logs holding an entry with the same index and term
//    are identical up to it. Checked over all logs at all times: the first
//    log seen with (index, term) fixes that entry's content and the term of
//    its predecessor, and every other log (or later version of a log) must
//    agree; by induction on the index the whole prefixes then agree.
//  - Committed entries never change: every entry any replica ever knew to
//    be committed (at or below its commit index, or applied) is recorded
//    per index, and every later report must match the record.
//  - Leader completeness: a leader of term T holds every recorded committed
//    entry that was known committed in a term <= T (a replica learns of a
//    commit only from a leader of its own term or later, so the term in
//    which the commit was first seen bounds the term it happened in).
//  - State machine safety: entries are applied in index order, and every
//    replica's applied sequence is a prefix of one global history.
//
// The first violation is kept (and later ones ignored); the simulation
// stops at it.
//
// Thread safety: none.
namespace cairn::raft::sim {

class SimChecker {
 public:
  SimChecker() = default;
  SimChecker(const SimChecker&) = delete;
  SimChecker& operator=(const SimChecker&) = delete;

  // `node` became leader of `term`.
  void OnLeader(uint64_t node, uint64_t term);
  // `node` wrote `entries` to `log` (log matching).
  void OnStored(uint64_t node, const std::vector<Entry>& entries,
                const MemoryLogStorage& log);
  // `node` installed a snapshot; `sm` is its state machine afterwards.
  void OnSnapshotInstalled(uint64_t node, const Snapshot& snap,
                           const StateMachine& sm);
  // `node`, at `term`, knows that its log up to `commit` is committed.
  void OnCommit(uint64_t node, uint64_t term, uint64_t commit,
                const MemoryLogStorage& log);
  // `node`, at `term`, applies `e` on top of `before`.
  void OnApply(uint64_t node, uint64_t term, const Entry& e,
               const StateMachine& before);
  // `node` restarted from its durable state `sm`.
  void OnRestart(uint64_t node, const StateMachine& sm);
  // A node applied the membership `cs` at `index` (a conf change, or a
  // snapshot's).
  void OnMembershipApplied(uint64_t index, const ConfState& cs);
  // The membership applied at the highest index by any node so far, if
  // any: the group's membership as far as anything committed says. Unlike
  // a node's own applied state it never goes back (a crash loses unsynced
  // applies), so replica GC can trust it.
  const std::optional<ConfState>& latest_membership() const { return latest_membership_; }
  // Leader completeness for `node`, leader of `term` in incarnation
  // `incarnation`; incremental while both stay the same.
  void CheckLeader(uint64_t node, uint64_t incarnation, uint64_t term,
                   const MemoryLogStorage& log);
  // Linearizable reads: a ReadIndex request with `context` was issued now;
  // whatever answers it must cover every entry known committed now.
  void OnReadIssued(const std::string& context);
  // `node`'s driver got the answer to a read.
  void OnReadState(uint64_t node, const ReadState& rs);
  int64_t reads_checked() const { return reads_checked_; }

  // Records a violation found outside the checker (e.g. liveness).
  void Fail(std::string message);

  // Whether a normal entry with this (unique) data is known committed.
  bool IsCommitted(const std::string& data) const {
    return committed_payloads_.count(data) > 0;
  }

  bool failed() const { return violation_.has_value(); }
  const std::string& violation() const { return *violation_; }
  // The index of the last recorded committed entry.
  uint64_t max_committed() const { return committed_.size() - 1; }
  size_t history_size() const { return history_.size(); }

 private:
  struct LogEntry {  // what log matching pins down per (index, term)
    uint64_t prev_term = 0;
    EntryType type = EntryType::kNormal;
    std::string data;
  };
  struct Committed {
    uint64_t term = 0;
    EntryType type = EntryType::kNormal;
    std::string data;
    uint64_t seen_term = 0;  // term of the replica that first reported it
    uint64_t seen_by = 0;
  };
  struct LeaderCursor {
    uint64_t incarnation = 0;
    uint64_t term = 0;
    size_t next = 0;  // position in additions_ checked next
  };

  void RecordCommitted(uint64_t node, uint64_t term, const Entry& e);
  void CheckPrefixOfHistory(uint64_t node, const StateMachine& sm,
                            const char* what);

  std::optional<std::string> violation_;
  // Read context -> index known committed when the read was issued.
  std::map<std::string, uint64_t> reads_;
  int64_t reads_checked_ = 0;
  std::map<uint64_t, uint64_t> leader_of_term_;
  std::map<std::pair<uint64_t, uint64_t>, LogEntry> log_entries_;
  // Index -> committed entry (committed_[0] unused).
  std::vector<std::optional<Committed>> committed_{1};
  // Indexes in the order they were first recorded (for CheckLeader).
  std::vector<uint64_t> additions_;
  // Per node: commit index up to which its log was recorded.
  std::map<uint64_t, uint64_t> commit_cursor_;
  std::map<uint64_t, LeaderCursor> leader_cursor_;
  std::set<std::string> committed_payloads_;
  // The one history of applied payloads.
  std::vector<std::string> history_;
  std::optional<ConfState> latest_membership_;
  uint64_t latest_membership_index_ = 0;
};

}  // namespace cairn::raft::sim
