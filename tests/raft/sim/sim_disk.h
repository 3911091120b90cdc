#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "raft/memory_log_storage.h"
#include "raft/types.h"

// The simulated disk of one replica: its Raft log (a MemoryLogStorage) and
// its state machine, with the difference between data that was written and
// data that was fsynced made explicit.
//
// A write is visible to reads at once (the page cache), but durable only
// after Sync(). Crash() throws away the unsynced writes. Writes come in
// atomic batches, like RocksDB write batches (a driver writes one batch per
// Ready step, DESIGN.md): a crash may keep the first few complete unsynced
// batches (the WAL reached the disk without an fsync), never part of a
// batch and never a later batch without the earlier ones. The model keeps
// `live` (what reads see) and `durable` (what survives) plus the unsynced
// batches in between; live == durable + unsynced, always.
//
// The state machine is the toy one of tests/raft/test_network.h: the data of
// the applied non-empty normal entries, in order. It is written through the
// same ordered stream as the log, like a KV engine that keeps its applied
// index and the Raft log in one RocksDB, so after a crash the durable
// applied index never runs ahead of the durable log.
//
// Thread safety: none.
namespace cairn::raft::sim {

struct StateMachine {
  uint64_t applied_index = 0;
  std::vector<std::string> payloads;  // data of applied normal entries
  ConfState conf_state;               // membership as of applied_index
};

// State machine <-> snapshot data (payloads never contain '\n').
std::string EncodeStateMachine(const std::vector<std::string>& payloads);
std::vector<std::string> DecodeStateMachine(const std::string& data);

class SimDisk {
 public:
  SimDisk() = default;
  SimDisk(const SimDisk&) = delete;
  SimDisk& operator=(const SimDisk&) = delete;

  // What raft reads (written data, synced or not).
  const MemoryLogStorage& storage() const { return live_.log; }
  const StateMachine& state_machine() const { return live_.sm; }

  // Writes between BeginBatch() and EndBatch() form one atomic batch; a
  // write outside a batch is a batch of its own.
  void BeginBatch();
  void EndBatch() { batch_open_ = false; }

  // Writes. Each fails (with the storage's error) when the driver asks for
  // something the storage refuses; the caller reports that as a bug.
  // Replaces log and state machine by a snapshot, atomically.
  [[nodiscard]] absl::Status InstallSnapshot(const Snapshot& snap);
  [[nodiscard]] absl::Status Append(const std::vector<Entry>& entries);
  void SetHardState(const HardState& hs);
  // Applies one committed entry; `conf_state` is the membership after it
  // (changed only by a conf change).
  void Apply(const Entry& entry, const ConfState& conf_state);
  // Snapshots the state machine at its applied index and drops the log up
  // to compact_index. REQUIRES: compact_index <= applied index.
  [[nodiscard]] absl::Status Compact(uint64_t compact_index);

  void Sync();
  // Power loss: keeps the first `survivors` complete unsynced batches and
  // loses the rest (including an open batch).
  void Crash(size_t survivors);
  // Complete unsynced batches.
  size_t unsynced_batches() const {
    return unsynced_.size() - (batch_open_ ? 1 : 0);
  }

 private:
  struct State {
    MemoryLogStorage log;
    StateMachine sm;
  };
  using Write = std::function<absl::Status(State&)>;

  // Applies `w` to live_ and queues it for durable_.
  absl::Status Do(Write w);

  State live_;
  State durable_;
  std::vector<std::vector<Write>> unsynced_;  // batches, oldest first
  bool batch_open_ = false;
};

}  // namespace cairn::raft::sim
