// GrpcRaftTransport over real gRPC servers on 127.0.0.1 (ports chosen by
// the kernel): messages of many ranges share one stream per peer and
// arrive in the order sent, whole Sends batched together; snapshots travel
// in chunks and are reported; a dead peer costs nothing but reports and
// never delays a healthy one; a restarted peer is found again; Stop() is
// prompt and reports what it dropped. The receiving service is also fed
// hand-made batches to check what it refuses.

#include "kv/transport/grpc_raft_transport.h"

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "kv/transport/raft_message_codec.h"
#include "proto/raft_transport.grpc.pb.h"
#include "test_seed.h"

namespace cairn::kv {
namespace {

using raft::MessageType;

constexpr absl::Duration kWait = absl::Seconds(10);

// What a node's transport handed to its store, for the test to wait on.
class RecordingHandler final : public RaftMessageHandler {
 public:
  struct SnapshotReport {
    uint64_t to_node;
    uint64_t range_id;
    uint64_t index;
    bool ok;
  };

  void HandleRaftMessages(uint64_t from_node, std::vector<RaftEnvelope> messages) override {
    absl::MutexLock lock(&mu_);
    delivery_sizes_.push_back(messages.size());
    for (RaftEnvelope& e : messages) {
      from_nodes_.push_back(from_node);
      received_.push_back(std::move(e));
    }
    cv_.SignalAll();
    // A stuck store: the transport thread that called us stays here.
    ++in_handler_;
    cv_.SignalAll();
    while (hold_) cv_.Wait(&mu_);
    --in_handler_;
  }
  void HandleUnreachable(uint64_t to_node, const std::vector<RaftEnvelope>& dropped) override {
    absl::MutexLock lock(&mu_);
    for (const RaftEnvelope& e : dropped) {
      EXPECT_FALSE(e.message.snapshot.has_value()) << "snapshots are reported as sent or failed";
      unreachable_.push_back({to_node, e});
    }
    cv_.SignalAll();
  }
  void HandleSnapshotSent(uint64_t to_node, const RaftEnvelope& snapshot, bool ok) override {
    absl::MutexLock lock(&mu_);
    snapshot_reports_.push_back(
        {to_node, snapshot.range_id, snapshot.message.snapshot->metadata.index, ok});
    cv_.SignalAll();
  }

  // Waits until `pred` (called with mu_ held) holds or `timeout` passes;
  // returns whether it holds.
  template <typename Pred>
  bool WaitUntil(Pred pred, absl::Duration timeout = kWait) {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + timeout;
    while (!pred()) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) return pred();
    }
    return true;
  }
  bool WaitReceived(size_t n, absl::Duration timeout = kWait) {
    return WaitUntil([&] { return received_.size() >= n; }, timeout);
  }

  // While held, HandleRaftMessages blocks its caller.
  void SetHold(bool hold) {
    absl::MutexLock lock(&mu_);
    hold_ = hold;
    cv_.SignalAll();
  }

  void Clear() {
    absl::MutexLock lock(&mu_);
    received_.clear();
    from_nodes_.clear();
    delivery_sizes_.clear();
    unreachable_.clear();
    snapshot_reports_.clear();
  }

  std::vector<RaftEnvelope> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  std::vector<uint64_t> from_nodes() {
    absl::MutexLock lock(&mu_);
    return from_nodes_;
  }
  std::vector<size_t> delivery_sizes() {
    absl::MutexLock lock(&mu_);
    return delivery_sizes_;
  }
  std::vector<std::pair<uint64_t, RaftEnvelope>> unreachable() {
    absl::MutexLock lock(&mu_);
    return unreachable_;
  }
  std::vector<SnapshotReport> snapshot_reports() {
    absl::MutexLock lock(&mu_);
    return snapshot_reports_;
  }
  size_t unreachable_count(uint64_t to_node) {
    absl::MutexLock lock(&mu_);
    return CountUnreachable(to_node);
  }

  size_t CountUnreachable(uint64_t to_node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t n = 0;
    for (const auto& [to, e] : unreachable_) n += to == to_node;
    return n;
  }

  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<RaftEnvelope> received_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> from_nodes_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> delivery_sizes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<uint64_t, RaftEnvelope>> unreachable_ ABSL_GUARDED_BY(mu_);
  std::vector<SnapshotReport> snapshot_reports_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  int in_handler_ ABSL_GUARDED_BY(mu_) = 0;
};

// One node: its handler (the store's side), its transport, and the gRPC
// server that receives its peers' streams.
struct Node {
  uint64_t id = 0;
  int port = 0;
  RecordingHandler handler;
  std::unique_ptr<GrpcRaftTransport> transport;
  std::unique_ptr<grpc::Server> server;

  std::string address() const { return absl::StrCat("127.0.0.1:", port); }

  // Stops what the node started: its outgoing streams first, then the
  // server (which ends the peers' streams into it), before the service
  // and the handler go away.
  void Shutdown() {
    if (transport) transport->Stop();
    // Release a handler a test held: the server waits for its threads.
    handler.SetHold(false);
    if (server) {
      server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      server->Wait();
      server.reset();
    }
  }
  ~Node() { Shutdown(); }
};

// `port` 0: any free port (the kernel picks it).
std::unique_ptr<Node> MakeNode(uint64_t id, const PeerConnectionOptions& options, int port = 0) {
  auto node = std::make_unique<Node>();
  node->id = id;
  node->transport = std::make_unique<GrpcRaftTransport>(id, &node->handler, options);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                           &node->port);
  node->transport->RegisterWith(&builder);
  node->server = builder.BuildAndStart();
  EXPECT_NE(node->server, nullptr) << "cannot listen on 127.0.0.1:" << port;
  EXPECT_GT(node->port, 0);
  return node;
}

// A loopback port that nobody listens on: bound, read back, released.
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// A message of `range_id` whose index identifies it in the test; appends
// carry an entry, so that entries cross the wire too.
RaftEnvelope Msg(uint64_t range_id, uint64_t seq, MessageType type = MessageType::kAppend,
                 size_t payload = 16) {
  RaftEnvelope e;
  e.range_id = range_id;
  e.message.type = type;
  e.message.from = 1;
  e.message.to = 2;
  e.message.term = 3;
  e.message.index = seq;
  e.message.commit = seq / 2;
  if (type == MessageType::kAppend) {
    e.message.entries.push_back(raft::Entry{
        .term = 3, .index = seq + 1, .data = absl::StrCat("entry-", seq, std::string(payload, 'p'))});
  }
  return e;
}

RaftEnvelope SnapshotMsg(uint64_t range_id, uint64_t index, std::string data) {
  RaftEnvelope e;
  e.range_id = range_id;
  e.message.type = MessageType::kSnapshot;
  e.message.from = 1;
  e.message.to = 2;
  e.message.term = 3;
  raft::Snapshot snap;
  snap.metadata.index = index;
  snap.metadata.term = 3;
  snap.metadata.conf_state.voters = {1, 2, 3};
  snap.data = std::move(data);
  e.message.snapshot = std::move(snap);
  return e;
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// (range, index) of each message: what identifies it in these tests.
std::vector<std::pair<uint64_t, uint64_t>> Ids(const std::vector<RaftEnvelope>& messages) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const RaftEnvelope& e : messages) out.emplace_back(e.range_id, e.message.index);
  return out;
}

class GrpcRaftTransportTest : public ::testing::Test {
 protected:
  // Every node's outgoing streams end before any server goes down, so no
  // server waits out its shutdown deadline on a peer's open stream.
  void TearDown() override {
    for (auto& node : nodes_) node->transport->Stop();
    nodes_.clear();
  }

  Node* StartNode(uint64_t id, const PeerConnectionOptions& options, int port = 0) {
    nodes_.push_back(MakeNode(id, options, port));
    return nodes_.back().get();
  }
  void StopNode(Node* node) {
    node->Shutdown();
    std::erase_if(nodes_, [&](const auto& n) { return n.get() == node; });
  }

  // Sends heartbeats from `from` to `to` until one arrives, then forgets
  // them: the first connect may take longer than the back-off, and the
  // transport (rightly) drops what waited that long. Tests that check
  // exact delivery start from a connected stream.
  void Connect(Node& from, Node& to) {
    from.transport->SetPeerAddress(to.id, to.address());
    const absl::Time deadline = absl::Now() + kWait;
    bool connected = false;
    for (uint64_t i = 0; !connected && absl::Now() < deadline; ++i) {
      from.transport->Send(to.id, {Msg(999, i, MessageType::kHeartbeat)});
      connected = to.handler.WaitReceived(1, absl::Milliseconds(100));
    }
    ASSERT_TRUE(connected) << "node " << from.id << " never reached node " << to.id;
    // Heartbeats still in flight must not show up in the test's counts.
    from.transport->Send(to.id, {Msg(999, 1000000, MessageType::kHeartbeat)});
    ASSERT_TRUE(to.handler.WaitUntil([&] {
      return !to.handler.received_.empty() && to.handler.received_.back().message.index == 1000000;
    }));
    to.handler.Clear();
    from.handler.Clear();
  }

  const uint64_t seed_ = cairn::testing::TestSeed(7001);
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(GrpcRaftTransportTest, MessagesOfManyRangesArriveInOrderAndBatched) {
  Node* n1 = StartNode(1, {});
  Node* n2 = StartNode(2, {});
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));

  constexpr int kSends = 50, kRanges = 5;
  std::vector<RaftEnvelope> sent;
  uint64_t seq = 0;
  for (int s = 0; s < kSends; ++s) {
    std::vector<RaftEnvelope> batch;
    for (int r = 1; r <= kRanges; ++r) {
      // Mixed types, as a store's round produces them.
      MessageType type = r % 2 == 0 ? MessageType::kHeartbeat : MessageType::kAppend;
      batch.push_back(Msg(r, ++seq, type));
    }
    sent.insert(sent.end(), batch.begin(), batch.end());
    n1->transport->Send(2, std::move(batch));
  }
  ASSERT_TRUE(n2->handler.WaitReceived(sent.size()));
  std::vector<RaftEnvelope> got = n2->handler.received();
  ASSERT_EQ(Ids(got), Ids(sent));
  // Contents survive, not only identities.
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[i].message.type, sent[i].message.type) << i;
    EXPECT_EQ(got[i].message.entries, sent[i].message.entries) << i;
    EXPECT_EQ(got[i].message.commit, sent[i].message.commit) << i;
  }
  for (uint64_t from : n2->handler.from_nodes()) EXPECT_EQ(from, 1u);
  // Batched: a Send is never split across deliveries (they are far below
  // max_batch_bytes), and Sends that queue up behind a batch on the wire
  // go out together, so there are at most as many deliveries as Sends.
  std::vector<size_t> sizes = n2->handler.delivery_sizes();
  EXPECT_LE(sizes.size(), static_cast<size_t>(kSends));
  for (size_t n : sizes) EXPECT_EQ(n % kRanges, 0u) << "a Send was split";
  EXPECT_TRUE(n1->handler.unreachable().empty());
  std::cout << kSends << " sends arrived in " << sizes.size() << " deliveries\n";
}

TEST_F(GrpcRaftTransportTest, LargeSendsAreSplitAtMaxBatchBytesInOrder) {
  PeerConnectionOptions options;
  options.max_batch_bytes = 1000;
  Node* n1 = StartNode(1, options);
  Node* n2 = StartNode(2, options);
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));

  std::vector<RaftEnvelope> sent;
  for (uint64_t i = 1; i <= 20; ++i) sent.push_back(Msg(1 + i % 3, i, MessageType::kAppend, 300));
  n1->transport->Send(2, sent);
  ASSERT_TRUE(n2->handler.WaitReceived(sent.size()));
  std::vector<RaftEnvelope> got = n2->handler.received();
  EXPECT_EQ(Ids(got), Ids(sent));
  // ~330 bytes a message: three fit in a batch, never more.
  std::vector<size_t> sizes = n2->handler.delivery_sizes();
  EXPECT_GE(sizes.size(), 6u);
  size_t next = 0;
  for (size_t n : sizes) {
    size_t bytes = 0;
    for (size_t i = next; i < next + n; ++i) {
      bytes += RaftMessageToProto(got[i].range_id, got[i].message).ByteSizeLong();
    }
    EXPECT_LE(bytes, options.max_batch_bytes) << "a batch of " << n << " messages";
    next += n;
  }
}

// Regression test: a batch was cut only once it had reached
// max_batch_bytes (4 MiB by default), so batches of a few full-size
// appends (raft's max_size_per_msg is 1 MiB) came out at or above gRPC's
// default 4 MiB receive limit; the receiver refused them and the stream
// broke, again and again, under exactly the load that needs it most. The
// same held for a snapshot's first chunk (1 MiB) sent with the messages
// queued before it. The receiving server here has gRPC's default limit.
TEST_F(GrpcRaftTransportTest, BatchesOfFullSizeAppendsFitGrpcsDefaultMessageLimit) {
  Node* n1 = StartNode(1, {});
  Node* n2 = StartNode(2, {});
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));

  constexpr size_t kAppendBytes = 1000 * 1000;  // just under raft's 1 MiB cap
  std::vector<RaftEnvelope> sent;
  for (uint64_t i = 1; i <= 8; ++i) sent.push_back(Msg(1 + i % 3, i, MessageType::kAppend, kAppendBytes));
  n1->transport->Send(2, sent);
  // Three more appends, then a snapshot with full-size chunks.
  std::vector<RaftEnvelope> more;
  for (uint64_t i = 9; i <= 11; ++i) more.push_back(Msg(1, i, MessageType::kAppend, kAppendBytes));
  more.push_back(SnapshotMsg(2, 12, std::string(3 << 20, 's')));
  sent.insert(sent.end(), more.begin(), more.end());
  n1->transport->Send(2, std::move(more));

  ASSERT_TRUE(n2->handler.WaitReceived(sent.size()))
      << n2->handler.received().size() << " of " << sent.size() << " arrived, "
      << n1->handler.unreachable_count(2) << " reported unreachable";
  EXPECT_EQ(Ids(n2->handler.received()), Ids(sent));
  EXPECT_EQ(n1->handler.unreachable_count(2), 0u);
  ASSERT_TRUE(n1->handler.WaitUntil([&] { return !n1->handler.snapshot_reports_.empty(); }));
  EXPECT_TRUE(n1->handler.snapshot_reports()[0].ok);
}

// Raft sends at least one entry per append, however large: a single
// message above gRPC's default 4 MiB receive limit must still arrive
// (GrpcRaftTransport::RegisterWith lifts the limit).
TEST_F(GrpcRaftTransportTest, OneAppendLargerThanGrpcsDefaultLimitArrives) {
  Node* n1 = StartNode(1, {});
  Node* n2 = StartNode(2, {});
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));
  std::vector<RaftEnvelope> sent = {Msg(1, 1, MessageType::kAppend, 6 << 20), Msg(1, 2)};
  n1->transport->Send(2, sent);
  ASSERT_TRUE(n2->handler.WaitReceived(sent.size()))
      << n2->handler.received().size() << " of " << sent.size() << " arrived";
  EXPECT_EQ(Ids(n2->handler.received()), Ids(sent));
  EXPECT_EQ(n1->handler.unreachable_count(2), 0u);
}

TEST_F(GrpcRaftTransportTest, ChunkedSnapshotArrivesWholeAndIsReported) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  PeerConnectionOptions options;
  options.snapshot_chunk_bytes = 1024;
  Node* n1 = StartNode(1, options);
  Node* n2 = StartNode(2, options);
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));

  const std::string data = RandomBytes(rng, 10 * 1024 + 123);  // 11 chunks
  std::vector<RaftEnvelope> sent = {Msg(3, 1), SnapshotMsg(3, 500, data), Msg(3, 501),
                                    Msg(4, 7, MessageType::kHeartbeat)};
  n1->transport->Send(2, sent);
  // A second snapshot right behind it, of another range, reuses the stream.
  const std::string data2 = RandomBytes(rng, 3000);
  n1->transport->Send(2, {SnapshotMsg(4, 80, data2), Msg(4, 81)});
  sent.push_back(SnapshotMsg(4, 80, data2));
  sent.push_back(Msg(4, 81));

  ASSERT_TRUE(n2->handler.WaitReceived(sent.size()));
  std::vector<RaftEnvelope> got = n2->handler.received();
  ASSERT_EQ(got.size(), sent.size());
  ASSERT_EQ(Ids(got), Ids(sent));
  ASSERT_TRUE(got[1].message.snapshot.has_value());
  EXPECT_EQ(got[1].message.snapshot->metadata, sent[1].message.snapshot->metadata);
  EXPECT_TRUE(got[1].message.snapshot->data == data) << "snapshot data differs";
  ASSERT_TRUE(got[4].message.snapshot.has_value());
  EXPECT_TRUE(got[4].message.snapshot->data == data2) << "second snapshot data differs";

  ASSERT_TRUE(n1->handler.WaitUntil([&] { return n1->handler.snapshot_reports_.size() == 2; }));
  std::vector<RecordingHandler::SnapshotReport> reports = n1->handler.snapshot_reports();
  EXPECT_EQ(reports[0].to_node, 2u);
  EXPECT_EQ(reports[0].range_id, 3u);
  EXPECT_EQ(reports[0].index, 500u);
  EXPECT_TRUE(reports[0].ok);
  EXPECT_EQ(reports[1].range_id, 4u);
  EXPECT_TRUE(reports[1].ok);
  EXPECT_TRUE(n1->handler.unreachable().empty());
}

// What the sender puts on the wire for a snapshot, seen by a bare service:
// the header with the first chunk, then chunks of at most
// snapshot_chunk_bytes, the last one marked.
class ChunkRecordingService final : public proto::RaftTransport::Service {
 public:
  grpc::Status RaftStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<proto::RaftStreamResponse, proto::RaftMessageBatch>* stream)
      override {
    proto::RaftMessageBatch batch;
    while (stream->Read(&batch)) {
      absl::MutexLock lock(&mu_);
      batches_.push_back(batch);
    }
    return grpc::Status::OK;
  }

  // Waits for a batch with the last chunk of a snapshot: the sender
  // reports a snapshot sent once gRPC took its writes, which may be
  // before this side read them.
  bool WaitLastChunk() {
    absl::MutexLock lock(&mu_);
    auto has_last = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !batches_.empty() && batches_.back().chunk().last();
    };
    return mu_.AwaitWithTimeout(absl::Condition(&has_last), kWait);
  }
  std::vector<proto::RaftMessageBatch> batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }

 private:
  absl::Mutex mu_;
  std::vector<proto::RaftMessageBatch> batches_ ABSL_GUARDED_BY(mu_);
};

TEST_F(GrpcRaftTransportTest, SnapshotIsStreamedInChunks) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  ChunkRecordingService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  PeerConnectionOptions options;
  options.snapshot_chunk_bytes = 1000;
  options.min_backoff_ms = 2000;  // the first connect may take its time
  Node* n1 = StartNode(1, options);
  // However the test ends, the stream into `server` ends first: a server
  // shuts down only once its calls have.
  absl::Cleanup stop = [&] {
    StopNode(n1);
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  };
  n1->transport->SetPeerAddress(2, absl::StrCat("127.0.0.1:", port));
  const std::string data = RandomBytes(rng, 4500);
  n1->transport->Send(2, {Msg(5, 1), SnapshotMsg(5, 42, data)});
  ASSERT_TRUE(n1->handler.WaitUntil([&] { return !n1->handler.snapshot_reports_.empty(); }));
  EXPECT_TRUE(n1->handler.snapshot_reports()[0].ok);
  ASSERT_TRUE(service.WaitLastChunk());

  std::vector<proto::RaftMessageBatch> batches = service.batches();
  // The append goes ahead on its own (the snapshot's first chunk must not
  // swell its batch), then ceil(4500 / 1000) chunks.
  ASSERT_EQ(batches.size(), 6u);
  ASSERT_EQ(batches[0].messages_size(), 1);
  EXPECT_FALSE(batches[0].has_chunk());
  EXPECT_EQ(batches[0].messages(0).index(), 1u);
  batches.erase(batches.begin());
  ASSERT_EQ(batches[0].messages_size(), 1);
  EXPECT_EQ(batches[0].from_node_id(), 1u);
  EXPECT_EQ(batches[0].to_node_id(), 2u);
  EXPECT_TRUE(batches[0].messages(0).has_snapshot());
  EXPECT_EQ(batches[0].messages(0).snapshot_size(), data.size());
  std::string joined;
  for (size_t i = 0; i < batches.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("batch ", i));
    if (i > 0) {
      EXPECT_EQ(batches[i].messages_size(), 0);
    }
    ASSERT_TRUE(batches[i].has_chunk());
    EXPECT_EQ(batches[i].chunk().range_id(), 5u);
    EXPECT_EQ(batches[i].chunk().snapshot_index(), 42u);
    EXPECT_LE(batches[i].chunk().data().size(), 1000u);
    EXPECT_EQ(batches[i].chunk().last(), i + 1 == batches.size());
    joined += batches[i].chunk().data();
  }
  EXPECT_TRUE(joined == data);
}

TEST_F(GrpcRaftTransportTest, DeadPeerIsReportedAndDoesNotDelayAHealthyOne) {
  // A long back-off: the dead peer's connection thread sits in its first
  // connect attempt for this long, so a healthy peer served within it was
  // not queued behind the dead one.
  constexpr int64_t kBackoffMs = 1000;
  PeerConnectionOptions options;
  options.min_backoff_ms = kBackoffMs;
  options.max_backoff_ms = kBackoffMs;
  Node* n1 = StartNode(1, options);
  Node* n2 = StartNode(2, options);
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));
  n1->transport->SetPeerAddress(3, absl::StrCat("127.0.0.1:", UnusedPort()));

  const absl::Time start = absl::Now();
  n1->transport->Send(3, {Msg(1, 1), Msg(2, 2), SnapshotMsg(1, 10, "snap")});
  n1->transport->Send(2, {Msg(1, 3), Msg(2, 4)});
  ASSERT_TRUE(n2->handler.WaitReceived(2));
  const absl::Duration healthy = absl::Now() - start;
  EXPECT_LT(healthy, absl::Milliseconds(kBackoffMs)) << "delivery to the healthy peer waited";
  EXPECT_EQ(Ids(n2->handler.received()), Ids({Msg(1, 3), Msg(2, 4)}));

  // The dead peer's messages come back as reports: the appends as
  // unreachable, the snapshot as failed.
  ASSERT_TRUE(n1->handler.WaitUntil([&] {
    return n1->handler.CountUnreachable(3) >= 2 && !n1->handler.snapshot_reports_.empty();
  }));
  std::vector<RecordingHandler::SnapshotReport> reports = n1->handler.snapshot_reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].to_node, 3u);
  EXPECT_FALSE(reports[0].ok);
  std::vector<std::pair<uint64_t, RaftEnvelope>> unreachable = n1->handler.unreachable();
  ASSERT_EQ(unreachable.size(), 2u);
  EXPECT_EQ(unreachable[0].second.message.index, 1u);
  EXPECT_EQ(unreachable[1].second.message.index, 2u);
  EXPECT_EQ(n1->handler.unreachable_count(2), 0u);

  // And the healthy peer keeps being served while the dead one retries.
  n1->transport->Send(3, {Msg(1, 5)});
  n1->transport->Send(2, {Msg(1, 6)});
  ASSERT_TRUE(n2->handler.WaitReceived(3));
  EXPECT_EQ(n2->handler.received().back().message.index, 6u);
}

TEST_F(GrpcRaftTransportTest, UnknownPeerIsReportedAtOnce) {
  Node* n1 = StartNode(1, {});
  // No address for node 7: nothing to connect to.
  n1->transport->Send(7, {Msg(1, 1), SnapshotMsg(1, 5, "s")});
  EXPECT_EQ(n1->handler.unreachable_count(7), 1u);
  ASSERT_EQ(n1->handler.snapshot_reports().size(), 1u);
  EXPECT_FALSE(n1->handler.snapshot_reports()[0].ok);
}

TEST_F(GrpcRaftTransportTest, RestartedPeerIsReconnected) {
  PeerConnectionOptions options;
  options.min_backoff_ms = 20;
  options.max_backoff_ms = 200;
  Node* n1 = StartNode(1, options);
  Node* n2 = StartNode(2, options);
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));
  n1->transport->Send(2, {Msg(1, 1)});
  ASSERT_TRUE(n2->handler.WaitReceived(1));
  const int port = n2->port;

  // Node 2 goes down. Messages sent meanwhile are lost; the sender notices
  // (a broken stream or a failed connect) and reports them.
  StopNode(n2);
  const absl::Time deadline = absl::Now() + kWait;
  uint64_t seq = 100;
  while (n1->handler.unreachable_count(2) == 0 && absl::Now() < deadline) {
    n1->transport->Send(2, {Msg(1, ++seq)});
    n1->handler.WaitUntil([&] { return n1->handler.CountUnreachable(2) > 0; },
                          absl::Milliseconds(50));
  }
  ASSERT_GT(n1->handler.unreachable_count(2), 0u) << "messages to a dead peer were not reported";

  // Node 2 comes back on the same port (a new process: a new transport).
  n2 = StartNode(2, options, port);
  ASSERT_EQ(n2->port, port);
  bool reached = false;
  seq = 1000;
  while (!reached && absl::Now() < deadline) {
    // Raft retransmits the same way: the first sends may still meet the
    // old, broken stream or the back-off.
    n1->transport->Send(2, {Msg(1, ++seq)});
    reached = n2->handler.WaitReceived(1, absl::Milliseconds(100));
  }
  ASSERT_TRUE(reached) << "the restarted peer was never reached again";

  // Once reconnected, later messages all arrive, in order.
  n2->handler.Clear();
  std::vector<RaftEnvelope> later;
  for (uint64_t i = 0; i < 10; ++i) later.push_back(Msg(1 + i % 2, 5000 + i));
  for (const RaftEnvelope& e : later) n1->transport->Send(2, {e});
  ASSERT_TRUE(n2->handler.WaitReceived(later.size()));
  EXPECT_EQ(Ids(n2->handler.received()), Ids(later));
}

TEST_F(GrpcRaftTransportTest, StreamsOfSeveralPeersAreKeptApart) {
  Node* n1 = StartNode(1, {});
  Node* n2 = StartNode(2, {});
  Node* n3 = StartNode(3, {});
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));
  ASSERT_NO_FATAL_FAILURE(Connect(*n3, *n2));

  // Both peers send at once, each from its own thread, as two stores do.
  constexpr int kEach = 200;
  auto send_all = [](Node* from) {
    for (int i = 0; i < kEach; ++i) {
      RaftEnvelope e = Msg(1 + i % 4, i);
      e.message.from = from->id;
      from->transport->Send(2, {std::move(e)});
    }
  };
  std::thread t1(send_all, n1);
  std::thread t3(send_all, n3);
  t1.join();
  t3.join();
  ASSERT_TRUE(n2->handler.WaitReceived(2 * kEach));
  std::vector<RaftEnvelope> got = n2->handler.received();
  std::vector<uint64_t> from = n2->handler.from_nodes();
  std::map<uint64_t, uint64_t> next_seq;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].message.from, from[i]) << "message " << i << " attributed to the wrong node";
    ASSERT_EQ(got[i].message.index, next_seq[from[i]]++) << "out of order from node " << from[i];
  }
  EXPECT_EQ(next_seq[1], static_cast<uint64_t>(kEach));
  EXPECT_EQ(next_seq[3], static_cast<uint64_t>(kEach));
}

TEST_F(GrpcRaftTransportTest, ChangedPeerAddressIsUsed) {
  Node* n1 = StartNode(1, {});
  Node* old_home = StartNode(2, {});
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *old_home));
  // Node 2 moves: a new process on another port.
  Node* new_home = StartNode(2, {});
  ASSERT_NE(new_home->port, old_home->port);
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *new_home));
  n1->transport->Send(2, {Msg(1, 7)});
  ASSERT_TRUE(new_home->handler.WaitReceived(1));
  EXPECT_EQ(new_home->handler.received()[0].message.index, 7u);
  EXPECT_TRUE(old_home->handler.received().empty()) << "still streaming to the old address";
}

TEST_F(GrpcRaftTransportTest, StopIsPromptWhileConnectingAndReportsTheRest) {
  // A dead peer. The first connect attempt gives up after min_backoff_ms
  // and reports what waited; the thread then waits twice as long on the
  // next attempt, which is where Stop() finds it.
  constexpr int64_t kBackoffMs = 1000;
  PeerConnectionOptions options;
  options.min_backoff_ms = kBackoffMs;
  options.max_backoff_ms = 8 * kBackoffMs;
  Node* n1 = StartNode(1, options);
  n1->transport->SetPeerAddress(3, absl::StrCat("127.0.0.1:", UnusedPort()));
  n1->transport->Send(3, {Msg(1, 1)});
  ASSERT_TRUE(n1->handler.WaitUntil([&] { return n1->handler.CountUnreachable(3) == 1; }));
  n1->transport->Send(3, {Msg(1, 2), Msg(2, 3), SnapshotMsg(1, 9, "snap")});

  const absl::Time start = absl::Now();
  n1->transport->Stop();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(kBackoffMs / 2))
      << "Stop() sat out the connect back-off";
  EXPECT_EQ(n1->handler.unreachable_count(3), 3u);
  ASSERT_EQ(n1->handler.snapshot_reports().size(), 1u);
  EXPECT_FALSE(n1->handler.snapshot_reports()[0].ok);

  // Stopped: later sends are reported at once.
  n1->transport->Send(3, {Msg(1, 4)});
  EXPECT_EQ(n1->handler.unreachable_count(3), 4u);
}

TEST_F(GrpcRaftTransportTest, StopIsPromptWithAStuckPeerAndReportsTheRest) {
  Node* n1 = StartNode(1, {});
  Node* n2 = StartNode(2, {});
  ASSERT_NO_FATAL_FAILURE(Connect(*n1, *n2));

  // Node 2's store stops taking messages: its gRPC thread blocks in the
  // handler, flow control fills up, and node 1's Write blocks.
  n2->handler.SetHold(true);
  constexpr int kMessages = 48;
  constexpr size_t kPayload = 1 << 20;
  for (int i = 0; i < kMessages; ++i) {
    n1->transport->Send(2, {Msg(1, i, MessageType::kAppend, kPayload)});
  }
  ASSERT_TRUE(n2->handler.WaitUntil([&] { return n2->handler.in_handler_ > 0; }));

  // Stop() on a thread of its own: if it waited for the stuck peer, the
  // test releases the peer rather than hang.
  absl::Notification stopped;
  std::thread stopper([&] {
    n1->transport->Stop();
    stopped.Notify();
  });
  const bool prompt = stopped.WaitForNotificationWithTimeout(absl::Seconds(2));
  if (!prompt) n2->handler.SetHold(false);
  stopper.join();
  EXPECT_TRUE(prompt) << "Stop() waited on a stuck peer";
  // Whatever had not reached the wire is reported; at most what the
  // windows held was written and is lost with the cancelled stream.
  const size_t reported = n1->handler.unreachable_count(2);
  const size_t delivered = n2->handler.received().size();
  EXPECT_GT(reported, 0u);
  EXPECT_LE(reported + delivered, static_cast<size_t>(kMessages));
  std::cout << "delivered " << delivered << ", reported " << reported << " of " << kMessages
            << "\n";
  n2->handler.SetHold(false);
}

// --- The receiving service, fed hand-made batches -------------------------

class RaftStreamServiceTest : public GrpcRaftTransportTest {
 protected:
  void SetUp() override {
    node_ = StartNode(2, {});
    channel_ = grpc::CreateChannel(node_->address(), grpc::InsecureChannelCredentials());
    stub_ = proto::RaftTransport::NewStub(channel_);
  }

  // Streams `batches` and returns the stream's final status.
  grpc::Status Stream(const std::vector<proto::RaftMessageBatch>& batches) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.set_wait_for_ready(true);
    auto stream = stub_->RaftStream(&context);
    for (const auto& b : batches) {
      if (!stream->Write(b)) break;
    }
    stream->WritesDone();
    proto::RaftStreamResponse response;
    while (stream->Read(&response)) last_error_ = response.error();
    return stream->Finish();
  }

  proto::RaftMessageBatch Batch(uint64_t to_node) {
    proto::RaftMessageBatch b;
    b.set_from_node_id(1);
    b.set_to_node_id(to_node);
    return b;
  }

  Node* node_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<proto::RaftTransport::Stub> stub_;
  std::string last_error_;
};

TEST_F(RaftStreamServiceTest, RefusesAStreamForAnotherNode) {
  proto::RaftMessageBatch b = Batch(3);
  *b.add_messages() = RaftMessageToProto(1, Msg(1, 1).message);
  grpc::Status status = Stream({b});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(last_error_.find("not node 3"), std::string::npos) << last_error_;
  EXPECT_TRUE(node_->handler.received().empty()) << "delivered another node's messages";
}

TEST_F(RaftStreamServiceTest, DropsWhatRaftCouldNotHaveSentAndDeliversTheRest) {
  proto::RaftMessageBatch b1 = Batch(2);
  *b1.add_messages() = RaftMessageToProto(1, Msg(1, 1).message);
  proto::RaftMessage local = RaftMessageToProto(1, Msg(1, 2).message);
  local.set_type(static_cast<uint32_t>(MessageType::kPropose));
  *b1.add_messages() = local;
  proto::RaftMessage unknown = RaftMessageToProto(1, Msg(1, 3).message);
  unknown.set_type(99);
  *b1.add_messages() = unknown;
  *b1.add_messages() = RaftMessageToProto(2, Msg(2, 4).message);

  // A snapshot whose chunks fall short of its announced size is dropped...
  raft::Message snap = SnapshotMsg(1, 50, std::string(100, 's')).message;
  proto::RaftMessageBatch b2 = Batch(2);
  *b2.add_messages() = RaftMessageToProto(1, snap);
  b2.mutable_chunk()->set_range_id(1);
  b2.mutable_chunk()->set_snapshot_index(50);
  b2.mutable_chunk()->set_data(std::string(60, 's'));
  b2.mutable_chunk()->set_last(true);
  // ...and so is a chunk with no snapshot header before it...
  proto::RaftMessageBatch b3 = Batch(2);
  b3.mutable_chunk()->set_range_id(1);
  b3.mutable_chunk()->set_data("orphan");
  b3.mutable_chunk()->set_last(true);
  // ...while one whose chunks add up arrives, and so does what follows.
  proto::RaftMessageBatch b4 = Batch(2);
  *b4.add_messages() = RaftMessageToProto(1, snap);
  b4.mutable_chunk()->set_range_id(1);
  b4.mutable_chunk()->set_data(std::string(40, 's'));
  proto::RaftMessageBatch b5 = Batch(2);
  b5.mutable_chunk()->set_range_id(1);
  b5.mutable_chunk()->set_data(std::string(60, 's'));
  b5.mutable_chunk()->set_last(true);
  *b5.add_messages() = RaftMessageToProto(2, Msg(2, 5).message);

  grpc::Status status = Stream({b1, b2, b3, b4, b5});
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(node_->handler.WaitReceived(4));
  std::vector<RaftEnvelope> got = node_->handler.received();
  // Within a batch, plain messages are handed over before the snapshot
  // that the batch's chunk completes.
  EXPECT_EQ(Ids(got), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 1}, {2, 4}, {2, 5}, {1, 0}}));
  ASSERT_TRUE(got.back().message.snapshot.has_value());
  EXPECT_EQ(got.back().message.snapshot->metadata.index, 50u);
  EXPECT_EQ(got.back().message.snapshot->data, std::string(100, 's'));
}

}  // namespace
}  // namespace cairn::kv
