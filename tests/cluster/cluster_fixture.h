// The fixture of the cluster tests: real `cairn` processes started and
// stopped, SQL through any of them, SHOW CLUSTER NODES and SHOW RANGES read
// back, and waits that poll a condition under a deadline (WaitFor) and report
// the last state seen when they give up; no sleep stands in for a condition.
// Writes are not waited for: a statement acknowledged through one node is
// expected in the very next statement through any other.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

inline std::string LocalAddress(uint16_t port) { return absl::StrCat("127.0.0.1:", port); }

// Runs the `cairn` binary with `args` (no shell quoting needed: ids and
// addresses); returns its exit code and, in *output, stdout and stderr.
inline int RunCairn(const std::string& binary, const std::string& args, std::string* output) {
  const std::string command = absl::StrCat(binary, " ", args, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output->append(buffer, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline int64_t ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// A session on `dsn` with statement_timeout set (kStatementTimeoutMs unless
// given). Best effort: should the SET fail, the session merely has no
// timeout, and the statement the caller runs next reports what is wrong.
inline std::unique_ptr<PgConn> Connect(const std::string& dsn,
                                       int timeout_ms = kStatementTimeoutMs) {
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
  bool is_decommissioning = false;
  bool is_draining = false;
};

inline std::string Describe(const std::vector<NodeRow>& rows) {
  std::vector<std::string> parts;
  for (const NodeRow& r : rows) {
    parts.push_back(absl::StrCat("n", r.node_id, " rpc=", r.address, " sql=", r.sql_address,
                                 r.is_live ? " live" : " DEAD", " ranges=", r.ranges,
                                 " leases=", r.leases));
  }
  return parts.empty() ? "<no rows>" : absl::StrJoin(parts, "; ");
}

// The row of node `id` in `rows`, or null.
inline const NodeRow* FindRow(const std::vector<NodeRow>& rows, int64_t id) {
  for (const NodeRow& row : rows) {
    if (row.node_id == id) return &row;
  }
  return nullptr;
}

inline absl::StatusOr<NodeRow> ParseNodeRow(const std::vector<std::optional<std::string>>& cells) {
  if (cells.size() != 8) {
    return absl::FailedPreconditionError(
        absl::StrCat("a row has ", cells.size(), " columns, not 8"));
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
  row.is_decommissioning = *cells[6] == "t";
  row.is_draining = *cells[7] == "t";
  return row;
}

// ---------------------------------------------------------------------------
// /metrics

// The value of the unlabelled sample `name` in Prometheus text, if there is
// one.
inline std::optional<double> MetricValue(const std::string& text, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Replicas and leases

// A new cluster has two ranges, the meta range (1) and the data range (2);
// each CREATE TABLE adds one (the table starts a range of its own), and
// splits more. Tests count them with SHOW RANGES (ClusterTest::CountRanges).

// Whether every node of `ids` is live and holds a replica of each of the
// `ranges` ranges, and those nodes lead the `ranges` ranges between them (as
// of their last heartbeats); if not, *why says the first difference.
inline bool ReplicatedOn(const std::vector<NodeRow>& rows, const std::vector<int>& ids,
                         int64_t ranges, std::string* why) {
  int64_t leases = 0;
  for (int id : ids) {
    const NodeRow* row = FindRow(rows, id);
    if (row == nullptr) {
      *why = absl::StrCat("node ", id, " has no row");
      return false;
    }
    if (!row->is_live || row->ranges != ranges) {
      *why = absl::StrCat("node ", id, row->is_live ? " live" : " dead",
                          " with ranges=", row->ranges, ", want live with ", ranges);
      return false;
    }
    leases += row->leases;
  }
  if (leases != ranges) {
    *why = absl::StrCat("nodes ", absl::StrJoin(ids, ","), " lead ", leases, " ranges, want ",
                        ranges);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// SHOW RANGES

// The first data range, before the first table's (range 1 is the meta range).
constexpr int64_t kDataRangeId = 2;
// The replicas a range has once the cluster has three live nodes or more.
constexpr size_t kReplicationFactor = 3;

// One row of SHOW RANGES, the columns the tests look at. Unlike SHOW CLUSTER
// NODES, it is the membership now, answered by the leaseholders.
struct RangeRow {
  int64_t range_id = 0;
  std::string start_key;               // as SHOW RANGES renders keys (bytes escaped)
  std::optional<std::string> end_key;  // nullopt: the keyspace's end
  std::vector<int> replicas;           // voters' node ids, as in the text {1,2,4}
  std::vector<int> learners;           // members not voting yet
  int64_t lease_holder = 0;
  std::optional<int64_t> range_size;  // approximate bytes; nullopt: the node asked holds no replica
};

inline std::string Describe(const std::vector<RangeRow>& rows) {
  std::vector<std::string> parts;
  for (const RangeRow& r : rows) {
    parts.push_back(absl::StrCat("r", r.range_id, " {", absl::StrJoin(r.replicas, ","), "} lease n",
                                 r.lease_holder));
  }
  return parts.empty() ? "<no rows>" : absl::StrJoin(parts, "; ");
}

// Describe() with each range's span and size, for tests about where ranges
// begin and end.
inline std::string DescribeSpans(const std::vector<RangeRow>& rows) {
  std::vector<std::string> parts;
  for (const RangeRow& r : rows) {
    parts.push_back(absl::StrCat("r", r.range_id, " [", r.start_key, ", ",
                                 r.end_key.value_or("<end>"), ") {",
                                 absl::StrJoin(r.replicas, ","), "} lease n", r.lease_holder, " ",
                                 r.range_size ? absl::StrCat(*r.range_size, "B") : "size ?"));
  }
  return parts.empty() ? "<no rows>" : absl::StrJoin(parts, "; ");
}

// The row of range `id` in `rows`, or null.
inline const RangeRow* FindRange(const std::vector<RangeRow>& rows, int64_t id) {
  for (const RangeRow& row : rows) {
    if (row.range_id == id) return &row;
  }
  return nullptr;
}

inline bool Contains(const std::vector<int>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// range_id, start_key, end_key (NULL: the keyspace's end), replicas,
// lease_holder, range_size (NULL: not known on the node that answered).
inline absl::StatusOr<RangeRow> ParseRangeRow(
    const std::vector<std::optional<std::string>>& cells) {
  if (cells.size() != 7) {
    return absl::FailedPreconditionError(
        absl::StrCat("a SHOW RANGES row has ", cells.size(), " columns, not 7"));
  }
  RangeRow row;
  bool ok = cells[0] && cells[1] && cells[4] && absl::SimpleAtoi(*cells[0], &row.range_id) &&
            absl::SimpleAtoi(*cells[4], &row.lease_holder);
  if (ok) {
    row.start_key = *cells[1];
    row.end_key = cells[2];
  }
  if (ok && cells[5]) {
    int64_t size = 0;
    ok = absl::SimpleAtoi(*cells[5], &size);
    row.range_size = size;
  }
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

// Whether range `row` has kReplicationFactor replicas on distinct nodes,
// none of them in `dead`, and a lease holder among those replicas; if not,
// *why says the first difference.
inline bool RangeFullyReplicated(const RangeRow& row, const std::vector<int>& dead,
                                 std::string* why) {
  const std::set<int> distinct(row.replicas.begin(), row.replicas.end());
  if (row.replicas.size() != kReplicationFactor || distinct.size() != kReplicationFactor) {
    *why = absl::StrCat("range ", row.range_id, " has replicas {", absl::StrJoin(row.replicas, ","),
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
  return true;
}

// Whether `rows`, in key order, are one span with neither gap nor overlap:
// each range ends exactly where the next begins, as ranges made by splits
// do; if not, *why says where not. A listing that mixes a range's
// descriptor from before a split with those from after it fails here.
inline bool Contiguous(const std::vector<RangeRow>& rows, std::string* why) {
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    if (rows[i].end_key != rows[i + 1].start_key) {
      *why = absl::StrCat("range ", rows[i].range_id, " ends at ",
                          rows[i].end_key.value_or("<end>"), " but range ", rows[i + 1].range_id,
                          " starts at ", rows[i + 1].start_key);
      return false;
    }
  }
  return true;
}

// Whether `rows` (all of SHOW RANGES) tile the keyspace: Contiguous, from
// its beginning to its end.
inline bool TilesKeyspace(const std::vector<RangeRow>& rows, std::string* why) {
  if (rows.empty() || !rows.front().start_key.empty() || rows.back().end_key.has_value()) {
    *why = "the ranges do not span the keyspace: " + DescribeSpans(rows);
    return false;
  }
  return Contiguous(rows, why);
}

// Whether `rows` (all of SHOW RANGES) tile the keyspace, each range fully
// replicated (RangeFullyReplicated); if not, *why says the first difference.
inline bool FullyReplicated(const std::vector<RangeRow>& rows, const std::vector<int>& dead,
                            std::string* why) {
  if (!TilesKeyspace(rows, why)) return false;
  for (const RangeRow& row : rows) {
    if (!RangeFullyReplicated(row, dead, why)) return false;
  }
  return true;
}

// The longest time between consecutive instants of `times` (sorted) from the
// last one at or before `from` on (or `from` itself if none is), and where
// it starts, in ms after `from` (negative: before).
struct Gap {
  int64_t ms = 0;
  int64_t starts_at_ms = 0;
};
inline Gap LongestGapFrom(const std::vector<Clock::time_point>& times, Clock::time_point from) {
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
      ::testing::AssertionResult started = AddNode(flags);
      if (!started) return started;
    }
    return ::testing::AssertionSuccess();
  }

  // Starts the next node (id: one more than the last), with `flags`; all but
  // the first join through node 1.
  ::testing::AssertionResult AddNode(const std::vector<std::string>& flags = {}) {
    nodes_.push_back(std::make_unique<CairnProcess>());
    const int id = static_cast<int>(nodes_.size());
    std::vector<std::string> node_flags = flags;
    if (id > 1) {
      node_flags.push_back("--join");
      node_flags.push_back(LocalAddress(node(1).rpc_port()));
    }
    node(id).set_extra_flags(node_flags);
    const auto start = Clock::now();
    ::testing::AssertionResult started = node(id).Start();
    if (!started) return started << " (starting node " << id << ")";
    std::printf("[cluster] node %d serving after %lld ms: sql %s, rpc %s, flags: %s\n", id,
                static_cast<long long>(ElapsedMs(start)), LocalAddress(node(id).sql_port()).c_str(),
                LocalAddress(node(id).rpc_port()).c_str(), absl::StrJoin(node_flags, " ").c_str());
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

  // SHOW RANGES through node `via`: of the whole keyspace, or FROM TABLE
  // `table` if given.
  absl::StatusOr<std::vector<RangeRow>> ShowRanges(int via, const std::string& table = "") {
    const std::string sql =
        table.empty() ? "SHOW RANGES" : absl::StrCat("SHOW RANGES FROM TABLE ", table);
    QueryResult r = Query(via, sql);
    if (!r.ok) {
      return absl::UnavailableError(
          absl::StrCat(sql, " via node ", via, ": ", r.sqlstate, " ", r.message));
    }
    std::vector<RangeRow> rows;
    for (const auto& cells : r.rows) {
      absl::StatusOr<RangeRow> row = ParseRangeRow(cells);
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    return rows;
  }

  // How many ranges SHOW RANGES through node `via` lists (-1 if it fails).
  int64_t CountRanges(int via) {
    absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(via);
    return rows.ok() ? static_cast<int64_t>(rows->size()) : -1;
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

  // Waits until SHOW RANGES [FROM TABLE `table`] through node `via`
  // satisfies `holds`, which says in *why what it misses. *seen (if given)
  // gets the rows that satisfied it.
  ::testing::AssertionResult WaitForRanges(
      int via, const std::string& table,
      const std::function<bool(const std::vector<RangeRow>&, std::string* why)>& holds,
      const std::string& what, Clock::duration deadline = kMembershipDeadline,
      std::vector<RangeRow>* seen = nullptr) {
    return WaitFor(
        [&](std::string* state) {
          absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(via, table);
          if (!rows.ok()) {
            *state = rows.status().ToString();
            return false;
          }
          std::string why;
          const bool held = holds(*rows, &why);
          *state = DescribeSpans(*rows) + (held ? "" : " -- " + why);
          if (held && seen != nullptr) *seen = *rows;
          return held;
        },
        deadline,
        absl::StrCat("SHOW RANGES", table.empty() ? "" : " FROM TABLE " + table, " via node ", via,
                     ": ", what));
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
    return WaitForRanges(
        via, /*table=*/"",
        [&](const std::vector<RangeRow>& rows, std::string* why) {
          return FullyReplicated(rows, dead, why) && AllVoters(rows, why) &&
                 (also == nullptr || also(rows, why));
        },
        absl::StrCat(
            "every range with ", kReplicationFactor,
            " replicas, each a voter, and a lease holder among them",
            dead.empty() ? "" : absl::StrCat(", none on node(s) ", absl::StrJoin(dead, ",")),
            also_what.empty() ? "" : ", " + also_what),
        kMembershipDeadline, seen);
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
          const int64_t ranges = CountRanges(via);
          if (ranges < 0) {
            *why = "SHOW RANGES failed";
            return false;
          }
          return ReplicatedOn(rows, ids, ranges, why);
        },
        absl::StrCat(
            "nodes ", absl::StrJoin(ids, ","), " each with a replica of every range",
            ", leading them all between them",
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

}  // namespace cairn::cluster
