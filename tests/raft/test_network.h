#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "raft/config.h"
#include "raft/memory_log_storage.h"
#include "raft/raw_node.h"
#include "raft/types.h"

// An in-process cluster for raft tests: each replica has a MemoryLogStorage,
// a RawNode and a toy state machine (the list of applied entry data). The
// network is a FIFO queue; tests cut links, take nodes down, or drop
// messages with a filter. Everything is deterministic: nodes are processed
// in id order and the only randomness is the seeded election timeout.
namespace cairn::raft::testing {

struct Replica {
  uint64_t id = 0;
  Config config;
  std::unique_ptr<MemoryLogStorage> storage;
  std::unique_ptr<RawNode> node;
  // The state machine: data of applied non-empty normal entries.
  std::vector<std::string> applied;
  uint64_t applied_index = 0;
  ConfState conf_state;
  std::vector<ReadState> read_states;
  int snapshots_applied = 0;
};

class TestNetwork {
 public:
  // A new group whose initial voters are `voters` (bootstrap snapshot).
  // `base` supplies timing and feature flags; id/storage/seed are set here.
  TestNetwork(const std::vector<uint64_t>& voters, uint64_t seed,
              Config base = Config{});
  // A network of replicas built by the test (e.g. with prepared logs).
  explicit TestNetwork(uint64_t seed) : seed_(seed) {}

  // Adds a replica over `storage` (already filled by the test).
  void AddReplica(uint64_t id, std::unique_ptr<MemoryLogStorage> storage,
                  Config base = Config{});
  // Adds a replica with empty storage: a node joining the group.
  void AddEmptyReplica(uint64_t id, Config base = Config{}) {
    AddReplica(id, std::make_unique<MemoryLogStorage>(), base);
  }
  // Crash and restart: a new RawNode over the same storage, with the
  // state machine kept at its applied index.
  void Restart(uint64_t id);

  // Handles every Ready and delivers every message until quiet.
  void Stabilize();
  // One tick on every up node, then Stabilize().
  void TickAll(int ticks = 1);
  // Ticks until some up node is leader; returns it (0 if none after
  // max_ticks).
  uint64_t TickUntilLeader(int max_ticks = 500);

  // A down node neither ticks nor sends nor receives.
  void SetDown(uint64_t id, bool down);
  void Cut(uint64_t a, uint64_t b);
  void Isolate(uint64_t id);
  void Heal();
  // Deliver each batch of messages in a random (seeded) order.
  void SetReorder(uint64_t seed) { reorder_.emplace(seed); }
  // Drop any message for which `filter` returns true.
  void SetDropFilter(std::function<bool(const Message&)> filter) {
    drop_filter_ = std::move(filter);
  }

  // The up node that is leader in the highest term (0 if none).
  uint64_t Leader() const;
  Replica& replica(uint64_t id) { return *replicas_.at(id); }
  RawNode& node(uint64_t id) { return *replicas_.at(id)->node; }
  std::vector<uint64_t> ids() const;
  // The entries stored in `id`'s storage after the snapshot.
  std::vector<Entry> StoredLog(uint64_t id) const;
  // Snapshot `id` at its applied index and compact its log there.
  void CompactLog(uint64_t id);

  // One line per node (role, term, commit, membership, progress).
  std::string DebugString() const;

  // Safety check of the whole history: whenever two nodes applied index i,
  // it was the same entry; at most one leader per term.
  void CheckSafety() const;

 private:
  bool Dropped(const Message& m) const;
  void HandleReady(Replica& r);
  void Deliver(const Message& m);

  uint64_t seed_;
  std::map<uint64_t, std::unique_ptr<Replica>> replicas_;
  std::deque<Message> queue_;
  std::set<uint64_t> down_;
  std::set<std::pair<uint64_t, uint64_t>> cut_;
  std::function<bool(const Message&)> drop_filter_;
  std::optional<std::mt19937_64> reorder_;
  // Every applied entry (index -> data with term), for CheckSafety.
  std::map<uint64_t, std::pair<uint64_t, std::string>> applied_history_;
  std::map<uint64_t, uint64_t> leader_of_term_;
  bool safety_violation_ = false;
  std::string safety_message_;
};

// State machine <-> snapshot data.
std::string EncodeStateMachine(const std::vector<std::string>& applied);
std::vector<std::string> DecodeStateMachine(const std::string& data);

}  // namespace cairn::raft::testing
