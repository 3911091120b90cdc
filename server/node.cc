#include "server/node.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "executor/scan_fragment.h"
#include "kv/keys.h"
#include "kv/range_fragment.h"
#include "kv/rocksdb_engine.h"
#include "kv/transport/kv_codec.h"
#include "parser/parser.h"
#include "server/join.h"
#include "server/status_page.h"
#include "server/structured_log.h"
#include "server/throughput_meter.h"

namespace cairn::server {
namespace {

// How long a new node keeps asking the --join addresses before it gives up.
constexpr int64_t kJoinTimeoutMs = 30000;

}  // namespace

Node::Node(NodeOptions options) : options_(std::move(options)) {}

Node::~Node() { Stop(); }

absl::Status Node::Start() {
  // The plan fragments that gateways ship to this node's leaseholders
  // (DESIGN.md "SQL"): kv/ evaluates them through the executor's evaluator.
  static executor::ScanFragmentEvaluator fragment_evaluator;
  kv::RegisterFragmentEvaluator(&fragment_evaluator);
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kInternal,
                     absl::StrCat("cannot create data dir ", options_.data_dir, ": ", ec.message()));
  }
  CAIRN_ASSIGN_OR_RETURN(auto engine,
                         kv::RocksDbEngine::Open(options_.data_dir + "/store", {}));
  kv::Store::Options store_options;
  store_options.tick_interval_ms = options_.raft_tick_ms;
  store_options.raft_log_retained_entries = options_.raft_log_retained_entries;
  store_options.seed = Clock::Real()->MonotonicMicros();
  CAIRN_ASSIGN_OR_RETURN(auto ident,
                         engine->Get(kv::ColumnFamily::kRaft, kv::keys::kStoreIdentKey));
  if (!ident && !options_.join.empty()) {
    // A new node: the cluster names it. (A node restarted with --join has
    // its identity already and ignores the flag.)
    proto::NodeAddresses addresses;
    addresses.set_rpc_address(Advertised(options_.rpc_addr, options_.rpc_addr.port));
    addresses.set_sql_address(Advertised(options_.sql_addr, options_.sql_addr.port));
    addresses.set_http_address(Advertised(options_.http_addr, options_.http_addr.port));
    CAIRN_ASSIGN_OR_RETURN(proto::JoinResponse joined,
                           JoinCluster(options_.join, addresses, kJoinTimeoutMs));
    proto::StoreIdent join_ident;
    join_ident.set_cluster_id(joined.cluster_id());
    join_ident.set_node_id(joined.node_id());
    join_ident.set_store_id(joined.node_id());
    store_options.join_ident = join_ident;
  }
  uint64_t node_id = store_options.bootstrap_node_id;
  if (store_options.join_ident) node_id = store_options.join_ident->node_id();
  if (ident) {
    proto::StoreIdent existing;
    if (!existing.ParseFromString(*ident)) {
      return MakeError(ErrorCode::kDataCorrupted, "unparsable store identity");
    }
    node_id = existing.node_id();
  }
  SetLogNodeId(node_id);
  transport_ = std::make_unique<kv::GrpcRaftTransport>(node_id, &forwarder_);
  store_options.transport = transport_.get();
  CAIRN_ASSIGN_OR_RETURN(store_, kv::Store::Open(std::move(engine), Clock::Real(), store_options));
  forwarder_.set(store_.get());
  store_->Start();

  locator_ = std::make_unique<kv::ClusterRangeLocator>(store_.get(), &dialer_, [this] {
    // Ask the live members first, then the --join addresses (a new node
    // knows no members until its first heartbeat).
    std::vector<std::string> addresses =
        registry_ ? registry_->LiveAddresses() : std::vector<std::string>{};
    for (const HostPort& hp : options_.join) addresses.push_back(hp.ToString());
    return addresses;
  });
  timestamps_ = std::make_unique<kv::ClusterTimestamps>(store_.get(), locator_.get(), &dialer_);
  kv_client_ = std::make_unique<kv::RoutingKvClient>(
      locator_.get(), [this](uint32_t count) { return timestamps_->Get(count); });
  range_ids_ = std::make_unique<kv::RangeIdAllocator>(kv_client_.get());
  settings_ = std::make_unique<kv::ClusterSettings>(
      kv_client_.get(), absl::flat_hash_map<std::string, int64_t>{
                            {"kv.replication_factor", options_.replication_factor},
                            {"kv.range_max_bytes", static_cast<int64_t>(options_.range_max_bytes)},
                            {"gc.ttl_seconds", 4 * 3600},
                            {"kv.async_commit_max_keys", 256}});
  locator_->set_range_ids([this] { return range_ids_->Next(); });
  locator_->set_address_of([this](uint64_t node_id) {
    return registry_ ? registry_->AddressOf(node_id) : std::string();
  });
  kv::NodeRegistry::Options registry_options;
  registry_options.dead_node_timeout_ms = static_cast<uint64_t>(options_.dead_node_timeout_ms);
  registry_ = std::make_unique<kv::NodeRegistry>(kv_client_.get(), Clock::Real(), registry_options);
  // A restarted node knows its peers from its copy of the meta range: it
  // must reach them before it can read anything (its ranges' leaders may
  // be elsewhere now).
  CAIRN_ASSIGN_OR_RETURN(std::vector<proto::NodeRecord> known,
                         kv::NodeRegistry::ReadLocalRecords(store_->engine()));
  for (const auto& record : known) {
    if (record.node_id() != node_id) {
      transport_->SetPeerAddress(record.node_id(), record.rpc_address());
    }
  }
  registry_->SeedMembers(known);
  registry_->set_members_observer([this](const std::vector<kv::NodeRegistry::Member>& members) {
    for (const auto& m : members) {
      if (m.record.node_id() != store_->ident().node_id()) {
        transport_->SetPeerAddress(m.record.node_id(), m.record.rpc_address());
      }
    }
  });
  CAIRN_RETURN_IF_ERROR(StartRpcServer());

  resolver_ = std::make_unique<txn::LockResolver>(kv_client_.get());
  catalog_ = std::make_unique<catalog::Catalog>(kv_client_.get(), resolver_.get());
  CAIRN_RETURN_IF_ERROR(catalog_->EnsureBootstrapped());
  sql_engine_ = std::make_unique<executor::SqlEngine>(kv_client_.get(), resolver_.get(),
                                                      catalog_.get(), store_->ident().node_id());
  sql_engine_->set_cluster(registry_.get());
  sql_engine_->set_ranges(locator_.get());
  sql_engine_->set_cluster_settings(settings_.get());
  registry_->set_oldest_active([this] { return sql_engine_->OldestActiveTransaction(); });

  // ANTLR fills its caches on first use (tens of milliseconds): pay that
  // here rather than in a client's first statement.
  (void)parser::ParseStatements("SELECT 1 FROM t WHERE a = 1");

  {
    MetricRegistry& metrics = MetricRegistry::Global();
    throughput_ = std::make_unique<ThroughputMeter>(std::vector<ThroughputMeter::Measured>{
        {"Raft proposals (ranges led here)", metrics.GetCounter("cairn_raft_proposals_total", "")},
        {"Raft entries applied", metrics.GetCounter("cairn_raft_entries_applied_total", "")},
        {"SQL statements", metrics.GetCounter("cairn_sql_statements_total", "")},
        {"SQL transactions retried", metrics.GetCounter("cairn_sql_txn_retries_total", "")},
        {"Plan fragment rows read here",
         metrics.GetCounter("cairn_sql_fragment_rows_read_total", "")}});
    throughput_->Start();
  }
  http_server_ =
      std::make_unique<HttpServer>([this] { return Healthy(); }, [this] { return StatusPage(); });
  CAIRN_RETURN_IF_ERROR(http_server_->Start(options_.http_addr));
  pgwire::PgServerOptions pg_options;
  pg_options.trust_loopback = options_.loopback_auth == "trust";
  pg_options.trust_remote = options_.remote_auth == "trust";
  if (!options_.certs_dir.empty()) {
    CAIRN_ASSIGN_OR_RETURN(pg_options.tls, pgwire::TlsContext::Load(options_.certs_dir));
  }
  pg_server_ = std::make_unique<pgwire::PgServer>(sql_engine_.get(), std::move(pg_options));
  CAIRN_RETURN_IF_ERROR(pg_server_->Start(options_.sql_addr.host, options_.sql_addr.port));

  CAIRN_RETURN_IF_ERROR(registry_->Register(SelfRecord()));
  Gauge* ranges_gauge = MetricRegistry::Global().GetGauge(
      "cairn_store_ranges", "Replicas on this node's store, as of its last heartbeat");
  Gauge* leases_gauge = MetricRegistry::Global().GetGauge(
      "cairn_store_leases",
      "Ranges this node leads (holds the lease of), as of its last heartbeat");
  registry_->Start([this, ranges_gauge, leases_gauge] {
    uint64_t ranges = 0;
    uint64_t leases = 0;
    const uint64_t self = store_->ident().node_id();
    for (kv::Replica* r : store_->replicas()) {
      // Not counted: one waiting for its first snapshot, or one that has
      // applied its own removal and waits for the replica GC. Placement
      // decides by these counts: a node is not fuller for replicas its
      // ranges no longer have there.
      if (!r->initialized() || !r->ListsNode(self)) continue;
      ++ranges;
      leases += r->IsServing() ? 1 : 0;
    }
    ranges_gauge->Set(static_cast<int64_t>(ranges));
    leases_gauge->Set(static_cast<int64_t>(leases));
    return std::make_pair(ranges, leases);
  });
  kv::ReplicateQueue::Options replicate_options;
  replicate_options.replication_factor = [this] {
    return static_cast<size_t>(settings_->Current("kv.replication_factor"));
  };
  replicate_queue_ =
      std::make_unique<kv::ReplicateQueue>(store_.get(), registry_.get(), replicate_options);
  settings_->Start();
  replicate_queue_->Start();
  kv::SplitQueue::Options split_options;
  split_options.max_range_bytes = [this] {
    return static_cast<uint64_t>(settings_->Current("kv.range_max_bytes"));
  };
  split_queue_ = std::make_unique<kv::SplitQueue>(
      store_.get(), [this] { return range_ids_->Next(); }, split_options);
  split_queue_->Start();
  replica_gc_queue_ = std::make_unique<kv::ReplicaGcQueue>(
      store_.get(),
      [this](std::string_view key) { return locator_->DescriptorFromLeaseholder(key); },
      kv::ReplicaGcQueue::Options{});
  replica_gc_queue_->Start();
  meta_publisher_ = std::make_unique<kv::MetaPublisher>(store_.get(), kv_client_.get(),
                                                        kv::MetaPublisher::Options{});
  meta_publisher_->Start();
  kv::GcQueue::Options gc_options;
  gc_options.now = [this] { return kv_client_->GetTimestamp(); };
  gc_options.ttl_seconds = [this] { return settings_->Current("gc.ttl_seconds"); };
  gc_options.oldest_active = [this] { return registry_->OldestActiveInCluster(); };
  gc_queue_ = std::make_unique<kv::GcQueue>(store_.get(), std::move(gc_options));
  gc_queue_->Start();
  serving_.store(true);
  CAIRN_LOG_INFO(
      "node {} of cluster {} serving SQL on {}:{}, RPC on {}:{}, HTTP on {}:{}, data in {}",
      store_->ident().node_id(), store_->ident().cluster_id(), options_.sql_addr.host,
      pg_server_->port(), options_.rpc_addr.host, rpc_port_, options_.http_addr.host,
      http_server_->port(), options_.data_dir);
  return absl::OkStatus();
}

absl::Status Node::StartRpcServer() {
  kv::ClusterService::Hooks hooks;
  hooks.node_id = store_->ident().node_id();
  hooks.rpc_address = Advertised(options_.rpc_addr, options_.rpc_addr.port);
  hooks.address_of = [this](uint64_t node_id) { return registry_->AddressOf(node_id); };
  hooks.local_timestamps = [this](uint32_t count) { return timestamps_->GetLocal(count); };
  hooks.timestamps = [this](uint32_t count) { return timestamps_->Get(count); };
  hooks.join = [this](const proto::JoinRequest& request) -> absl::StatusOr<proto::JoinResponse> {
    proto::NodeRecord record;
    record.set_rpc_address(request.addresses().rpc_address());
    record.set_sql_address(request.addresses().sql_address());
    record.set_http_address(request.addresses().http_address());
    CAIRN_ASSIGN_OR_RETURN(uint64_t node_id, registry_->Admit(record));
    proto::JoinResponse response;
    response.set_cluster_id(store_->ident().cluster_id());
    response.set_node_id(node_id);
    return response;
  };
  hooks.decommission = [this](uint64_t node_id) { return Decommission(node_id); };
  hooks.drain = [this](uint64_t timeout_ms) { return Drain(timeout_ms); };
  hooks.nodes = [this] {
    std::vector<proto::NodeStatus> nodes;
    for (const auto& m : registry_->Members()) {
      proto::NodeStatus status;
      *status.mutable_record() = m.record;
      status.set_live(m.live);
      nodes.push_back(std::move(status));
    }
    return nodes;
  };
  cluster_service_ = std::make_unique<kv::ClusterService>(store_.get(), std::move(hooks));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.rpc_addr.ToString(), grpc::InsecureServerCredentials(),
                           &rpc_port_);
  builder.SetMaxReceiveMessageSize(-1);
  builder.RegisterService(cluster_service_.get());
  transport_->RegisterWith(&builder);
  rpc_server_ = builder.BuildAndStart();
  if (rpc_server_ == nullptr || rpc_port_ == 0) {
    return MakeError(ErrorCode::kUnavailable,
                     absl::StrCat("cannot listen for RPC on ", options_.rpc_addr.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Node::Decommission(uint64_t node_id) {
  if (node_id == store_->ident().node_id()) {
    registry_->SetDecommissioning();
    return absl::OkStatus();
  }
  // The node itself marks its record: its heartbeats carry the mark.
  bool live = false;
  std::string address;
  for (const auto& m : registry_->Members()) {
    if (m.record.node_id() != node_id) continue;
    live = m.live;
    address = m.record.rpc_address();
  }
  if (address.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("node ", node_id, " is not a member of the cluster"));
  }
  if (!live) {
    return MakeError(ErrorCode::kUnavailable,
                     absl::StrCat("node ", node_id, " is not live; its replicas are replaced "
                                  "once it has been dead for the dead-node timeout"));
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  proto::DecommissionRequest request;
  request.set_node_id(node_id);
  proto::DecommissionResponse response;
  grpc::Status rpc = dialer_.StubFor(address)->Decommission(&context, request, &response);
  if (!rpc.ok()) {
    return MakeError(ErrorCode::kUnavailable,
                     absl::StrCat("node ", node_id, " at ", address, ": ", rpc.error_message()));
  }
  return kv::StatusFromProto(response.error());
}

bool Node::Healthy() const {
  if (!serving() || draining() || registry_ == nullptr) return false;
  // Cut off from the quorum of the meta range (a partition), the node can
  // start no transaction: it serves no SQL, whatever its listeners do.
  constexpr int64_t kCutOffAfterMs = 10'000;
  const auto now_ms = static_cast<int64_t>(Clock::Real()->NowMillis());
  return now_ms - registry_->last_heartbeat_ok_ms() < kCutOffAfterMs;
}

std::string Node::StatusPage() {
  StatusPageData data;
  if (store_) {
    data.node_id = store_->ident().node_id();
    data.cluster_id = store_->ident().cluster_id();
  }
  if (registry_) data.members = registry_->Members();
  if (locator_) {
    absl::StatusOr<std::vector<kv::RangeInfo>> ranges = locator_->RangesIn("", "");
    if (ranges.ok()) {
      data.ranges = *std::move(ranges);
    } else {
      data.ranges_error = std::string(ranges.status().message());
    }
  }
  data.replication_lag_entries =
      MetricRegistry::Global().GetGauge("cairn_raft_replication_lag_entries", "")->value();
  if (throughput_) data.throughput = throughput_->Rates();
  data.slowest = executor::SlowStatements::Global().Slowest();
  return RenderStatusPage(data);
}

absl::StatusOr<uint64_t> Node::Drain(uint64_t timeout_ms) {
  draining_.store(true);
  pg_server_->SetDraining();
  registry_->SetDraining();
  // Hand the leases over now; the replicate queue hands over any this node
  // wins back in an election, and other nodes' balancing sends it none.
  const uint64_t self = store_->ident().node_id();
  auto leases_here = [&] {
    uint64_t leases = 0;
    for (kv::Replica* r : store_->replicas()) leases += r->IsServing() ? 1 : 0;
    return leases;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    std::set<uint64_t> targets;
    for (const auto& m : registry_->Members()) {
      if (m.can_lead() && m.record.node_id() != self) targets.insert(m.record.node_id());
    }
    if (targets.empty()) {
      return MakeError(ErrorCode::kUnavailable,
                       "no other live node can take this node's leases: it stays their holder");
    }
    const uint64_t left = leases_here();
    if (left == 0 || std::chrono::steady_clock::now() >= deadline) {
      CAIRN_LOG_INFO("drained: {} leases left on this node", left);
      return left;
    }
    store_->TransferLeases(/*timeout_ms=*/2000,
                           [&targets](uint64_t node_id) { return targets.contains(node_id); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

proto::NodeRecord Node::SelfRecord() const {
  proto::NodeRecord record;
  record.set_node_id(store_->ident().node_id());
  record.set_rpc_address(Advertised(options_.rpc_addr, rpc_port_));
  record.set_sql_address(Advertised(options_.sql_addr, pg_server_->port()));
  record.set_http_address(Advertised(options_.http_addr, http_server_->port()));
  return record;
}

std::string Node::Advertised(const HostPort& listen, uint16_t port) const {
  if (!options_.advertise_host.empty()) return absl::StrCat(options_.advertise_host, ":", port);
  if (listen.host == "0.0.0.0") {
    // Listening everywhere: the machine's name is what others can use.
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') {
      return absl::StrCat(name, ":", port);
    }
  }
  return absl::StrCat(listen.host, ":", port);
}

void Node::Stop() {
  serving_.store(false);
  // Top down: no new statements, then no new writes, then the store.
  if (pg_server_) pg_server_->Stop();
  if (http_server_) http_server_->Stop();
  if (throughput_) throughput_->Stop();
  // Statements are done; background work (automatic ANALYZE, heartbeats)
  // must not wait out the routing deadline on ranges nobody serves (the
  // last node of a cluster to stop).
  if (kv_client_) kv_client_->Shutdown();
  if (timestamps_) timestamps_->Shutdown();
  if (sql_engine_) sql_engine_->Stop();
  if (replicate_queue_) replicate_queue_->Stop();
  if (settings_) settings_->Stop();
  if (split_queue_) split_queue_->Stop();
  if (replica_gc_queue_) replica_gc_queue_->Stop();
  if (meta_publisher_) meta_publisher_->Stop();
  if (gc_queue_) gc_queue_->Stop();
  // Leaders elsewhere before this node goes: clients then find them at
  // once instead of after an election timeout.
  if (store_ && rpc_server_) {
    std::set<uint64_t> live;
    for (const auto& m : registry_->Members()) {
      if (m.live) live.insert(m.record.node_id());
    }
    store_->TransferLeases(/*timeout_ms=*/5000,
                           [&live](uint64_t node_id) { return live.contains(node_id); });
  }
  if (registry_) registry_->Stop();
  if (rpc_server_) {
    // Peers' Raft streams never end by themselves: give in-flight commands
    // a moment, then cancel the rest.
    rpc_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    rpc_server_.reset();
  }
  if (transport_) transport_->Stop();
  if (store_) store_->Stop();
  forwarder_.set(nullptr);
}

}  // namespace cairn::server
