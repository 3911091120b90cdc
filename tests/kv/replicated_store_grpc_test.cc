// The replicated store over the real GrpcRaftTransport: three stores in one
// process, each behind its own gRPC server on 127.0.0.1, replicate and fail
// over as they do over the harness's loopback network.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "kv/transport/grpc_raft_transport.h"
#include "kv_test_util.h"
#include "replicated_store_harness.h"
#include "test_seed.h"

namespace cairn::kv::testing {
namespace {

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
        if (peer != id)
          node->transport->SetPeerAddress(peer, absl::StrCat("127.0.0.1:", other->port));
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

}  // namespace
}  // namespace cairn::kv::testing
