#include "kv/transport/cluster_dialer.h"

#include <grpcpp/grpcpp.h>

namespace cairn::kv {

std::shared_ptr<proto::Cluster::Stub> ClusterDialer::StubFor(const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto& stub = stubs_[address];
  if (stub == nullptr) {
    grpc::ChannelArguments args;
    // A restarted peer must be found again within a second or so, not
    // after gRPC's default back-off of up to two minutes.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    // A peer that stops answering (stopped, hung: its kernel still holds
    // the connection open) fails the commands in flight within a few
    // seconds, and they are routed afresh, instead of at their deadline.
    // The server accepts these pings (GrpcRaftTransport::RegisterWith).
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 1000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 2000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    args.SetMaxReceiveMessageSize(-1);
    stub = proto::Cluster::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return stub;
}

}  // namespace cairn::kv
