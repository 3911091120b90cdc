#pragma once

#include <cstdint>

#include "kv/transport/raft_transport.h"
#include "proto/raft_transport.grpc.pb.h"

// The incoming half of Raft traffic: the gRPC service that peers stream
// their batches into. It decodes each batch, reassembles chunked snapshots
// (one in flight per stream, as the sender sends them one at a time) and
// hands the messages to the store in the order they were sent.
//
// Thread safety: gRPC runs each stream on a thread of its own; the service
// keeps no state across streams.
namespace cairn::kv {

class RaftStreamService final : public proto::RaftTransport::Service {
 public:
  RaftStreamService(uint64_t node_id, RaftMessageHandler* handler)
      : node_id_(node_id), handler_(handler) {}

  grpc::Status RaftStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<proto::RaftStreamResponse, proto::RaftMessageBatch>* stream)
      override;

 private:
  const uint64_t node_id_;
  RaftMessageHandler* const handler_;
};

}  // namespace cairn::kv
