#include "server/node_command.h"

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/error_code.h"
#include "kv/transport/kv_codec.h"
#include "proto/cluster.grpc.pb.h"
#include "server/node_options.h"

namespace cairn::server {
namespace {

constexpr char kUsage[] =
    "usage: cairn node status [--host HOST:RPCPORT]\n"
    "       cairn node drain [--host HOST:RPCPORT] [--timeout DURATION]\n"
    "       cairn node decommission NODE_ID [--host HOST:RPCPORT] [--wait=true|false]\n"
    "                                       [--timeout DURATION]\n"
    "defaults: --host 127.0.0.1:7433 --wait=true --timeout 10m (drain: 1m)\n";
constexpr auto kRpcDeadline = std::chrono::seconds(10);

struct NodeCommandOptions {
  std::string host = "127.0.0.1:7433";
  bool wait = true;
  std::optional<absl::Duration> timeout;  // unset: the command's default
  std::vector<std::string> positional;
};

absl::StatusOr<NodeCommandOptions> ParseFlags(const std::vector<std::string>& args) {
  NodeCommandOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag.rfind("--", 0) != 0) {
      options.positional.push_back(flag);
      continue;
    }
    std::string value;
    if (size_t eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("flag ", flag, " needs a value"));
    }
    if (flag == "--host") {
      CAIRN_RETURN_IF_ERROR(ParseHostPort(value).status());
      options.host = value;
    } else if (flag == "--wait") {
      if (value != "true" && value != "false") {
        return MakeError(ErrorCode::kInvalidArgument, "--wait must be true or false");
      }
      options.wait = value == "true";
    } else if (flag == "--timeout") {
      absl::Duration timeout;
      if (!absl::ParseDuration(value, &timeout) || timeout <= absl::ZeroDuration()) {
        return MakeError(ErrorCode::kInvalidArgument, "bad --timeout (a duration such as 10m)");
      }
      options.timeout = timeout;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("unknown flag ", flag));
    }
  }
  return options;
}

std::unique_ptr<proto::Cluster::Stub> Connect(const std::string& host) {
  return proto::Cluster::NewStub(grpc::CreateChannel(host, grpc::InsecureChannelCredentials()));
}

absl::StatusOr<std::vector<proto::NodeStatus>> FetchNodes(proto::Cluster::Stub* stub,
                                                          const std::string& host) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  proto::NodesResponse response;
  grpc::Status rpc = stub->Nodes(&context, proto::NodesRequest(), &response);
  if (!rpc.ok()) {
    return MakeError(ErrorCode::kUnavailable, absl::StrCat(host, ": ", rpc.error_message()));
  }
  CAIRN_RETURN_IF_ERROR(kv::StatusFromProto(response.error()));
  return std::vector<proto::NodeStatus>(response.nodes().begin(), response.nodes().end());
}

void PrintNodes(const std::vector<proto::NodeStatus>& nodes) {
  std::printf("%-7s  %-21s  %-21s  %-7s  %-6s  %-6s  %-18s  %s\n", "node_id", "address",
              "sql_address", "is_live", "ranges", "leases", "is_decommissioning", "is_draining");
  for (const proto::NodeStatus& n : nodes) {
    const proto::NodeRecord& r = n.record();
    std::printf("%-7llu  %-21s  %-21s  %-7s  %-6llu  %-6llu  %-18s  %s\n",
                static_cast<unsigned long long>(r.node_id()), r.rpc_address().c_str(),
                r.sql_address().c_str(), n.live() ? "true" : "false",
                static_cast<unsigned long long>(r.range_count()),
                static_cast<unsigned long long>(r.lease_count()),
                r.decommissioning() ? "true" : "false", r.draining() ? "true" : "false");
  }
}

int Status(const NodeCommandOptions& options) {
  auto stub = Connect(options.host);
  absl::StatusOr<std::vector<proto::NodeStatus>> nodes = FetchNodes(stub.get(), options.host);
  if (!nodes.ok()) {
    std::fprintf(stderr, "cairn node status: %s\n", std::string(nodes.status().message()).c_str());
    return 1;
  }
  PrintNodes(*nodes);
  return 0;
}

// The replicas node `node_id` holds per its last heartbeat, and whether its
// record carries the decommissioning mark yet.
std::optional<std::pair<uint64_t, bool>> ReplicasOf(const std::vector<proto::NodeStatus>& nodes,
                                                    uint64_t node_id) {
  for (const proto::NodeStatus& n : nodes) {
    if (n.record().node_id() == node_id) {
      return std::make_pair(n.record().range_count(), n.record().decommissioning());
    }
  }
  return std::nullopt;
}

int Decommission(const NodeCommandOptions& options) {
  uint64_t node_id = 0;
  if (options.positional.size() != 1 || !absl::SimpleAtoi(options.positional[0], &node_id) ||
      node_id == 0) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto stub = Connect(options.host);
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    proto::DecommissionRequest request;
    request.set_node_id(node_id);
    proto::DecommissionResponse response;
    grpc::Status rpc = stub->Decommission(&context, request, &response);
    absl::Status status =
        rpc.ok() ? kv::StatusFromProto(response.error())
                 : MakeError(ErrorCode::kUnavailable, absl::StrCat(options.host, ": ",
                                                                   rpc.error_message()));
    if (!status.ok()) {
      std::fprintf(stderr, "cairn node decommission: %s\n", std::string(status.message()).c_str());
      return 1;
    }
  }
  std::printf("node %llu is being decommissioned\n", static_cast<unsigned long long>(node_id));
  if (!options.wait) return 0;
  // Done once its record, marked, reports no replicas (the GC queue removes
  // each one its group has replaced).
  const absl::Duration timeout = options.timeout.value_or(absl::Minutes(10));
  const absl::Time deadline = absl::Now() + timeout;
  std::optional<uint64_t> last_reported;
  for (;;) {
    absl::StatusOr<std::vector<proto::NodeStatus>> nodes = FetchNodes(stub.get(), options.host);
    if (nodes.ok()) {
      if (auto replicas = ReplicasOf(*nodes, node_id); replicas && replicas->second) {
        if (replicas->first == 0) {
          std::printf("node %llu holds no replicas: it can be stopped\n",
                      static_cast<unsigned long long>(node_id));
          return 0;
        }
        if (last_reported != replicas->first) {
          std::printf("node %llu: %llu replicas left\n", static_cast<unsigned long long>(node_id),
                      static_cast<unsigned long long>(replicas->first));
          std::fflush(stdout);
          last_reported = replicas->first;
        }
      }
    }
    if (absl::Now() > deadline) {
      std::fprintf(stderr,
                   "cairn node decommission: node %llu still holds replicas after %s (too few "
                   "other live nodes for the replication factor?)\n",
                   static_cast<unsigned long long>(node_id), absl::FormatDuration(timeout).c_str());
      return 1;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
}

// Drains the node at --host: it turns new SQL clients away, answers 503 on
// /health and hands its leases to the other nodes; then it can be stopped
// or restarted without clients seeing its ranges go.
int Drain(const NodeCommandOptions& options) {
  if (!options.positional.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const absl::Duration timeout = options.timeout.value_or(absl::Minutes(1));
  auto stub = Connect(options.host);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout + absl::Seconds(10)));
  proto::DrainRequest request;
  request.set_timeout_ms(static_cast<uint64_t>(absl::ToInt64Milliseconds(timeout)));
  proto::DrainResponse response;
  grpc::Status rpc = stub->Drain(&context, request, &response);
  absl::Status status = rpc.ok() ? kv::StatusFromProto(response.error())
                                 : MakeError(ErrorCode::kUnavailable,
                                             absl::StrCat(options.host, ": ", rpc.error_message()));
  if (!status.ok()) {
    std::fprintf(stderr, "cairn node drain: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  if (response.leases_left() > 0) {
    std::fprintf(stderr, "cairn node drain: %s still leads %llu ranges after %s\n",
                 options.host.c_str(), static_cast<unsigned long long>(response.leases_left()),
                 absl::FormatDuration(timeout).c_str());
    return 1;
  }
  std::printf("%s is drained: it leads no range and takes no new SQL clients\n",
              options.host.c_str());
  return 0;
}

}  // namespace

int RunNodeCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  absl::StatusOr<NodeCommandOptions> options = ParseFlags({args.begin() + 1, args.end()});
  if (!options.ok()) {
    std::fprintf(stderr, "cairn node: %s\n%s", std::string(options.status().message()).c_str(),
                 kUsage);
    return 2;
  }
  if (args[0] == "status" && options->positional.empty()) return Status(*options);
  if (args[0] == "decommission") return Decommission(*options);
  if (args[0] == "drain") return Drain(*options);
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace cairn::server
