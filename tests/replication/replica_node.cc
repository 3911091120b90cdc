// replica_node: one kv::Store on RocksDB whose ranges are replicated, over
// the gRPC Raft transport, with the other replica_node processes named by
// --peers (a statically configured group: every node bootstraps with the
// same node list). Tests and benchmarks drive it through the ReplicaControl
// service on the same port as the Raft stream:
//
//   replica_node --node_id=1 --data_dir=/tmp/n1 --addr=127.0.0.1:7001
//       --peers=1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003
//
// Proposals go to the data range (range 2). SIGTERM stops it cleanly;
// tests kill -9 it.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/key_codec.h"
#include "common/metrics.h"
#include "kv/rocksdb_engine.h"
#include "kv/store.h"
#include "kv/transport/grpc_raft_transport.h"
#include "kv/transport/store_forwarder.h"
#include "replica_control.grpc.pb.h"

ABSL_FLAG(uint64_t, node_id, 0, "this node's id (1..n)");
ABSL_FLAG(std::string, data_dir, "", "where the store lives");
ABSL_FLAG(std::string, addr, "", "HOST:PORT for Raft and control RPCs");
ABSL_FLAG(std::string, peers, "", "ID=HOST:PORT,... of every node, this one included");
ABSL_FLAG(int64_t, tick_ms, 20, "Raft tick interval");
ABSL_FLAG(int32_t, election_tick, 10, "election timeout in ticks");

namespace cairn::test {
namespace {

constexpr uint64_t kDataRangeId = 2;

std::string HistoryKey(uint64_t seq) {
  std::string key = "h/";
  key_codec::AppendUint64(&key, seq);
  return key;
}

// What this process saw applied to the data range, in log order.
class AppliedLog {
 public:
  struct Applied {
    uint64_t index;  // of the log entry
    uint32_t slot;   // the history put's place among those packed into it
    uint64_t seq;
  };
  void Record(uint64_t index, const proto::RaftCommand& command) {
    last_index_.store(index);
    uint32_t slot = 0;
    for (const proto::EngineMutation& m : command.mutations()) {
      std::string_view key = m.key();
      if (key.substr(0, 2) != "h/") continue;
      key.remove_prefix(2);
      absl::StatusOr<uint64_t> seq = key_codec::DecodeUint64(&key);
      if (!seq.ok()) continue;
      absl::MutexLock lock(&mu_);
      applied_.push_back({index, slot++, *seq});
    }
  }
  std::vector<Applied> Get() {
    absl::MutexLock lock(&mu_);
    return applied_;
  }
  // Of the last entry applied, history put or not.
  uint64_t last_index() const { return last_index_.load(); }

 private:
  absl::Mutex mu_;
  std::vector<Applied> applied_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> last_index_{0};
};

class ControlService final : public ReplicaControl::Service {
 public:
  ControlService(kv::Store* store, AppliedLog* applied) : store_(store), applied_(applied) {}

  grpc::Status Propose(grpc::ServerContext*, const ProposeRequest* req,
                       ProposeResponse* resp) override {
    absl::Status s = ProposePut(HistoryKey(req->seq()), req->payload());
    resp->set_ok(s.ok());
    if (!s.ok()) resp->set_error(std::string(s.message()));
    return grpc::Status::OK;
  }

  grpc::Status Status(grpc::ServerContext*, const StatusRequest*, StatusResponse* resp) override {
    resp->set_node_id(store_->ident().node_id());
    kv::Replica* r = store_->GetReplica(kDataRangeId);
    resp->set_leader(r != nullptr && r->IsServing());
    resp->set_snapshots_applied(static_cast<uint64_t>(
        MetricRegistry::Global()
            .GetCounter("cairn_raft_snapshots_applied_total", "")
            ->value()));
    resp->set_applied_index(applied_->last_index());
    return grpc::Status::OK;
  }

  grpc::Status Dump(grpc::ServerContext*, const DumpRequest*, DumpResponse* resp) override {
    auto view = store_->engine()->NewSnapshot();
    auto it = view->NewIterator(kv::ColumnFamily::kDefault, "h/", "h0");
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view key = it->key();
      key.remove_prefix(2);
      absl::StatusOr<uint64_t> seq = key_codec::DecodeUint64(&key);
      if (seq.ok()) resp->add_stored_seqs(*seq);
    }
    // The whole data column family, for comparing replicas.
    uint64_t digest = 1469598103934665603ULL;
    uint64_t keys = 0;
    auto all = view->NewIterator(kv::ColumnFamily::kDefault, "", "");
    for (all->SeekToFirst(); all->Valid(); all->Next()) {
      for (std::string_view part : {all->key(), all->value()}) {
        for (unsigned char c : part) digest = (digest ^ c) * 1099511628211ULL;
        digest = (digest ^ 0xff) * 1099511628211ULL;  // separator
      }
      ++keys;
    }
    resp->set_data_keys(keys);
    resp->set_data_digest(digest);
    for (const AppliedLog::Applied& applied : applied_->Get()) {
      AppliedCommand* a = resp->add_applied();
      a->set_index(applied.index);
      a->set_slot(applied.slot);
      a->set_seq(applied.seq);
    }
    return grpc::Status::OK;
  }

  // Closed-loop proposers on this node (it should lead the data range):
  // each waits for its proposal to be applied before the next.
  grpc::Status Bench(grpc::ServerContext*, const BenchRequest* req, BenchResponse* resp) override {
    const std::string payload(req->payload_bytes(), 'x');
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(req->seconds());
    std::vector<std::vector<double>> latencies(req->proposers());
    std::atomic<uint64_t> failures{0};
    Counter* fsyncs = MetricRegistry::Global().GetCounter("cairn_raft_fsyncs_total", "");
    const int64_t fsyncs_before = fsyncs->value();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (uint32_t t = 0; t < req->proposers(); ++t) {
      threads.emplace_back([&, t] {
        for (uint64_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
          auto t0 = std::chrono::steady_clock::now();
          absl::Status s = ProposePut(absl::StrCat("b/", t, "/", i), payload);
          auto t1 = std::chrono::steady_clock::now();
          if (s.ok()) {
            latencies[t].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
          } else {
            failures.fetch_add(1);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    resp->set_proposals(all.size());
    resp->set_failures(failures.load());
    resp->set_seconds(seconds);
    resp->set_fsyncs(fsyncs->value() - fsyncs_before);
    if (!all.empty()) {
      resp->set_p50_us(all[all.size() / 2]);
      resp->set_p99_us(all[std::min(all.size() - 1, all.size() * 99 / 100)]);
    }
    return grpc::Status::OK;
  }

  grpc::Status Echo(grpc::ServerContext*,
                    grpc::ServerReaderWriter<EchoMessage, EchoMessage>* stream) override {
    const std::string path = absl::GetFlag(FLAGS_data_dir) + "/echo_sync";
    int fd = -1;  // opened by the first message that asks for a sync
    grpc::Status status = grpc::Status::OK;
    EchoMessage m;
    while (stream->Read(&m)) {
      if (m.sync()) {
        if (fd < 0) fd = open(path.c_str(), O_WRONLY | O_CREAT, 0644);
        const std::string& data = m.payload();
        if (fd < 0 ||
            pwrite(fd, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size()) ||
            fdatasync(fd) != 0) {
          status = grpc::Status(grpc::StatusCode::INTERNAL, "cannot sync " + path);
          break;
        }
      }
      if (!stream->Write(m)) break;
    }
    if (fd >= 0) close(fd);
    return status;
  }

 private:
  absl::Status ProposePut(std::string key, std::string value) {
    kv::Replica* r = store_->GetReplica(kDataRangeId);
    if (r == nullptr) return absl::InternalError("no data range");
    proto::RaftCommand command;
    proto::EngineMutation* m = command.add_mutations();
    m->set_cf(static_cast<uint32_t>(kv::ColumnFamily::kDefault));
    m->set_key(std::move(key));
    m->set_value(std::move(value));
    return r->ProposeAndWait(std::move(command));
  }

  kv::Store* const store_;
  AppliedLog* const applied_;
};

absl::StatusOr<std::map<uint64_t, std::string>> ParsePeers(const std::string& text) {
  std::map<uint64_t, std::string> peers;
  for (const std::string& part :
       std::vector<std::string>(absl::StrSplit(text, ',', absl::SkipEmpty()))) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    uint64_t id = 0;
    if (!absl::SimpleAtoi(kv.first, &id) || id == 0 || kv.second.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("bad --peers entry: ", part));
    }
    peers[id] = kv.second;
  }
  return peers;
}

int Run() {
  // SIGTERM/SIGINT are taken by sigwait below; block them before any
  // thread exists so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const uint64_t node_id = absl::GetFlag(FLAGS_node_id);
  absl::StatusOr<std::map<uint64_t, std::string>> peers = ParsePeers(absl::GetFlag(FLAGS_peers));
  if (node_id == 0 || absl::GetFlag(FLAGS_data_dir).empty() || absl::GetFlag(FLAGS_addr).empty() ||
      !peers.ok() || !peers->contains(node_id)) {
    std::fprintf(stderr, "usage: replica_node --node_id --data_dir --addr --peers (%s)\n",
                 peers.ok() ? "" : peers.status().ToString().c_str());
    return 2;
  }
  auto engine = kv::RocksDbEngine::Open(absl::GetFlag(FLAGS_data_dir), {});
  if (!engine.ok()) {
    std::fprintf(stderr, "open: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  kv::StoreForwarder forwarder;
  kv::GrpcRaftTransport transport(node_id, &forwarder);
  AppliedLog applied;
  kv::Store::Options options;
  options.tick_interval_ms = absl::GetFlag(FLAGS_tick_ms);
  options.election_tick = absl::GetFlag(FLAGS_election_tick);
  options.seed = 42;  // shared by the group: it names the cluster
  options.transport = &transport;
  options.bootstrap_node_id = node_id;
  for (const auto& [id, address] : *peers) {
    options.bootstrap_nodes.push_back(id);
    if (id != node_id) transport.SetPeerAddress(id, address);
  }
  options.apply_observer = [&applied](uint64_t range_id, uint64_t index,
                                      const proto::RaftCommand& command) {
    if (range_id == kDataRangeId) applied.Record(index, command);
  };
  auto store = kv::Store::Open(*std::move(engine), Clock::Real(), options);
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  forwarder.set(store->get());

  ControlService control(store->get(), &applied);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::GetFlag(FLAGS_addr), grpc::InsecureServerCredentials());
  transport.RegisterWith(&builder);
  builder.RegisterService(&control);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    std::fprintf(stderr, "cannot listen on %s\n", absl::GetFlag(FLAGS_addr).c_str());
    return 1;
  }
  (*store)->Start();

  std::printf("replica_node %llu serving on %s\n", static_cast<unsigned long long>(node_id),
              absl::GetFlag(FLAGS_addr).c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop_signals, &signal);

  // Fail waiting proposals first so that the server's handlers return.
  (*store)->Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  transport.Stop();
  forwarder.set(nullptr);
  return 0;
}

}  // namespace
}  // namespace cairn::test

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Debian's abseil is built with the mutex deadlock detector on; it
  // belongs in tests of the locking, not in every lock of a serving node.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return cairn::test::Run();
}
