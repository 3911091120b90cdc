#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "raft/types.h"

// How a store's Raft groups talk to their peers on other nodes. The store
// hands over the messages of all its groups for one node at once; the
// transport batches them onto one stream per peer node. GrpcRaftTransport is
// the production implementation; tests can plug in their own.
namespace cairn::kv {

// A Raft message with the group (range) it belongs to.
struct RaftEnvelope {
  uint64_t range_id = 0;
  raft::Message message;
};

// The receiving side: implemented by the Store.
//
// Thread safety: called from transport threads, concurrently; must not
// block for long (queue and return).
class RaftMessageHandler {
 public:
  virtual ~RaftMessageHandler() = default;
  // Messages that arrived from `from_node`, in the order it sent them.
  virtual void HandleRaftMessages(uint64_t from_node, std::vector<RaftEnvelope> messages) = 0;
  // Messages to `to_node` were dropped (peer unreachable or its queue
  // full): Raft should slow down to probing that replica.
  virtual void HandleUnreachable(uint64_t to_node, const std::vector<RaftEnvelope>& dropped) = 0;
  // A snapshot message (message.snapshot set) was delivered in full, or
  // not. Raft needs to hear either way to resume replicating to that peer.
  virtual void HandleSnapshotSent(uint64_t to_node, const RaftEnvelope& snapshot, bool ok) = 0;
};

// The sending side.
//
// Thread safety: Send may be called from any thread.
class RaftTransport {
 public:
  virtual ~RaftTransport() = default;
  // Queues `messages` for `to_node` and returns without waiting on the
  // network: a slow or dead peer never blocks the caller or other peers.
  // Messages that cannot be delivered are dropped and reported through
  // RaftMessageHandler::HandleUnreachable (Raft retransmits).
  virtual void Send(uint64_t to_node, std::vector<RaftEnvelope> messages) = 0;
};

// Tells `handler` that `messages` for `to_node` will not be delivered:
// snapshots one by one (HandleSnapshotSent, not ok), the rest in one
// HandleUnreachable.
inline void ReportUndeliverable(RaftMessageHandler* handler, uint64_t to_node,
                                std::vector<RaftEnvelope> messages) {
  std::vector<RaftEnvelope> unreachable;
  for (RaftEnvelope& e : messages) {
    if (e.message.snapshot.has_value()) {
      handler->HandleSnapshotSent(to_node, e, /*ok=*/false);
    } else {
      unreachable.push_back(std::move(e));
    }
  }
  if (!unreachable.empty()) handler->HandleUnreachable(to_node, unreachable);
}

}  // namespace cairn::kv
