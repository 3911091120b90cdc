// Three replica_node processes replicate over real gRPC on 127.0.0.1 while
// a client proposes continuously; the leader process is killed with
// SIGKILL and restarted, twice. At the end every acknowledged proposal must
// be present, in the order it was acknowledged, on all three replicas.
//
// The client proposes one at a time with increasing sequence numbers and
// never reuses one, so an acknowledged proposal's position in the history
// is fixed: it must follow every proposal acknowledged before it. A failed
// or timed-out proposal may or may not be in the history; it is not
// checked.
#include <gtest/gtest.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "replica_node_process.h"

namespace cairn::test {
namespace {

using Clock = std::chrono::steady_clock;

// $REPLICA_NODE_BINARY (set by CMake for ctest), else the replica_node
// next to this test binary.
std::string ReplicaNodeBinary() {
  if (const char* env = std::getenv("REPLICA_NODE_BINARY")) return env;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string dir = n > 0 ? std::string(self, n) : ".";
  return dir.substr(0, dir.rfind('/')) + "/replica_node";
}

// Proposes h/1, h/2, ... to whichever node leads, one at a time.
class Proposer {
 public:
  explicit Proposer(std::vector<ReplicaNodeProcess*> nodes) : nodes_(std::move(nodes)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Proposer() { Stop(); }

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  size_t acked_count() {
    absl::MutexLock lock(&mu_);
    return acked_.size();
  }
  std::vector<uint64_t> acked() {
    absl::MutexLock lock(&mu_);
    return acked_;
  }
  // Waits until `pred(acked count)` or `timeout`; returns whether it held.
  bool WaitUntil(std::function<bool(size_t)> pred, std::chrono::seconds timeout) {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(timeout.count());
    while (!pred(acked_.size())) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) return pred(acked_.size());
    }
    return true;
  }
  Clock::time_point last_ack_time() {
    absl::MutexLock lock(&mu_);
    return last_ack_;
  }

 private:
  void Run() {
    size_t target = 0;
    for (uint64_t seq = 1; !stop_.load(); ++seq) {
      ProposeRequest req;
      req.set_seq(seq);
      req.set_payload(absl::StrCat("payload-", seq));
      ProposeResponse resp;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
      grpc::Status status = nodes_[target]->stub()->Propose(&context, req, &resp);
      if (status.ok() && resp.ok()) {
        absl::MutexLock lock(&mu_);
        acked_.push_back(seq);
        last_ack_ = Clock::now();
        cv_.SignalAll();
        continue;
      }
      // Not the leader (maybe it says who is), dead, or slow: try another.
      // The sequence number is burnt either way.
      size_t next = (target + 1) % nodes_.size();
      const std::string hint = "(leader: node ";
      if (auto pos = resp.error().find(hint); pos != std::string::npos) {
        uint64_t leader = 0;
        std::string rest = resp.error().substr(pos + hint.size());
        if (absl::SimpleAtoi(rest.substr(0, rest.find(')')), &leader)) {
          for (size_t i = 0; i < nodes_.size(); ++i) {
            if (nodes_[i]->node_id() == leader) next = i;
          }
        }
      }
      if (!status.ok()) {
        // Connection refused comes back at once; do not spin on it.
        grpc::ClientContext ping;
        ping.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(20));
        StatusRequest sreq;
        StatusResponse sresp;
        (void)nodes_[next]->stub()->Status(&ping, sreq, &sresp);
      }
      target = next;
    }
  }

  const std::vector<ReplicaNodeProcess*> nodes_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<uint64_t> acked_ ABSL_GUARDED_BY(mu_);
  Clock::time_point last_ack_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

DumpResponse Dump(ReplicaNodeProcess* n) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  DumpRequest req;
  DumpResponse resp;
  EXPECT_TRUE(n->stub()->Dump(&context, req, &resp).ok()) << "dump of node " << n->node_id();
  return resp;
}

class ReplicationFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-replication-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_dir_ = tmpl;
    std::vector<uint16_t> ports = PickFreePorts(3);
    std::vector<std::string> peers;
    for (int i = 0; i < 3; ++i) peers.push_back(absl::StrCat(i + 1, "=127.0.0.1:", ports[i]));
    for (int i = 0; i < 3; ++i) {
      nodes_.push_back(std::make_unique<ReplicaNodeProcess>(
          ReplicaNodeBinary(), i + 1, absl::StrCat(base_dir_, "/n", i + 1), ports[i],
          absl::StrJoin(peers, ",")));
      raw_.push_back(nodes_.back().get());
    }
  }
  void TearDown() override {
    for (auto& n : nodes_) {
      if (HasFailure()) std::printf("--- node %lu log tail ---\n%s\n", n->node_id(),
                                    n->LogTail().c_str());
      n->Kill();
    }
    nodes_.clear();
    if (!HasFailure() || std::getenv("CAIRN_KEEP_DATA") == nullptr) {
      std::system(absl::StrCat("rm -rf ", base_dir_).c_str());
    }
  }

  std::string base_dir_;
  std::vector<std::unique_ptr<ReplicaNodeProcess>> nodes_;
  std::vector<ReplicaNodeProcess*> raw_;
};

TEST_F(ReplicationFaultTest, AcknowledgedProposalsSurviveKillingTheLeaderTwice) {
  for (ReplicaNodeProcess* n : raw_) {
    std::string error = n->Start();
    ASSERT_EQ(error, "") << error;
  }
  Proposer proposer(raw_);
  constexpr size_t kBatch = 400;  // acknowledgements between faults
  ASSERT_TRUE(proposer.WaitUntil([](size_t n) { return n >= kBatch; }, std::chrono::seconds(60)))
      << "no steady proposals before any fault";

  std::set<uint64_t> killed;
  for (int round = 1; round <= 2; ++round) {
    ReplicaNodeProcess* leader = FindLeader(raw_, std::chrono::seconds(30));
    ASSERT_NE(leader, nullptr) << "no leader before kill " << round;
    const size_t before = proposer.acked_count();
    const auto kill_time = Clock::now();
    leader->Kill();
    killed.insert(leader->node_id());
    std::printf("round %d: kill -9 of leader node %lu after %zu acknowledged proposals\n", round,
                leader->node_id(), before);
    ASSERT_TRUE(proposer.WaitUntil([before](size_t n) { return n > before; },
                                   std::chrono::seconds(60)))
        << "no proposal acknowledged after killing the leader";
    const auto resumed =
        std::chrono::duration_cast<std::chrono::milliseconds>(proposer.last_ack_time() - kill_time);
    std::printf("round %d: proposals resumed %lld ms after the kill\n", round,
                static_cast<long long>(resumed.count()));
    ASSERT_TRUE(proposer.WaitUntil([before](size_t n) { return n >= before + kBatch; },
                                   std::chrono::seconds(60)));
    std::string error = leader->Start();
    ASSERT_EQ(error, "") << error;
    std::printf("round %d: node %lu restarted\n", round, leader->node_id());
    const size_t now = proposer.acked_count();
    ASSERT_TRUE(proposer.WaitUntil([now](size_t n) { return n >= now + kBatch; },
                                   std::chrono::seconds(60)));
  }
  proposer.Stop();
  const std::vector<uint64_t> acked = proposer.acked();
  std::printf("%zu proposals acknowledged in all\n", acked.size());

  // Every replica ends up storing every acknowledged proposal. (Restarted
  // ones may still be catching up: wait for it.)
  for (ReplicaNodeProcess* n : raw_) {
    const auto until = Clock::now() + std::chrono::seconds(60);
    std::vector<uint64_t> missing;
    do {
      DumpResponse dump = Dump(n);
      std::set<uint64_t> stored(dump.stored_seqs().begin(), dump.stored_seqs().end());
      missing.clear();
      for (uint64_t seq : acked) {
        if (!stored.contains(seq)) missing.push_back(seq);
      }
    } while (!missing.empty() && Clock::now() < until);
    EXPECT_TRUE(missing.empty()) << "node " << n->node_id() << " lacks " << missing.size()
                                 << " acknowledged proposals, first h/" << missing.front();
  }

  // Order: one history. Every node's applied (position, seq) pairs agree
  // with one position -> seq map, where a position is a log index and a
  // slot among the commands packed into that entry, and acknowledged
  // proposals sit at increasing positions in the order they were
  // acknowledged. A node never killed saw the whole history applied, so it
  // holds every acknowledged proposal.
  using LogPosition = std::pair<uint64_t, uint32_t>;
  std::map<LogPosition, uint64_t> seq_at_position;
  std::map<uint64_t, LogPosition> position_of_seq;
  for (ReplicaNodeProcess* n : raw_) {
    DumpResponse dump = Dump(n);
    uint64_t last_index = 0;
    for (const AppliedCommand& a : dump.applied()) {
      // A restart replays entries whose apply was not yet durable: the
      // same index again, never an older one out of place.
      EXPECT_GE(a.index(), last_index) << "node " << n->node_id() << " applied out of log order";
      last_index = a.index();
      const LogPosition position{a.index(), a.slot()};
      auto [it, fresh] = seq_at_position.emplace(position, a.seq());
      EXPECT_EQ(it->second, a.seq())
          << "nodes disagree on the entry at index " << a.index() << " slot " << a.slot();
      auto [jt, fresh_seq] = position_of_seq.emplace(a.seq(), position);
      EXPECT_EQ(jt->second, position) << "h/" << a.seq() << " applied at two log positions";
    }
    if (!killed.contains(n->node_id())) {
      std::set<uint64_t> seen;
      for (const AppliedCommand& a : dump.applied()) seen.insert(a.seq());
      for (uint64_t seq : acked) {
        EXPECT_TRUE(seen.contains(seq)) << "node " << n->node_id() << " never applied h/" << seq;
        if (!seen.contains(seq)) break;
      }
    }
  }
  LogPosition prev_position{0, 0};
  for (uint64_t seq : acked) {
    auto it = position_of_seq.find(seq);
    if (it == position_of_seq.end()) continue;  // checked above for the nodes that saw it all
    EXPECT_GT(it->second, prev_position) << "h/" << seq << " was acknowledged after a proposal "
                                         << "that follows it in the log";
    prev_position = it->second;
  }
}

// A follower that was down while the leader's log moved far past it (and
// was compacted) catches up from a snapshot of the range, streamed in
// chunks over the transport, and ends with exactly the leader's data.
TEST_F(ReplicationFaultTest, FollowerFarBehindCatchesUpFromASnapshot) {
  for (ReplicaNodeProcess* n : raw_) {
    std::string error = n->Start();
    ASSERT_EQ(error, "") << error;
  }
  ReplicaNodeProcess* leader = FindLeader(raw_, std::chrono::seconds(30));
  ASSERT_NE(leader, nullptr);
  ReplicaNodeProcess* follower = raw_[leader == raw_[0] ? 1 : 0];
  follower->Kill();
  std::printf("kill -9 of follower node %lu\n", follower->node_id());

  // More log entries than the leader retains for a live follower (16K)
  // plus a compaction interval (1K): with the follower gone it retains
  // nothing. (Concurrent proposals share entries: count entries.)
  constexpr uint64_t kEntries = 20000;
  auto last_index = [leader]() -> uint64_t {
    grpc::ClientContext context;
    StatusRequest req;
    StatusResponse status;
    return leader->stub()->Status(&context, req, &status).ok() ? status.applied_index() : 0;
  };
  const uint64_t first_index = last_index();
  uint64_t proposed = 0;
  const auto until = Clock::now() + std::chrono::seconds(120);
  while (last_index() < first_index + kEntries && Clock::now() < until) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    BenchRequest req;
    req.set_proposers(32);
    req.set_seconds(2);
    req.set_payload_bytes(64);
    BenchResponse resp;
    ASSERT_TRUE(leader->stub()->Bench(&context, req, &resp).ok());
    ASSERT_EQ(resp.failures(), 0u);
    proposed += resp.proposals();
  }
  ASSERT_GE(last_index(), first_index + kEntries) << "the leader committed too slowly";
  std::printf("%lu proposals in %lu entries committed without node %lu\n", proposed,
              last_index() - first_index, follower->node_id());

  std::string error = follower->Start();
  ASSERT_EQ(error, "") << error;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  DumpResponse want, got;
  do {
    want = Dump(leader);
    got = Dump(follower);
  } while ((got.data_digest() != want.data_digest() || got.data_keys() != want.data_keys()) &&
           Clock::now() < deadline);
  EXPECT_EQ(got.data_keys(), want.data_keys());
  EXPECT_EQ(got.data_digest(), want.data_digest());
  grpc::ClientContext context;
  StatusRequest req;
  StatusResponse status;
  ASSERT_TRUE(follower->stub()->Status(&context, req, &status).ok());
  EXPECT_GE(status.snapshots_applied(), 1u) << "caught up without a snapshot";
  std::printf("node %lu caught up: %lu keys, %lu snapshot(s) installed\n", follower->node_id(),
              got.data_keys(), status.snapshots_applied());
}

}  // namespace
}  // namespace cairn::test
