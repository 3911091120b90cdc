#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_builder.h"
#include "kv/transport/peer_connection.h"
#include "kv/transport/raft_stream_service.h"
#include "kv/transport/raft_transport.h"

// RaftTransport over gRPC: one PeerConnection (one bidirectional stream,
// one sending thread) per peer node, created on first use, and the
// RaftStreamService that receives peers' streams. The owner registers it
// with the node's gRPC server through RegisterWith().
//
// Thread safety: all methods may be called from any thread.
namespace cairn::kv {

class GrpcRaftTransport final : public RaftTransport {
 public:
  GrpcRaftTransport(uint64_t node_id, RaftMessageHandler* handler,
                    PeerConnectionOptions options = {});
  ~GrpcRaftTransport() override;

  // Where `node_id` listens for RPCs (host:port). Changing it reconnects.
  void SetPeerAddress(uint64_t node_id, std::string address);
  // Adds the receiving service to `builder`, and lifts gRPC's default 4 MiB
  // limit on a received message: Raft sends at least one entry per append
  // whatever its size.
  void RegisterWith(grpc::ServerBuilder* builder);

  void Send(uint64_t to_node, std::vector<RaftEnvelope> messages) override;
  // Closes every peer stream; later Sends are dropped and reported.
  void Stop();

 private:
  const uint64_t node_id_;
  RaftMessageHandler* const handler_;
  const PeerConnectionOptions options_;
  RaftStreamService service_;

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<uint64_t, std::string> addresses_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::unique_ptr<PeerConnection>> peers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
