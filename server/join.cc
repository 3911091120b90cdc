#include "server/join.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "proto/cluster.grpc.pb.h"

namespace cairn::server {

absl::StatusOr<proto::JoinResponse> JoinCluster(const std::vector<HostPort>& join,
                                                const proto::NodeAddresses& addresses,
                                                int64_t timeout_ms) {
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  absl::Duration backoff = absl::Milliseconds(100);
  std::string last_error;
  std::vector<std::string> tried;
  for (const HostPort& hp : join) tried.push_back(hp.ToString());
  for (;;) {
    for (const HostPort& hp : join) {
      auto stub = proto::Cluster::NewStub(
          grpc::CreateChannel(hp.ToString(), grpc::InsecureChannelCredentials()));
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      proto::JoinRequest request;
      *request.mutable_addresses() = addresses;
      proto::JoinResponse response;
      grpc::Status rpc = stub->Join(&context, request, &response);
      if (rpc.ok()) {
        CAIRN_LOG_INFO("joined cluster {} through {} as node {}", response.cluster_id(),
                       hp.ToString(), response.node_id());
        return response;
      }
      last_error = absl::StrCat(hp.ToString(), ": ", rpc.error_message());
    }
    if (absl::Now() + backoff > deadline) break;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
  return MakeError(ErrorCode::kUnavailable,
                   absl::StrCat("cannot join the cluster through --join ",
                                absl::StrJoin(tried, ","), " (last error: ", last_error, ")"));
}

}  // namespace cairn::server
