// Three kv::Store instances in one process replicating every range
// (bootstrap_nodes {1, 2, 3}): leader election per range, writes committed
// on all three engines, follower proposals refused with the leader named,
// fail-over, catch-up of a lagging follower from the log and from a range
// snapshot, and restarts. Most tests run over an in-test loopback transport
// that can cut a node off; one runs over the real GrpcRaftTransport.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "kv/keys.h"
#include "kv/memory_engine.h"
#include "kv/mvcc/txn_types.h"
#include "kv/range_commands.h"
#include "kv/store.h"
#include "kv/transport/grpc_raft_transport.h"
#include "kv_test_util.h"
#include "test_seed.h"

namespace cairn::kv {
namespace {

using testing::SharedEngine;
using testing::StoredLogIndexes;
using testing::TempDir;

constexpr uint64_t kMetaRange = 1;
constexpr uint64_t kDataRange = 2;
constexpr absl::Duration kWait = absl::Seconds(10);
const std::vector<uint64_t> kNodes = {1, 2, 3};

// Physical keys in the data column families, inside the span of range 2
// (table keyspace) or range 1 (system keyspace): range snapshots carry
// exactly the keys of a range's span.
std::string DataKey(std::string_view name) {
  return mvcc_keys::EncodeUserKey("\x80" + std::string(name));
}
std::string MetaKey(std::string_view name) {
  return mvcc_keys::EncodeUserKey(keys::SystemKey('z', name));
}

proto::RaftCommand PutCommand(const std::string& key, const std::string& value) {
  proto::RaftCommand command;
  proto::EngineMutation* m = command.add_mutations();
  m->set_cf(static_cast<uint32_t>(ColumnFamily::kDefault));
  m->set_key(key);
  m->set_value(value);
  return command;
}

proto::RaftCommand DeleteCommand(const std::string& key) {
  proto::RaftCommand command;
  proto::EngineMutation* m = command.add_mutations();
  m->set_cf(static_cast<uint32_t>(ColumnFamily::kDefault));
  m->set_key(key);
  m->set_is_delete(true);
  return command;
}

// Every entry of the MVCC column families: what replicas must agree on.
using EngineData = std::map<std::pair<int, std::string>, std::string>;

EngineData DataOf(const KvEngine& engine) {
  EngineData out;
  auto snapshot = engine.NewSnapshot();
  for (ColumnFamily cf : {ColumnFamily::kDefault, ColumnFamily::kLock, ColumnFamily::kWrite}) {
    auto it = snapshot->NewIterator(cf, "", "");
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[{static_cast<int>(cf), std::string(it->key())}] = std::string(it->value());
    }
  }
  return out;
}

// Polls `pred` until it holds or `timeout` passes (the stores give no
// callback to wait on; each check is cheap).
template <typename Pred>
bool Eventually(Pred pred, absl::Duration timeout = kWait) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!pred()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// The in-test network: delivers a node's messages synchronously to the
// destination store, or, for a node cut off or down, drops them and reports
// them to the sender as the real transport does (unreachable, snapshot
// failed). Counts delivered snapshots, to tell which catch-up path ran.
class LoopbackNetwork {
 public:
  class Endpoint final : public RaftTransport {
   public:
    Endpoint(LoopbackNetwork* network, uint64_t node) : network_(network), node_(node) {}
    void Send(uint64_t to_node, std::vector<RaftEnvelope> messages) override {
      network_->Deliver(node_, to_node, std::move(messages));
    }

   private:
    LoopbackNetwork* const network_;
    const uint64_t node_;
  };

  // Once registered, `handler` receives messages for `node` and the
  // reports about what `node` sent.
  void Register(uint64_t node, RaftMessageHandler* handler) {
    absl::MutexLock lock(&mu_);
    handlers_[node] = handler;
  }
  // Returns once no delivery into `node` is under way.
  void Unregister(uint64_t node) {
    absl::MutexLock lock(&mu_);
    handlers_.erase(node);
  }
  void SetIsolated(uint64_t node, bool isolated) {
    absl::MutexLock lock(&mu_);
    if (isolated) {
      isolated_.insert(node);
    } else {
      isolated_.erase(node);
    }
  }
  // The next `n` snapshots are lost on the way, as in a stream that
  // breaks mid-snapshot, and reported failed to their sender.
  void FailSnapshots(int n) {
    absl::MutexLock lock(&stats_mu_);
    fail_snapshots_ = n;
  }
  int snapshots_delivered(uint64_t to_node, uint64_t range_id) {
    absl::MutexLock lock(&stats_mu_);
    return snapshots_[{to_node, range_id}];
  }
  int snapshots_failed() {
    absl::MutexLock lock(&stats_mu_);
    return snapshots_failed_;
  }

 private:
  void Deliver(uint64_t from, uint64_t to, std::vector<RaftEnvelope> messages) {
    // Shared: stores deliver concurrently; Unregister waits for them.
    absl::ReaderMutexLock lock(&mu_);
    auto s = handlers_.find(from);
    RaftMessageHandler* sender = s == handlers_.end() ? nullptr : s->second;
    auto d = handlers_.find(to);
    if (d == handlers_.end() || isolated_.contains(from) || isolated_.contains(to)) {
      if (sender == nullptr) return;  // a node going down: nobody to tell
      std::vector<RaftEnvelope> unreachable;
      for (RaftEnvelope& e : messages) {
        if (e.message.snapshot.has_value()) {
          sender->HandleSnapshotSent(to, e, /*ok=*/false);
        } else {
          unreachable.push_back(std::move(e));
        }
      }
      if (!unreachable.empty()) sender->HandleUnreachable(to, unreachable);
      return;
    }
    std::vector<RaftEnvelope> delivered;
    std::vector<RaftEnvelope> snapshots;  // headers only, for the report
    std::vector<RaftEnvelope> lost;
    for (RaftEnvelope& e : messages) {
      if (!e.message.snapshot.has_value()) {
        delivered.push_back(std::move(e));
        continue;
      }
      RaftEnvelope header{e.range_id, raft::Message{.type = e.message.type,
                                                    .from = e.message.from,
                                                    .to = e.message.to}};
      header.message.snapshot = raft::Snapshot{.metadata = e.message.snapshot->metadata};
      absl::MutexLock stats(&stats_mu_);
      if (fail_snapshots_ > 0) {
        --fail_snapshots_;
        ++snapshots_failed_;
        lost.push_back(std::move(header));
      } else {
        ++snapshots_[{to, e.range_id}];
        snapshots.push_back(std::move(header));
        delivered.push_back(std::move(e));
      }
    }
    if (!delivered.empty()) d->second->HandleRaftMessages(from, std::move(delivered));
    if (sender != nullptr) {
      for (const RaftEnvelope& e : snapshots) sender->HandleSnapshotSent(to, e, /*ok=*/true);
      for (const RaftEnvelope& e : lost) sender->HandleSnapshotSent(to, e, /*ok=*/false);
    }
  }

  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, RaftMessageHandler*> handlers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint64_t> isolated_ ABSL_GUARDED_BY(mu_);
  absl::Mutex stats_mu_;
  std::map<std::pair<uint64_t, uint64_t>, int> snapshots_ ABSL_GUARDED_BY(stats_mu_);
  int fail_snapshots_ ABSL_GUARDED_BY(stats_mu_) = 0;
  int snapshots_failed_ ABSL_GUARDED_BY(stats_mu_) = 0;
};

// Ticks of 10 ms keep the tests quick; a sanitizer build runs several
// times slower, and its stalls would pass for election timeouts (the store
// ticks for all the time that passed), moving leadership under the tests'
// feet.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kTickMs = 50;
#else
constexpr int64_t kTickMs = 10;
#endif

Store::Options NodeOptions(uint64_t node, uint64_t seed, RaftTransport* transport) {
  Store::Options options;
  options.tick_interval_ms = kTickMs;
  options.election_tick = 10;
  options.heartbeat_tick = 1;
  // Shared by the nodes: the cluster id derives from it. Election
  // timeouts still differ (RaftConfig mixes in the node id).
  options.seed = seed;
  options.transport = transport;
  options.bootstrap_node_id = node;
  options.bootstrap_nodes = kNodes;
  return options;
}

// Helpers over whichever stores are up.
class ClusterView {
 public:
  virtual ~ClusterView() = default;
  // The running store of `node`, or nullptr when it is down.
  virtual Store* store(uint64_t node) = 0;

  std::vector<uint64_t> UpNodes() {
    std::vector<uint64_t> out;
    for (uint64_t n : kNodes) {
      if (store(n) != nullptr) out.push_back(n);
    }
    return out;
  }

  // The node whose replica of `range_id` serves, if exactly one does.
  uint64_t ServingNode(uint64_t range_id) {
    uint64_t found = 0;
    int serving = 0;
    for (uint64_t n : UpNodes()) {
      Replica* replica = store(n)->GetReplica(range_id);  // none yet: missed a split
      if (replica != nullptr && replica->IsServing()) {
        found = n;
        ++serving;
      }
    }
    return serving == 1 ? found : 0;
  }

  uint64_t WaitLeader(uint64_t range_id, absl::Duration timeout = kWait) {
    uint64_t leader = 0;
    Eventually([&] { return (leader = ServingNode(range_id)) != 0; }, timeout);
    return leader;
  }

  // Proposes on the current leader until the command commits: a leader
  // may step down underfoot (kUnavailable, or kRangeNotHere when it refused
  // the command), and the command is idempotent.
  absl::Status Propose(uint64_t range_id, const proto::RaftCommand& command) {
    const absl::Time deadline = absl::Now() + kWait;
    for (;;) {
      absl::Status status = MakeError(ErrorCode::kUnavailable, "no leader");
      if (uint64_t leader = ServingNode(range_id); leader != 0) {
        status = store(leader)->GetReplica(range_id)->ProposeAndWait(command);
        if (status.ok() || !IsRetryable(status)) return status;
      }
      if (absl::Now() > deadline) return status;
      absl::SleepFor(absl::Milliseconds(1));
    }
  }

  // `count` puts of data keys "<prefix>-<i % 200>" from `threads` writers;
  // concurrent proposals share the store's rounds, which keeps the long
  // scenarios short. Also deletes every key of `deletes`.
  // `count` puts from `threads` writers. Puts queued together share a log
  // entry (Replica::DrainProposals): a test that needs `count` entries
  // uses one writer, which waits for each put before the next.
  void WriteMany(const std::string& prefix, int count, int threads,
                 const std::vector<std::string>& deletes = {}) {
    std::atomic<int> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&] {
        for (int i = next++; i < count; i = next++) {
          absl::Status s = Propose(
              kDataRange, PutCommand(DataKey(absl::StrCat(prefix, "-", i % 200)),
                                     absl::StrCat("value-", i)));
          if (!s.ok() && failures++ == 0) ADD_FAILURE() << "put " << i << ": " << s;
        }
      });
    }
    for (auto& w : writers) w.join();
    for (const std::string& key : deletes) CAIRN_EXPECT_OK(Propose(kDataRange, DeleteCommand(key)));
    EXPECT_EQ(failures.load(), 0);
  }

  // Waits until `key` reads `value` (nullopt: absent) on every node listed.
  bool WaitValue(const std::vector<uint64_t>& nodes, const std::string& key,
                 const std::optional<std::string>& value) {
    return Eventually([&] {
      for (uint64_t n : nodes) {
        auto got = store(n)->engine()->Get(ColumnFamily::kDefault, key);
        if (!got.ok() || *got != value) return false;
      }
      return true;
    });
  }

  // Waits until the listed nodes hold identical data; reports how they
  // differ if they never do.
  void ExpectConverged(const std::vector<uint64_t>& nodes) {
    bool same = Eventually([&] {
      EngineData first = DataOf(*store(nodes[0])->engine());
      for (size_t i = 1; i < nodes.size(); ++i) {
        if (DataOf(*store(nodes[i])->engine()) != first) return false;
      }
      return true;
    });
    if (same) return;
    for (uint64_t n : nodes) {
      ADD_FAILURE() << "node " << n << " holds " << DataOf(*store(n)->engine()).size()
                    << " entries, last stored log index "
                    << (StoredLogIndexes(*store(n)->engine(), kDataRange).empty()
                            ? 0
                            : StoredLogIndexes(*store(n)->engine(), kDataRange).back());
    }
  }
};

// Three stores over the loopback network. Engines outlive their stores:
// a MemoryEngine per node behind a SharedEngine, or a RocksDB directory.
class ReplicatedStoreTest : public ::testing::Test, public ClusterView {
 protected:
  struct Node {
    std::unique_ptr<LoopbackNetwork::Endpoint> endpoint;
    std::unique_ptr<Store> store;
  };

  void TearDown() override {
    for (uint64_t n : kNodes) StopNode(n);
  }

  Store* store(uint64_t node) override {
    auto it = nodes_.find(node);
    return it == nodes_.end() ? nullptr : it->second.store.get();
  }

  std::unique_ptr<KvEngine> EngineOf(uint64_t node) {
    if (use_rocksdb_) return testing::OpenRocksDb(absl::StrCat(dir_.path(), "/node", node));
    return std::make_unique<SharedEngine>(&memory_[node]);
  }

  void StartNode(uint64_t node) {
    ASSERT_EQ(store(node), nullptr) << "node " << node << " is up already";
    Node& n = nodes_[node];
    n.endpoint = std::make_unique<LoopbackNetwork::Endpoint>(&network_, node);
    auto store = Store::Open(EngineOf(node), Clock::Real(),
                             NodeOptions(node, seed_, n.endpoint.get()));
    ASSERT_TRUE(store.ok()) << store.status();
    n.store = std::move(store).value();
    network_.Register(node, n.store.get());
    n.store->Start();
  }
  void StartAll() {
    for (uint64_t n : kNodes) ASSERT_NO_FATAL_FAILURE(StartNode(n));
  }

  // A crash as far as the others can tell; the engine keeps what was
  // written to it.
  void StopNode(uint64_t node) {
    auto it = nodes_.find(node);
    if (it == nodes_.end()) return;
    network_.Unregister(node);  // nothing is delivered into it any more
    if (it->second.store) it->second.store->Stop();
    nodes_.erase(it);
  }

  // Leaders of both ranges, or a failure.
  void WaitLeaders() {
    for (uint64_t range : {kMetaRange, kDataRange}) {
      ASSERT_NE(WaitLeader(range), 0u) << "range " << range << " elected no single leader";
    }
  }

  // Starts the nodes and commits x = "1" on the data range: followers learn
  // who leads from its first append, and this makes sure they have heard
  // of it. *leader: the data range's leader.
  void StartWithXCommitted(uint64_t* leader) {
    ASSERT_NO_FATAL_FAILURE(StartAll());
    ASSERT_NO_FATAL_FAILURE(WaitLeaders());
    CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("x"), "1")));
    ASSERT_TRUE(WaitValue(kNodes, DataKey("x"), "1"));
    *leader = ServingNode(kDataRange);
    ASSERT_NE(*leader, 0u);
  }

  uint64_t OtherThan(uint64_t a, uint64_t b) {
    for (uint64_t n : kNodes) {
      if (n != a && n != b) return n;
    }
    return 0;
  }

  const uint64_t seed_ = cairn::testing::TestSeed(4242);
  bool use_rocksdb_ = false;
  TempDir dir_;
  std::map<uint64_t, MemoryEngine> memory_;
  LoopbackNetwork network_;
  std::map<uint64_t, Node> nodes_;
};

TEST_F(ReplicatedStoreTest, EveryRangeElectsOneLeader) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  for (uint64_t range : {kMetaRange, kDataRange}) {
    const uint64_t leader = ServingNode(range);
    CAIRN_EXPECT_OK(store(leader)->GetReplica(range)->WaitServing(0));
    for (uint64_t n : kNodes) {
      if (n == leader) continue;
      // A follower never serves: its WaitServing times out.
      absl::Status s = store(n)->GetReplica(range)->WaitServing(20);
      EXPECT_EQ(GetErrorCode(s), ErrorCode::kUnavailable) << "range " << range << " node " << n;
    }
  }
  // Bootstrapped apart, the nodes agree on the cluster and their ids.
  for (uint64_t n : kNodes) {
    EXPECT_EQ(store(n)->ident().node_id(), n);
    EXPECT_EQ(store(n)->ident().cluster_id(), store(1)->ident().cluster_id());
    ASSERT_EQ(store(n)->replicas().size(), 2u);
    for (Replica* r : store(n)->replicas()) {
      EXPECT_EQ(r->descriptor().replicas_size(), 3) << "range " << r->range_id();
      for (uint64_t m : kNodes) EXPECT_EQ(r->NodeOf(m), m);
    }
  }
}

TEST_F(ReplicatedStoreTest, WritesCommitOnAllThreeEngines) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  for (uint64_t range : {kDataRange, kMetaRange}) {
    SCOPED_TRACE(absl::StrCat("range ", range));
    const std::string key = range == kDataRange ? DataKey("a") : MetaKey("a");
    const uint64_t leader = ServingNode(range);
    ASSERT_NE(leader, 0u);
    CAIRN_ASSERT_OK(store(leader)->GetReplica(range)->ProposeAndWait(PutCommand(key, "A")));
    // Applied on the leader when ProposeAndWait returns...
    auto on_leader = store(leader)->engine()->Get(ColumnFamily::kDefault, key);
    ASSERT_TRUE(on_leader.ok());
    EXPECT_EQ(*on_leader, "A");
    // ...and on the followers once they hear of the commit.
    EXPECT_TRUE(WaitValue(kNodes, key, "A"));

    CAIRN_ASSERT_OK(store(leader)->GetReplica(range)->ProposeAndWait(DeleteCommand(key)));
    EXPECT_TRUE(WaitValue(kNodes, key, std::nullopt));
  }
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 100, 4));
  ExpectConverged(kNodes);
}

TEST_F(ReplicatedStoreTest, ProposalOnAFollowerFailsNamingTheLeader) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  uint64_t leader = 0;
  ASSERT_NO_FATAL_FAILURE(StartWithXCommitted(&leader));
  for (uint64_t n : kNodes) {
    if (n == leader) continue;
    SCOPED_TRACE(absl::StrCat("follower ", n));
    absl::Status s = store(n)->GetReplica(kDataRange)->ProposeAndWait(PutCommand(DataKey("x"), "2"));
    ASSERT_FALSE(s.ok());
    // Refused before it reached the log: the routing client may resend it
    // to the leader.
    EXPECT_EQ(GetErrorCode(s), ErrorCode::kRangeNotHere) << s;
    EXPECT_TRUE(IsRetryable(s)) << s;
    EXPECT_NE(s.message().find(absl::StrCat("leader: node ", leader)), std::string::npos) << s;
  }
  // Nothing of the refused proposals was applied anywhere.
  EXPECT_TRUE(WaitValue(kNodes, DataKey("x"), "1"));
}

// While it hands leadership over, a leader refuses proposals; they never
// reach the log, so they fail as sent to the wrong node (kRangeNotHere),
// which the routing client retries, not as an outcome-unknown kUnavailable.
TEST_F(ReplicatedStoreTest, ProposalDuringALeadershipTransferIsRefusedAsNotHere) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  uint64_t leader = 0;
  ASSERT_NO_FATAL_FAILURE(StartWithXCommitted(&leader));
  const uint64_t target = OtherThan(leader, 0);
  // The target never hears the leader's TimeoutNow: the transfer stays in
  // progress until the leader gives up on it after an election timeout.
  network_.SetIsolated(target, true);
  Replica* replica = store(leader)->GetReplica(kDataRange);
  replica->TransferLeadership(target);
  absl::Status s = replica->ProposeAndWait(PutCommand(DataKey("x"), "2"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kRangeNotHere) << s;
  EXPECT_NE(s.message().find("leadership transfer in progress"), std::string::npos) << s;
  network_.SetIsolated(target, false);
  // The abandoned transfer leaves the group writable, and the refused
  // proposal was never applied.
  ASSERT_NE(WaitLeader(kDataRange), 0u);
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("y"), "3")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("y"), "3"));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("x"), "1"));
}

TEST_F(ReplicatedStoreTest, StoppingTheLeaderElectsANewOneAndWritesContinue) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("before"), "1")));
  ASSERT_TRUE(WaitValue(kNodes, DataKey("before"), "1"));

  const uint64_t old_leader = ServingNode(kDataRange);
  StopNode(old_leader);
  // Both ranges end up led by one of the two others (the meta range may
  // have lost its leader too).
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const uint64_t new_leader = ServingNode(kDataRange);
  EXPECT_NE(new_leader, old_leader);
  const std::vector<uint64_t> up = UpNodes();
  ASSERT_EQ(up.size(), 2u);

  // A quorum of two still commits.
  CAIRN_ASSERT_OK(
      store(new_leader)->GetReplica(kDataRange)->ProposeAndWait(PutCommand(DataKey("after"), "2")));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("after"), "m")));
  EXPECT_TRUE(WaitValue(up, DataKey("after"), "2"));
  EXPECT_TRUE(WaitValue(up, MetaKey("after"), "m"));

  // The old leader comes back as a follower and catches up.
  ASSERT_NO_FATAL_FAILURE(StartNode(old_leader));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("after"), "2"));
  EXPECT_TRUE(WaitValue(kNodes, MetaKey("after"), "m"));
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("later"), "3")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("later"), "3"));
  ExpectConverged(kNodes);
}

// A follower cut off while more than a compaction interval of entries
// commits catches up from the leader's log: the leader retains what a
// follower within the retained lag (Store::Options::raft_log_retained_entries, 16384) needs, whether or not it is
// reachable (MaybeCompactLog looks at the lag only).
TEST_F(ReplicatedStoreTest, CutOffFollowerCatchesUpFromTheRetainedLog) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  ASSERT_NO_FATAL_FAILURE(WriteMany("early", 20, 2));
  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t cut = leader == 1 ? 2 : 1;
  const uint64_t other = OtherThan(leader, cut);
  ExpectConverged(kNodes);

  network_.SetIsolated(cut, true);
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 1200, 1, {DataKey("early-3")}));
  ASSERT_EQ(ServingNode(kDataRange), leader) << "leadership moved: the premise is lost";
  // The other follower compacted past what the cut-off one holds; the
  // leader kept it.
  const std::vector<uint64_t> cut_log = StoredLogIndexes(*store(cut)->engine(), kDataRange);
  ASSERT_FALSE(cut_log.empty());
  EXPECT_TRUE(Eventually([&] {
    return StoredLogIndexes(*store(other)->engine(), kDataRange).front() > cut_log.back() + 1;
  })) << "the other follower never compacted its log";
  EXPECT_LE(StoredLogIndexes(*store(leader)->engine(), kDataRange).front(), cut_log.back() + 1);

  network_.SetIsolated(cut, false);
  ExpectConverged(kNodes);
  EXPECT_TRUE(WaitValue(kNodes, DataKey("early-3"), std::nullopt));
  EXPECT_EQ(network_.snapshots_delivered(cut, kDataRange), 0)
      << "the leader had the log: no snapshot was needed";
  // The leader's log is compacted once the follower is back.
  ASSERT_NO_FATAL_FAILURE(WriteMany("k2", 1100, 1));
  ExpectConverged(kNodes);
  EXPECT_TRUE(Eventually([&] {
    return StoredLogIndexes(*store(leader)->engine(), kDataRange).front() > cut_log.back() + 1;
  })) << "the leader never compacted after the follower caught up";
}

// A follower that missed entries that no longer exist in its new leader's
// log is sent a range snapshot. To get there within the retention rules:
// the follower F goes down; the other follower G compacts its log as it
// applies (followers compact freely); then the leader goes down and F comes
// back, so G leads and must ship F a snapshot. F ends with the same data
// (deletes included), keeps it across a restart, and follows later writes.
TEST_F(ReplicatedStoreTest, LaggingFollowerCatchesUpFromASnapshot) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  std::vector<std::string> doomed;
  for (int i = 0; i < 10; ++i) {
    doomed.push_back(DataKey(absl::StrCat("doomed-", i)));
    CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(doomed.back(), "x")));
  }
  ExpectConverged(kNodes);

  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t lagging = leader == 1 ? 2 : 1;
  const uint64_t successor = OtherThan(leader, lagging);
  StopNode(lagging);
  const std::vector<uint64_t> lagging_log = StoredLogIndexes(memory_[lagging], kDataRange);
  ASSERT_FALSE(lagging_log.empty());

  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 1300, 1, doomed));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "meta")));
  ExpectConverged({leader, successor});
  // Premise: the successor's log starts past the lagging node's end.
  ASSERT_TRUE(Eventually([&] {
    return StoredLogIndexes(memory_[successor], kDataRange).front() > lagging_log.back() + 1;
  })) << "the successor never compacted its log";

  StopNode(leader);
  // The first snapshot is lost on the way: the leader hears of it and
  // sends another (had the store not reported it, the leader would wait
  // in snapshot state for good).
  network_.FailSnapshots(1);
  ASSERT_NO_FATAL_FAILURE(StartNode(lagging));
  // Only the successor has the committed log: it must win.
  ASSERT_EQ(WaitLeader(kDataRange), successor);
  ExpectConverged({successor, lagging});
  EXPECT_EQ(network_.snapshots_failed(), 1);
  EXPECT_GE(network_.snapshots_delivered(lagging, kDataRange), 1)
      << "caught up without a snapshot: the scenario missed its point";
  for (const std::string& key : doomed) {
    auto got = store(lagging)->engine()->Get(ColumnFamily::kDefault, key);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, std::nullopt) << "a key deleted while away survived the snapshot";
  }
  EXPECT_TRUE(WaitValue({lagging}, MetaKey("m"), "meta"));

  // The snapshot replaced the lagging node's log: later entries follow it.
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("after-snapshot"), "1")));
  EXPECT_TRUE(WaitValue({successor, lagging}, DataKey("after-snapshot"), "1"));

  // The old leader rejoins; then the snapshot-installed node restarts from
  // what it persisted.
  ASSERT_NO_FATAL_FAILURE(StartNode(leader));
  ExpectConverged(kNodes);
  StopNode(lagging);
  ASSERT_NO_FATAL_FAILURE(StartNode(lagging));
  ASSERT_NO_FATAL_FAILURE(WriteMany("k3", 50, 4));
  ExpectConverged(kNodes);
}

// A follower cut off for more than the retained lag (16384 entries) is no longer
// worth keeping the log for: the leader compacts past it and, once the
// follower is reachable again, ships it a snapshot of the range.
TEST_F(ReplicatedStoreTest, FollowerBeyondTheRetainedLagGetsTheLeadersSnapshot) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  // Store::Options::raft_log_retained_entries (16384) plus a compaction interval
  // (1024), and a margin.
  constexpr int kEntries = 16 * 1024 + 1024 + 400;
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  std::vector<std::string> doomed;
  for (int i = 0; i < 10; ++i) {
    doomed.push_back(DataKey(absl::StrCat("doomed-", i)));
    CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(doomed.back(), "x")));
  }
  ExpectConverged(kNodes);
  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t cut = leader == 1 ? 2 : 1;
  const std::vector<uint64_t> cut_log = StoredLogIndexes(*store(cut)->engine(), kDataRange);
  ASSERT_FALSE(cut_log.empty());

  network_.SetIsolated(cut, true);
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", kEntries, 1, doomed));
  ASSERT_EQ(ServingNode(kDataRange), leader) << "leadership moved: the premise is lost";
  ASSERT_TRUE(Eventually([&] {
    return StoredLogIndexes(*store(leader)->engine(), kDataRange).front() > cut_log.back() + 1;
  })) << "the leader kept the log for a follower " << kEntries << " entries behind";

  network_.SetIsolated(cut, false);
  ExpectConverged(kNodes);
  EXPECT_GE(network_.snapshots_delivered(cut, kDataRange), 1);
  for (const std::string& key : doomed) {
    auto got = store(cut)->engine()->Get(ColumnFamily::kDefault, key);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, std::nullopt) << "a key deleted while cut off survived the snapshot";
  }
  // And it follows the log from the snapshot on.
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("after-snapshot"), "1")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("after-snapshot"), "1"));
}

// Restart on the same RocksDB directories: one follower, then the whole
// cluster. A restarted store comes back with its data and log (multi-voter
// groups reload their membership and hard state) and rejoins.
TEST_F(ReplicatedStoreTest, RestartOnTheSameRocksDbDirsRecoversAndRejoins) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  use_rocksdb_ = true;
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const std::string cluster_id = store(1)->ident().cluster_id();
  ASSERT_NO_FATAL_FAILURE(WriteMany("a", 100, 4));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "1")));
  ExpectConverged(kNodes);

  const uint64_t follower = ServingNode(kDataRange) == 3 ? 2 : 3;
  const EngineData before = DataOf(*store(follower)->engine());
  StopNode(follower);
  ASSERT_NO_FATAL_FAILURE(WriteMany("b", 50, 4));
  ASSERT_NO_FATAL_FAILURE(StartNode(follower));
  EXPECT_EQ(store(follower)->ident().cluster_id(), cluster_id) << "bootstrapped again";
  EXPECT_EQ(store(follower)->ident().node_id(), follower);
  ExpectConverged(kNodes);
  EXPECT_NE(DataOf(*store(follower)->engine()), before) << "missed the writes while down";

  // The whole cluster down and up again.
  const EngineData all = DataOf(*store(1)->engine());
  for (uint64_t n : kNodes) StopNode(n);
  ASSERT_NO_FATAL_FAILURE(StartAll());
  for (uint64_t n : kNodes) {
    EXPECT_EQ(DataOf(*store(n)->engine()), all) << "node " << n << " lost data";
  }
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  ASSERT_NO_FATAL_FAILURE(WriteMany("c", 50, 4));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "2")));
  EXPECT_TRUE(WaitValue(kNodes, MetaKey("m"), "2"));
  ExpectConverged(kNodes);
}

// --- Over the real gRPC transport -------------------------------------------

// The transport needs its handler before the Store exists (the Store needs
// the transport to open): this forwards to the store once it is set, and
// drops what arrives before or after (Raft retransmits).
class StoreHandler final : public RaftMessageHandler {
 public:
  void Set(Store* store) {
    absl::MutexLock lock(&mu_);
    store_ = store;
  }
  void HandleRaftMessages(uint64_t from_node, std::vector<RaftEnvelope> messages) override {
    absl::ReaderMutexLock lock(&mu_);
    if (store_ != nullptr) store_->HandleRaftMessages(from_node, std::move(messages));
  }
  void HandleUnreachable(uint64_t to_node, const std::vector<RaftEnvelope>& dropped) override {
    absl::ReaderMutexLock lock(&mu_);
    if (store_ != nullptr) store_->HandleUnreachable(to_node, dropped);
  }
  void HandleSnapshotSent(uint64_t to_node, const RaftEnvelope& snapshot, bool ok) override {
    absl::ReaderMutexLock lock(&mu_);
    if (store_ != nullptr) store_->HandleSnapshotSent(to_node, snapshot, ok);
  }

 private:
  absl::Mutex mu_;
  Store* store_ ABSL_GUARDED_BY(mu_) = nullptr;
};

class ReplicatedStoreGrpcTest : public ::testing::Test, public ClusterView {
 protected:
  struct Node {
    StoreHandler handler;
    std::unique_ptr<GrpcRaftTransport> transport;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<Store> store;
    int port = 0;
  };

  void SetUp() override {
    for (uint64_t id : kNodes) {
      auto node = std::make_unique<Node>();
      node->transport = std::make_unique<GrpcRaftTransport>(id, &node->handler);
      grpc::ServerBuilder builder;
      builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &node->port);
      node->transport->RegisterWith(&builder);
      node->server = builder.BuildAndStart();
      ASSERT_NE(node->server, nullptr);
      nodes_[id] = std::move(node);
    }
    for (auto& [id, node] : nodes_) {
      for (auto& [peer, other] : nodes_) {
        if (peer != id) node->transport->SetPeerAddress(peer, absl::StrCat("127.0.0.1:", other->port));
      }
    }
    for (auto& [id, node] : nodes_) {
      auto store = Store::Open(std::make_unique<MemoryEngine>(), Clock::Real(),
                               NodeOptions(id, seed_, node->transport.get()));
      ASSERT_TRUE(store.ok()) << store.status();
      node->store = std::move(store).value();
      node->handler.Set(node->store.get());
    }
    for (auto& [id, node] : nodes_) node->store->Start();
  }

  void TearDown() override {
    for (uint64_t n : kNodes) StopNode(n);
  }

  Store* store(uint64_t node) override {
    auto it = nodes_.find(node);
    return it == nodes_.end() ? nullptr : it->second->store.get();
  }

  void StopNode(uint64_t id) {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) return;
    Node& node = *it->second;
    node.handler.Set(nullptr);
    node.transport->Stop();
    if (node.store) node.store->Stop();
    node.server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    node.server->Wait();
    nodes_.erase(it);  // the server before the transport that owns its service
  }

  const uint64_t seed_ = cairn::testing::TestSeed(4243);
  std::map<uint64_t, std::unique_ptr<Node>> nodes_;
};

TEST_F(ReplicatedStoreGrpcTest, ReplicatesAndFailsOverOverGrpc) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  for (uint64_t range : {kMetaRange, kDataRange}) ASSERT_NE(WaitLeader(range), 0u);
  ASSERT_NO_FATAL_FAILURE(WriteMany("k", 200, 8));
  CAIRN_ASSERT_OK(Propose(kMetaRange, PutCommand(MetaKey("m"), "1")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("k-199"), "value-199"));
  EXPECT_TRUE(WaitValue(kNodes, MetaKey("m"), "1"));
  ExpectConverged(kNodes);

  const uint64_t old_leader = ServingNode(kDataRange);
  StopNode(old_leader);
  for (uint64_t range : {kMetaRange, kDataRange}) ASSERT_NE(WaitLeader(range), 0u);
  EXPECT_NE(ServingNode(kDataRange), old_leader);
  ASSERT_NO_FATAL_FAILURE(WriteMany("after", 50, 4));
  const std::vector<uint64_t> up = UpNodes();
  EXPECT_TRUE(WaitValue(up, DataKey("after-49"), "value-49"));
  ExpectConverged(up);
}

// Reads are served by a leader alone only within its lease (Config::lease_reads,
// Replica::HoldsLease): a leader cut off from the others loses its lease
// before any other replica can be elected and serve, so it never answers a
// read that misses a write the new leader acknowledged.
TEST_F(ReplicatedStoreTest, CutOffLeaderLosesItsLeaseBeforeANewLeaderHoldsOne) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const uint64_t old_leader = ServingNode(kDataRange);
  Replica* old_replica = store(old_leader)->GetReplica(kDataRange);
  ASSERT_TRUE(Eventually([&] { return old_replica->HoldsLease(); }))
      << "a leader with a live quorum holds its lease";

  network_.SetIsolated(old_leader, true);
  uint64_t new_leader = 0;
  int samples = 0;
  const bool elected = Eventually([&] {
    // Sampled in this order: if the new leader holds a lease now, the old
    // one's ended before.
    for (uint64_t n : kNodes) {
      if (n == old_leader) continue;
      if (store(n)->GetReplica(kDataRange)->HoldsLease()) new_leader = n;
    }
    const bool old_holds = old_replica->HoldsLease();
    ++samples;
    if (new_leader != 0) {
      EXPECT_FALSE(old_holds) << "two leases at once: nodes " << old_leader << " and "
                              << new_leader;
      return true;
    }
    return false;
  });
  ASSERT_TRUE(elected) << "the two connected nodes elect a leader with a lease";
  EXPECT_FALSE(old_replica->HoldsLease());
  // Reads at the cut-off node are refused rather than served stale.
  absl::Status read = old_replica->WaitForLease(/*timeout_ms=*/200);
  EXPECT_EQ(GetErrorCode(read), ErrorCode::kRangeNotHere) << read;
  std::printf("node %llu cut off; node %llu leads with a lease (%d samples)\n",
              static_cast<unsigned long long>(old_leader),
              static_cast<unsigned long long>(new_leader), samples);

  network_.SetIsolated(old_leader, false);
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("healed"), "1")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("healed"), "1"));
}

}  // namespace
}  // namespace cairn::kv

namespace cairn::kv {
namespace {

// A split divides the range on every store at the same log index; the new
// range's group is led at once by the node that led the old one (it
// campaigns as it creates its replica), and writes on both sides commit on
// all three engines.
TEST_F(ReplicatedStoreTest, SplitRangeIsLedAtOnceAndReplicatedEverywhere) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  ASSERT_NO_FATAL_FAILURE(WriteMany("before", 50, 2));
  const uint64_t leader = ServingNode(kDataRange);
  constexpr uint64_t kRightRange = 7;
  const std::string split_key = "\x80m";

  const absl::Time start = absl::Now();
  CAIRN_ASSERT_OK(RangeCommands(store(leader)->GetReplica(kDataRange)).Split(split_key, kRightRange));
  const uint64_t right_leader = WaitLeader(kRightRange);
  const absl::Duration elected = absl::Now() - start;
  std::printf("split applied and the new range led after %.1f ms (by node %llu)\n",
              absl::ToDoubleMilliseconds(elected), static_cast<unsigned long long>(right_leader));
  EXPECT_EQ(right_leader, leader) << "the old range's leader should lead the new one";
  // Well within one election timeout (10 ticks of 100 ms): no timeout ran.
  EXPECT_LT(elected, absl::Milliseconds(900));

  EXPECT_TRUE(Eventually([&] {
    for (uint64_t n : kNodes) {
      Replica* r = store(n)->GetReplica(kRightRange);
      if (r == nullptr || !r->initialized() || r->descriptor().start_key() != split_key) {
        return false;
      }
      if (store(n)->GetReplica(kDataRange)->descriptor().end_key() != split_key) return false;
    }
    return true;
  })) << "a store did not apply the split";
  CAIRN_ASSERT_OK(Propose(kRightRange, PutCommand(DataKey("z-after"), "right")));
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("a-after"), "left")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("z-after"), "right"));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("a-after"), "left"));
  ExpectConverged(kNodes);
}

// A follower cut off while the range splits misses the split; back, it
// applies it from the log (the new range's leader cannot install a snapshot
// there before: the old range still covers those keys) and then follows
// the new range like the others.
TEST_F(ReplicatedStoreTest, FollowerThatMissedASplitCatchesUpWithBothHalves) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_NO_FATAL_FAILURE(WaitLeaders());
  const uint64_t leader = ServingNode(kDataRange);
  const uint64_t cut = leader == 1 ? 2 : 1;
  constexpr uint64_t kRightRange = 7;
  const std::string split_key = "\x80m";

  network_.SetIsolated(cut, true);
  CAIRN_ASSERT_OK(RangeCommands(store(leader)->GetReplica(kDataRange)).Split(split_key, kRightRange));
  ASSERT_NE(WaitLeader(kRightRange), 0u);
  CAIRN_ASSERT_OK(Propose(kRightRange, PutCommand(DataKey("z-while-cut"), "right")));
  CAIRN_ASSERT_OK(Propose(kDataRange, PutCommand(DataKey("a-while-cut"), "left")));
  EXPECT_EQ(store(cut)->GetReplica(kDataRange)->descriptor().end_key(), "")
      << "the cut-off follower cannot have applied the split";

  network_.SetIsolated(cut, false);
  EXPECT_TRUE(WaitValue(kNodes, DataKey("z-while-cut"), "right"));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("a-while-cut"), "left"));
  Replica* right = store(cut)->GetReplica(kRightRange);
  ASSERT_NE(right, nullptr);
  EXPECT_TRUE(right->initialized());
  EXPECT_EQ(right->descriptor().start_key(), split_key);
  EXPECT_EQ(store(cut)->GetReplica(kDataRange)->descriptor().end_key(), split_key);
  CAIRN_ASSERT_OK(Propose(kRightRange, PutCommand(DataKey("z-after"), "right again")));
  EXPECT_TRUE(WaitValue(kNodes, DataKey("z-after"), "right again"));
  ExpectConverged(kNodes);
}

}  // namespace
}  // namespace cairn::kv
