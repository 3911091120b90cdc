#pragma once

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "catalog/catalog.h"
#include "executor/sql_engine.h"
#include "kv/cluster_settings.h"
#include "kv/gc_queue.h"
#include "kv/meta_records.h"
#include "kv/node_registry.h"
#include "kv/range_id_allocator.h"
#include "kv/replica_gc_queue.h"
#include "kv/replicate_queue.h"
#include "kv/routing_kv_client.h"
#include "kv/split_queue.h"
#include "kv/store.h"
#include "kv/transport/cluster_dialer.h"
#include "kv/transport/cluster_range_locator.h"
#include "kv/transport/cluster_service.h"
#include "kv/transport/cluster_timestamps.h"
#include "kv/transport/grpc_raft_transport.h"
#include "kv/transport/store_forwarder.h"
#include "pgwire/pg_server.h"
#include "server/http_server.h"
#include "server/node_options.h"
#include "server/throughput_meter.h"
#include "txn/lock_resolver.h"

namespace cairn::server {

// One CairnDB node: its store and Raft loop, the routing KV client and the
// timestamp oracle, cluster membership, the node-to-node RPC service, the
// SQL engine, and the pgwire and HTTP listeners, started bottom up and
// stopped top down. A node with an empty data dir and --join first asks the
// cluster for its node id; one without --join bootstraps a new cluster.
class Node {
 public:
  explicit Node(NodeOptions options);
  ~Node();

  // Opens (or bootstraps) the store and starts serving.
  absl::Status Start();
  // Drains: stops taking connections, lets running statements finish,
  // then stops the store. Idempotent.
  void Stop();

  bool serving() const { return serving_.load(); }
  bool draining() const { return draining_.load(); }
  // What /health answers: serving SQL, not draining, and in touch with the
  // cluster (its membership record written within the last 10 s).
  bool Healthy() const;
  uint16_t sql_port() const { return pg_server_ ? pg_server_->port() : 0; }

 private:
  // Starts the Cluster RPC service on --rpc-addr.
  absl::Status StartRpcServer();
  // This node's record as the cluster sees it (addresses as bound).
  // host:port by which other nodes and clients reach what listens on
  // `listen` (bound to `port`): --advertise-host, else the listening host,
  // or the machine's host name when that is the wildcard 0.0.0.0.
  std::string Advertised(const HostPort& listen, uint16_t port) const;
  proto::NodeRecord SelfRecord() const;
  // Starts decommissioning node `node_id`: this node marks itself; another
  // is asked to (Cluster.Decommission).
  absl::Status Decommission(uint64_t node_id);
  // Drains this node (Cluster.Drain): new SQL clients are turned away,
  // /health answers 503, and leases go to other nodes (none come back
  // while it runs). Returns the leases still here after `timeout_ms`.
  absl::StatusOr<uint64_t> Drain(uint64_t timeout_ms);
  // The HTML of the status page (server/status_page.h), as of now.
  std::string StatusPage();

  const NodeOptions options_;
  kv::StoreForwarder forwarder_;
  std::unique_ptr<kv::GrpcRaftTransport> transport_;
  std::unique_ptr<kv::Store> store_;
  kv::ClusterDialer dialer_;
  std::unique_ptr<kv::ClusterRangeLocator> locator_;
  std::unique_ptr<kv::ClusterTimestamps> timestamps_;
  std::unique_ptr<kv::RoutingKvClient> kv_client_;
  std::unique_ptr<kv::NodeRegistry> registry_;
  std::unique_ptr<kv::ReplicateQueue> replicate_queue_;
  std::unique_ptr<kv::RangeIdAllocator> range_ids_;
  std::unique_ptr<kv::ClusterSettings> settings_;
  std::unique_ptr<kv::SplitQueue> split_queue_;
  std::unique_ptr<kv::ReplicaGcQueue> replica_gc_queue_;
  std::unique_ptr<kv::MetaPublisher> meta_publisher_;
  std::unique_ptr<kv::GcQueue> gc_queue_;
  std::unique_ptr<kv::ClusterService> cluster_service_;
  std::unique_ptr<grpc::Server> rpc_server_;
  int rpc_port_ = 0;
  std::unique_ptr<txn::LockResolver> resolver_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<executor::SqlEngine> sql_engine_;
  std::unique_ptr<pgwire::PgServer> pg_server_;
  std::unique_ptr<ThroughputMeter> throughput_;  // for the status page
  std::unique_ptr<HttpServer> http_server_;
  std::atomic<bool> serving_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace cairn::server
