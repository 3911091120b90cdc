#pragma once

// The harness of the replicated-store tests: three kv::Store instances in
// one process replicating every range (bootstrap_nodes {1, 2, 3}) over an
// in-test loopback network that can cut a node off, and the views of the
// cluster the scenarios wait on (who leads, what each engine holds).

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
#include "kv/store.h"
#include "kv_test_util.h"
#include "test_seed.h"

namespace cairn::kv::testing {

constexpr uint64_t kMetaRange = 1;
constexpr uint64_t kDataRange = 2;
constexpr absl::Duration kWait = absl::Seconds(10);
inline const std::vector<uint64_t> kNodes = {1, 2, 3};

// Physical keys in the data column families, inside the span of range 2
// (table keyspace) or range 1 (system keyspace): range snapshots carry
// exactly the keys of a range's span.
inline std::string DataKey(std::string_view name) {
  return mvcc_keys::EncodeUserKey("\x80" + std::string(name));
}
inline std::string MetaKey(std::string_view name) {
  return mvcc_keys::EncodeUserKey(keys::SystemKey('z', name));
}

inline proto::RaftCommand PutCommand(const std::string& key, const std::string& value) {
  proto::RaftCommand command;
  proto::EngineMutation* m = command.add_mutations();
  m->set_cf(static_cast<uint32_t>(ColumnFamily::kDefault));
  m->set_key(key);
  m->set_value(value);
  return command;
}

inline proto::RaftCommand DeleteCommand(const std::string& key) {
  proto::RaftCommand command;
  proto::EngineMutation* m = command.add_mutations();
  m->set_cf(static_cast<uint32_t>(ColumnFamily::kDefault));
  m->set_key(key);
  m->set_is_delete(true);
  return command;
}

// Every entry of the MVCC column families: what replicas must agree on.
using EngineData = std::map<std::pair<int, std::string>, std::string>;

inline EngineData DataOf(const KvEngine& engine) {
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
      RaftEnvelope header{
          e.range_id,
          raft::Message{.type = e.message.type, .from = e.message.from, .to = e.message.to}};
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

inline Store::Options NodeOptions(uint64_t node, uint64_t seed, RaftTransport* transport) {
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
              kDataRange,
              PutCommand(DataKey(absl::StrCat(prefix, "-", i % 200)), absl::StrCat("value-", i)));
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
    auto store =
        Store::Open(EngineOf(node), Clock::Real(), NodeOptions(node, seed_, n.endpoint.get()));
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

}  // namespace cairn::kv::testing
