#pragma once

#include <atomic>
#include <vector>

#include "kv/store.h"
#include "kv/transport/raft_transport.h"

namespace cairn::kv {

// Hands transport callbacks to a store that exists only after the
// transport it is given (Store::Options::transport); drops them before
// set() and after set(nullptr).
class StoreForwarder final : public RaftMessageHandler {
 public:
  void set(Store* store) { store_.store(store); }

  void HandleRaftMessages(uint64_t from, std::vector<RaftEnvelope> messages) override {
    if (Store* s = store_.load()) s->HandleRaftMessages(from, std::move(messages));
  }
  void HandleUnreachable(uint64_t to, const std::vector<RaftEnvelope>& dropped) override {
    if (Store* s = store_.load()) s->HandleUnreachable(to, dropped);
  }
  void HandleSnapshotSent(uint64_t to, const RaftEnvelope& snapshot, bool ok) override {
    if (Store* s = store_.load()) s->HandleSnapshotSent(to, snapshot, ok);
  }

 private:
  std::atomic<Store*> store_{nullptr};
};

}  // namespace cairn::kv
