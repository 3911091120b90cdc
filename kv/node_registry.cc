#include "kv/node_registry.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "kv/keys.h"
#include "kv/mvcc/mvcc_reader.h"

namespace cairn::kv {
namespace {

// A one-phase commit's lock lives no longer than its Raft round; the TTL
// only matters to a reader that meets it mid-round.
constexpr uint64_t kWriteTtlMs = 3000;
constexpr absl::Duration kConflictDeadline = absl::Seconds(30);

std::string NodeKeyPrefix() { return keys::SystemKey(keys::kNodeKind, ""); }

std::string NodeKey(uint64_t node_id) {
  std::string key = NodeKeyPrefix();
  key_codec::AppendUint64(&key, node_id);
  return key;
}

std::string NodeIdAllocatorKey() { return keys::SystemKey(keys::kAllocatorKind, "node-id"); }

absl::StatusOr<uint64_t> ParseAllocator(const std::optional<std::string>& value) {
  if (!value) return 0;
  uint64_t n = 0;
  if (!absl::SimpleAtoi(*value, &n)) {
    return MakeError(ErrorCode::kDataCorrupted, "unparsable node id allocator");
  }
  return n;
}

}  // namespace

NodeRegistry::NodeRegistry(KvClient* client, Clock* clock, Options options)
    : client_(client), clock_(clock), options_(options) {
  auto& metrics = MetricRegistry::Global();
  nodes_gauge_ = metrics.GetGauge("cairn_cluster_nodes",
                                  "Members of the cluster, live or not, as of this node's last "
                                  "heartbeat");
  live_nodes_gauge_ = metrics.GetGauge(
      "cairn_cluster_nodes_live", "Members whose last heartbeat is within the dead-node timeout");
}

NodeRegistry::~NodeRegistry() { Stop(); }

absl::StatusOr<std::vector<proto::NodeRecord>> NodeRegistry::ReadLocalRecords(KvEngine* engine) {
  const std::string prefix = NodeKeyPrefix();
  auto view = engine->NewLatestView();
  MvccReader reader(view.get());
  std::optional<LockedKey> locked;
  CAIRN_ASSIGN_OR_RETURN(
      std::vector<KeyValue> rows,
      reader.Scan(prefix, key_codec::PrefixEnd(prefix), kMaxTimestamp, 0, &locked));
  std::vector<proto::NodeRecord> records;
  for (const KeyValue& kv : rows) {
    proto::NodeRecord record;
    if (record.ParseFromString(kv.value)) records.push_back(std::move(record));
  }
  return records;
}

void NodeRegistry::SeedMembers(const std::vector<proto::NodeRecord>& records) {
  absl::MutexLock lock(&mu_);
  if (!members_.empty()) return;
  for (const auto& record : records) members_.push_back(Member{record, /*live=*/true});
}

absl::StatusOr<std::optional<std::string>> NodeRegistry::Read(const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
  CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(key, ts));
  if (got.locked) {
    return MakeError(ErrorCode::kSerializationFailure, "node record is being written");
  }
  return got.value;
}

absl::Status NodeRegistry::Write(Timestamp start_ts,
                                 const std::vector<std::pair<std::string, std::string>>& puts) {
  PrewriteRequest request;
  request.primary = puts.front().first;
  request.start_ts = start_ts;
  request.ttl_ms = kWriteTtlMs;
  for (const auto& [key, value] : puts) {
    request.mutations.push_back({.kind = MutationKind::kPut, .key = key, .value = value});
  }
  CAIRN_ASSIGN_OR_RETURN(KvClient::OnePhaseResult result, client_->TryOnePhaseCommit(request));
  if (!result.applied) {
    return MakeError(ErrorCode::kInternal, "node records span ranges");
  }
  if (!result.errors.empty()) {
    return MakeError(ErrorCode::kSerializationFailure, "node record changed concurrently");
  }
  return absl::OkStatus();
}

absl::Status NodeRegistry::WithConflictRetries(const std::function<absl::Status()>& attempt) {
  const absl::Time deadline = absl::Now() + kConflictDeadline;
  for (;;) {
    absl::Status s = attempt();
    if (GetErrorCode(s) != ErrorCode::kSerializationFailure || absl::Now() > deadline) return s;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

absl::StatusOr<uint64_t> NodeRegistry::Admit(const proto::NodeRecord& addresses) {
  uint64_t node_id = 0;
  CAIRN_RETURN_IF_ERROR(WithConflictRetries([&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
    CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(NodeIdAllocatorKey(), ts));
    if (got.locked) return MakeError(ErrorCode::kSerializationFailure, "allocator locked");
    CAIRN_ASSIGN_OR_RETURN(uint64_t last, ParseAllocator(got.value));
    proto::NodeRecord record = addresses;
    record.set_node_id(last + 1);
    record.set_heartbeat_ms(clock_->NowMillis());
    CAIRN_RETURN_IF_ERROR(Write(ts, {{NodeIdAllocatorKey(), absl::StrCat(last + 1)},
                                     {NodeKey(last + 1), record.SerializeAsString()}}));
    node_id = last + 1;
    return absl::OkStatus();
  }));
  CAIRN_LOG_INFO("admitted node {} (rpc {}, sql {})", node_id, addresses.rpc_address(),
                 addresses.sql_address());
  return node_id;
}

absl::Status NodeRegistry::Register(const proto::NodeRecord& self) {
  {
    absl::MutexLock lock(&mu_);
    self_ = self;
  }
  absl::Status registered = WithConflictRetries([&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
    CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(NodeIdAllocatorKey(), ts));
    if (got.locked) return MakeError(ErrorCode::kSerializationFailure, "allocator locked");
    CAIRN_ASSIGN_OR_RETURN(uint64_t last, ParseAllocator(got.value));
    proto::NodeRecord record = self;
    // A node restarted while being decommissioned stays so.
    CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult existing, client_->Get(NodeKey(self.node_id()), ts));
    proto::NodeRecord before;
    if (existing.value && before.ParseFromString(*existing.value) && before.decommissioning()) {
      record.set_decommissioning(true);
      absl::MutexLock lock(&mu_);
      self_.set_decommissioning(true);
    }
    record.set_heartbeat_ms(clock_->NowMillis());
    std::vector<std::pair<std::string, std::string>> puts = {
        {NodeKey(self.node_id()), record.SerializeAsString()}};
    if (last < self.node_id()) puts.push_back({NodeIdAllocatorKey(), absl::StrCat(self.node_id())});
    return Write(ts, puts);
  });
  if (registered.ok()) last_heartbeat_ok_ms_.store(clock_->NowMillis());
  return registered;
}

void NodeRegistry::SetDecommissioning() {
  absl::MutexLock lock(&mu_);
  if (!self_.decommissioning()) {
    CAIRN_LOG_INFO("node {} is being decommissioned: its replicas move to other nodes",
                   self_.node_id());
  }
  self_.set_decommissioning(true);
}

void NodeRegistry::SetDraining() {
  absl::MutexLock lock(&mu_);
  if (!self_.draining()) {
    CAIRN_LOG_INFO("node {} is draining: its leases move to other nodes", self_.node_id());
  }
  self_.set_draining(true);
}

void NodeRegistry::Start(StoreCounts counts) {
  thread_ = std::thread([this, counts = std::move(counts)] { HeartbeatLoop(counts); });
}

void NodeRegistry::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    stop_cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void NodeRegistry::HeartbeatLoop(StoreCounts counts) {
  bool failing = false;
  for (;;) {
    absl::Status s = Heartbeat(counts);
    if (s.ok()) last_heartbeat_ok_ms_.store(clock_->NowMillis());
    if (!s.ok() && !failing) CAIRN_LOG_WARN("node heartbeat failed: {}", s.ToString());
    if (s.ok() && failing) CAIRN_LOG_INFO("node heartbeats succeed again");
    failing = !s.ok();
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      stop_cv_.WaitWithTimeout(&mu_, absl::Milliseconds(options_.heartbeat_interval_ms));
    }
    if (stopping_) return;
  }
}

absl::Status NodeRegistry::Heartbeat(const StoreCounts& counts) {
  proto::NodeRecord record;
  {
    absl::MutexLock lock(&mu_);
    record = self_;
  }
  const auto [ranges, leases] = counts();
  record.set_range_count(ranges);
  record.set_lease_count(leases);
  if (oldest_active_) record.set_oldest_active_ts(oldest_active_().value_or(0));
  record.set_heartbeat_ms(clock_->NowMillis());
  CAIRN_RETURN_IF_ERROR(WithConflictRetries([&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
    return Write(ts, {{NodeKey(record.node_id()), record.SerializeAsString()}});
  }));
  CAIRN_ASSIGN_OR_RETURN(std::vector<Member> members, ListMembers());
  size_t live = 0;
  for (const Member& m : members) live += m.live ? 1 : 0;
  nodes_gauge_->Set(static_cast<int64_t>(members.size()));
  live_nodes_gauge_->Set(static_cast<int64_t>(live));
  if (members_observer_) members_observer_(members);
  absl::MutexLock lock(&mu_);
  members_ = std::move(members);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<NodeRegistry::Member>> NodeRegistry::ListMembers() {
  const std::string prefix = NodeKeyPrefix();
  CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
  CAIRN_ASSIGN_OR_RETURN(KvClient::ScanResult scanned,
                         client_->Scan(prefix, key_codec::PrefixEnd(prefix), ts, 0));
  if (scanned.locked) {
    return MakeError(ErrorCode::kUnavailable, "node records are being written; try again");
  }
  const uint64_t now = clock_->NowMillis();
  std::vector<Member> members;
  for (const KeyValue& kv : scanned.rows) {
    Member m;
    if (!m.record.ParseFromString(kv.value)) {
      return MakeError(ErrorCode::kDataCorrupted, "unparsable node record");
    }
    m.live = m.record.heartbeat_ms() + options_.dead_node_timeout_ms > now;
    members.push_back(std::move(m));
  }
  return members;
}

std::optional<Timestamp> NodeRegistry::OldestActiveInCluster() const {
  absl::MutexLock lock(&mu_);
  std::optional<Timestamp> oldest;
  for (const Member& m : members_) {
    const Timestamp ts = m.record.oldest_active_ts();
    if (m.live && ts != 0 && (!oldest || ts < *oldest)) oldest = ts;
  }
  return oldest;
}

std::string NodeRegistry::AddressOf(uint64_t node_id) const {
  absl::MutexLock lock(&mu_);
  for (const Member& m : members_) {
    if (m.record.node_id() == node_id) return m.record.rpc_address();
  }
  return "";
}

std::vector<std::string> NodeRegistry::LiveAddresses() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const Member& m : members_) {
    if (m.live && m.record.node_id() != self_.node_id()) out.push_back(m.record.rpc_address());
  }
  return out;
}

std::vector<NodeRegistry::Member> NodeRegistry::Members() const {
  absl::MutexLock lock(&mu_);
  return members_;
}

std::pair<size_t, size_t> NodeRegistry::Counts() const {
  absl::MutexLock lock(&mu_);
  size_t live = 0;
  for (const Member& m : members_) live += m.live ? 1 : 0;
  return {members_.size(), live};
}

}  // namespace cairn::kv
