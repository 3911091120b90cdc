// Cluster membership seen from outside: nodes joining with --join and seeing
// the same data, SHOW CLUSTER NODES and /metrics, a restarted joiner keeping
// its node id, a killed node reported dead after --dead-node-timeout, a node
// cut off its peers answering 503 on /health, and a join that reaches nobody
// failing instead of hanging.

#include <csignal>

#include "absl/cleanup/cleanup.h"
#include "cluster_fixture.h"

namespace cairn::cluster {
namespace {

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
        {"node_id", 20},
        {"address", 25},
        {"sql_address", 25},
        {"is_live", 16},
        {"ranges", 20},
        {"leases", 20},
        {"is_decommissioning", 16},
        {"is_draining", 16}};  // int8, text, bool
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

// With both peers stopped (SIGSTOP), node 1 can write nothing to the meta
// range: it serves no SQL, and /health says so (503) instead of keeping a
// load balancer or Docker's health check sending clients to it.
TEST_F(ClusterTest, NodeCutOffFromItsPeersReportsUnhealthy) {
  ASSERT_TRUE(StartCluster(3));
  ASSERT_TRUE(WaitForMembership(1, {true, true, true}));
  // Every range on all three (else node 1 alone may be a range's quorum).
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges));
  ASSERT_EQ(node(1).HttpGet("/health"), 200);
  ExecOk(1, "CREATE TABLE cut_off (id int PRIMARY KEY)");
  // Connected before the cut: a new session's start-up reads the catalog.
  std::unique_ptr<PgConn> session = Connect(node(1).Dsn(), /*timeout_ms=*/1000);
  ASSERT_TRUE(session->ok()) << session->error();
  kill(node(2).pid(), SIGSTOP);
  kill(node(3).pid(), SIGSTOP);
  absl::Cleanup resume = [&] {
    kill(node(2).pid(), SIGCONT);
    kill(node(3).pid(), SIGCONT);
  };
  const auto stopped = Clock::now();
  std::printf("[cluster] injected: nodes 2 and 3 stopped (SIGSTOP)\n");
  // Its statements end at their statement_timeout, not after the node's
  // own bounds on waiting for the timestamp oracle or a leaseholder (20 s).
  QueryResult cut = session->Exec("SELECT count(*) FROM cut_off");
  EXPECT_EQ(cut.sqlstate, "57014") << cut.message;
  std::printf("[cluster] checked: a statement on node 1 ended with %s after %lld ms\n",
              cut.sqlstate.c_str(), static_cast<long long>(ElapsedMs(stopped)));
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        const int code = node(1).HttpGet("/health");
        *state = absl::StrCat("/health of node 1: ", code);
        return code == 503;
      },
      kMembershipDeadline, "node 1 reporting itself unhealthy"));
  std::printf("[cluster] checked: node 1's /health answered 503 %lld ms after its peers stopped\n",
              static_cast<long long>(ElapsedMs(stopped)));
  std::move(resume).Invoke();
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        const int code = node(1).HttpGet("/health");
        *state = absl::StrCat("/health of node 1: ", code);
        return code == 200;
      },
      kMembershipDeadline, "node 1 healthy again once its peers resumed"));
  EXPECT_THAT(QueryRows(1, "SELECT 1"), ElementsAre("1"));
  // The session outlived the cut.
  ASSERT_TRUE(session->Exec("SET statement_timeout = '30s'").ok);
  EXPECT_THAT(Rows(session->Exec("SELECT count(*) FROM cut_off")), ElementsAre("0"));
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

}  // namespace
}  // namespace cairn::cluster
