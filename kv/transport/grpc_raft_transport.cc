#include "kv/transport/grpc_raft_transport.h"

#include <utility>
#include <vector>

namespace cairn::kv {

GrpcRaftTransport::GrpcRaftTransport(uint64_t node_id, RaftMessageHandler* handler,
                                     PeerConnectionOptions options)
    : node_id_(node_id), handler_(handler), options_(options), service_(node_id, handler) {}

GrpcRaftTransport::~GrpcRaftTransport() { Stop(); }

void GrpcRaftTransport::RegisterWith(grpc::ServerBuilder* builder) {
  builder->RegisterService(&service_);
  builder->SetMaxReceiveMessageSize(-1);  // unlimited
  // Peers keep their streams alive with pings (PeerConnection); accept them
  // however idle the stream, instead of answering GOAWAY "too many pings".
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 500);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // Raft's messages are small and latency-bound: bandwidth-delay probing
  // only adds a ping (and its ack) to the data frames.
  builder->AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
}

void GrpcRaftTransport::SetPeerAddress(uint64_t node_id, std::string address) {
  std::unique_ptr<PeerConnection> old;
  {
    absl::MutexLock lock(&mu_);
    auto it = addresses_.find(node_id);
    if (it != addresses_.end() && it->second == address) return;
    addresses_[node_id] = std::move(address);
    if (auto p = peers_.find(node_id); p != peers_.end()) {
      old = std::move(p->second);
      peers_.erase(p);
    }
  }
  if (old) old->Stop();  // outside mu_: it reports dropped messages
}

void GrpcRaftTransport::Send(uint64_t to_node, std::vector<RaftEnvelope> messages) {
  PeerConnection* peer = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      auto it = peers_.find(to_node);
      if (it != peers_.end()) {
        peer = it->second.get();
      } else if (auto a = addresses_.find(to_node); a != addresses_.end()) {
        auto conn =
            std::make_unique<PeerConnection>(node_id_, to_node, a->second, handler_, options_);
        peer = conn.get();
        peers_[to_node] = std::move(conn);
      }
    }
    // Enqueue under mu_ so that Stop() cannot free the peer meanwhile;
    // Enqueue itself never blocks on the network.
    if (peer != nullptr) {
      peer->Enqueue(std::move(messages));
      return;
    }
  }
  // Unknown peer or stopped: undeliverable.
  ReportUndeliverable(handler_, to_node, std::move(messages));
}

void GrpcRaftTransport::Stop() {
  absl::flat_hash_map<uint64_t, std::unique_ptr<PeerConnection>> peers;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    peers.swap(peers_);
  }
  for (auto& [id, peer] : peers) peer->Stop();
}

}  // namespace cairn::kv
