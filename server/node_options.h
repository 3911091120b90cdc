#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cairn::server {

// A host:port pair from the command line.
struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;
};

absl::StatusOr<HostPort> ParseHostPort(const std::string& text);

// A size such as 64MiB, 16KiB, 1GiB or a plain number of bytes.
absl::StatusOr<uint64_t> ParseByteSize(const std::string& text);

// `cairn start` flags (DESIGN.md "Operator interface").
struct NodeOptions {
  std::string data_dir = "cairn-data";
  HostPort sql_addr{"127.0.0.1", 5433};
  HostPort rpc_addr{"127.0.0.1", 7433};
  HostPort http_addr{"127.0.0.1", 8433};
  std::vector<HostPort> join;
  int64_t raft_tick_ms = 100;
  // A node whose last heartbeat is older than this is dead
  // (SHOW CLUSTER NODES, and re-replication once placement comes).
  int64_t dead_node_timeout_ms = 30000;
  // Voters per range once enough nodes are live (fewer on fewer nodes: one
  // on a single node), and the size past which a range is split: the
  // values of the cluster settings kv.replication_factor and
  // kv.range_max_bytes until SET CLUSTER SETTING gives them one for the
  // whole cluster.
  int64_t replication_factor = 3;
  uint64_t range_max_bytes = 64ull << 20;
  // How many log entries behind a follower may fall and still catch up
  // from its leader's log; further behind (a node down for a while), it is
  // sent a snapshot of the range instead.
  uint64_t raft_log_retained_entries = 16 * 1024;
  // TLS for SQL clients: ca.crt, node.crt, node.key (`cairn cert`). Empty:
  // clients that ask for TLS are refused it.
  std::string certs_dir;
  // How SQL clients on a loopback address authenticate: "trust" (the
  // default, as PostgreSQL's local connections) or "password". Clients on
  // other addresses give a password, unless remote_auth is "trust".
  std::string loopback_auth = "trust";
  // How SQL clients on other addresses authenticate: "password" (the
  // default) or "trust", for a cluster on a private network whose SQL
  // ports only trusted hosts reach (docker/docker-compose.yml).
  std::string remote_auth = "password";
  // The host name or address other nodes and clients reach this node by,
  // when it listens on a wildcard address (0.0.0.0 in a container): the
  // addresses it registers take this host and its listening ports. Unset,
  // a node listening on 0.0.0.0 registers its machine's host name.
  std::string advertise_host;
};

// Parses the arguments after the subcommand: --flag=value or --flag value.
absl::StatusOr<NodeOptions> ParseNodeOptions(const std::vector<std::string>& args);

std::string UsageText();

}  // namespace cairn::server
