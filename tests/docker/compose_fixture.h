// The fixture of the cross-container tests: once per run, the node image
// built from the binary under test ($CAIRN_BINARY) under a tag of its own,
// removed at the end; for each test, a Compose project of its own
// (docker/docker-compose.yml, three containers) brought up on free loopback
// ports and waited for (every container healthy, all three nodes live
// through each, every range on three voters), and brought down with its
// volumes afterwards, checking that the engine keeps nothing of it. Without
// a Docker engine every test is skipped, and one line says so.
//
// SQL goes to the published ports with libpq (tests/e2e/pg_client.h); SHOW
// CLUSTER NODES and SHOW RANGES are read with tests/cluster's parsers. A
// node is named by its service (node1..node3, the container); its node id is
// whatever the cluster gave it (a joining node gets the next free id, so
// node3 may be n2), read from SHOW CLUSTER NODES' addresses (nodeN-cluster).
// Waits poll a condition under a deadline and print what they saw; no sleep
// stands in for a condition.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cluster_fixture.h"
#include "compose_cluster.h"
#include "insert_writer.h"

namespace cairn::docker {

using ::cairn::cluster::Clock;
using ::cairn::cluster::Connect;
using ::cairn::cluster::ElapsedMs;
using ::cairn::cluster::InsertWriterReport;
using ::cairn::cluster::InsertWriterThread;
using ::cairn::cluster::MetricValue;
using ::cairn::cluster::NodeRow;
using ::cairn::cluster::RangeRow;
using ::cairn::e2e::PgConn;
using ::cairn::e2e::QueryResult;
using ::cairn::e2e::Rows;

// How long a fresh or restarted container may take to serve: the health
// check runs every 5 s, a node joins, ranges get their three replicas, on a
// busy two-core machine.
constexpr std::chrono::seconds kReadyDeadline(90);
// How often a wait looks again (it only bounds how late we notice).
constexpr std::chrono::milliseconds kPoll(200);
// The RPC port every node listens on inside its container.
constexpr int kRpcPort = 7433;
// A run started this long ago is over (ctest's TIMEOUT is 15 min): what it
// left behind is removed.
constexpr std::chrono::seconds kStaleRunAge(3600);

class ComposeClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_reason_ = WhyNoDocker(&compose_);
    if (!skip_reason_.empty()) {
      std::printf("[docker] skipped: %s\n", skip_reason_.c_str());
      return;
    }
    const char* binary = std::getenv("CAIRN_BINARY");
    binary_ = binary != nullptr && *binary != '\0'
                  ? binary
                  : (std::filesystem::read_symlink("/proc/self/exe").parent_path() / ".." / ".." /
                     "cairn")
                        .lexically_normal()
                        .string();
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    for (const std::string& stale :
         RemoveStaleRuns(compose_, ComposeFile(), now_s, kStaleRunAge.count())) {
      std::printf("[docker] removed %s, left by a run started over %lld s ago\n", stale.c_str(),
                  static_cast<long long>(kStaleRunAge.count()));
    }
    run_tag_ = RunTag(now_s);
    image_ = absl::StrCat(kImageRepository, ":", run_tag_);
    const auto building = Clock::now();
    ::testing::AssertionResult built = BuildImage(CAIRN_SOURCE_DIR, binary_, image_);
    if (!built) {
      std::printf("[docker] no image: %s\n", built.message());
      suite_failure_ = "docker/build-image failed (its output is printed above)";
      image_.clear();
      return;
    }
    std::printf("[docker] image %s from %s in %lld ms (%s; compose: %s)\n", image_.c_str(),
                binary_.c_str(), static_cast<long long>(ElapsedMs(building)), built.message(),
                compose_.c_str());
  }

  static void TearDownTestSuite() {
    if (image_.empty()) return;
    ::testing::AssertionResult removed = RemoveImage(image_);
    if (removed) {
      std::printf("[docker] image %s removed\n", image_.c_str());
    } else {
      std::printf("[docker] could not remove image %s: %s\n", image_.c_str(), removed.message());
    }
    image_.clear();
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP();
    ASSERT_TRUE(suite_failure_.empty()) << "no image: " << suite_failure_;
    static int projects = 0;
    const std::string project = absl::StrCat(kProjectPrefix, run_tag_, "p", ++projects);
    cluster_ = std::make_unique<ComposeCluster>(compose_, ComposeFile(), project, image_);
    const auto up = Clock::now();
    ASSERT_TRUE(cluster_->Up());
    std::printf("[docker] project %s up in %lld ms: SQL on 127.0.0.1:%d,%d,%d, HTTP on %d,%d,%d\n",
                project.c_str(), static_cast<long long>(ElapsedMs(up)), cluster_->sql_port(1),
                cluster_->sql_port(2), cluster_->sql_port(3), cluster_->http_port(1),
                cluster_->http_port(2), cluster_->http_port(3));
    ASSERT_TRUE(WaitForReady());
  }

  void TearDown() override {
    if (cluster_ == nullptr) return;
    if (HasFailure()) {
      std::printf("---- %s: docker-compose logs --tail=80 ----\n%s---- end of logs ----\n",
                  cluster_->project().c_str(), cluster_->Logs(80).c_str());
    }
    const auto down = Clock::now();
    EXPECT_TRUE(cluster_->Down());
    const std::vector<std::string> left = cluster_->Leftovers();
    EXPECT_THAT(left, ::testing::IsEmpty())
        << "down -v left these of project " << cluster_->project() << " behind";
    std::printf("[docker] down -v of %s in %lld ms; left behind: %s\n", cluster_->project().c_str(),
                static_cast<long long>(ElapsedMs(down)),
                left.empty() ? "nothing (no container, volume or network of the project)"
                             : absl::StrJoin(left, ", ").c_str());
    cluster_.reset();
  }

  static std::string ComposeFile() {
    return absl::StrCat(CAIRN_SOURCE_DIR, "/docker/docker-compose.yml");
  }

  // --------------------------------------------------------------------
  // Names

  // "node2 (n3)": service nodeN and the node id the cluster gave it.
  std::string Name(int n) const {
    auto it = node_ids_.find(n);
    return it == node_ids_.end() ? absl::StrCat("node", n)
                                 : absl::StrCat("node", n, " (n", it->second, ")");
  }
  // The service whose node has id `node_id` (0 if none is known).
  int ServiceOf(int64_t node_id) const {
    for (const auto& [service, id] : node_ids_) {
      if (id == node_id) return service;
    }
    return 0;
  }
  int64_t NodeIdOf(int n) const { return node_ids_.at(n); }
  // The other services than `n`, in order.
  static std::vector<int> Others(int n) {
    std::vector<int> others;
    for (int m = 1; m <= kServices; ++m) {
      if (m != n) others.push_back(m);
    }
    return others;
  }
  std::vector<std::string> Dsns(const std::vector<int>& services) const {
    std::vector<std::string> dsns;
    for (int n : services) dsns.push_back(cluster_->Dsn(n));
    return dsns;
  }

  // --------------------------------------------------------------------
  // SQL

  // Runs `sql` through service nodeN on a session of its own.
  QueryResult Query(int n, const std::string& sql) {
    std::unique_ptr<PgConn> pg = Connect(cluster_->Dsn(n));
    if (!pg->ok()) {
      QueryResult failed;
      failed.connection_lost = true;
      failed.message = "connect: " + pg->error();
      return failed;
    }
    return pg->Exec(sql);
  }
  std::vector<std::string> QueryRows(int n, const std::string& sql) {
    QueryResult r = Query(n, sql);
    EXPECT_TRUE(r.ok) << "through " << Name(n) << ": " << sql << ": " << r.sqlstate << " "
                      << r.message;
    return Rows(r);
  }
  std::string ExecOk(int n, const std::string& sql) {
    QueryResult r = Query(n, sql);
    EXPECT_TRUE(r.ok) << "through " << Name(n) << ": " << sql << ": " << r.sqlstate << " "
                      << r.message;
    return r.tag;
  }

  absl::StatusOr<std::vector<NodeRow>> ShowClusterNodes(int n) {
    QueryResult r = Query(n, "SHOW CLUSTER NODES");
    if (!r.ok) {
      return absl::UnavailableError(
          absl::StrCat("SHOW CLUSTER NODES via ", Name(n), ": ", r.sqlstate, " ", r.message));
    }
    std::vector<NodeRow> rows;
    for (const auto& cells : r.rows) {
      absl::StatusOr<NodeRow> row = ::cairn::cluster::ParseNodeRow(cells);
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    return rows;
  }

  absl::StatusOr<std::vector<RangeRow>> ShowRanges(int n, const std::string& table = "") {
    const std::string sql = table.empty() ? "SHOW RANGES" : "SHOW RANGES FROM TABLE " + table;
    QueryResult r = Query(n, sql);
    if (!r.ok) {
      return absl::UnavailableError(
          absl::StrCat(sql, " via ", Name(n), ": ", r.sqlstate, " ", r.message));
    }
    std::vector<RangeRow> rows;
    for (const auto& cells : r.rows) {
      absl::StatusOr<RangeRow> row = ::cairn::cluster::ParseRangeRow(cells);
      if (!row.ok()) return row.status();
      rows.push_back(*row);
    }
    return rows;
  }

  // The value of the unlabelled gauge `name` on service nodeN's /metrics.
  std::optional<double> Metric(int n, const std::string& name) {
    std::string body;
    if (::cairn::testing::HttpGetLocal(cluster_->http_port(n), "/metrics", &body) != 200) {
      return std::nullopt;
    }
    return MetricValue(body, name);
  }

  // --------------------------------------------------------------------
  // Waits

  // Polls `condition` until it holds or `deadline` has passed. The condition
  // describes what it saw in *state: printed once it holds, reported when the
  // wait gives up.
  ::testing::AssertionResult WaitFor(const std::function<bool(std::string* state)>& condition,
                                     Clock::duration deadline, const std::string& what) {
    const auto start = Clock::now();
    for (int polls = 1;; ++polls) {
      std::string state;
      if (condition(&state)) {
        std::printf("[docker] %s: after %lld ms, %d polls: %s\n", what.c_str(),
                    static_cast<long long>(ElapsedMs(start)), polls, state.c_str());
        return ::testing::AssertionSuccess();
      }
      if (Clock::now() - start > deadline) {
        return ::testing::AssertionFailure()
               << "gave up after " << ElapsedMs(start) << " ms waiting for " << what
               << "; last seen: " << state;
      }
      std::this_thread::sleep_for(kPoll);
    }
  }

  // Whether service nodeN's container is running and its health check
  // passes; if not, *why says its state.
  bool Healthy(int n, std::string* why) {
    const std::string state = cluster_->Inspect(n, "{{.State.Status}} {{.State.Health.Status}}");
    if (state != "running healthy") {
      *why = absl::StrCat("node", n, "'s container is ", state.empty() ? "?" : state);
      return false;
    }
    return true;
  }

  // Whether `rows` (SHOW CLUSTER NODES) are the three nodes, each with its
  // container's addresses (nodeN-cluster), live, neither draining nor
  // decommissioning; if so, records each service's node id.
  bool AllThreeServing(const std::vector<NodeRow>& rows, std::string* why) {
    if (rows.size() != kServices) {
      *why = absl::StrCat(rows.size(), " nodes, want ", kServices);
      return false;
    }
    std::map<int, int64_t> ids;
    for (const NodeRow& row : rows) {
      int n = 0;
      for (int m = 1; m <= kServices; ++m) {
        if (row.address == absl::StrCat("node", m, "-cluster:", kRpcPort)) n = m;
      }
      if (n == 0 || ids.contains(n)) {
        *why = absl::StrCat("n", row.node_id, " has address ", row.address);
        return false;
      }
      if (!row.is_live || row.is_draining || row.is_decommissioning) {
        *why = absl::StrCat("n", row.node_id, row.is_live ? "" : " not live",
                            row.is_draining ? " draining" : "",
                            row.is_decommissioning ? " decommissioning" : "");
        return false;
      }
      ids[n] = row.node_id;
    }
    node_ids_ = ids;
    return true;
  }

  // Waits until every container is healthy, SHOW CLUSTER NODES through each
  // lists the three nodes live and serving (AllThreeServing), SHOW RANGES
  // shows every range with three voters and a lease holder among them, and,
  // if `caught_up`, no leader sees a voter lagging its log
  // (cairn_raft_replication_lag_entries 0 on every node).
  ::testing::AssertionResult WaitForReady(bool caught_up = false) {
    return WaitFor(
        [&](std::string* state) {
          for (int n = 1; n <= kServices; ++n) {
            if (!Healthy(n, state)) return false;
          }
          std::string nodes;
          for (int n = 1; n <= kServices; ++n) {
            absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(n);
            if (!rows.ok()) {
              *state = rows.status().ToString();
              return false;
            }
            std::string why;
            if (!AllThreeServing(*rows, &why)) {
              *state = absl::StrCat("via ", Name(n), ": ", ::cairn::cluster::Describe(*rows),
                                    " -- ", why);
              return false;
            }
            nodes = ::cairn::cluster::Describe(*rows);
          }
          absl::StatusOr<std::vector<RangeRow>> ranges = ShowRanges(1);
          if (!ranges.ok()) {
            *state = ranges.status().ToString();
            return false;
          }
          std::string why;
          if (!::cairn::cluster::FullyReplicated(*ranges, {}, &why)) {
            *state = ::cairn::cluster::Describe(*ranges) + " -- " + why;
            return false;
          }
          for (const RangeRow& range : *ranges) {
            if (!range.learners.empty()) {
              *state = absl::StrCat("range ", range.range_id, " has learners {",
                                    absl::StrJoin(range.learners, ","), "}");
              return false;
            }
          }
          std::string lag;
          if (caught_up) {
            for (int n = 1; n <= kServices; ++n) {
              const std::optional<double> entries = Metric(n, "cairn_raft_replication_lag_entries");
              if (entries != 0.0) {
                *state = absl::StrCat(Name(n), "'s cairn_raft_replication_lag_entries is ",
                                      entries ? absl::StrCat(*entries) : "<none>");
                return false;
              }
            }
            lag = "; replication lag 0 on every node";
          }
          *state =
              absl::StrCat("all healthy; ", nodes, "; ", ::cairn::cluster::Describe(*ranges), lag);
          return true;
        },
        kReadyDeadline,
        absl::StrCat("ready: 3 containers healthy, 3 nodes live through each, every range on 3 "
                     "voters",
                     caught_up ? ", no replication lag" : ""));
  }

  // Waits until `writer` has acknowledged `more` writes after `since` acks;
  // fails at once if it gives up.
  ::testing::AssertionResult WaitForWrites(const InsertWriterThread& writer, int since, int more,
                                           const std::string& what) {
    ::testing::AssertionResult waited = WaitFor(
        [&](std::string* state) {
          const int acked = writer.acked();
          *state = absl::StrCat(acked, " acknowledged");
          return acked >= since + more || writer.gave_up();
        },
        kReadyDeadline, what);
    if (waited && writer.gave_up()) {
      return ::testing::AssertionFailure()
             << what << ": the writer gave up: " << writer.report().error;
    }
    return waited;
  }

  // --------------------------------------------------------------------
  // What the writers wrote

  // Checks, through every node, that `table` (k BIGINT PRIMARY KEY, ...)
  // holds every key the `writers` had acknowledged (or found committed on a
  // retry), no key nobody tried to write (`also_tried` are other attempts of
  // unknown outcome), and the same keys through all three; prints what each
  // node holds.
  void ExpectEveryAcknowledgedRow(const std::string& table,
                                  const std::vector<const InsertWriterReport*>& writers,
                                  const std::set<int64_t>& also_tried = {}) {
    std::set<int64_t> must_exist;
    std::set<int64_t> may_exist = also_tried;
    for (const InsertWriterReport* r : writers) {
      for (const auto& [key, at] : r->acked) must_exist.insert(key);
      must_exist.insert(r->taken_on_retry.begin(), r->taken_on_retry.end());
      may_exist.insert(r->unknown.begin(), r->unknown.end());
    }
    std::optional<std::vector<std::string>> first_keys;
    for (int n = 1; n <= kServices; ++n) {
      const std::vector<std::string> keys =
          QueryRows(n, absl::StrCat("SELECT k FROM ", table, " ORDER BY k"));
      std::set<int64_t> seen;
      std::vector<std::string> unexpected;
      for (const std::string& text : keys) {
        int64_t key = 0;
        if (!absl::SimpleAtoi(text, &key) ||
            (!must_exist.contains(key) && !may_exist.contains(key))) {
          unexpected.push_back(text);
        }
        seen.insert(key);
      }
      std::vector<int64_t> missing;
      for (int64_t key : must_exist) {
        if (!seen.contains(key)) missing.push_back(key);
      }
      int maybe_present = 0;
      for (int64_t key : may_exist) maybe_present += seen.contains(key) ? 1 : 0;
      EXPECT_THAT(missing, ::testing::IsEmpty())
          << missing.size() << " acknowledged keys of " << table << " missing through " << Name(n);
      EXPECT_THAT(unexpected, ::testing::IsEmpty())
          << "keys of " << table << " nobody wrote, through " << Name(n);
      std::printf(
          "[docker] through %s: %zu rows of %s; all %zu acknowledged keys %s; %d of %zu other "
          "keys (outcome unknown, or written outside the writers) present\n",
          Name(n).c_str(), keys.size(), table.c_str(), must_exist.size(),
          missing.empty() ? "present" : "NOT all present", maybe_present, may_exist.size());
      if (!first_keys) {
        first_keys = keys;
      } else {
        EXPECT_TRUE(keys == *first_keys)
            << "the rows of " << table << " through " << Name(n) << " differ from node1's";
      }
    }
  }

  static void PrintWriter(const std::string& label, const InsertWriterReport& r) {
    std::printf(
        "[docker] %s: %zu acknowledged, %zu found committed on a retry (23505), %zu unknown, "
        "%d attempts, %d reconnects; slowest INSERT %lld ms (%s); errors: %s%s\n",
        label.c_str(), r.acked.size(), r.taken_on_retry.size(), r.unknown.size(), r.attempts,
        r.reconnects, static_cast<long long>(r.slowest_ms), r.slowest_outcome.c_str(),
        ::cairn::cluster::DescribeErrors(r).c_str(),
        r.error.empty() ? "" : ("; GAVE UP: " + r.error).c_str());
  }

  // Constant once the suite is set up.
  static inline std::string skip_reason_;    // "" when Docker answers
  static inline std::string suite_failure_;  // why the image could not be built
  static inline std::string compose_;        // "docker-compose" or "docker compose"
  static inline std::string binary_;         // the cairn packaged into the image
  static inline std::string run_tag_;        // in this run's project and image names
  static inline std::string image_;          // the image's tag; "" once removed

  std::unique_ptr<ComposeCluster> cluster_;
  // Each service's node id, as SHOW CLUSTER NODES last showed it.
  std::map<int, int64_t> node_ids_;
};

}  // namespace cairn::docker
