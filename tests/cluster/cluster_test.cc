// Multi-node clusters seen from outside: real `cairn` processes, node 1
// bootstrapping and the others started with --join, driven through every
// node's SQL and HTTP ports. Membership (SHOW CLUSTER NODES and /metrics), the
// same data through every node, transfers through every node at once checked
// by the bank invariant, a restarted joiner keeping its node id, a killed node
// reported dead after --dead-node-timeout, and a join that reaches nobody
// failing instead of hanging. Replication: every range reaching three
// replicas, writers through the survivors while the leaseholder is killed
// (no acknowledged write lost, how long writes stop), a dead node's
// replicas replaced on a spare node, and five nodes losing two, one after
// the other, with a writer running throughout.
//
// Every wait polls a condition under a deadline (WaitFor) and, when it gives
// up, reports the last state it saw; no sleep stands in for a condition.
// Writes are not waited for: a statement acknowledged through one node is
// expected in the very next statement through any other.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "pqxx/pqxx"
#include "test_seed.h"

namespace cairn::cluster {
namespace {

using ::cairn::e2e::PgConn;
using ::cairn::e2e::PqxxExec;
using ::cairn::e2e::QueryResult;
using ::cairn::e2e::Rows;
using ::cairn::testing::CairnProcess;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// How long membership may take to settle: a join, a first heartbeat, or a
// node declared dead (--dead-node-timeout plus a heartbeat or two), on a busy
// two-core machine.
constexpr std::chrono::seconds kMembershipDeadline(30);
// How often WaitFor looks again (it only bounds how late we notice).
constexpr std::chrono::milliseconds kPollInterval(100);
// Every session sets this, so that a stuck node fails a statement instead
// of hanging the suite until ctest's TIMEOUT.
constexpr int kStatementTimeoutMs = 30'000;
// The dead-node timeout the liveness test runs with.
constexpr char kShortDeadNodeTimeout[] = "--dead-node-timeout=3s";
// How long a node whose --join reaches nobody may take to give up.
constexpr std::chrono::seconds kJoinGiveUpBound(60);

std::string LocalAddress(uint16_t port) { return absl::StrCat("127.0.0.1:", port); }

int64_t ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// A session on `dsn` with statement_timeout set (kStatementTimeoutMs unless
// given). Best effort: should the SET fail, the session merely has no
// timeout, and the statement the caller runs next reports what is wrong.
std::unique_ptr<PgConn> Connect(const std::string& dsn, int timeout_ms = kStatementTimeoutMs) {
  auto pg = std::make_unique<PgConn>(dsn);
  if (pg->ok()) pg->Exec(absl::StrCat("SET statement_timeout = ", timeout_ms));
  return pg;
}

// ---------------------------------------------------------------------------
// SHOW CLUSTER NODES

// One row of SHOW CLUSTER NODES.
struct NodeRow {
  int64_t node_id = 0;
  std::string address;      // the node's RPC host:port
  std::string sql_address;  // its SQL host:port
  bool is_live = false;
  int64_t ranges = 0;  // replicas on the node
  int64_t leases = 0;  // ranges it leads
};

std::string Describe(const std::vector<NodeRow>& rows) {
  std::vector<std::string> parts;
  for (const NodeRow& r : rows) {
    parts.push_back(absl::StrCat("n", r.node_id, " rpc=", r.address, " sql=", r.sql_address,
                                 r.is_live ? " live" : " DEAD", " ranges=", r.ranges,
                                 " leases=", r.leases));
  }
  return parts.empty() ? "<no rows>" : absl::StrJoin(parts, "; ");
}

// The row of node `id` in `rows`, or null.
const NodeRow* FindRow(const std::vector<NodeRow>& rows, int64_t id) {
  for (const NodeRow& row : rows) {
    if (row.node_id == id) return &row;
  }
  return nullptr;
}

absl::StatusOr<NodeRow> ParseNodeRow(const std::vector<std::optional<std::string>>& cells) {
  if (cells.size() != 6) {
    return absl::FailedPreconditionError(
        absl::StrCat("a row has ", cells.size(), " columns, not 6"));
  }
  for (const auto& cell : cells) {
    if (!cell.has_value()) return absl::FailedPreconditionError("a row has a NULL");
  }
  NodeRow row;
  row.address = *cells[1];
  row.sql_address = *cells[2];
  const bool numbers_ok = absl::SimpleAtoi(*cells[0], &row.node_id) &&
                          absl::SimpleAtoi(*cells[4], &row.ranges) &&
                          absl::SimpleAtoi(*cells[5], &row.leases);
  if (!numbers_ok || (*cells[3] != "t" && *cells[3] != "f")) {
    std::vector<std::string> text;
    for (const auto& cell : cells) text.push_back(*cell);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the row ", absl::StrJoin(text, "|")));
  }
  row.is_live = *cells[3] == "t";
  return row;
}

// ---------------------------------------------------------------------------
// /metrics

// The value of the unlabelled sample `name` in Prometheus text, if there is
// one.
std::optional<double> MetricValue(const std::string& text, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Replicas and leases

// The ranges a new cluster has: the meta range (1) and the data range (2).
constexpr int64_t kRanges = 2;

// Whether every node of `ids` is live and holds a replica of each of the
// kRanges ranges, and those nodes lead the kRanges ranges between them (as of
// their last heartbeats); if not, *why says the first difference.
bool ReplicatedOn(const std::vector<NodeRow>& rows, const std::vector<int>& ids, std::string* why) {
  int64_t leases = 0;
  for (int id : ids) {
    const NodeRow* row = FindRow(rows, id);
    if (row == nullptr) {
      *why = absl::StrCat("node ", id, " has no row");
      return false;
    }
    if (!row->is_live || row->ranges != kRanges) {
      *why = absl::StrCat("node ", id, row->is_live ? " live" : " dead",
                          " with ranges=", row->ranges, ", want live with ", kRanges);
      return false;
    }
    leases += row->leases;
  }
  if (leases != kRanges) {
    *why = absl::StrCat("nodes ", absl::StrJoin(ids, ","), " lead ", leases, " ranges, want ",
                        kRanges);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// SHOW RANGES

// The data range, where tables live (range 1 is the meta range).
constexpr int64_t kDataRangeId = 2;
// The replicas a range has once the cluster has three live nodes or more.
constexpr size_t kReplicationFactor = 3;

// One row of SHOW RANGES, the columns the tests look at. Unlike SHOW CLUSTER
// NODES, it is the membership now, answered by the leaseholders.
struct RangeRow {
  int64_t range_id = 0;
  std::vector<int> replicas;  // voters' node ids, as in the text {1,2,4}
  std::vector<int> learners;  // members not voting yet
  int64_t lease_holder = 0;
};

std::string Describe(const std::vector<RangeRow>& rows) {
  std::vector<std::string> parts;
  for (const RangeRow& r : rows) {
    parts.push_back(absl::StrCat("r", r.range_id, " {", absl::StrJoin(r.replicas, ","), "} lease n",
                                 r.lease_holder));
  }
  return parts.empty() ? "<no rows>" : absl::StrJoin(parts, "; ");
}

// The row of range `id` in `rows`, or null.
const RangeRow* FindRange(const std::vector<RangeRow>& rows, int64_t id) {
  for (const RangeRow& row : rows) {
    if (row.range_id == id) return &row;
  }
  return nullptr;
}

bool Contains(const std::vector<int>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// range_id, start_key, end_key (NULL: the keyspace's end), replicas,
// lease_holder, range_size (NULL: not known on the node that answered).
absl::StatusOr<RangeRow> ParseRangeRow(const std::vector<std::optional<std::string>>& cells) {
  if (cells.size() != 7) {
    return absl::FailedPreconditionError(
        absl::StrCat("a SHOW RANGES row has ", cells.size(), " columns, not 7"));
  }
  RangeRow row;
  bool ok = cells[0] && cells[4] && absl::SimpleAtoi(*cells[0], &row.range_id) &&
            absl::SimpleAtoi(*cells[4], &row.lease_holder);
  // {1,2,4} -> node ids.
  auto parse_ids = [&ok](absl::string_view text, std::vector<int>* out) {
    ok = ok && absl::ConsumePrefix(&text, "{") && absl::ConsumeSuffix(&text, "}");
    for (absl::string_view id : absl::StrSplit(text, ',', absl::SkipEmpty())) {
      int node_id = 0;
      ok = ok && absl::SimpleAtoi(id, &node_id);
      out->push_back(node_id);
    }
  };
  parse_ids(cells[3].value_or(""), &row.replicas);
  parse_ids(cells[6].value_or(""), &row.learners);
  if (!ok) {
    std::vector<std::string> text;
    for (const auto& cell : cells) text.push_back(cell.value_or("NULL"));
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the SHOW RANGES row ", absl::StrJoin(text, "|")));
  }
  return row;
}

// Whether `rows` lists the kRanges ranges, each with kReplicationFactor
// replicas on distinct nodes, none of them in `dead`, and a lease holder
// among those replicas; if not, *why says the first difference.
bool FullyReplicated(const std::vector<RangeRow>& rows, const std::vector<int>& dead,
                     std::string* why) {
  if (rows.size() != static_cast<size_t>(kRanges)) {
    *why = absl::StrCat(rows.size(), " ranges, want ", kRanges);
    return false;
  }
  for (const RangeRow& row : rows) {
    const std::set<int> distinct(row.replicas.begin(), row.replicas.end());
    if (row.replicas.size() != kReplicationFactor || distinct.size() != kReplicationFactor) {
      *why =
          absl::StrCat("range ", row.range_id, " has replicas {", absl::StrJoin(row.replicas, ","),
                       "}, want ", kReplicationFactor, " on distinct nodes");
      return false;
    }
    for (int id : dead) {
      if (Contains(row.replicas, id)) {
        *why = absl::StrCat("range ", row.range_id, " still has a replica on dead node ", id);
        return false;
      }
    }
    if (!Contains(row.replicas, row.lease_holder)) {
      *why = absl::StrCat("range ", row.range_id, " has lease_holder ", row.lease_holder,
                          ", not one of its replicas");
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// The fixture

class ClusterTest : public ::testing::Test {
 protected:
  // Stops what the test started: joiners first, node 1 (the one holding the
  // ranges) last. SIGTERM drains and exits 0 on every node (DESIGN.md).
  void TearDown() override {
    for (int id = static_cast<int>(nodes_.size()); id >= 1; --id) {
      if (!node(id).running()) continue;
      const auto stopping = Clock::now();
      EXPECT_EQ(node(id).Stop(), 0) << "node " << id << " on SIGTERM";
      std::printf("[cluster] node %d stopped (SIGTERM) in %lld ms\n", id,
                  static_cast<long long>(ElapsedMs(stopping)));
    }
  }

  // Starts nodes 1..n one after the other, all with `flags`: node 1
  // bootstraps, each later one joins through node 1's RPC address, so that
  // they get node ids 2..n in order. Start() returns once a node answers
  // /health, that is once it has its id and serves SQL.
  ::testing::AssertionResult StartCluster(int n, const std::vector<std::string>& flags = {}) {
    for (int id = 1; id <= n; ++id) {
      nodes_.push_back(std::make_unique<CairnProcess>());
      std::vector<std::string> node_flags = flags;
      if (id > 1) {
        node_flags.push_back("--join");
        node_flags.push_back(LocalAddress(node(1).rpc_port()));
      }
      node(id).set_extra_flags(node_flags);
      const auto start = Clock::now();
      ::testing::AssertionResult started = node(id).Start();
      if (!started) return started << " (starting node " << id << ")";
      std::printf(
          "[cluster] node %d serving after %lld ms: sql %s, rpc %s, flags: %s\n", id,
          static_cast<long long>(ElapsedMs(start)), LocalAddress(node(id).sql_port()).c_str(),
          LocalAddress(node(id).rpc_port()).c_str(), absl::StrJoin(node_flags, " ").c_str());
    }
    return ::testing::AssertionSuccess();
  }

  // The node with id `id` (1-based, as StartCluster assigns them).
  CairnProcess& node(int id) { return *nodes_.at(id - 1); }

  // Runs `sql` through node `id` on a session of its own.
  QueryResult Query(int id, const std::string& sql) {
    std::unique_ptr<PgConn> pg = Connect(node(id).Dsn());
    if (!pg->ok()) {
      QueryResult failed;
      failed.connection_lost = true;
      failed.message = "connect: " + pg->error();
      return failed;
    }
    return pg->Exec(sql);
  }

  // Runs `sql` through node `id`, expecting success; its rows as Rows()
  // renders them ("v1|v2").
  std::vector<std::string> QueryRows(int id, const std::string& sql) {
    QueryResult r = Query(id, sql);
    EXPECT_TRUE(r.ok) << "through node " << id << ": " << sql << ": " << r.sqlstate << " "
                      << r.message;
    return Rows(r);
  }

  // Runs `sql` through node `id`, expecting success; its command tag.
  std::string ExecOk(int id, const std::string& sql) {
    QueryResult r = Query(id, sql);
    EXPECT_TRUE(r.ok) << "through node " << id << ": " << sql << ": " << r.sqlstate << " "
                      << r.message;
    return r.tag;
  }

  // SHOW CLUSTER NODES through node `via`.
  absl::StatusOr<std::vector<NodeRow>> ShowClusterNodes(int via) {
    QueryResult r = Query(via, "SHOW CLUSTER NODES");
    if (!r.ok) {
      return absl::UnavailableError(
          absl::StrCat("SHOW CLUSTER NODES via node ", via, ": ", r.sqlstate, " ", r.message));
    }
    std::vector<NodeRow> rows;
    for (const auto& cells : r.rows) {
      absl::StatusOr<NodeRow> row = ParseNodeRow(cells);
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    return rows;
  }

  // SHOW RANGES through node `via`.
  absl::StatusOr<std::vector<RangeRow>> ShowRanges(int via) {
    QueryResult r = Query(via, "SHOW RANGES");
    if (!r.ok) {
      return absl::UnavailableError(
          absl::StrCat("SHOW RANGES via node ", via, ": ", r.sqlstate, " ", r.message));
    }
    std::vector<RangeRow> rows;
    for (const auto& cells : r.rows) {
      absl::StatusOr<RangeRow> row = ParseRangeRow(cells);
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    return rows;
  }

  // Whether no range of `rows` has a learner (a member still catching up);
  // if one has, *why says which.
  bool AllVoters(const std::vector<RangeRow>& rows, std::string* why) {
    for (const RangeRow& row : rows) {
      if (!row.learners.empty()) {
        *why = absl::StrCat("range ", row.range_id, " has learners {",
                            absl::StrJoin(row.learners, ","), "}");
        return false;
      }
    }
    return true;
  }

  // Waits until SHOW RANGES through node `via` shows every range fully
  // replicated with none of its replicas on a node of `dead`
  // (FullyReplicated), every replica a voter (AllVoters), and `also` holds
  // if given (it says in *why what it misses). *seen gets the rows that
  // satisfied the wait.
  ::testing::AssertionResult WaitForFullyReplicated(
      int via, const std::vector<int>& dead, std::vector<RangeRow>* seen,
      const std::function<bool(const std::vector<RangeRow>&, std::string* why)>& also = nullptr,
      const std::string& also_what = "") {
    return WaitFor(
        [&](std::string* state) {
          absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(via);
          if (!rows.ok()) {
            *state = rows.status().ToString();
            return false;
          }
          std::string why;
          const bool held = FullyReplicated(*rows, dead, &why) && AllVoters(*rows, &why) &&
                            (also == nullptr || also(*rows, &why));
          *state = Describe(*rows) + (held ? "" : " -- " + why);
          if (held) *seen = *rows;
          return held;
        },
        kMembershipDeadline,
        absl::StrCat(
            "SHOW RANGES via node ", via, ": every range with ", kReplicationFactor,
            " replicas, each a voter, and a lease holder among them",
            dead.empty() ? "" : absl::StrCat(", none on node(s) ", absl::StrJoin(dead, ",")),
            also_what.empty() ? "" : ", " + also_what));
  }

  // Whether `rows` lists exactly the nodes 1..live.size(), in node_id order,
  // each with its own RPC and SQL addresses and node i's is_live equal to
  // live[i-1]; if not, *why says the first difference.
  bool MembershipIs(const std::vector<NodeRow>& rows, const std::vector<bool>& live,
                    std::string* why) {
    if (rows.size() != live.size()) {
      *why = absl::StrCat(rows.size(), " rows, want ", live.size());
      return false;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      const int id = static_cast<int>(i) + 1;
      const NodeRow& row = rows[i];
      if (row.node_id != id) {
        *why = absl::StrCat("row ", id, " has node_id ", row.node_id);
        return false;
      }
      if (row.address != LocalAddress(node(id).rpc_port())) {
        *why = absl::StrCat("node ", id, " has address ", row.address, ", want its RPC address ",
                            LocalAddress(node(id).rpc_port()));
        return false;
      }
      if (row.sql_address != LocalAddress(node(id).sql_port())) {
        *why = absl::StrCat("node ", id, " has sql_address ", row.sql_address, ", want ",
                            LocalAddress(node(id).sql_port()));
        return false;
      }
      if (row.is_live != live[i]) {
        *why = absl::StrCat("node ", id, " is_live is ", row.is_live ? "true" : "false");
        return false;
      }
    }
    return true;
  }

  // Polls `condition` until it holds or `deadline` has passed. The condition
  // describes what it saw in *state: printed once it holds, reported when the
  // wait gives up.
  ::testing::AssertionResult WaitFor(const std::function<bool(std::string* state)>& condition,
                                     Clock::duration deadline, const std::string& what) {
    const auto start = Clock::now();
    for (int polls = 1;; ++polls) {
      std::string state;
      if (condition(&state)) {
        std::printf("[cluster] %s: after %lld ms, %d polls: %s\n", what.c_str(),
                    static_cast<long long>(ElapsedMs(start)), polls, state.c_str());
        return ::testing::AssertionSuccess();
      }
      if (Clock::now() - start > deadline) {
        return ::testing::AssertionFailure()
               << "gave up after " << ElapsedMs(start) << " ms waiting for " << what
               << "; last seen: " << state;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  // Waits until SHOW CLUSTER NODES through node `via` lists nodes
  // 1..live.size() with their addresses, node i live iff live[i-1].
  ::testing::AssertionResult WaitForMembership(int via, const std::vector<bool>& live) {
    std::vector<std::string> want;
    for (size_t i = 0; i < live.size(); ++i) {
      want.push_back(absl::StrCat("n", i + 1, live[i] ? " live" : " dead"));
    }
    return WaitFor(
        [&](std::string* state) {
          absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(via);
          if (!rows.ok()) {
            *state = rows.status().ToString();
            return false;
          }
          std::string why;
          const bool holds = MembershipIs(*rows, live, &why);
          *state = Describe(*rows) + (holds ? "" : " -- " + why);
          return holds;
        },
        kMembershipDeadline,
        absl::StrCat("SHOW CLUSTER NODES via node ", via, " = ", absl::StrJoin(want, ", ")));
  }

  // Waits until SHOW CLUSTER NODES through node `via` satisfies `holds`,
  // which says in *why what it misses.
  ::testing::AssertionResult WaitForNodes(
      int via, const std::function<bool(const std::vector<NodeRow>&, std::string* why)>& holds,
      const std::string& what, Clock::duration deadline = kMembershipDeadline) {
    return WaitFor(
        [&](std::string* state) {
          absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(via);
          if (!rows.ok()) {
            *state = rows.status().ToString();
            return false;
          }
          std::string why;
          const bool held = holds(*rows, &why);
          *state = Describe(*rows) + (held ? "" : " -- " + why);
          return held;
        },
        deadline, absl::StrCat("SHOW CLUSTER NODES via node ", via, ": ", what));
  }

  // Waits until SHOW CLUSTER NODES through node `via` shows each node of
  // `ids` live with a replica of every range and leading all ranges between
  // them (ReplicatedOn), and each node of `dead` not live.
  ::testing::AssertionResult WaitForReplicatedOn(int via, const std::vector<int>& ids,
                                                 const std::vector<int>& dead = {}) {
    return WaitForNodes(
        via,
        [&](const std::vector<NodeRow>& rows, std::string* why) {
          for (int id : dead) {
            const NodeRow* row = FindRow(rows, id);
            if (row == nullptr || row->is_live) {
              *why = absl::StrCat("node ", id, row == nullptr ? " has no row" : " is live");
              return false;
            }
          }
          return ReplicatedOn(rows, ids, why);
        },
        absl::StrCat(
            "nodes ", absl::StrJoin(ids, ","), " each with ranges=", kRanges,
            ", leases summing to ", kRanges,
            dead.empty() ? "" : absl::StrCat(", node(s) ", absl::StrJoin(dead, ","), " dead")));
  }

  // Waits until node `id`'s /metrics has each of `want`'s gauges at its value.
  ::testing::AssertionResult WaitForMetrics(
      int id, const std::vector<std::pair<std::string, double>>& want) {
    std::vector<std::string> wanted;
    for (const auto& [name, value] : want) wanted.push_back(absl::StrCat(name, " ", value));
    return WaitFor(
        [&](std::string* state) {
          std::string body;
          const int status = node(id).HttpGet("/metrics", &body);
          if (status != 200) {
            *state = absl::StrCat("GET /metrics answered ", status);
            return false;
          }
          bool holds = true;
          std::vector<std::string> seen;
          for (const auto& [name, value] : want) {
            const std::optional<double> got = MetricValue(body, name);
            seen.push_back(absl::StrCat(name, " ", got ? absl::StrCat(*got) : "<absent>"));
            holds = holds && got == value;
          }
          *state = absl::StrJoin(seen, ", ");
          return holds;
        },
        kMembershipDeadline,
        absl::StrCat("node ", id, "'s /metrics: ", absl::StrJoin(wanted, ", ")));
  }

  std::vector<std::unique_ptr<CairnProcess>> nodes_;  // node i is nodes_[i-1]
};

// ---------------------------------------------------------------------------
// Membership and the same data through every node

TEST_F(ClusterTest, ThreeNodesJoinAndSeeTheSameData) {
  ASSERT_TRUE(StartCluster(3));
  for (int via = 1; via <= 3; ++via) ASSERT_TRUE(WaitForMembership(via, {true, true, true}));

  // The columns' names and types, as a client's driver sees them.
  try {
    pqxx::connection conn(node(2).Dsn());
    pqxx::result r = PqxxExec(conn, "SHOW CLUSTER NODES");
    const std::vector<std::pair<std::string, pqxx::oid>> want = {
        {"node_id", 20}, {"address", 25}, {"sql_address", 25},
        {"is_live", 16}, {"ranges", 20},  {"leases", 20}};  // int8, text, bool
    ASSERT_EQ(r.columns(), want.size());
    for (pqxx::row::size_type i = 0; i < want.size(); ++i) {
      EXPECT_EQ(r.column_name(i), want[i].first) << "column " << i;
      EXPECT_EQ(r.column_type(i), want[i].second) << "type oid of " << want[i].first;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "SHOW CLUSTER NODES through libpqxx: " << e.what();
  }

  // Replica and lease counts: a node leads only ranges it holds a replica
  // of, and some node leads each range, so at least one.
  absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(1);
  ASSERT_TRUE(rows.ok()) << rows.status();
  int64_t leases = 0;
  for (const NodeRow& row : *rows) {
    EXPECT_GE(row.ranges, 0) << "node " << row.node_id;
    EXPECT_LE(row.leases, row.ranges)
        << "node " << row.node_id << " leads ranges it has no replica of";
    leases += row.leases;
  }
  EXPECT_GT(leases, 0) << "no node leads any range: " << Describe(*rows);

  // DDL through node 2, writes through nodes 3 and 1, reads through all.
  ExecOk(2, "CREATE TABLE shared (id INT PRIMARY KEY, v TEXT NOT NULL, via INT NOT NULL)");
  EXPECT_EQ(ExecOk(3, "INSERT INTO shared VALUES (1, 'a', 3), (2, 'b', 3)"), "INSERT 0 2");
  EXPECT_EQ(ExecOk(1, "INSERT INTO shared VALUES (3, 'c', 1)"), "INSERT 0 1");
  for (int via = 1; via <= 3; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT id, v, via FROM shared ORDER BY id"),
                ElementsAre("1|a|3", "2|b|3", "3|c|1"))
        << "through node " << via;
  }
  std::printf(
      "[cluster] CREATE TABLE via node 2, INSERTs via nodes 3 and 1: same 3 rows via "
      "nodes 1, 2, 3\n");

  // An UPDATE through node 3 is seen through node 2.
  EXPECT_EQ(ExecOk(3, "UPDATE shared SET v = 'b, updated via node 3' WHERE id = 2"), "UPDATE 1");
  EXPECT_THAT(QueryRows(2, "SELECT v FROM shared WHERE id = 2"),
              ElementsAre("b, updated via node 3"));

  // A transaction through node 2 commits as one: nothing of it is seen
  // through node 3 before COMMIT, all of it after.
  {
    std::unique_ptr<PgConn> txn = Connect(node(2).Dsn());
    ASSERT_TRUE(txn->ok()) << txn->error();
    for (const char* sql :
         {"BEGIN", "INSERT INTO shared VALUES (4, 'd', 2)", "DELETE FROM shared WHERE id = 1"}) {
      QueryResult r = txn->Exec(sql);
      ASSERT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
    }
    EXPECT_THAT(QueryRows(3, "SELECT id FROM shared ORDER BY id"), ElementsAre("1", "2", "3"))
        << "an uncommitted transaction's writes seen through another node";
    QueryResult commit = txn->Exec("COMMIT");
    ASSERT_TRUE(commit.ok) << commit.sqlstate << " " << commit.message;
    EXPECT_EQ(commit.tag, "COMMIT");
  }
  for (int via = 1; via <= 3; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT id FROM shared ORDER BY id"), ElementsAre("2", "3", "4"))
        << "through node " << via;
  }
  std::printf(
      "[cluster] UPDATE via node 3 seen via node 2; a transaction via node 2 seen whole "
      "via every node only after COMMIT\n");
}

// ---------------------------------------------------------------------------
// Transfers through every node at once

constexpr int kAccounts = 10;
constexpr int kOpeningBalance = 100;
// How long the writers run (the length of the workload, not a wait).
constexpr std::chrono::seconds kTransferFor(5);
// A transfer that fails this often in a row is a bug, not contention.
constexpr int kMaxAttempts = 200;
// Sessions a writer may lose (and open anew) before it gives up.
constexpr int kMaxReconnects = 5;
// Each writer reads the total after every kReadEvery transfers.
constexpr int kReadEvery = 8;

// What one writer did; the test thread reads it after join().
struct WriterReport {
  int node = 0;
  int committed = 0;  // transfers whose COMMIT answered COMMIT
  int retried = 0;    // attempts that certainly did not commit and were tried again
  int unknown = 0;    // COMMITs whose outcome is unknown (connection lost, 40003)
  int reads = 0;      // totals read meanwhile, all equal to the opening total
  std::vector<int64_t> delta = std::vector<int64_t>(kAccounts, 0);  // from committed transfers
  std::string error;  // why the writer gave up; "" if it did not
};

enum class Attempt {
  kCommitted,
  kNotCommitted,  // certainly not committed: retry
  kUnknown,       // it may have committed: do not retry
  kFailed,        // an error no retry cures; *error says which
};

// Errors after which the transaction certainly did not commit and a retry
// may succeed: serialization failure, deadlock, lock not available, and
// 40003 before COMMIT (the transaction cannot commit after it).
bool IsTransient(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "40003";
}

// One try at moving `amount` from account `from` to `to` in an explicit
// transaction on `pg`.
Attempt TryTransfer(PgConn& pg, int from, int to, int amount, std::string* error) {
  const std::string statements[] = {
      "BEGIN",
      absl::StrCat("UPDATE accounts SET balance = balance - ", amount, " WHERE id = ", from),
      absl::StrCat("UPDATE accounts SET balance = balance + ", amount, " WHERE id = ", to),
      "COMMIT",
  };
  for (const std::string& sql : statements) {
    const bool is_commit = sql == "COMMIT";
    QueryResult r = pg.Exec(sql);
    if (r.ok) {
      if (is_commit && r.tag != "COMMIT") return Attempt::kNotCommitted;  // answered ROLLBACK
      if (absl::StartsWith(sql, "UPDATE") && r.tag != "UPDATE 1") {
        *error = absl::StrCat(sql, ": tag ", r.tag);
        return Attempt::kFailed;
      }
      continue;
    }
    if (is_commit && (r.connection_lost || r.sqlstate == "40003")) return Attempt::kUnknown;
    if (r.connection_lost) return Attempt::kNotCommitted;  // the caller opens a new session
    if (!IsTransient(r.sqlstate)) {
      *error = absl::StrCat(sql, ": ", r.sqlstate, " ", r.message);
      return Attempt::kFailed;
    }
    if (pg.TxStatus() != PQTRANS_IDLE) {
      QueryResult rollback = pg.Exec("ROLLBACK");
      if (!rollback.ok && !rollback.connection_lost) {
        *error = absl::StrCat("ROLLBACK: ", rollback.sqlstate, " ", rollback.message);
        return Attempt::kFailed;
      }
    }
    return Attempt::kNotCommitted;
  }
  return Attempt::kCommitted;
}

// Moves random amounts between random accounts through `dsn` until `stop`,
// each transfer retried until it commits (or its outcome is unknown), and
// now and then reads the total. Stops early, with report->error, on an error
// no retry cures.
void RunWriter(const std::string& dsn, uint64_t seed, const std::atomic<bool>& stop,
               WriterReport* report) {
  const std::string want_total = absl::StrCat(kAccounts * kOpeningBalance, "|", kAccounts);
  std::mt19937_64 rng(seed);
  std::unique_ptr<PgConn> pg = Connect(dsn);
  int reconnects = 0;
  for (int transfers = 1; !stop.load(); ++transfers) {
    const int from = static_cast<int>(rng() % kAccounts);
    const int to = static_cast<int>((from + 1 + rng() % (kAccounts - 1)) % kAccounts);
    const int amount = static_cast<int>(1 + rng() % 20);
    for (int attempt = 1;; ++attempt) {
      if (attempt > kMaxAttempts) {
        report->error = absl::StrCat("a transfer did not commit in ", kMaxAttempts, " attempts");
        return;
      }
      if (!pg->ok()) {
        if (++reconnects > kMaxReconnects) {
          report->error = absl::StrCat("lost the session ", reconnects, " times: ", pg->error());
          return;
        }
        pg = Connect(dsn);
        continue;
      }
      std::string error;
      const Attempt outcome = TryTransfer(*pg, from, to, amount, &error);
      if (outcome == Attempt::kFailed) {
        report->error = error;
        return;
      }
      if (outcome == Attempt::kUnknown) {
        ++report->unknown;
        break;
      }
      if (outcome == Attempt::kCommitted) {
        ++report->committed;
        report->delta[from] -= amount;
        report->delta[to] += amount;
        break;
      }
      ++report->retried;
      if (stop.load()) break;  // not committed, and time is up
    }
    if (transfers % kReadEvery == 0 && pg->ok()) {
      QueryResult r = pg->Exec("SELECT sum(balance), count(*) FROM accounts");
      if (r.ok) {
        if (Rows(r) != std::vector<std::string>{want_total}) {
          report->error =
              absl::StrCat("read sum|count ", absl::StrJoin(Rows(r), ","), ", want ", want_total);
          return;
        }
        ++report->reads;
      } else if (!r.connection_lost && !IsTransient(r.sqlstate)) {
        report->error = absl::StrCat("reading the total: ", r.sqlstate, " ", r.message);
        return;
      }
    }
  }
}

TEST_F(ClusterTest, ConcurrentWritersThroughEveryNode) {
  const uint64_t seed = cairn::testing::TestSeed(11);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  constexpr int kNodes = 3;
  ASSERT_TRUE(StartCluster(kNodes));
  ASSERT_TRUE(WaitForMembership(1, {true, true, true}));

  ExecOk(1, "CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
  std::vector<std::string> values;
  for (int i = 0; i < kAccounts; ++i)
    values.push_back(absl::StrCat("(", i, ", ", kOpeningBalance, ")"));
  EXPECT_EQ(ExecOk(1, "INSERT INTO accounts VALUES " + absl::StrJoin(values, ", ")),
            absl::StrCat("INSERT 0 ", kAccounts));
  const std::string want_total = absl::StrCat(kAccounts * kOpeningBalance, "|", kAccounts);

  // One writer per node, each on its own node's SQL port.
  std::atomic<bool> stop{false};
  std::vector<WriterReport> reports(kNodes);
  std::vector<std::thread> writers;
  for (int id = 1; id <= kNodes; ++id) {
    reports[id - 1].node = id;
    writers.emplace_back(RunWriter, node(id).Dsn(), seed * 1000 + id, std::cref(stop),
                         &reports[id - 1]);
  }
  std::this_thread::sleep_for(kTransferFor);
  stop.store(true);
  for (std::thread& t : writers) t.join();

  int unknown = 0;
  for (const WriterReport& r : reports) {
    std::printf(
        "[cluster] writer via node %d: %d transfers committed, %d attempts retried, "
        "%d outcomes unknown, %d consistent totals read\n",
        r.node, r.committed, r.retried, r.unknown, r.reads);
    EXPECT_EQ(r.error, "") << "writer via node " << r.node;
    EXPECT_GT(r.committed, 0) << "node " << r.node << " committed no transfer in "
                              << kTransferFor.count() << " s";
    unknown += r.unknown;
  }

  // The total is the opening one, through every node.
  for (int via = 1; via <= kNodes; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT sum(balance), count(*) FROM accounts"),
                ElementsAre(want_total))
        << "through node " << via;
  }
  // Every node sees the same balances, and (unless some COMMIT's outcome was
  // unknown) each is the opening balance plus what the acknowledged
  // transfers moved: none lost, none applied twice.
  const std::vector<std::string> balances =
      QueryRows(1, "SELECT id, balance FROM accounts ORDER BY id");
  for (int via = 2; via <= kNodes; ++via) {
    EXPECT_EQ(QueryRows(via, "SELECT id, balance FROM accounts ORDER BY id"), balances)
        << "balances through node " << via << " differ from those through node 1";
  }
  if (unknown == 0) {
    std::vector<std::string> want;
    for (int i = 0; i < kAccounts; ++i) {
      int64_t balance = kOpeningBalance;
      for (const WriterReport& r : reports) balance += r.delta[i];
      want.push_back(absl::StrCat(i, "|", balance));
    }
    EXPECT_THAT(balances, ElementsAreArray(want))
        << "the balances are not what the acknowledged transfers add up to";
  } else {
    std::printf("[cluster] %d COMMIT outcomes unknown: per-account balances not checked\n",
                unknown);
  }
  std::printf("[cluster] total %s through nodes 1..%d; balances: %s\n", want_total.c_str(), kNodes,
              absl::StrJoin(balances, " ").c_str());
}

// ---------------------------------------------------------------------------
// A restarted joiner, a dead node, the metrics

TEST_F(ClusterTest, JoinerRestartKeepsItsIdentity) {
  ASSERT_TRUE(StartCluster(2));
  ASSERT_TRUE(WaitForMembership(1, {true, true}));
  ExecOk(2, "CREATE TABLE before_restart (k INT PRIMARY KEY, v TEXT)");
  ExecOk(2, "INSERT INTO before_restart VALUES (1, 'via node 2')");
  ExecOk(1, "INSERT INTO before_restart VALUES (2, 'via node 1')");

  const pid_t old_pid = node(2).pid();
  ASSERT_TRUE(node(2).Restart());
  std::printf("[cluster] node 2 restarted on the same data dir: pid %d -> %d\n",
              static_cast<int>(old_pid), static_cast<int>(node(2).pid()));

  // Still two rows, both live, through either node: a new identity would be
  // a third row.
  ASSERT_TRUE(WaitForMembership(1, {true, true}));
  ASSERT_TRUE(WaitForMembership(2, {true, true}));

  // Node 2 serves SQL again, sees what was written before, and its writes
  // are seen through node 1.
  EXPECT_THAT(QueryRows(2, "SELECT k, v FROM before_restart ORDER BY k"),
              ElementsAre("1|via node 2", "2|via node 1"));
  EXPECT_EQ(ExecOk(2, "INSERT INTO before_restart VALUES (3, 'via node 2, restarted')"),
            "INSERT 0 1");
  EXPECT_THAT(QueryRows(1, "SELECT k FROM before_restart ORDER BY k"), ElementsAre("1", "2", "3"));
  std::printf("[cluster] restarted node 2 read the earlier rows and wrote one node 1 sees\n");
}

TEST_F(ClusterTest, DeadNodeIsReportedDead) {
  ASSERT_TRUE(StartCluster(3, {kShortDeadNodeTimeout}));
  ASSERT_TRUE(WaitForMembership(1, {true, true, true}));

  node(3).Kill();
  std::printf("[cluster] killed node 3 (SIGKILL)\n");
  const auto killed = Clock::now();
  ASSERT_TRUE(WaitForMembership(1, {true, true, false}));
  std::printf("[cluster] node 3 reported dead via node 1 %lld ms after the kill (%s)\n",
              static_cast<long long>(ElapsedMs(killed)), kShortDeadNodeTimeout);
  EXPECT_TRUE(WaitForMembership(2, {true, true, false}));
  EXPECT_TRUE(WaitForMetrics(1, {{"cairn_cluster_nodes", 3}, {"cairn_cluster_nodes_live", 2}}));

  // The survivors keep serving SQL, through node 2 too.
  ExecOk(2, "CREATE TABLE after_death (k INT PRIMARY KEY)");
  EXPECT_EQ(ExecOk(2, "INSERT INTO after_death VALUES (1), (2)"), "INSERT 0 2");
  EXPECT_THAT(QueryRows(2, "SELECT k FROM after_death ORDER BY k"), ElementsAre("1", "2"));
  EXPECT_THAT(QueryRows(1, "SELECT count(*) FROM after_death"), ElementsAre("2"));
}

TEST_F(ClusterTest, MetricsShowMembership) {
  ASSERT_TRUE(StartCluster(3));
  ASSERT_TRUE(WaitForMetrics(1, {{"cairn_cluster_nodes", 3}, {"cairn_cluster_nodes_live", 3}}));
  std::string body;
  ASSERT_EQ(node(1).HttpGet("/metrics", &body), 200);
  EXPECT_THAT(body, HasSubstr("# TYPE cairn_cluster_nodes gauge\n"));
  EXPECT_THAT(body, HasSubstr("# TYPE cairn_cluster_nodes_live gauge\n"));
}

// ---------------------------------------------------------------------------
// Replication and failover

TEST_F(ClusterTest, RangesReachThreeReplicas) {
  ASSERT_TRUE(StartCluster(3));
  const auto started = Clock::now();
  // Through every node: each holds a replica of both ranges, and each range
  // has one leader.
  for (int via = 1; via <= 3; ++via) ASSERT_TRUE(WaitForReplicatedOn(via, {1, 2, 3}));
  std::printf("[cluster] 3 replicas of each of the %lld ranges %lld ms after node 3 served\n",
              static_cast<long long>(kRanges), static_cast<long long>(ElapsedMs(started)));
}

// How long the writers run before node 1 is killed, and after (the length of
// the workload, not waits).
constexpr std::chrono::seconds kWriteBeforeKill(2);
constexpr std::chrono::seconds kWriteAfterKill(8);
// The failover writers' statement_timeout: a statement stuck this long shows
// up as a 57014 in the error counts and a gap as long, instead of outlasting
// the workload.
constexpr int kFailoverStatementTimeoutMs = 10'000;
// The pause before trying a failed INSERT again (pacing, so that a writer does
// not spin while no leader is elected; it synchronises nothing).
constexpr std::chrono::milliseconds kRetryPause(20);

// What one failover writer did; the test thread reads it after join(), except
// `acked_count`, which it watches meanwhile.
struct InsertWriterReport {
  int node = 0;
  std::atomic<int> acked_count{0};
  // Keys whose INSERT answered INSERT 0 1, with when the answer came.
  std::vector<std::pair<int64_t, Clock::time_point>> acked;
  // Keys an attempt of unknown outcome was made for, and a later attempt
  // found taken (23505): the earlier one committed.
  std::vector<int64_t> taken_on_retry;
  // Keys whose last attempt's outcome is unknown when the workload ended.
  std::vector<int64_t> unknown;
  int attempts = 0;
  int reconnects = 0;  // fresh sessions opened after the first
  // The slowest attempt: how long it took, and how it ended.
  int64_t slowest_ms = 0;
  std::string slowest_outcome;
  // Errors seen, by SQLSTATE ("lost" for a dropped connection, "connect" for
  // a failed connect): count, and the latest message.
  std::map<std::string, std::pair<int, std::string>> errors;
  std::string error;  // why the writer gave up; "" if it did not
};

// Errors a failover may answer a statement with, after which it is tried
// again on a fresh session: a dropped connection, serialization failure,
// deadlock, lock not available, the transaction's outcome unknown, a node
// unavailable or shutting down, an internal error saying something is
// unavailable, and statement_timeout. Whether the statement committed is
// unknown after any of them.
bool IsFailoverTransient(const QueryResult& r) {
  if (r.connection_lost) return true;
  for (const char* state : {"40001", "40P01", "55P03", "40003", "08006", "57P01", "57014"}) {
    if (r.sqlstate == state) return true;
  }
  return r.sqlstate == "XX000" &&
         absl::StrContains(absl::AsciiStrToLower(r.message), "unavailable");
}

// Inserts keys first_key, first_key + 1, ... into failover(k, via) through
// `dsn`, one autocommit INSERT each, until `stop`. A key whose attempt fails
// with a transient error is tried again on a fresh session until an attempt
// settles it (INSERT 0 1: acknowledged; 23505: an earlier attempt committed
// it) or the workload ends (its outcome unknown). Stops early, with
// report->error, on an error no retry cures.
void RunInsertWriter(const std::string& dsn, int via, int64_t first_key,
                     const std::atomic<bool>& stop, InsertWriterReport* report) {
  std::unique_ptr<PgConn> pg;
  for (int64_t key = first_key; !stop.load(); ++key) {
    const std::string sql = absl::StrCat("INSERT INTO failover VALUES (", key, ", ", via, ")");
    for (bool tried = false;;) {
      if (tried && stop.load()) {
        report->unknown.push_back(key);
        break;
      }
      if (pg == nullptr || !pg->ok()) {
        if (key != first_key || tried) ++report->reconnects;
        pg = Connect(dsn, kFailoverStatementTimeoutMs);
        if (!pg->ok()) {
          auto& [count, message] = report->errors["connect"];
          ++count;
          message = std::string(absl::StripTrailingAsciiWhitespace(pg->error()));
          std::this_thread::sleep_for(kRetryPause);
          continue;
        }
      }
      ++report->attempts;
      const auto sent = Clock::now();
      QueryResult r = pg->Exec(sql);
      if (ElapsedMs(sent) > report->slowest_ms) {
        report->slowest_ms = ElapsedMs(sent);
        report->slowest_outcome = r.ok ? r.tag : absl::StrCat(r.sqlstate, " ", r.message);
      }
      if (r.ok) {
        if (r.tag != "INSERT 0 1") {
          report->error = absl::StrCat(sql, ": tag ", r.tag);
          return;
        }
        report->acked.emplace_back(key, Clock::now());
        report->acked_count.fetch_add(1);
        break;
      }
      if (r.sqlstate == "23505") {
        if (!tried) {
          report->error = absl::StrCat(sql, ": 23505 on the key's first attempt: ", r.message);
          return;
        }
        report->taken_on_retry.push_back(key);
        break;
      }
      auto& [count, message] = report->errors[r.connection_lost ? "lost" : r.sqlstate];
      ++count;
      message = r.message;
      if (!IsFailoverTransient(r)) {
        report->error = absl::StrCat(sql, ": ", r.sqlstate, " ", r.message);
        return;
      }
      tried = true;
      pg.reset();  // a fresh session for the next attempt
      std::this_thread::sleep_for(kRetryPause);
    }
  }
}

std::string DescribeErrors(const InsertWriterReport& report) {
  std::vector<std::string> parts;
  for (const auto& [state, seen] : report.errors) {
    parts.push_back(absl::StrCat(state, " x", seen.first, " (last: ", seen.second, ")"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

// RunInsertWriter on a thread of its own, stopped and joined at the latest
// when the object is destroyed, so that a test giving up early (an ASSERT)
// does not leave it running. report() may be read once Stop() has returned,
// or once gave_up(); acked() at any time.
class InsertWriterThread {
 public:
  InsertWriterThread(const std::string& dsn, int via, int64_t first_key) {
    report_.node = via;
    thread_ = std::thread([this, dsn, via, first_key] {
      RunInsertWriter(dsn, via, first_key, stop_, &report_);
      finished_.store(true, std::memory_order_release);
    });
  }
  ~InsertWriterThread() { Stop(); }
  InsertWriterThread(const InsertWriterThread&) = delete;
  InsertWriterThread& operator=(const InsertWriterThread&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  // Whether the writer stopped on its own: report().error says why.
  bool gave_up() const { return !stop_.load() && finished_.load(std::memory_order_acquire); }
  int acked() const { return report_.acked_count.load(); }
  const InsertWriterReport& report() const { return report_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  InsertWriterReport report_;
  std::thread thread_;
};

// The longest time between consecutive instants of `times` (sorted) from the
// last one at or before `from` on (or `from` itself if none is), and where
// it starts, in ms after `from` (negative: before).
struct Gap {
  int64_t ms = 0;
  int64_t starts_at_ms = 0;
};
Gap LongestGapFrom(const std::vector<Clock::time_point>& times, Clock::time_point from) {
  auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  auto first_after = std::upper_bound(times.begin(), times.end(), from);
  Clock::time_point prev = first_after == times.begin() ? from : *(first_after - 1);
  Gap gap;
  for (auto it = first_after; it != times.end(); ++it) {
    if (ms(*it - prev) > gap.ms) gap = {ms(*it - prev), ms(prev - from)};
    prev = *it;
  }
  return gap;
}

TEST_F(ClusterTest, KillTheLeaseholderWhileWritersRun) {
  ASSERT_TRUE(StartCluster(3));
  ASSERT_TRUE(WaitForReplicatedOn(1, {1, 2, 3}));
  // The victim: the node holding the most leases (leases are balanced
  // over the nodes, so not always node 1).
  int victim = 0;
  ASSERT_TRUE(WaitForNodes(
      1,
      [&](const std::vector<NodeRow>& rows, std::string* why) {
        int64_t most = 0;
        int64_t sum = 0;
        for (const NodeRow& row : rows) {
          sum += row.leases;
          if (row.leases > most) {
            most = row.leases;
            victim = static_cast<int>(row.node_id);
          }
        }
        *why = absl::StrCat("leases sum to ", sum);
        return sum == kRanges && most > 0;
      },
      "every range with a leaseholder"));
  std::vector<int> survivors;
  for (int id = 1; id <= 3; ++id) {
    if (id != victim) survivors.push_back(id);
  }
  ExecOk(survivors[0], "CREATE TABLE failover (k BIGINT PRIMARY KEY, via INT NOT NULL)");

  // One writer through each of the nodes that survive.
  const std::vector<int> writer_nodes = survivors;
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<InsertWriterReport>> reports;
  std::vector<std::thread> writers;
  for (int via : writer_nodes) {
    reports.push_back(std::make_unique<InsertWriterReport>());
    reports.back()->node = via;
    writers.emplace_back(RunInsertWriter, node(via).Dsn(), via, int64_t{via} * 1'000'000,
                         std::cref(stop), reports.back().get());
  }
  std::this_thread::sleep_for(kWriteBeforeKill);
  std::vector<int> acked_before_kill;
  for (const auto& r : reports) acked_before_kill.push_back(r->acked_count.load());
  node(victim).Kill();
  const auto killed = Clock::now();
  std::printf(
      "[cluster] killed node %d (SIGKILL, the most leases) after %lld s of writes; "
      "acknowledged so far: %d via node %d, %d via node %d\n",
      victim, static_cast<long long>(kWriteBeforeKill.count()), acked_before_kill[0], survivors[0],
      acked_before_kill[1], survivors[1]);
  std::this_thread::sleep_for(kWriteAfterKill);
  stop.store(true);
  for (std::thread& t : writers) t.join();
  const int64_t stopped_ms = ElapsedMs(killed);

  // When writes resumed: the longest stretch without an acknowledged write,
  // through either survivor, from the last one before the kill on.
  std::vector<Clock::time_point> all_acks;
  std::set<int64_t> must_exist, may_exist;
  for (const auto& r : reports) {
    std::vector<Clock::time_point> acks;
    for (const auto& [key, at] : r->acked) {
      acks.push_back(at);
      must_exist.insert(key);
    }
    for (int64_t key : r->taken_on_retry) must_exist.insert(key);
    for (int64_t key : r->unknown) may_exist.insert(key);
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());
    const Gap gap = LongestGapFrom(acks, killed);
    const auto first_after = std::upper_bound(acks.begin(), acks.end(), killed);
    const int after_kill = static_cast<int>(acks.end() - first_after);
    const std::string first =
        first_after == acks.end()
            ? "never"
            : absl::StrCat(
                  std::chrono::duration_cast<std::chrono::milliseconds>(*first_after - killed)
                      .count(),
                  " ms after it");
    std::printf(
        "[cluster] writer via node %d: %zu acknowledged (%d after the kill, the first %s), "
        "%zu found committed on a retry (23505), %zu unknown, %d attempts, %d reconnects; "
        "longest gap %lld ms starting %+lld ms from the kill; slowest INSERT %lld ms (%s); "
        "errors: %s\n",
        r->node, r->acked.size(), after_kill, first.c_str(), r->taken_on_retry.size(),
        r->unknown.size(), r->attempts, r->reconnects, static_cast<long long>(gap.ms),
        static_cast<long long>(gap.starts_at_ms), static_cast<long long>(r->slowest_ms),
        r->slowest_outcome.c_str(), DescribeErrors(*r).c_str());
    EXPECT_EQ(r->error, "") << "writer via node " << r->node;
    EXPECT_GT(after_kill, 0) << "no write through node " << r->node << " acknowledged in the "
                             << stopped_ms << " ms after node " << victim << " was killed";
  }
  std::sort(all_acks.begin(), all_acks.end());
  const Gap gap = LongestGapFrom(all_acks, killed);
  const int acked_after_kill =
      static_cast<int>(all_acks.end() - std::upper_bound(all_acks.begin(), all_acks.end(), killed));
  ASSERT_GT(acked_after_kill, 0) << "writes did not resume in the " << stopped_ms
                                 << " ms after node " << victim << " was killed";
  std::printf(
      "[cluster] writes resumed after %lld ms: the longest gap between acknowledged writes "
      "(either survivor), starting %+lld ms from the kill; %d acknowledged in the %lld ms "
      "after the kill\n",
      static_cast<long long>(gap.ms), static_cast<long long>(gap.starts_at_ms), acked_after_kill,
      static_cast<long long>(stopped_ms));
  // The survivors lead both ranges (as of their heartbeats since the kill).
  EXPECT_TRUE(WaitForReplicatedOn(survivors[0], survivors));

  // The victim comes back on its data dir, catches up, serves SQL again.
  const auto restarting = Clock::now();
  ASSERT_TRUE(node(victim).Start());
  std::printf("[cluster] node %d restarted: /health 200 after %lld ms\n", victim,
              static_cast<long long>(ElapsedMs(restarting)));
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        QueryResult r = Query(victim, "SELECT count(*) FROM failover");
        *state = r.ok ? absl::StrCat("count ", absl::StrJoin(Rows(r), ""))
                      : absl::StrCat(r.sqlstate, " ", r.message);
        return r.ok;
      },
      kMembershipDeadline, "the restarted node answering SELECT count(*) FROM failover"));
  EXPECT_TRUE(WaitForReplicatedOn(victim, {1, 2, 3}));

  // Every acknowledged key, through every node; nothing that was never
  // written; the same rows through all three.
  std::optional<std::vector<std::string>> first_keys;
  for (int via = 1; via <= 3; ++via) {
    const std::vector<std::string> keys = QueryRows(via, "SELECT k FROM failover ORDER BY k");
    std::set<int64_t> seen;
    std::vector<std::string> unexpected;
    for (const std::string& text : keys) {
      int64_t key = 0;
      if (!absl::SimpleAtoi(text, &key)) {
        unexpected.push_back(text);
        continue;
      }
      seen.insert(key);
      if (!must_exist.contains(key) && !may_exist.contains(key)) unexpected.push_back(text);
    }
    std::vector<std::string> missing;
    for (int64_t key : must_exist) {
      if (!seen.contains(key)) missing.push_back(absl::StrCat(key));
    }
    int unknown_present = 0;
    for (int64_t key : may_exist) unknown_present += seen.contains(key) ? 1 : 0;
    EXPECT_THAT(missing, ::testing::IsEmpty())
        << missing.size() << " acknowledged keys missing through node " << via;
    EXPECT_THAT(unexpected, ::testing::IsEmpty())
        << "keys no writer attempted, through node " << via;
    std::printf(
        "[cluster] through node %d: %zu rows; all %zu acknowledged keys %s; %d of %zu keys of "
        "unknown outcome present\n",
        via, keys.size(), must_exist.size(), missing.empty() ? "present" : "NOT all present",
        unknown_present, may_exist.size());
    if (!first_keys) {
      first_keys = keys;
    } else {
      EXPECT_EQ(keys.size(), first_keys->size())
          << "row count through node " << via << " differs from that through node 1";
      EXPECT_TRUE(keys == *first_keys)
          << "rows through node " << via << " differ from those through node 1";
    }
  }

  // The restarted node takes writes too, seen through the others.
  EXPECT_EQ(ExecOk(victim, absl::StrCat("INSERT INTO failover VALUES (1, ", victim, ")")),
            "INSERT 0 1");
  for (int via : survivors) {
    EXPECT_THAT(QueryRows(via, "SELECT via FROM failover WHERE k = 1"),
                ElementsAre(absl::StrCat(victim)))
        << "through node " << via;
  }
  std::printf("[cluster] an INSERT through the restarted node %d is seen through nodes %d and %d\n",
              victim, survivors[0], survivors[1]);
}

TEST_F(ClusterTest, DeadNodeIsReplaced) {
  constexpr int kNodes = 4;
  ASSERT_TRUE(StartCluster(kNodes, {kShortDeadNodeTimeout}));
  ASSERT_TRUE(WaitForMembership(1, {true, true, true, true}));
  // Three replicas of each range among the four nodes (none holds more than
  // one of a range), one leader each.
  std::vector<NodeRow> placed;
  ASSERT_TRUE(WaitForNodes(
      1,
      [&](const std::vector<NodeRow>& rows, std::string* why) {
        int64_t ranges = 0, leases = 0;
        for (const NodeRow& row : rows) {
          ranges += row.ranges;
          leases += row.leases;
        }
        placed = rows;
        *why = absl::StrCat(ranges, " replicas, ", leases, " leases");
        return ranges == 3 * kRanges && leases == kRanges;
      },
      absl::StrCat(3 * kRanges, " replicas and ", kRanges, " leases in all")));

  ExecOk(2, "CREATE TABLE before_death (k INT PRIMARY KEY, via INT NOT NULL)");
  for (int via = 1; via <= kNodes; ++via) {
    EXPECT_EQ(ExecOk(via, absl::StrCat("INSERT INTO before_death SELECT g, ", via,
                                       " FROM generate_series(", via * 100 + 1, ", ",
                                       via * 100 + 25, ") AS g")),
              "INSERT 0 25")
        << "through node " << via;
  }
  const std::vector<std::string> want = QueryRows(1, "SELECT k, via FROM before_death ORDER BY k");
  ASSERT_EQ(want.size(), 100u);

  // A node other than node 1 that holds replicas.
  int victim = 0;
  for (const NodeRow& row : placed) {
    if (row.node_id != 1 && row.ranges > 0) {
      victim = static_cast<int>(row.node_id);
      break;
    }
  }
  ASSERT_NE(victim, 0) << "no node but node 1 holds a replica: " << Describe(placed);
  std::vector<int> survivors;
  for (int id = 1; id <= kNodes; ++id) {
    if (id != victim) survivors.push_back(id);
  }
  node(victim).Kill();
  const auto killed = Clock::now();
  std::printf("[cluster] killed node %d (SIGKILL), which held %lld replicas (%s)\n", victim,
              static_cast<long long>(FindRow(placed, victim)->ranges), kShortDeadNodeTimeout);

  ASSERT_TRUE(WaitForReplicatedOn(1, survivors, {victim}));
  std::printf(
      "[cluster] node %d's replicas replaced: nodes %s each hold %lld, %lld ms after "
      "the kill\n",
      victim, absl::StrJoin(survivors, ",").c_str(), static_cast<long long>(kRanges),
      static_cast<long long>(ElapsedMs(killed)));

  // What was written before is there through every live node, which all
  // still take writes.
  for (int via : survivors) {
    EXPECT_EQ(QueryRows(via, "SELECT k, via FROM before_death ORDER BY k"), want)
        << "through node " << via;
  }
  EXPECT_EQ(ExecOk(survivors.back(), "INSERT INTO before_death VALUES (1000, 0)"), "INSERT 0 1");
  for (int via : survivors) {
    EXPECT_THAT(QueryRows(via, "SELECT count(*) FROM before_death"), ElementsAre("101"))
        << "through node " << via;
  }
  std::printf(
      "[cluster] the 100 rows written before the kill read back through nodes %s; a "
      "write after it seen through all\n",
      absl::StrJoin(survivors, ",").c_str());
}

// The writes the failover writer must have acknowledged before the first
// kill, and again once the ranges are whole after each kill, before the test
// goes on (a condition, not a sleep: every step starts with writes flowing).
constexpr int kAcksPerStep = 20;

// Five nodes lose two, one after the other, the second once every range has
// three replicas again: first the data range's leaseholder, then a node
// holding a replica of the data range (so the replacement of the first
// victim has to work as a voter). An INSERT writer runs throughout, through
// a node that is neither victim. Writes resume after each kill, no
// acknowledged write is lost, and the three survivors return the same rows.
TEST_F(ClusterTest, FiveNodesSurviveTwoSuccessiveFailures) {
  constexpr int kNodes = 5;
  const auto began = Clock::now();
  auto at = [&] { return static_cast<long long>(ElapsedMs(began)); };
  ASSERT_TRUE(StartCluster(kNodes, {kShortDeadNodeTimeout}));

  // Every range on three nodes with a lease holder, the two leases on
  // different nodes: a node holding both hands one over (lease balancing),
  // and the first victim must still hold the data range's lease when it is
  // killed.
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(
      1, {}, &ranges,
      [](const std::vector<RangeRow>& rows, std::string* why) {
        std::set<int64_t> holders;
        for (const RangeRow& row : rows) holders.insert(row.lease_holder);
        *why = "one node holds both leases";
        return holders.size() == rows.size();
      },
      "the leases on different nodes"));
  std::printf("[cluster] +%lld ms: %d nodes serving (%s), ranges placed: %s\n", at(), kNodes,
              kShortDeadNodeTimeout, Describe(ranges).c_str());

  // Rows through every node, the same rows back through every node.
  ExecOk(2, "CREATE TABLE failover (k BIGINT PRIMARY KEY, via INT NOT NULL)");
  std::set<int64_t> written;
  for (int via = 1; via <= kNodes; ++via) {
    EXPECT_EQ(
        ExecOk(via, absl::StrCat("INSERT INTO failover SELECT g, ", via, " FROM generate_series(",
                                 via * 100 + 1, ", ", via * 100 + 10, ") AS g")),
        "INSERT 0 10")
        << "through node " << via;
    for (int64_t key = via * 100 + 1; key <= via * 100 + 10; ++key) written.insert(key);
  }
  const std::vector<std::string> before = QueryRows(1, "SELECT k, via FROM failover ORDER BY k");
  ASSERT_EQ(before.size(), written.size());
  for (int via = 2; via <= kNodes; ++via) {
    EXPECT_EQ(QueryRows(via, "SELECT k, via FROM failover ORDER BY k"), before)
        << "through node " << via;
  }
  std::printf(
      "[cluster] +%lld ms: CREATE TABLE via node 2, 10 rows INSERTed through each node; the "
      "same %zu rows read back through nodes 1..%d\n",
      at(), before.size(), kNodes);

  // The victims first: the data range's leaseholder, then (planned) another
  // of its replicas. The writer goes through a node that is neither.
  const RangeRow* data = FindRange(ranges, kDataRangeId);
  ASSERT_NE(data, nullptr) << Describe(ranges);
  const int first_victim = static_cast<int>(data->lease_holder);
  int planned_second = 0;
  for (int id : data->replicas) {
    if (id != first_victim && planned_second == 0) planned_second = id;
  }
  int writer_node = 0;
  for (int id = 1; id <= kNodes; ++id) {
    if (id != first_victim && id != planned_second && writer_node == 0) writer_node = id;
  }
  std::printf(
      "[cluster] +%lld ms: victims: node %d (the data range's leaseholder), then node %d (a "
      "replica of it, if it still holds one then); writer through node %d\n",
      at(), first_victim, planned_second, writer_node);

  InsertWriterThread writer(node(writer_node).Dsn(), writer_node, int64_t{writer_node} * 1'000'000);
  // Waits until the writer has acknowledged kAcksPerStep writes more than
  // `since`, or has given up.
  auto writes_flow = [&](int since, const std::string& when) {
    return WaitFor(
        [&](std::string* state) {
          const int acked = writer.acked();
          *state = writer.gave_up()
                       ? absl::StrCat("the writer gave up: ", writer.report().error)
                       : absl::StrCat(acked - since, " more acknowledged, ", acked, " in all");
          return writer.gave_up() || acked >= since + kAcksPerStep;
        },
        kMembershipDeadline,
        absl::StrCat(kAcksPerStep, " writes acknowledged through node ", writer_node, " ", when));
  };
  ASSERT_TRUE(writes_flow(0, "before the first kill"));
  ASSERT_FALSE(writer.gave_up()) << writer.report().error;

  // The first kill: the data range's leaseholder, as SHOW RANGES names it.
  absl::StatusOr<std::vector<RangeRow>> now = ShowRanges(writer_node);
  ASSERT_TRUE(now.ok()) << now.status();
  const RangeRow* data_now = FindRange(*now, kDataRangeId);
  ASSERT_TRUE(data_now != nullptr && data_now->lease_holder == first_victim)
      << "the data range's lease moved from node " << first_victim
      << " since the victims were chosen: " << Describe(*now);
  const int acked_at_first_kill = writer.acked();
  node(first_victim).Kill();
  const auto first_kill = Clock::now();
  std::printf(
      "[cluster] +%lld ms: killed node %d (SIGKILL), the data range's leaseholder per SHOW "
      "RANGES via node %d (%s); %d writes acknowledged so far\n",
      at(), first_victim, writer_node, Describe(*now).c_str(), acked_at_first_kill);
  // Each replacement a voter, not just listed: SHOW RANGES lists a learner
  // too, and killing one of the two old voters while the third member is
  // still a learner leaves the range without a quorum for good.
  ASSERT_TRUE(WaitForFullyReplicated(writer_node, {first_victim}, &ranges));
  const int64_t first_whole_ms = ElapsedMs(first_kill);
  std::printf(
      "[cluster] +%lld ms: every range has %zu replicas again %lld ms after the first "
      "kill: %s\n",
      at(), kReplicationFactor, static_cast<long long>(first_whole_ms), Describe(ranges).c_str());
  ASSERT_TRUE(writes_flow(writer.acked(), "once the ranges were whole again"));
  ASSERT_FALSE(writer.gave_up()) << writer.report().error;

  // The second kill: a node holding a replica of the data range now (the
  // planned one if it still does), not the writer's.
  now = ShowRanges(writer_node);
  ASSERT_TRUE(now.ok()) << now.status();
  data_now = FindRange(*now, kDataRangeId);
  ASSERT_NE(data_now, nullptr) << Describe(*now);
  int second_victim = Contains(data_now->replicas, planned_second) ? planned_second : 0;
  for (int id : data_now->replicas) {
    if (id != writer_node && second_victim == 0) second_victim = id;
  }
  ASSERT_NE(second_victim, 0) << "no replica of the data range but the writer's: "
                              << Describe(*now);
  std::vector<int> survivors;
  for (int id = 1; id <= kNodes; ++id) {
    if (id != first_victim && id != second_victim) survivors.push_back(id);
  }
  const std::string which =
      second_victim == planned_second
          ? "as planned"
          : absl::StrCat("instead of node ", planned_second, ", which no longer holds one");
  const int acked_at_second_kill = writer.acked();
  node(second_victim).Kill();
  const auto second_kill = Clock::now();
  std::printf(
      "[cluster] +%lld ms: killed node %d (SIGKILL), a replica of the data range (%s) per SHOW "
      "RANGES via node %d (%s); %d writes acknowledged so far\n",
      at(), second_victim, which.c_str(), writer_node, Describe(*now).c_str(),
      acked_at_second_kill);
  ASSERT_TRUE(WaitForFullyReplicated(writer_node, {first_victim, second_victim}, &ranges));
  const int64_t second_whole_ms = ElapsedMs(second_kill);
  std::printf(
      "[cluster] +%lld ms: every range has %zu replicas again, on nodes %s, %lld ms after the "
      "second kill: %s\n",
      at(), kReplicationFactor, absl::StrJoin(survivors, ",").c_str(),
      static_cast<long long>(second_whole_ms), Describe(ranges).c_str());
  ASSERT_TRUE(writes_flow(writer.acked(), "once the ranges were whole again"));
  writer.Stop();
  const auto stopped = Clock::now();

  // Writes resumed after each kill: acknowledged between the first kill and
  // the second, and after the second.
  const InsertWriterReport& report = writer.report();
  EXPECT_EQ(report.error, "") << "writer via node " << writer_node;
  std::vector<Clock::time_point> acks;  // in order: one writer, one INSERT at a time
  std::set<int64_t> must_exist = written;
  std::set<int64_t> may_exist;
  for (const auto& [key, acked_at] : report.acked) {
    acks.push_back(acked_at);
    must_exist.insert(key);
  }
  for (int64_t key : report.taken_on_retry) must_exist.insert(key);
  for (int64_t key : report.unknown) may_exist.insert(key);
  std::printf(
      "[cluster] +%lld ms: writer via node %d stopped: %zu acknowledged, %zu found committed on "
      "a retry (23505), %zu unknown, %d attempts, %d reconnects; slowest INSERT %lld ms (%s); "
      "errors: %s\n",
      at(), writer_node, report.acked.size(), report.taken_on_retry.size(), report.unknown.size(),
      report.attempts, report.reconnects, static_cast<long long>(report.slowest_ms),
      report.slowest_outcome.c_str(), DescribeErrors(report).c_str());
  const std::vector<Clock::time_point> until_second_kill(
      acks.begin(), std::upper_bound(acks.begin(), acks.end(), second_kill));
  struct KillWindow {
    const char* name;
    int victim;
    Clock::time_point at;
    Clock::time_point until;                     // the next kill, or the writer's stop
    const std::vector<Clock::time_point>* acks;  // acknowledged up to `until`
  };
  for (const KillWindow& kill :
       {KillWindow{"first", first_victim, first_kill, second_kill, &until_second_kill},
        KillWindow{"second", second_victim, second_kill, stopped, &acks}}) {
    const auto first_after = std::upper_bound(kill.acks->begin(), kill.acks->end(), kill.at);
    const int after = static_cast<int>(kill.acks->end() - first_after);
    const Gap gap = LongestGapFrom(*kill.acks, kill.at);
    const auto ms = [](Clock::duration d) {
      return static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    std::printf(
        "[cluster] the %s kill (node %d): %d writes acknowledged in the %lld ms after it, the "
        "first %s; longest gap %lld ms starting %+lld ms from the kill\n",
        kill.name, kill.victim, after, ms(kill.until - kill.at),
        first_after == kill.acks->end()
            ? "never"
            : absl::StrCat(ms(*first_after - kill.at), " ms after it").c_str(),
        static_cast<long long>(gap.ms), static_cast<long long>(gap.starts_at_ms));
    EXPECT_GT(after, 0) << "no write through node " << writer_node << " acknowledged between the "
                        << kill.name << " kill (node " << kill.victim << ") and "
                        << ms(kill.until - kill.at) << " ms later";
  }

  // Every acknowledged key through each survivor, each with the node it was
  // written through; no key nobody wrote; the same rows through all three.
  std::optional<std::vector<std::string>> first_rows;
  for (int via : survivors) {
    const std::vector<std::string> rows = QueryRows(via, "SELECT k, via FROM failover ORDER BY k");
    std::set<int64_t> seen;
    std::vector<std::string> unexpected;
    for (const std::string& text : rows) {
      const std::pair<std::string, std::string> cells = absl::StrSplit(text, '|');
      int64_t key = 0;
      int written_via = 0;
      if (!absl::SimpleAtoi(cells.first, &key) || !absl::SimpleAtoi(cells.second, &written_via)) {
        unexpected.push_back(text);
        continue;
      }
      seen.insert(key);
      const int want_via = key >= 1'000'000 ? writer_node : static_cast<int>(key / 100);
      if ((!must_exist.contains(key) && !may_exist.contains(key)) || written_via != want_via) {
        unexpected.push_back(text);
      }
    }
    std::vector<std::string> missing;
    for (int64_t key : must_exist) {
      if (!seen.contains(key)) missing.push_back(absl::StrCat(key));
    }
    int unknown_present = 0;
    for (int64_t key : may_exist) unknown_present += seen.contains(key) ? 1 : 0;
    EXPECT_THAT(missing, ::testing::IsEmpty())
        << missing.size() << " acknowledged keys missing through node " << via;
    EXPECT_THAT(unexpected, ::testing::IsEmpty()) << "rows no writer wrote, through node " << via;
    std::printf(
        "[cluster] +%lld ms: through node %d: %zu rows; all %zu acknowledged keys (%zu before the "
        "writer, %zu by it) %s; %d of %zu keys of unknown outcome present\n",
        at(), via, rows.size(), must_exist.size(), written.size(),
        must_exist.size() - written.size(), missing.empty() ? "present" : "NOT all present",
        unknown_present, may_exist.size());
    if (!first_rows) {
      first_rows = rows;
    } else {
      EXPECT_EQ(rows.size(), first_rows->size())
          << "row count through node " << via << " differs from that through node " << survivors[0];
      EXPECT_TRUE(rows == *first_rows)
          << "rows through node " << via << " differ from those through node " << survivors[0];
    }
  }
  // For the record (not checked: it lags by a heartbeat, and a replica left
  // on a node removed from a group stays counted there).
  absl::StatusOr<std::vector<NodeRow>> nodes = ShowClusterNodes(writer_node);
  std::printf("[cluster] +%lld ms: SHOW CLUSTER NODES via node %d: %s\n", at(), writer_node,
              nodes.ok() ? Describe(*nodes).c_str() : nodes.status().ToString().c_str());
}

// ---------------------------------------------------------------------------
// A join that reaches nobody

// A 127.0.0.1 port bound but not listening, held for the object's life: a
// connection to it is refused, and no other process can take the port
// meanwhile.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~RefusingPort() {
    if (fd_ >= 0) close(fd_);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  uint16_t port() const { return port_; }  // 0 if none could be bound

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST_F(ClusterTest, JoinWithNobodyListeningExitsWithAMessage) {
  RefusingPort nobody;
  ASSERT_NE(nobody.port(), 0) << "cannot bind a port on 127.0.0.1";
  CairnProcess joiner;
  joiner.set_extra_flags({"--join", LocalAddress(nobody.port())});

  const auto start = Clock::now();
  EXPECT_FALSE(joiner.Start(kJoinGiveUpBound)) << "a node whose --join reaches nobody served SQL";
  // Start() returns as soon as the child exits; should it have given up
  // waiting instead, the child gets what is left of the bound to exit.
  EXPECT_TRUE(WaitFor(
      [&](std::string* state) {
        const bool alive = joiner.Alive();
        *state = alive ? "still running" : absl::StrCat("exited with ", joiner.exit_code());
        return !alive;
      },
      kJoinGiveUpBound - std::min<Clock::duration>(Clock::now() - start, kJoinGiveUpBound),
      absl::StrCat("the node joining ", LocalAddress(nobody.port()), " to give up")));
  if (joiner.running()) joiner.Kill();

  const int code = joiner.exit_code();
  EXPECT_GT(code, 0) << "exit code";
  EXPECT_LT(code, 128) << "ended by signal " << code - 128 << ", not by exiting";
  // A clear message says what failed and where it tried.
  const std::string log = joiner.LogTail(200);
  EXPECT_THAT(absl::AsciiStrToLower(log), HasSubstr("join")) << "its log:\n" << log;
  EXPECT_THAT(log, HasSubstr(LocalAddress(nobody.port()))) << "its log:\n" << log;
  std::printf("[cluster] --join %s (refused): exit code %d after %lld ms; last log line: %s\n",
              LocalAddress(nobody.port()).c_str(), code, static_cast<long long>(ElapsedMs(start)),
              std::string(absl::StripTrailingAsciiWhitespace(joiner.LogTail(1))).c_str());
}

TEST_F(ClusterTest, ReplicationFactorFiveReplicatesEveryRangeOnFiveNodes) {
  constexpr size_t kFactor = 5;
  ASSERT_TRUE(StartCluster(5, {"--replication-factor=5"}));
  const auto started = Clock::now();
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(1);
        if (!rows.ok()) {
          *state = rows.status().ToString();
          return false;
        }
        *state = Describe(*rows);
        if (rows->size() != static_cast<size_t>(kRanges)) return false;
        for (const RangeRow& row : *rows) {
          const std::set<int> distinct(row.replicas.begin(), row.replicas.end());
          if (distinct.size() != kFactor || !row.learners.empty()) return false;
        }
        return true;
      },
      kMembershipDeadline, "SHOW RANGES via node 1: every range with 5 voters"));
  std::printf("[cluster] --replication-factor=5: every range on all 5 nodes after %lld ms\n",
              static_cast<long long>(ElapsedMs(started)));
  // A quorum of five is three: SQL keeps working with two nodes killed.
  ExecOk(3, "CREATE TABLE five (k INT PRIMARY KEY)");
  ExecOk(4, "INSERT INTO five VALUES (1), (2)");
  node(1).Kill();
  node(2).Kill();
  std::printf("[cluster] killed nodes 1 and 2 (SIGKILL)\n");
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        QueryResult r = Query(5, "INSERT INTO five VALUES (3)");
        *state = r.ok ? "inserted" : absl::StrCat(r.sqlstate, " ", r.message);
        return r.ok;
      },
      kMembershipDeadline, "an INSERT through node 5 with nodes 1 and 2 dead"));
  for (int via = 3; via <= 5; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT k FROM five ORDER BY k"), ElementsAre("1", "2", "3"))
        << "through node " << via;
  }
  std::printf("[cluster] nodes 3, 4 and 5 commit and read with two of five dead\n");
}

// Issue #6: uniqueness holds under concurrent inserts through different
// nodes: for each value, writers on three nodes race to insert a row with
// it (each with its own primary key); one wins, the others get 23505 (a
// 40001 is retried), and no value ever has two rows.
TEST_F(ClusterTest, UniqueValueRacedThroughThreeNodesHasOneRow) {
  constexpr int kValues = 40;
  ASSERT_TRUE(StartCluster(3));
  ASSERT_TRUE(WaitForReplicatedOn(1, {1, 2, 3}));
  ExecOk(1, "CREATE TABLE racers (id INT PRIMARY KEY, u INT NOT NULL, via INT)");
  ExecOk(1, "CREATE UNIQUE INDEX racers_u ON racers (u)");
  std::atomic<int> wins{0}, duplicates{0}, retries{0};
  std::vector<std::string> unexpected;
  absl::Mutex mu;
  std::vector<std::thread> writers;
  for (int via = 1; via <= 3; ++via) {
    writers.emplace_back([&, via] {
      std::unique_ptr<PgConn> pg = Connect(node(via).Dsn());
      for (int value = 0; value < kValues; ++value) {
        const std::string sql = absl::StrCat("INSERT INTO racers VALUES (", value * 10 + via, ", ",
                                             value, ", ", via, ")");
        for (;;) {
          QueryResult r = pg->Exec(sql);
          if (r.ok) {
            wins.fetch_add(1);
          } else if (r.sqlstate == "23505") {
            duplicates.fetch_add(1);
          } else if (r.sqlstate == "40001") {
            retries.fetch_add(1);
            continue;
          } else {
            absl::MutexLock lock(&mu);
            unexpected.push_back(absl::StrCat("via node ", via, ": ", r.sqlstate, " ", r.message));
            if (r.connection_lost) pg = Connect(node(via).Dsn());
          }
          break;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_THAT(unexpected, ::testing::IsEmpty());
  EXPECT_EQ(wins.load(), kValues) << "one insert per value succeeds";
  EXPECT_EQ(duplicates.load(), 2 * kValues) << "the other two get 23505";
  for (int via = 1; via <= 3; ++via) {
    EXPECT_THAT(QueryRows(via, "SELECT u FROM racers GROUP BY u HAVING count(*) > 1"),
                ::testing::IsEmpty())
        << "through node " << via;
    EXPECT_THAT(QueryRows(via, "SELECT count(DISTINCT u), count(*) FROM racers"),
                ElementsAre(absl::StrCat(kValues, "|", kValues)))
        << "through node " << via;
  }
  std::printf(
      "[cluster] %d values raced through nodes 1-3: %d inserts won, %d got 23505, %d "
      "retried after 40001\n",
      kValues, wins.load(), duplicates.load(), retries.load());
}

}  // namespace
}  // namespace cairn::cluster
