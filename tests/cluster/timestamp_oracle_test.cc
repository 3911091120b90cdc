// The timestamp oracle seen from outside (DESIGN.md "Timestamps and the
// timestamp oracle"; issue #4 point 6): it runs on the leader of the meta
// range (range 1) and answers Cluster.Timestamps there only. Clients take
// timestamps, singly and in batches, from whichever node answers while the
// meta leader is killed with SIGKILL; every timestamp returned must be
// greater than any returned before it, within each client and across
// clients (a call sent after another's answer came back gets a larger
// timestamp), and timestamps must be had again once another node leads the
// meta range. The killed node then comes back and serves SQL.
//
// Real `cairn` processes (cluster_fixture.h); the oracle is reached over
// the node-to-node gRPC service on each node's --rpc-addr. Every wait polls a
// condition under a deadline; the client workload runs for fixed lengths of
// time (its length, not a synchronisation).

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "cairn_process.h"
#include "cluster_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "proto/cluster.grpc.pb.h"
#include "test_seed.h"

namespace cairn::cluster {
namespace {

constexpr int kNodes = 3;
constexpr int64_t kMetaRangeId = 1;
// A timestamp is physical milliseconds << 18 | a logical counter (DESIGN.md).
constexpr int kLogicalBits = 18;

// The workload: two clients taking timestamps for kTakeBeforeKill, then
// kTakeAfterKill more once the meta leader is killed (its length, not waits).
constexpr int kClients = 2;
constexpr std::chrono::seconds kTakeBeforeKill(2);
constexpr std::chrono::seconds kTakeAfterKill(6);
// Each call's gRPC deadline; a node that does not answer in time is skipped.
constexpr std::chrono::seconds kRpcDeadline(2);
// Half the calls take one timestamp, the others a batch of 2..kMaxBatch.
constexpr uint32_t kMaxBatch = 16;
// The pause after every node refused or failed a call (pacing while no node
// leads the meta range; it synchronises nothing).
constexpr std::chrono::milliseconds kRetryPause(20);
// Violations printed in full, of each kind.
constexpr size_t kViolationsShown = 5;

int64_t Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}
int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
uint64_t PhysicalMs(uint64_t ts) { return ts >> kLogicalBits; }
std::string DescribeTs(uint64_t ts) {
  return absl::StrCat(ts, " (", PhysicalMs(ts), ".", ts & ((uint64_t{1} << kLogicalBits) - 1), ")");
}

// A stub for node `port`'s Cluster service on a channel of its own, which
// finds a restarted node again within a second (as the nodes' own dialer
// does), not after gRPC's default back-off. The channel does not share its
// connection with earlier channels to the same address (gRPC's global
// subchannel pool would): a new stub after a restart then connects at once
// instead of waiting out the back-off the old channels were in.
std::unique_ptr<proto::Cluster::Stub> ClusterStub(uint16_t port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return proto::Cluster::NewStub(
      grpc::CreateCustomChannel(LocalAddress(port), grpc::InsecureChannelCredentials(), args));
}

// ---------------------------------------------------------------------------
// The clients

// One call that returned timestamps: first .. first + count - 1.
struct TakenCall {
  uint64_t first = 0;
  uint32_t count = 0;
  // Tickets from the shared counter, taken just before the call was sent
  // and just after its answer came back: a call whose start ticket is above
  // another's end ticket was sent after that one's answer came back.
  uint64_t start_ticket = 0;
  uint64_t end_ticket = 0;
  int client = 0;
  int node = 0;  // the node that answered
  Clock::time_point returned;
  int64_t returned_wall_ms = 0;  // the system clock then, to compare with the physical part

  uint64_t last() const { return first + count - 1; }
};

std::string Describe(const TakenCall& c) {
  return absl::StrCat("client ", c.client, " via node ", c.node, ": ", c.count, " from ",
                      DescribeTs(c.first), ", tickets ", c.start_ticket, "..", c.end_ticket);
}

// What the clients share: the ticket counter, every call that returned
// timestamps in the order the calls returned, and the node that answered
// last.
class TakenLog {
 public:
  uint64_t Ticket() { return tickets_.fetch_add(1); }

  void Add(const TakenCall& call) {
    last_answered_by_.store(call.node);
    absl::MutexLock lock(&mu_);
    calls_.push_back(call);
  }

  int last_answered_by() const { return last_answered_by_.load(); }

  // The calls so far, in the order they were added.
  std::vector<TakenCall> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  std::atomic<uint64_t> tickets_{0};
  std::atomic<int> last_answered_by_{0};
  mutable absl::Mutex mu_;
  std::vector<TakenCall> calls_ ABSL_GUARDED_BY(mu_);
};

// What one client did; the test thread reads it after join().
struct ClientReport {
  int client = 0;
  std::vector<TakenCall> taken;  // in the order the client's calls returned
  int attempts = 0;
  int rounds_refused = 0;  // rounds in which no node gave timestamps
  // Failed attempts by node and kind ("error <code>", or the gRPC status
  // code): how many, and the latest message.
  std::map<std::string, std::pair<int, std::string>> failures;
  std::string error;  // an answer no retry explains; "" if none
};

std::string DescribeFailures(const ClientReport& report) {
  std::vector<std::string> parts;
  for (const auto& [kind, seen] : report.failures) {
    parts.push_back(absl::StrCat(kind, " x", seen.first, " (last: ", seen.second, ")"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

// Takes timestamps until `stop`: each call asks for 1 or a random batch, of
// the node that answered last, then of the others in turn; a refusal (the
// node does not lead the meta range), an RPC failure or a missed deadline
// moves on to the next node, and after a round of them all the client pauses.
void RunClient(int client, uint64_t seed,
               const std::vector<std::unique_ptr<proto::Cluster::Stub>>& stubs,
               const std::atomic<bool>& stop, TakenLog* log, ClientReport* report) {
  std::mt19937_64 rng(seed);
  int preferred = 1;
  while (!stop.load()) {
    const uint32_t count = rng() % 2 == 0 ? 1 : 2 + static_cast<uint32_t>(rng() % (kMaxBatch - 1));
    std::vector<int> order = {preferred};
    for (int id = 1; id <= static_cast<int>(stubs.size()); ++id) {
      if (id != preferred) order.push_back(id);
    }
    bool taken = false;
    for (int id : order) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
      proto::TimestampsRequest request;
      request.set_count(count);
      proto::TimestampsResponse response;
      ++report->attempts;
      const uint64_t start_ticket = log->Ticket();
      const grpc::Status rpc = stubs[id - 1]->Timestamps(&context, request, &response);
      const uint64_t end_ticket = log->Ticket();
      const auto returned = Clock::now();
      const int64_t returned_wall_ms = WallMs();
      if (!rpc.ok() || response.error().code() != 0) {
        const std::string kind =
            !rpc.ok() ? absl::StrCat("node ", id, " grpc ", static_cast<int>(rpc.error_code()))
                      : absl::StrCat("node ", id, " error ", response.error().code());
        auto& [seen, message] = report->failures[kind];
        ++seen;
        message = !rpc.ok() ? rpc.error_message() : response.error().message();
        continue;
      }
      if (response.first() == 0) {
        report->error = absl::StrCat("node ", id, " answered timestamp 0 for ", count);
        return;
      }
      const TakenCall call{.first = response.first(),
                           .count = count,
                           .start_ticket = start_ticket,
                           .end_ticket = end_ticket,
                           .client = client,
                           .node = id,
                           .returned = returned,
                           .returned_wall_ms = returned_wall_ms};
      report->taken.push_back(call);
      log->Add(call);
      preferred = id;
      taken = true;
      break;
    }
    if (!taken) {
      ++report->rounds_refused;
      std::this_thread::sleep_for(kRetryPause);
    }
  }
}

// Stops and joins the client threads when it goes out of scope, so that a
// failed ASSERT cannot leave them running.
class ClientThreads {
 public:
  explicit ClientThreads(std::atomic<bool>* stop) : stop_(stop) {}
  ~ClientThreads() { StopAndJoin(); }
  ClientThreads(const ClientThreads&) = delete;
  ClientThreads& operator=(const ClientThreads&) = delete;

  void Add(std::thread t) { threads_.push_back(std::move(t)); }
  void StopAndJoin() {
    stop_->store(true);
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool>* const stop_;
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------
// The checks

// (a) Within each client, every call's timestamps are above the previous
// call's last. Returns the violations.
std::vector<std::string> ClientOrderViolations(const ClientReport& report) {
  std::vector<std::string> violations;
  for (size_t i = 1; i < report.taken.size(); ++i) {
    const TakenCall& prev = report.taken[i - 1];
    const TakenCall& cur = report.taken[i];
    if (cur.first <= prev.last()) {
      violations.push_back(absl::StrCat("after [", Describe(prev), "] came [", Describe(cur), "]"));
    }
  }
  return violations;
}

// (b) Across clients: for every two calls A and B with A's end ticket below
// B's start ticket (B sent after A's answer came back), B.first > A.last().
// Sorted by start ticket, each call is compared with the largest last
// timestamp of the calls that ended before it started.
std::vector<std::string> RealTimeOrderViolations(const std::vector<TakenCall>& calls,
                                                 int64_t* pairs_ordered) {
  std::vector<const TakenCall*> by_start, by_end;
  for (const TakenCall& c : calls) {
    by_start.push_back(&c);
    by_end.push_back(&c);
  }
  std::sort(by_start.begin(), by_start.end(), [](const TakenCall* a, const TakenCall* b) {
    return a->start_ticket < b->start_ticket;
  });
  std::sort(by_end.begin(), by_end.end(),
            [](const TakenCall* a, const TakenCall* b) { return a->end_ticket < b->end_ticket; });
  std::vector<std::string> violations;
  const TakenCall* max_ended = nullptr;  // the ended call with the largest last()
  size_t ended = 0;
  *pairs_ordered = 0;
  for (const TakenCall* b : by_start) {
    while (ended < by_end.size() && by_end[ended]->end_ticket < b->start_ticket) {
      if (max_ended == nullptr || by_end[ended]->last() > max_ended->last()) {
        max_ended = by_end[ended];
      }
      ++ended;
    }
    *pairs_ordered += static_cast<int64_t>(ended);
    if (max_ended != nullptr && b->first <= max_ended->last()) {
      violations.push_back(absl::StrCat("[", Describe(*b), "] was sent after [",
                                        Describe(*max_ended), "] returned"));
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------
// The fixture

class TimestampOracleTest : public ClusterTest {
 protected:
  // The lease_holder of the meta range per SHOW RANGES through node `via`
  // (0 when it cannot be read).
  int64_t MetaLeaseHolder(int via, std::string* state) {
    absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(via);
    if (!rows.ok()) {
      *state = rows.status().ToString();
      return 0;
    }
    *state = Describe(*rows);
    const RangeRow* meta = FindRange(*rows, kMetaRangeId);
    return meta == nullptr ? 0 : meta->lease_holder;
  }
};

TEST_F(TimestampOracleTest, MetaLeaderKilledWhileClientsTakeTimestamps) {
  const uint64_t seed = cairn::testing::TestSeed(6);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  std::printf("[tso] %s\n", cairn::testing::SeedTrace(seed).c_str());
  ASSERT_TRUE(StartCluster(kNodes));
  for (int via = 1; via <= kNodes; ++via) ASSERT_TRUE(WaitForReplicatedOn(via, {1, 2, 3}));
  int64_t meta_holder = 0;
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        meta_holder = MetaLeaseHolder(1, state);
        return meta_holder != 0;
      },
      kMembershipDeadline, "SHOW RANGES naming the meta range's lease_holder"));
  QueryResult created = Query(2, "CREATE TABLE tso_sql (k INT PRIMARY KEY, via INT NOT NULL)");
  ASSERT_TRUE(created.ok) << created.sqlstate << " " << created.message;
  QueryResult inserted = Query(2, "INSERT INTO tso_sql VALUES (1, 2)");
  ASSERT_TRUE(inserted.ok) << inserted.sqlstate << " " << inserted.message;

  std::vector<std::unique_ptr<proto::Cluster::Stub>> stubs;
  for (int id = 1; id <= kNodes; ++id) stubs.push_back(ClusterStub(node(id).rpc_port()));
  TakenLog log;
  std::atomic<bool> stop{false};
  std::vector<ClientReport> reports(kClients);
  ClientThreads threads(&stop);
  for (int c = 0; c < kClients; ++c) {
    reports[c].client = c + 1;
    threads.Add(std::thread(RunClient, c + 1, seed * 1000 + c + 1, std::cref(stubs),
                            std::cref(stop), &log, &reports[c]));
  }
  std::this_thread::sleep_for(kTakeBeforeKill);

  // The meta leader is the node that answered last (SHOW RANGES said which
  // before the clients started).
  const int victim = log.last_answered_by();
  const size_t taken_before_kill = log.calls().size();
  if (victim == 0) {
    threads.StopAndJoin();
    FAIL() << "no timestamp taken in " << kTakeBeforeKill.count()
           << " s before the kill; failures: " << DescribeFailures(reports[0]);
  }
  node(victim).Kill();
  const uint64_t killed_ticket = log.Ticket();
  const auto killed = Clock::now();
  std::printf(
      "[tso] killed node %d (SIGKILL), the meta leader (SHOW RANGES said node %lld before the "
      "clients started), after %lld s: %zu calls returned timestamps so far\n",
      victim, static_cast<long long>(meta_holder), static_cast<long long>(kTakeBeforeKill.count()),
      taken_before_kill);
  std::this_thread::sleep_for(kTakeAfterKill);
  threads.StopAndJoin();

  const std::vector<TakenCall> calls = log.calls();
  // (a) Within each client.
  for (const ClientReport& r : reports) {
    const std::vector<std::string> violations = ClientOrderViolations(r);
    std::printf(
        "[tso] client %d: %zu calls returned timestamps, %d attempts, %d rounds no node "
        "gave any; failures: %s\n",
        r.client, r.taken.size(), r.attempts, r.rounds_refused, DescribeFailures(r).c_str());
    EXPECT_EQ(r.error, "") << "client " << r.client;
    EXPECT_GT(r.taken.size(), 0u) << "client " << r.client << " took no timestamp";
    EXPECT_THAT(violations, ::testing::IsEmpty())
        << violations.size() << " times client " << r.client
        << " got a timestamp not above its previous one; the first: "
        << absl::StrJoin(violations.begin(),
                         violations.begin() + std::min(violations.size(), kViolationsShown), "\n");
  }
  // (b) Across clients, in real-time order.
  int64_t pairs_ordered = 0;
  const std::vector<std::string> violations = RealTimeOrderViolations(calls, &pairs_ordered);
  EXPECT_TRUE(violations.empty())
      << violations.size() << " calls got a timestamp not above that of a call that returned "
      << "before they were sent; the first: "
      << absl::StrJoin(violations.begin(),
                       violations.begin() + std::min(violations.size(), kViolationsShown), "\n");
  std::printf(
      "[tso] %zu calls checked against the %lld (earlier-returned, later-sent) pairs: "
      "%zu violations\n",
      calls.size(), static_cast<long long>(pairs_ordered), violations.size());

  // (c) The oracle moved: calls sent after the kill got timestamps, from
  // another node, above everything returned before.
  int64_t calls_before = 0, ts_before = 0, calls_after = 0, ts_after = 0;
  int64_t skew_before = INT64_MIN, skew_after = INT64_MIN;  // physical ms - wall ms
  std::map<int, int64_t> answered_after;                    // by node, calls sent after the kill
  const TakenCall* last_before = nullptr;
  const TakenCall* first_after = nullptr;
  std::vector<Clock::time_point> returns;
  for (const TakenCall& c : calls) {
    returns.push_back(c.returned);
    const int64_t skew = static_cast<int64_t>(PhysicalMs(c.first)) - c.returned_wall_ms;
    if (c.end_ticket < killed_ticket) {
      ++calls_before;
      ts_before += c.count;
      skew_before = std::max(skew_before, skew);
      if (last_before == nullptr || c.last() > last_before->last()) last_before = &c;
    } else {
      ++calls_after;
      ts_after += c.count;
      skew_after = std::max(skew_after, skew);
    }
    if (c.start_ticket > killed_ticket) {
      ++answered_after[c.node];
      if (first_after == nullptr || c.end_ticket < first_after->end_ticket) first_after = &c;
    }
  }
  std::sort(returns.begin(), returns.end());
  const Gap gap = LongestGapFrom(returns, killed);
  std::vector<std::string> by_node;
  for (const auto& [id, n] : answered_after) by_node.push_back(absl::StrCat("node ", id, ": ", n));
  std::printf(
      "[tso] before the kill: %lld calls, %lld timestamps (physical part up to %+lld ms from "
      "the wall clock); after: %lld calls, %lld timestamps (up to %+lld ms); calls sent after "
      "the kill answered by %s\n",
      static_cast<long long>(calls_before), static_cast<long long>(ts_before),
      static_cast<long long>(skew_before), static_cast<long long>(calls_after),
      static_cast<long long>(ts_after), static_cast<long long>(skew_after),
      by_node.empty() ? "nobody" : absl::StrJoin(by_node, ", ").c_str());
  std::printf(
      "[tso] no timestamp for %lld ms: the longest gap between returns, starting %+lld ms "
      "from the kill\n",
      static_cast<long long>(gap.ms), static_cast<long long>(gap.starts_at_ms));
  ASSERT_NE(first_after, nullptr) << "no call sent after the kill of node " << victim
                                  << " returned timestamps in " << kTakeAfterKill.count() << " s";
  EXPECT_EQ(answered_after.count(victim), 0u) << "the killed node " << victim << " answered";
  if (last_before != nullptr) {
    EXPECT_GT(first_after->first, last_before->last());
    std::printf(
        "[tso] the last timestamp before the kill %s (node %d); the first of a call sent after "
        "it %s (node %d, %lld ms after the kill): %+lld ms in the physical part\n",
        DescribeTs(last_before->last()).c_str(), last_before->node,
        DescribeTs(first_after->first).c_str(), first_after->node,
        static_cast<long long>(Ms(first_after->returned - killed)),
        static_cast<long long>(PhysicalMs(first_after->first)) -
            static_cast<long long>(PhysicalMs(last_before->last())));
  }
  uint64_t max_issued = 0;
  for (const TakenCall& c : calls) max_issued = std::max(max_issued, c.last());

  // SQL through a survivor after the kill takes its timestamps from the new
  // oracle.
  const int survivor = victim == 1 ? 2 : 1;
  QueryResult after_kill =
      Query(survivor, "INSERT INTO tso_sql VALUES (2, " + absl::StrCat(survivor) + ")");
  EXPECT_TRUE(after_kill.ok) << "INSERT through node " << survivor
                             << " after the kill: " << after_kill.sqlstate << " "
                             << after_kill.message;

  // The killed node comes back on its data dir and serves SQL; SELECT works
  // through every node.
  const auto restarting = Clock::now();
  ASSERT_TRUE(node(victim).Start());
  std::printf("[tso] node %d restarted: /health 200 after %lld ms\n", victim,
              static_cast<long long>(ElapsedMs(restarting)));
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        QueryResult r = Query(victim, "SELECT count(*) FROM tso_sql");
        *state = r.ok ? absl::StrCat("count ", absl::StrJoin(Rows(r), ""))
                      : absl::StrCat(r.sqlstate, " ", r.message);
        return r.ok;
      },
      kMembershipDeadline, absl::StrCat("node ", victim, " answering SELECT")));
  const std::vector<std::string> want =
      after_kill.ok ? std::vector<std::string>{"1|2", absl::StrCat("2|", survivor)}
                    : std::vector<std::string>{"1|2"};
  for (int via = 1; via <= kNodes; ++via) {
    EXPECT_EQ(QueryRows(via, "SELECT k, via FROM tso_sql ORDER BY k"), want)
        << "through node " << via;
  }
  std::printf("[tso] SELECT through nodes 1..%d: %s\n", kNodes, absl::StrJoin(want, ", ").c_str());
  EXPECT_TRUE(WaitForReplicatedOn(victim, {1, 2, 3}));

  // The oracle still issues only above everything issued before.
  uint64_t later = 0;
  int later_node = 0;
  // New channels: the clients' may still be backing off from the kill.
  std::vector<std::unique_ptr<proto::Cluster::Stub>> fresh;
  for (int id = 1; id <= kNodes; ++id) fresh.push_back(ClusterStub(node(id).rpc_port()));
  EXPECT_TRUE(WaitFor(
      [&](std::string* state) {
        std::vector<std::string> seen;
        for (int id = 1; id <= kNodes; ++id) {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
          proto::TimestampsRequest request;
          request.set_count(1);
          proto::TimestampsResponse response;
          const auto sent = Clock::now();
          const grpc::Status rpc = fresh[id - 1]->Timestamps(&context, request, &response);
          if (rpc.ok() && response.error().code() == 0) {
            later = response.first();
            later_node = id;
            seen.push_back(absl::StrCat("node ", id, " gave ", DescribeTs(later), " in ",
                                        ElapsedMs(sent), " ms"));
            *state = absl::StrJoin(seen, "; ");
            return true;
          }
          seen.push_back(absl::StrCat("node ", id, " in ", ElapsedMs(sent), " ms: ",
                                      rpc.ok() ? response.error().message() : rpc.error_message()));
        }
        *state = absl::StrJoin(seen, "; ");
        return false;
      },
      kMembershipDeadline, "a timestamp after the restart"));
  EXPECT_GT(later, max_issued) << "node " << later_node << " after the restart";
}

}  // namespace
}  // namespace cairn::cluster
