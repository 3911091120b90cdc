// Raft replication over gRPC, three replicas (--replicas) in three
// processes on 127.0.0.1, fsync on: proposals/s and commit latency at 1 and at 64
// concurrent proposers, beside the machine's fdatasync floor measured in
// the same run.
//
//   raft_replication_bench --replica_node=build-release/tests/replication/replica_node
//       [--seconds=10] [--rounds=3] [--work_dir=/tmp]
//
// A proposal is a kv command (one 100-byte put) proposed on the leader of
// the data range; it counts once the leader has applied it, i.e. it is
// durable on a majority (the leader's own fsync included) and applied.
// The proposers run inside the leader process (ReplicaControl.Bench), so
// the figures are Raft's, not a client RPC's.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "replica_node_process.h"

ABSL_FLAG(std::string, replica_node, "", "path of the replica_node binary");
ABSL_FLAG(int32_t, seconds, 10, "seconds per measurement");
ABSL_FLAG(std::string, work_dir, "/tmp", "where the replicas' data dirs go");
ABSL_FLAG(int32_t, replicas, 3, "replicas (processes) in the group; 1 gives the local floor");
ABSL_FLAG(int32_t, rounds, 3,
          "rounds of floor, 1 proposer, 64 proposers; the summary gives the medians (a shared "
          "machine's figures move by a fifth from one run to the next)");

namespace cairn::bench {
namespace {

using test::ReplicaNodeProcess;

struct SyncFloor {
  double overwrite_us = 0;  // p50 of write 8 KiB at offset 0 + fdatasync (pg_test_fsync's)
  double append_us = 0;     // p50 of append 4 KiB + fdatasync (a log's)
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Writes `data` (appended, or over the start of the file) and fdatasyncs
// it; a failure ends the bench.
void WriteAndSync(int fd, const std::string& data, bool append) {
  const ssize_t n =
      append ? write(fd, data.data(), data.size()) : pwrite(fd, data.data(), data.size(), 0);
  if (n != static_cast<ssize_t>(data.size()) || fdatasync(fd) != 0) {
    std::perror("fdatasync probe");
    std::exit(1);
  }
}

// The cost of one durable write on the file system the replicas use.
SyncFloor MeasureSyncFloor(const std::string& dir, double seconds) {
  SyncFloor floor;
  const std::string path = dir + "/fdatasync_probe";
  for (bool append : {false, true}) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      std::perror("fdatasync probe");
      std::exit(1);
    }
    std::string block(append ? 4096 : 8192, 'x');
    std::vector<double> lat;
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      auto t0 = std::chrono::steady_clock::now();
      WriteAndSync(fd, block, append);
      lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                        .count());
    }
    close(fd);
    (append ? floor.append_us : floor.overwrite_us) = Median(lat);
  }
  unlink(path.c_str());
  return floor;
}

// p50 of one round trip of a 100-byte message over a synchronous gRPC
// bidirectional stream to `node`: the transport's part of a commit, which
// takes one such round trip from leader to follower and back.
double MeasureRoundTrip(ReplicaNodeProcess* node, double seconds) {
  grpc::ClientContext context;
  auto stream = node->stub()->Echo(&context);
  test::EchoMessage ping;
  ping.set_payload(std::string(100, 'x'));
  test::EchoMessage pong;
  std::vector<double> lat;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    auto t0 = std::chrono::steady_clock::now();
    if (!stream->Write(ping) || !stream->Read(&pong)) {
      std::fprintf(stderr, "echo stream broke\n");
      std::exit(1);
    }
    lat.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  stream->WritesDone();
  (void)stream->Finish();
  return Median(lat);
}

// p50 of the least any commit can take on this machine over this
// transport: a 100-byte message to each follower over the same kind of
// stream, each syncing it to its disk before it answers, while the sender
// syncs its own copy; done once its own sync and the first answer are in
// (a majority of three). No Raft, no RocksDB, no thread hand-offs beyond
// the readers': what a commit at one proposer pays before any software
// of ours.
double MeasureCommitFloor(const std::vector<ReplicaNodeProcess*>& followers, const std::string& dir,
                          double seconds) {
  struct Follower {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReaderWriter<test::EchoMessage, test::EchoMessage>> stream;
    std::thread reader;
    absl::Mutex mu;
    int64_t answers ABSL_GUARDED_BY(mu) = 0;
    std::chrono::steady_clock::time_point last ABSL_GUARDED_BY(mu);
  };
  std::vector<std::unique_ptr<Follower>> all;
  for (ReplicaNodeProcess* node : followers) {
    auto f = std::make_unique<Follower>();
    f->stream = node->stub()->Echo(&f->context);
    Follower* raw = f.get();
    f->reader = std::thread([raw] {
      test::EchoMessage pong;
      while (raw->stream->Read(&pong)) {
        absl::MutexLock lock(&raw->mu);
        ++raw->answers;
        raw->last = std::chrono::steady_clock::now();
      }
    });
    all.push_back(std::move(f));
  }
  const std::string path = dir + "/commit_floor_probe";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror("commit floor probe");
    std::exit(1);
  }
  test::EchoMessage ping;
  ping.set_payload(std::string(100, 'x'));
  ping.set_sync(true);
  std::vector<double> lat;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  for (int64_t i = 1; std::chrono::steady_clock::now() < until; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& f : all) {
      if (!f->stream->Write(ping)) {
        std::fprintf(stderr, "echo stream broke\n");
        std::exit(1);
      }
    }
    WriteAndSync(fd, ping.payload(), /*append=*/false);
    const auto synced = std::chrono::steady_clock::now();
    auto first = std::chrono::steady_clock::time_point::max();
    for (auto& f : all) {
      // Every answer is awaited, so that no round overlaps the next.
      absl::MutexLock lock(&f->mu);
      Follower* raw = f.get();
      auto answered = [raw, i]()
                          ABSL_EXCLUSIVE_LOCKS_REQUIRED(raw->mu) { return raw->answers >= i; };
      f->mu.Await(absl::Condition(&answered));
      first = std::min(first, f->last);
    }
    lat.push_back(std::chrono::duration<double, std::micro>(std::max(synced, first) - t0).count());
  }
  close(fd);
  unlink(path.c_str());
  for (auto& f : all) {
    f->stream->WritesDone();
    f->reader.join();
    (void)f->stream->Finish();
  }
  return Median(lat);
}

test::BenchResponse RunBench(ReplicaNodeProcess* leader, uint32_t proposers, int seconds) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds + 60));
  test::BenchRequest req;
  req.set_proposers(proposers);
  req.set_seconds(seconds);
  req.set_payload_bytes(100);
  test::BenchResponse resp;
  grpc::Status s = leader->stub()->Bench(&context, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "bench RPC failed: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  return resp;
}

int Run() {
  const std::string binary = absl::GetFlag(FLAGS_replica_node);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  if (binary.empty()) {
    std::fprintf(stderr, "--replica_node is required\n");
    return 2;
  }
  std::string tmpl = absl::GetFlag(FLAGS_work_dir) + "/cairn-raft-bench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string work = tmpl;

  const int replicas = absl::GetFlag(FLAGS_replicas);
  std::vector<uint16_t> ports = test::PickFreePorts(replicas);
  std::vector<std::string> peers;
  for (int i = 0; i < replicas; ++i) {
    peers.push_back(absl::StrCat(i + 1, "=127.0.0.1:", ports[i]));
  }
  std::vector<std::unique_ptr<ReplicaNodeProcess>> nodes;
  for (int i = 0; i < replicas; ++i) {
    nodes.push_back(std::make_unique<ReplicaNodeProcess>(
        binary, i + 1, absl::StrCat(work, "/n", i + 1), ports[i], absl::StrJoin(peers, ",")));
    std::string error = nodes.back()->Start();
    if (!error.empty()) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
  }
  std::vector<ReplicaNodeProcess*> raw;
  for (const auto& n : nodes) raw.push_back(n.get());
  ReplicaNodeProcess* leader = test::FindLeader(raw, std::chrono::seconds(60));
  if (leader == nullptr) {
    std::fprintf(stderr, "no leader elected\n");
    return 1;
  }
  (void)RunBench(leader, 8, 2);  // warm up: connections, RocksDB files
  // Leadership may move under load (an election after a stall): every
  // measurement proposes on whoever leads then, and one that saw proposals
  // fail shows the replicas' logs, which say why.
  auto measure = [&](uint32_t proposers) {
    ReplicaNodeProcess* current = test::FindLeader(raw, std::chrono::seconds(60));
    if (current == nullptr) {
      std::fprintf(stderr, "no leader elected\n");
      std::exit(1);
    }
    if (current != leader) {
      std::fprintf(stderr, "leadership moved from node %llu to node %llu\n",
                   static_cast<unsigned long long>(leader->node_id()),
                   static_cast<unsigned long long>(current->node_id()));
      leader = current;
    }
    test::BenchResponse r = RunBench(leader, proposers, seconds);
    if (r.failures() > 0) {
      for (ReplicaNodeProcess* n : raw) {
        std::fprintf(stderr, "--- node %llu log tail ---\n%s\n",
                     static_cast<unsigned long long>(n->node_id()), n->LogTail().c_str());
      }
    }
    return r;
  };

  struct Round {
    SyncFloor floor;
    double round_trip_us = 0;
    double commit_floor_us = 0;
    test::BenchResponse one;
    test::BenchResponse many;
  };
  std::vector<Round> rounds;
  for (int i = 0; i < absl::GetFlag(FLAGS_rounds); ++i) {
    Round r;
    r.floor = MeasureSyncFloor(work, 1.0);
    r.round_trip_us = MeasureRoundTrip(raw[leader == raw[0] && raw.size() > 1 ? 1 : 0], 1.0);
    std::vector<ReplicaNodeProcess*> followers;
    for (ReplicaNodeProcess* n : raw) {
      if (n != leader) followers.push_back(n);
    }
    r.commit_floor_us =
        followers.empty() ? r.floor.overwrite_us : MeasureCommitFloor(followers, work, 1.0);
    r.one = measure(1);
    r.many = measure(64);
    rounds.push_back(r);
  }
  for (auto& n : nodes) n->Kill();
  std::system(absl::StrCat("rm -rf ", work).c_str());

  auto rate = [](const test::BenchResponse& r) { return r.proposals() / r.seconds(); };
  auto per_fsync = [](const test::BenchResponse& r) {
    return r.fsyncs() == 0 ? 0.0 : static_cast<double>(r.proposals()) / r.fsyncs();
  };
  std::printf(
      "| round | fdatasync floor (append 4 KiB / overwrite 8 KiB) | gRPC round trip | commit floor "
      "| proposers | proposals/s | p50 commit | p99 commit | failures | proposals per fsync |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  std::vector<double> append_ratios, overwrite_ratios, transport_ratios, commit_floor_ratios,
      floor_ratios, throughput_ratios, floors, overwrites, round_trips, commit_floors, p50s,
      rates_one, rates_many;
  for (size_t i = 0; i < rounds.size(); ++i) {
    const Round& r = rounds[i];
    for (const auto* b : {&r.one, &r.many}) {
      std::printf(
          "| %zu | %.0f / %.0f us | %.0f us | %.0f us | %u | %.0f | %.0f us | %.0f us | %lu | %.1f "
          "|\n",
          i + 1, r.floor.append_us, r.floor.overwrite_us, r.round_trip_us, r.commit_floor_us,
          b == &r.one ? 1u : 64u, rate(*b), b->p50_us(), b->p99_us(),
          static_cast<unsigned long>(b->failures()), per_fsync(*b));
    }
    append_ratios.push_back(r.one.p50_us() / r.floor.append_us);
    overwrite_ratios.push_back(r.one.p50_us() / r.floor.overwrite_us);
    // No commit can beat one round trip to a follower plus its log sync.
    transport_ratios.push_back(r.one.p50_us() / (r.round_trip_us + r.floor.overwrite_us));
    commit_floor_ratios.push_back(r.one.p50_us() / r.commit_floor_us);
    floor_ratios.push_back(r.commit_floor_us / r.floor.overwrite_us);
    throughput_ratios.push_back(rate(r.many) / rate(r.one));
    floors.push_back(r.floor.append_us);
    overwrites.push_back(r.floor.overwrite_us);
    round_trips.push_back(r.round_trip_us);
    commit_floors.push_back(r.commit_floor_us);
    p50s.push_back(r.one.p50_us());
    rates_one.push_back(rate(r.one));
    rates_many.push_back(rate(r.many));
  }
  std::printf(
      "\nmedians of %zu rounds: floor %.0f / %.0f us (append / overwrite); gRPC round trip "
      "%.0f us; commit floor %.0f us; 1 proposer %.0f/s, p50 %.0f us; 64 proposers %.0f/s\n",
      rounds.size(), Median(floors), Median(overwrites), Median(round_trips), Median(commit_floors),
      Median(rates_one), Median(p50s), Median(rates_many));
  std::printf(
      "p50 commit at 1 proposer = %.2fx one append+fdatasync, %.2fx one overwrite+fdatasync "
      "(target <= 3x), %.2fx one gRPC round trip + one overwrite+fdatasync, %.2fx the commit "
      "floor, which is itself %.2fx one overwrite+fdatasync (medians of the rounds' ratios); "
      "throughput at 64 = %.1fx throughput at 1 (target >= 10x)\n",
      Median(append_ratios), Median(overwrite_ratios), Median(transport_ratios),
      Median(commit_floor_ratios), Median(floor_ratios), Median(throughput_ratios));
  return 0;
}

}  // namespace
}  // namespace cairn::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return cairn::bench::Run();
}
