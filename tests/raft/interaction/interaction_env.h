#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raft/config.h"
#include "raft/memory_log_storage.h"
#include "raft/raw_node.h"
#include "raft/types.h"

// The cluster that interaction scenarios drive (after etcd's rafttest
// InteractionEnv). Unlike tests/raft/test_network.h, nothing happens
// behind the script's back: a node handles its Ready only on
// ProcessReady(), and a message moves only on Deliver(), so a scenario can
// hold, reorder or drop any message and show every step.
//
// Each node has a MemoryLogStorage, a RawNode and a toy state machine (the
// data of the normal entries it applied). ProcessReady persists, applies
// and queues in one go, as a synchronous driver would; a crash therefore
// loses only what raft had not yet handed out.
//
// Methods return text for the scenario output; an error status means the
// script asked for something impossible (unknown node, ...).
//
// Thread safety: none.
namespace cairn::raft::interaction {

// Per-node raft options a scenario may set.
struct NodeOptions {
  bool pre_vote = true;
  bool check_quorum = true;
  bool announce_commits = true;
  int election_tick = 10;
  int heartbeat_tick = 1;
  int max_inflight = 256;
  uint64_t max_size_per_msg = 1 << 20;
  uint64_t seed = 0;
};

// Which queued messages a Deliver() acts on; 0 / unset matches any.
struct MessageFilter {
  uint64_t from = 0;
  uint64_t to = 0;
  std::string type;  // etcd name, e.g. "MsgApp"
  size_t count = 0;  // act on the first `count` matches only
};

class InteractionEnv {
 public:
  InteractionEnv() = default;
  InteractionEnv(const InteractionEnv&) = delete;
  InteractionEnv& operator=(const InteractionEnv&) = delete;

  // New group: every id in voters and learners gets the same bootstrap
  // snapshot.
  absl::Status Bootstrap(const std::vector<uint64_t>& voters,
                         const std::vector<uint64_t>& learners,
                         const NodeOptions& options);
  // Discards every node, message and record: a fresh environment, so that
  // one file can tell several stories.
  void Reset();
  // A node joining later: empty storage, brought in by a snapshot.
  absl::Status AddEmptyNode(uint64_t id, const NodeOptions& options);

  // Handles one Ready of `id` (if any); returns what it contained. The
  // messages it queues are listed only with show_messages (Stabilize shows
  // them as it delivers them instead).
  absl::StatusOr<std::string> ProcessReady(uint64_t id, bool show_messages);
  // Delivers (or, with drop, discards) the queued messages that match
  // `filter`, in queue order. Messages across a cut link or to a crashed
  // node are dropped.
  std::string Deliver(const MessageFilter& filter, bool drop);
  // Ready/deliver rounds until no node has a Ready and no message is queued.
  absl::StatusOr<std::string> Stabilize();
  // The queued messages, without delivering them.
  std::string PendingMessages() const;

  absl::Status Tick(uint64_t id, int count);
  // Follower/candidate: ticks until its election timeout fires (it
  // campaigns). Leader: ticks election_tick times, which runs exactly one
  // check-quorum round; stops early if it steps down.
  absl::StatusOr<std::string> TickElection(uint64_t id);

  // Crash: the node stops; what raft had not handed out is lost, and so are
  // the messages it queued (shown as dropped). Restart: a new RawNode over
  // the same storage; the state machine keeps its applied index.
  absl::StatusOr<std::string> Crash(uint64_t id);
  absl::Status Restart(uint64_t id);
  void Isolate(uint64_t id);
  void Heal() { cut_.clear(); }
  // Snapshot the state machine at `index` (<= applied) and drop the log up
  // to it.
  absl::Status Compact(uint64_t id, uint64_t index);

  // Lines for status/raft-log/applied/progress commands.
  absl::StatusOr<std::string> StatusLine(uint64_t id);
  absl::StatusOr<std::string> RaftLog(uint64_t id);
  absl::StatusOr<std::string> Applied(uint64_t id);
  absl::StatusOr<std::string> ProgressLines(uint64_t id);
  // Delivered messages by type since the last call.
  std::string TakeMessageCounts();
  // Every index applied by two nodes was the same entry, no term had two
  // leaders, and the logs agree on every index both committed.
  std::string CheckSafety() const;

  absl::StatusOr<RawNode*> node(uint64_t id);
  std::vector<uint64_t> ids() const;

 private:
  struct Node {
    uint64_t id = 0;
    Config config;
    std::unique_ptr<MemoryLogStorage> storage;
    std::unique_ptr<RawNode> raw;
    // (index, data) of every applied normal entry with data.
    std::vector<std::pair<uint64_t, std::string>> state;
    uint64_t applied_index = 0;
    ConfState conf_state;
    bool down = false;
  };
  struct InFlight {
    uint64_t sender = 0;  // may differ from msg.from (forwarded transfers)
    Message msg;
  };

  absl::StatusOr<Node*> Get(uint64_t id);
  absl::Status AddNode(uint64_t id, std::unique_ptr<MemoryLogStorage> storage,
                       const NodeOptions& options);
  absl::Status Apply(Node& n, const Entry& e, std::vector<std::string>& out);
  bool LinkDown(const InFlight& f) const;
  // Steps one message into its recipient; returns extra lines to show.
  std::vector<std::string> StepInto(const InFlight& f, bool dropped);
  std::string FormatInFlight(const InFlight& f) const;

  std::map<uint64_t, Node> nodes_;
  std::deque<InFlight> queue_;
  std::set<std::pair<uint64_t, uint64_t>> cut_;
  std::map<std::string, int> counts_;
  // For CheckSafety: index -> (term, data) as first applied; term -> leader.
  std::map<uint64_t, std::pair<uint64_t, std::string>> applied_history_;
  std::map<uint64_t, uint64_t> leader_of_term_;
  std::vector<std::string> violations_;
};

}  // namespace cairn::raft::interaction
