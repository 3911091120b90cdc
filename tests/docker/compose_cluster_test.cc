// The cluster of docker/docker-compose.yml, three containers of the node
// image, under faults injected from outside: SQL through each container
// seeing the same data, and `down -v` keeping nothing; the container with
// the most leases killed (docker kill) while writers run; one container cut
// off its peers (docker network disconnect from the `cluster` network, its
// SQL port still answering) and reconnected; and a rolling restart (cairn
// node drain, docker stop, docker start) of every container under a steady
// write load. Writers go through libpq to the published ports and move to
// another container when theirs fails (tests/cluster/insert_writer.h); every
// write they saw acknowledged must be there afterwards, through every
// container. Each test prints what it injected and what it checked.

#include <sys/socket.h>

#include <array>
#include <atomic>

#include "compose_fixture.h"

namespace cairn::docker {
namespace {

using ::cairn::cluster::Gap;
using ::cairn::cluster::InsertStatement;
using ::cairn::cluster::LongestGapFrom;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

// Writes a writer gets acknowledged before a fault is injected, and after,
// before the test goes on: enough to show the load running, a fraction of
// a second each when the cluster is well.
constexpr int kWritesBefore = 20;
constexpr int kWritesAfter = 20;
// The first key of writer w: its keys are kKeysPerWriter * w and up.
constexpr int64_t kKeysPerWriter = 1'000'000;

int64_t FirstKey(int writer) { return kKeysPerWriter * writer; }

// Writer `writer`'s INSERT into `table` (k BIGINT PRIMARY KEY, via INT).
InsertStatement RowOf(const std::string& table, int writer) {
  return [table, writer](int64_t key) {
    return absl::StrCat("INSERT INTO ", table, " VALUES (", key, ", ", writer, ")");
  };
}

// The acknowledgement times of `report`, sorted.
std::vector<Clock::time_point> AckTimes(const InsertWriterReport& report) {
  std::vector<Clock::time_point> times;
  for (const auto& [key, at] : report.acked) times.push_back(at);
  std::sort(times.begin(), times.end());
  return times;
}

// How many of `times` (sorted) come after `from`, and in how many ms the
// first of them did ("never" if none).
std::string AfterFrom(const std::vector<Clock::time_point>& times, Clock::time_point from,
                      int* count) {
  const auto first = std::upper_bound(times.begin(), times.end(), from);
  *count = static_cast<int>(times.end() - first);
  if (first == times.end()) return "never";
  return absl::StrCat(std::chrono::duration_cast<std::chrono::milliseconds>(*first - from).count(),
                      " ms");
}

// ---------------------------------------------------------------------------

TEST_F(ComposeClusterTest, EveryContainerServesTheSameDataAndDownRemovesAll) {
  // The membership, through each container: the same three nodes at the
  // same addresses (their range and lease counts are each node's view as of
  // its last heartbeats, and may differ for a moment).
  std::optional<std::string> first_membership;
  for (int n = 1; n <= kServices; ++n) {
    absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(n);
    ASSERT_TRUE(rows.ok()) << rows.status();
    std::vector<std::string> members;
    for (const NodeRow& row : *rows) {
      members.push_back(absl::StrCat("n", row.node_id, " rpc=", row.address,
                                     " sql=", row.sql_address, row.is_live ? " live" : " DEAD"));
    }
    const std::string membership = absl::StrJoin(members, "; ");
    if (!first_membership) first_membership = membership;
    EXPECT_EQ(membership, *first_membership) << "SHOW CLUSTER NODES through " << Name(n);
  }
  std::printf("[docker] SHOW CLUSTER NODES through each container: %s\n",
              first_membership->c_str());

  // Ten rows written through each container; each batch is read back
  // through the next container by the very next statement.
  ExecOk(1, "CREATE TABLE shared (k INT PRIMARY KEY, via TEXT NOT NULL)");
  std::vector<std::string> want;
  for (int n = 1; n <= kServices; ++n) {
    std::vector<std::string> values;
    for (int i = 0; i < 10; ++i) {
      values.push_back(absl::StrCat("(", n * 100 + i, ", 'node", n, "')"));
      want.push_back(absl::StrCat(n * 100 + i, "|node", n));
    }
    EXPECT_EQ(ExecOk(n, "INSERT INTO shared VALUES " + absl::StrJoin(values, ", ")), "INSERT 0 10");
    const int next = n % kServices + 1;
    EXPECT_THAT(
        QueryRows(next, absl::StrCat("SELECT count(*) FROM shared WHERE via = 'node", n, "'")),
        ElementsAreArray({"10"}))
        << "the rows written through " << Name(n) << ", read through " << Name(next);
  }
  // An UPDATE through node2 and a DELETE through node3, seen through all.
  EXPECT_EQ(ExecOk(2, "UPDATE shared SET via = via || '+updated' WHERE k % 10 = 0"), "UPDATE 3");
  EXPECT_EQ(ExecOk(3, "DELETE FROM shared WHERE k % 10 = 9"), "DELETE 3");
  std::vector<std::string> expected;
  int64_t sum = 0;
  for (const std::string& row : want) {
    int64_t k = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row.substr(0, row.find('|')), &k));
    if (k % 10 == 9) continue;
    expected.push_back(k % 10 == 0 ? row + "+updated" : row);
    sum += k;
  }
  for (int n = 1; n <= kServices; ++n) {
    EXPECT_THAT(QueryRows(n, "SELECT k, via FROM shared ORDER BY k"), ElementsAreArray(expected))
        << "through " << Name(n);
    EXPECT_THAT(QueryRows(n, "SELECT count(*), sum(k) FROM shared"),
                ElementsAreArray({absl::StrCat(expected.size(), "|", sum)}))
        << "through " << Name(n);
  }
  std::printf(
      "[docker] 10 rows INSERTed through each container, each batch read back through the next "
      "one at once; UPDATE through node2, DELETE through node3; the same %zu rows "
      "(SELECT ... ORDER BY k, count and sum) through all three\n",
      expected.size());

  // down -v keeps nothing; a new `up` of the same project is a new, empty
  // cluster (the volumes went too).
  const auto down = Clock::now();
  ASSERT_TRUE(cluster_->Down());
  const std::vector<std::string> left = cluster_->Leftovers();
  EXPECT_THAT(left, IsEmpty()) << "after down -v";
  std::printf("[docker] down -v in %lld ms; left behind: %s\n",
              static_cast<long long>(ElapsedMs(down)),
              left.empty() ? "nothing" : absl::StrJoin(left, ", ").c_str());
  ASSERT_TRUE(cluster_->Up());
  ASSERT_TRUE(WaitForReady());
  QueryResult gone = Query(1, "SELECT count(*) FROM shared");
  EXPECT_FALSE(gone.ok) << "table shared survived down -v: " << absl::StrJoin(Rows(gone), ",");
  EXPECT_EQ(gone.sqlstate, "42P01") << gone.message;
  std::printf("[docker] up again as %s: a new cluster, SELECT FROM shared answers %s %s\n",
              cluster_->project().c_str(), gone.sqlstate.c_str(), gone.message.c_str());
}

// ---------------------------------------------------------------------------

TEST_F(ComposeClusterTest, KillTheContainerWithMostLeasesWhileWritersRun) {
  ExecOk(1, "CREATE TABLE failover (k BIGINT PRIMARY KEY, via INT NOT NULL)");
  ASSERT_TRUE(WaitForReady());
  // The victim: the node leading the most ranges, as of the heartbeats.
  int victim = 0;
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(1);
        absl::StatusOr<std::vector<RangeRow>> ranges = ShowRanges(1);
        if (!rows.ok() || !ranges.ok()) {
          *state = rows.ok() ? ranges.status().ToString() : rows.status().ToString();
          return false;
        }
        int64_t most = 0;
        int64_t sum = 0;
        victim = 0;
        for (const NodeRow& row : *rows) {
          sum += row.leases;
          if (row.leases > most) {
            most = row.leases;
            victim = ServiceOf(row.node_id);
          }
        }
        *state = absl::StrCat(::cairn::cluster::Describe(*rows), "; leases sum to ", sum, " for ",
                              ranges->size(), " ranges");
        return sum == static_cast<int64_t>(ranges->size()) && victim != 0;
      },
      kReadyDeadline, "every range with a leaseholder"));
  const std::vector<int> survivors = Others(victim);

  // Writer 1 starts on the victim, writer 2 on a survivor; each moves on to
  // the next container when its own fails.
  InsertWriterThread writer1(Dsns({victim, survivors[0], survivors[1]}), 1, FirstKey(1),
                             RowOf("failover", 1));
  InsertWriterThread writer2(Dsns({survivors[0], survivors[1], victim}), 2, FirstKey(2),
                             RowOf("failover", 2));
  ASSERT_TRUE(WaitForWrites(writer1, 0, kWritesBefore, "writer 1 (from the victim) writing"));
  ASSERT_TRUE(WaitForWrites(writer2, 0, kWritesBefore, "writer 2 (from a survivor) writing"));

  const std::string started_at = cluster_->Inspect(victim, "{{.State.StartedAt}}");
  const int acked1 = writer1.acked();
  const int acked2 = writer2.acked();
  ASSERT_TRUE(cluster_->Docker("kill " + cluster_->container(victim)));
  const auto killed = Clock::now();
  std::printf(
      "[docker] INJECTED: docker kill (SIGKILL) of %s, the most leases, with writers running "
      "(acknowledged so far: %d by writer 1, %d by writer 2)\n",
      Name(victim).c_str(), acked1, acked2);

  ASSERT_TRUE(WaitForWrites(writer1, acked1, kWritesAfter,
                            "writes resumed: writer 1 (its container killed) on another"));
  ASSERT_TRUE(WaitForWrites(writer2, acked2, kWritesAfter, "writes resumed: writer 2"));

  // Does the engine bring the container back by itself (restart:
  // unless-stopped)? It settles as exited (no) or restarting/started again.
  std::string settled;
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        settled = cluster_->Inspect(
            victim, "{{.State.Status}} restarts={{.RestartCount}} started={{.State.StartedAt}}");
        *state = settled;
        return absl::StartsWith(settled, "exited") || absl::StartsWith(settled, "restarting") ||
               !absl::StrContains(settled, started_at);
      },
      kReadyDeadline, "the killed container's state settling"));
  const auto restarting = Clock::now();
  if (absl::StartsWith(settled, "exited")) {
    std::printf(
        "[docker] the engine did not restart the killed container (restart: unless-stopped "
        "does not apply to a container stopped by docker kill): docker start %s\n",
        Name(victim).c_str());
    ASSERT_TRUE(cluster_->Docker("start " + cluster_->container(victim)));
  } else {
    std::printf("[docker] the engine restarted the killed container itself: %s\n", settled.c_str());
  }
  ASSERT_TRUE(WaitForReady());
  std::printf("[docker] %s back and serving %lld ms after its restart\n", Name(victim).c_str(),
              static_cast<long long>(ElapsedMs(restarting)));
  // Writes go on with it back, and it takes writes itself, seen through
  // the others at once.
  ASSERT_TRUE(WaitForWrites(writer1, writer1.acked(), kWritesAfter, "writer 1 after the restart"));
  EXPECT_EQ(ExecOk(victim, "INSERT INTO failover VALUES (1, 0)"), "INSERT 0 1");
  for (int m : survivors) {
    EXPECT_THAT(QueryRows(m, "SELECT via FROM failover WHERE k = 1"), ElementsAreArray({"0"}))
        << "through " << Name(m);
  }
  std::printf("[docker] an INSERT through the restarted %s is seen through the two others\n",
              Name(victim).c_str());
  writer1.Stop();
  writer2.Stop();

  for (const InsertWriterThread* w : {&writer1, &writer2}) {
    const InsertWriterReport& r = w->report();
    const std::vector<Clock::time_point> acks = AckTimes(r);
    int after = 0;
    const std::string first = AfterFrom(acks, killed, &after);
    const Gap gap = LongestGapFrom(acks, killed);
    std::printf(
        "[docker] writer %d: %d acknowledged after the kill, the first %s after it; longest "
        "gap %lld ms starting %+lld ms from the kill\n",
        r.node, after, first.c_str(), static_cast<long long>(gap.ms),
        static_cast<long long>(gap.starts_at_ms));
    PrintWriter(absl::StrCat("writer ", r.node), r);
    EXPECT_EQ(r.error, "") << "writer " << r.node;
  }
  // Caught up: no leader sees a voter behind; then every acknowledged row,
  // through every container, the restarted one included.
  ASSERT_TRUE(WaitForReady(/*caught_up=*/true));
  ExpectEveryAcknowledgedRow("failover", {&writer1.report(), &writer2.report()}, {1});
}

// ---------------------------------------------------------------------------

// The statement_timeout of the sessions on the cut-off node.
constexpr int kProbeStatementTimeoutMs = 5'000;

// How long the probes of the cut-off node may wait for their answers: the
// node's own bound on finding a timestamp oracle (20 s) twice over, and a
// new session's connect_timeout.
constexpr std::chrono::seconds kProbeDeadline(120);

// One statement sent to the cut-off node while it was cut off, and how it
// ended.
struct Probe {
  std::string what;
  int64_t sent_ms = -1;  // after the cut; -1: never sent
  int64_t took_ms = 0;
  bool connected = true;  // false: the session could not be opened
  QueryResult result;
  int64_t want_count = -1;  // for a read: the rows it must see if it answers
};

std::string Describe(const Probe& p) {
  if (p.sent_ms < 0) return absl::StrCat(p.what, ": never sent");
  std::string outcome;
  if (!p.connected) {
    outcome =
        absl::StrCat("connect failed: ", absl::StripTrailingAsciiWhitespace(p.result.message));
  } else if (p.result.ok) {
    outcome = absl::StrCat("answered ", p.result.tag, " ", absl::StrJoin(Rows(p.result), ","));
  } else {
    outcome = absl::StrCat(p.result.connection_lost ? "connection lost " : "", p.result.sqlstate,
                           " ", p.result.message);
  }
  return absl::StrCat(
      p.what, ": sent at +", p.sent_ms, " ms, ended after ", p.took_ms, " ms",
      p.took_ms > kProbeStatementTimeoutMs + 1000
          ? absl::StrCat(" (its statement_timeout: ", kProbeStatementTimeoutMs, " ms)")
          : "",
      ": ", outcome);
}

TEST_F(ComposeClusterTest, CutOffNodeServesNoStaleReadNorWriteAndHeals) {
  ExecOk(1, "CREATE TABLE part (k BIGINT PRIMARY KEY, via INT NOT NULL)");
  ASSERT_TRUE(WaitForReady());
  // The victim: the lease holder of the meta range, where the timestamp
  // oracle runs. Until its lease runs out it may go on handing itself
  // timestamps, and serve reads of the ranges whose leases it holds.
  absl::StatusOr<std::vector<RangeRow>> ranges = ShowRanges(1);
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  const RangeRow* meta = ::cairn::cluster::FindRange(*ranges, 1);
  ASSERT_NE(meta, nullptr) << ::cairn::cluster::Describe(*ranges);
  const int victim = ServiceOf(meta->lease_holder);
  ASSERT_NE(victim, 0) << ::cairn::cluster::Describe(*ranges);
  const std::vector<int> majority = Others(victim);

  // Sessions on the victim opened before the cut (a generous connect
  // timeout: the node may take its time to say no).
  constexpr int kVictimConnectTimeoutS = 60;
  std::vector<std::unique_ptr<PgConn>> sessions;
  for (int i = 0; i < 4; ++i) {
    sessions.push_back(
        Connect(cluster_->Dsn(victim, kVictimConnectTimeoutS), kProbeStatementTimeoutMs));
    ASSERT_TRUE(sessions.back()->ok()) << sessions.back()->error();
    QueryResult r = sessions.back()->Exec("SELECT count(*) FROM part");
    ASSERT_TRUE(r.ok) << r.message;
  }

  // The majority's writer: through the two others only.
  InsertWriterThread writer(Dsns(majority), 1, FirstKey(1), RowOf("part", 1));
  ASSERT_TRUE(WaitForWrites(writer, 0, kWritesBefore, "the majority's writer writing"));
  // Keys FirstKey(1) .. FirstKey(1) + n - 1 are committed once the writer
  // has n acknowledgements (it settles each key before the next).
  auto committed_below = [&](int64_t n) {
    return absl::StrCat("SELECT count(*) FROM part WHERE k >= ", FirstKey(1), " AND k < ",
                        FirstKey(1) + n);
  };

  ASSERT_TRUE(cluster_->Docker(absl::StrCat("network disconnect ", cluster_->cluster_network(), " ",
                                            cluster_->container(victim))));
  const auto cut = Clock::now();
  const int acked_at_cut = writer.acked();
  std::printf(
      "[docker] INJECTED: docker network disconnect %s %s (the meta range's lease holder, with "
      "the timestamp oracle; ranges then: %s; its SQL port still published), the majority's "
      "writer at %d acknowledged\n",
      cluster_->cluster_network().c_str(), Name(victim).c_str(),
      ::cairn::cluster::Describe(*ranges).c_str(), acked_at_cut);

  // Probes of the victim while it is cut off, each on a thread: a read and a
  // write at once, on sessions opened before; the same once the majority has
  // committed after the cut; and a new connection then. libpq has no
  // timeout of its own, so a probe still waiting after kProbeDeadline has
  // its socket shut down from here (its statement then fails).
  auto majority_moved_on = [&] { return writer.acked() >= acked_at_cut + kWritesAfter; };
  constexpr int kProbes = 5;
  std::vector<Probe> probes(kProbes);
  std::array<std::atomic<bool>, kProbes> finished{};
  std::array<std::atomic<int>, kProbes> sockets{};
  for (int i = 0; i < kProbes; ++i) {
    sockets[i] = i < static_cast<int>(sessions.size()) ? PQsocket(sessions[i]->raw()) : -1;
  }
  std::vector<std::thread> threads;
  auto probe = [&](int i, const std::string& what, std::function<void(Probe*)> body) {
    probes[i].what = what;
    threads.emplace_back([&, i, body = std::move(body)] {
      body(&probes[i]);
      finished[i].store(true);
    });
  };
  auto read = [&](PgConn* pg, Probe* p) {
    p->want_count = writer.acked();
    p->sent_ms = ElapsedMs(cut);
    p->result = pg->Exec(committed_below(p->want_count));
    p->took_ms = ElapsedMs(cut) - p->sent_ms;
  };
  auto write = [&](PgConn* pg, Probe* p, int64_t key) {
    p->sent_ms = ElapsedMs(cut);
    p->result = pg->Exec(absl::StrCat("INSERT INTO part VALUES (", key, ", 9)"));
    p->took_ms = ElapsedMs(cut) - p->sent_ms;
  };
  // Waits (bounded) for the majority to commit after the cut.
  auto await_majority = [&] {
    while (!majority_moved_on() && !writer.gave_up() &&
           ElapsedMs(cut) < 1000 * kReadyDeadline.count()) {
      std::this_thread::sleep_for(kPoll);
    }
  };
  constexpr int64_t kCutOffKey = 9'000'000;
  probe(0, "read at the cut (session opened before)",
        [&](Probe* p) { read(sessions[0].get(), p); });
  probe(1, "INSERT at the cut (session opened before)",
        [&](Probe* p) { write(sessions[1].get(), p, kCutOffKey); });
  probe(2, "read after the majority committed (session opened before)", [&](Probe* p) {
    await_majority();
    read(sessions[2].get(), p);
  });
  probe(3, "INSERT after the majority committed (session opened before)", [&](Probe* p) {
    await_majority();
    write(sessions[3].get(), p, kCutOffKey + 1);
  });
  probe(4, "new session after the majority committed", [&](Probe* p) {
    await_majority();
    p->sent_ms = ElapsedMs(cut);
    std::unique_ptr<PgConn> pg =
        Connect(cluster_->Dsn(victim, kVictimConnectTimeoutS), kProbeStatementTimeoutMs);
    p->connected = pg->ok();
    if (!p->connected) {
      p->result.message = pg->error();
    } else {
      // Connected: then it must read what the majority committed, and
      // write nothing.
      sockets[4] = PQsocket(pg->raw());
      p->want_count = writer.acked();
      p->result = pg->Exec(committed_below(p->want_count));
      QueryResult w = pg->Exec(absl::StrCat("INSERT INTO part VALUES (", kCutOffKey + 2, ", 9)"));
      if (w.ok) p->result.tag += " then INSERT " + w.tag;
      sockets[4] = -1;
    }
    p->took_ms = ElapsedMs(cut) - p->sent_ms;
  });
  const bool answered = WaitFor(
      [&](std::string* state) {
        int done = 0;
        for (const std::atomic<bool>& f : finished) done += f.load() ? 1 : 0;
        *state = absl::StrCat(done, " of ", kProbes, " probes ended");
        return done == kProbes;
      },
      kProbeDeadline, "the probes of the cut-off node ending");
  EXPECT_TRUE(answered) << "the cut-off node left a statement unanswered for "
                        << kProbeDeadline.count() << " s";
  if (!answered) {
    for (int i = 0; i < kProbes; ++i) {
      if (!finished[i].load() && sockets[i].load() >= 0) shutdown(sockets[i].load(), SHUT_RDWR);
    }
  }
  for (std::thread& t : threads) t.join();
  const int64_t probed_ms = ElapsedMs(cut);
  const int acked_cut_off = writer.acked() - acked_at_cut;

  // While cut off: what the majority and the victim's own status say.
  absl::StatusOr<std::vector<NodeRow>> seen_by_majority = ShowClusterNodes(majority[0]);
  const int health = ::cairn::testing::HttpGetLocal(cluster_->http_port(victim), "/health");
  std::printf(
      "[docker] while cut off (+%lld ms): the majority's writer had %d more acknowledged; "
      "SHOW CLUSTER NODES via %s: %s; the cut-off node's /health answers %d, its "
      "container's health is %s\n",
      static_cast<long long>(probed_ms), acked_cut_off, Name(majority[0]).c_str(),
      seen_by_majority.ok() ? ::cairn::cluster::Describe(*seen_by_majority).c_str()
                            : seen_by_majority.status().ToString().c_str(),
      health, cluster_->Inspect(victim, "{{.State.Health.Status}}").c_str());
  EXPECT_GE(acked_cut_off, kWritesAfter) << "the majority did not keep committing";
  for (const Probe& p : probes) {
    std::printf("[docker] probe of the cut-off %s: %s\n", Name(victim).c_str(),
                Describe(p).c_str());
    EXPECT_GE(p.sent_ms, 0) << p.what;
    if (p.want_count >= 0 && p.result.ok) {
      // A read it answered: it must see every row the majority had
      // acknowledged before the read was sent.
      EXPECT_THAT(Rows(p.result), ElementsAreArray({absl::StrCat(p.want_count)}))
          << "STALE READ from the cut-off node: " << Describe(p);
    }
    if (p.want_count < 0 && p.connected) {
      EXPECT_FALSE(p.result.ok) << "the cut-off node acknowledged a write: " << Describe(p);
    }
    if (absl::StrContains(p.result.tag, "then INSERT")) {
      ADD_FAILURE() << "the cut-off node acknowledged a write: " << Describe(p);
    }
  }

  // Heal: back on the network under its aliases. It catches up and serves
  // every row the majority wrote, and writes again.
  const int n = victim;
  ASSERT_TRUE(cluster_->Docker(
      absl::StrCat("network connect --alias node", n, "-cluster --alias node", n, " ",
                   cluster_->cluster_network(), " ", cluster_->container(n))));
  const auto healed = Clock::now();
  std::printf("[docker] INJECTED: docker network connect %s %s (aliases node%d-cluster, node%d)\n",
              cluster_->cluster_network().c_str(), Name(n).c_str(), n, n);
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        const int64_t want = writer.acked();
        QueryResult r = Query(victim, committed_below(want));
        *state = r.ok ? absl::StrCat("count ", absl::StrJoin(Rows(r), ""), ", want ", want)
                      : absl::StrCat(r.sqlstate, " ", r.message);
        return r.ok && Rows(r) == std::vector<std::string>{absl::StrCat(want)};
      },
      kReadyDeadline, "the healed node serving every row the majority acknowledged"));
  ASSERT_TRUE(WaitForReady());
  std::printf("[docker] healed %lld ms after the reconnect\n",
              static_cast<long long>(ElapsedMs(healed)));
  EXPECT_EQ(ExecOk(victim, absl::StrCat("INSERT INTO part VALUES (", kCutOffKey + 3, ", 9)")),
            "INSERT 0 1");
  for (int m : majority) {
    EXPECT_THAT(QueryRows(m, absl::StrCat("SELECT via FROM part WHERE k = ", kCutOffKey + 3)),
                ElementsAreArray({"9"}))
        << "through " << Name(m);
  }
  std::printf("[docker] an INSERT through the healed %s is seen through the two others\n",
              Name(victim).c_str());
  writer.Stop();
  PrintWriter("the majority's writer", writer.report());
  EXPECT_EQ(writer.report().error, "");
  ASSERT_TRUE(WaitForReady(/*caught_up=*/true));
  // The cut-off node's own attempts must not have committed either; the
  // INSERT after the heal did.
  ExpectEveryAcknowledgedRow("part", {&writer.report()},
                             {kCutOffKey, kCutOffKey + 1, kCutOffKey + 2, kCutOffKey + 3});
  EXPECT_THAT(
      QueryRows(1, absl::StrCat("SELECT k FROM part WHERE k >= ", kCutOffKey, " ORDER BY k")),
      ElementsAreArray({absl::StrCat(kCutOffKey + 3)}))
      << "of the cut-off node's writes, only the one after the heal may be there";
}

// ---------------------------------------------------------------------------

TEST_F(ComposeClusterTest, RollingRestartUnderSteadyWrites) {
  ExecOk(1, "CREATE TABLE rolling (k BIGINT PRIMARY KEY, via INT NOT NULL)");
  ASSERT_TRUE(WaitForReady());
  // Two writers, one INSERT at a time each, moving to the next container
  // when theirs turns them away or goes.
  InsertWriterThread writer1(Dsns({1, 2, 3}), 1, FirstKey(1), RowOf("rolling", 1));
  InsertWriterThread writer2(Dsns({2, 3, 1}), 2, FirstKey(2), RowOf("rolling", 2));
  ASSERT_TRUE(WaitForWrites(writer1, 0, kWritesBefore, "writer 1 writing"));
  ASSERT_TRUE(WaitForWrites(writer2, 0, kWritesBefore, "writer 2 writing"));

  const auto rolling = Clock::now();
  for (int n = 1; n <= kServices; ++n) {
    const std::string name = Name(n);
    const std::string container = cluster_->container(n);
    const int acked = writer1.acked() + writer2.acked();
    // Drain: leases move away, new clients are turned away.
    const auto draining = Clock::now();
    std::string out;
    ASSERT_TRUE(cluster_->Docker(
        absl::StrCat("exec ", container, " cairn node drain --host node", n, "-cluster:", kRpcPort),
        &out));
    const int64_t drain_ms = ElapsedMs(draining);
    const std::string refused =
        ::cairn::testing::StartupErrorSqlstate(cluster_->sql_port(n), "root", "postgres");
    EXPECT_EQ(refused, "57P03") << "a new session on the drained " << name;
    std::printf(
        "[docker] INJECTED: docker exec %s cairn node drain: %lld ms (%s); a new session then "
        "gets %s\n",
        name.c_str(), static_cast<long long>(drain_ms),
        std::string(absl::StripAsciiWhitespace(out)).c_str(),
        refused.empty() ? "in" : refused.c_str());
    const int64_t id = NodeIdOf(n);
    ASSERT_TRUE(WaitFor(
        [&](std::string* state) {
          absl::StatusOr<std::vector<NodeRow>> rows = ShowClusterNodes(Others(n)[0]);
          if (!rows.ok()) {
            *state = rows.status().ToString();
            return false;
          }
          const NodeRow* row = ::cairn::cluster::FindRow(*rows, id);
          *state = ::cairn::cluster::Describe(*rows);
          return row != nullptr && row->is_draining && row->leases == 0;
        },
        kReadyDeadline,
        absl::StrCat(name, " draining with no lease, through ", Name(Others(n)[0]))));
    // SIGTERM, then the engine starts it again on its volume.
    const auto stopping = Clock::now();
    ASSERT_TRUE(cluster_->Docker(absl::StrCat("stop -t 30 ", container)));
    const int64_t stop_ms = ElapsedMs(stopping);
    const std::string exit_code = cluster_->Inspect(n, "{{.State.ExitCode}}");
    EXPECT_EQ(exit_code, "0") << name << " on SIGTERM after its drain";
    ASSERT_TRUE(cluster_->Docker("start " + container));
    const auto started = Clock::now();
    std::printf(
        "[docker] INJECTED: docker stop %s (SIGTERM): %lld ms, exit code %s; docker start\n",
        name.c_str(), static_cast<long long>(stop_ms), exit_code.c_str());
    ASSERT_TRUE(WaitForReady());
    std::printf(
        "[docker] %s serving again %lld ms after docker start; %d writes acknowledged "
        "during its restart\n",
        name.c_str(), static_cast<long long>(ElapsedMs(started)),
        writer1.acked() + writer2.acked() - acked);
    ASSERT_FALSE(writer1.gave_up()) << writer1.report().error;
    ASSERT_FALSE(writer2.gave_up()) << writer2.report().error;
  }
  // The load still runs once all three have restarted.
  ASSERT_TRUE(WaitForWrites(writer1, writer1.acked(), kWritesAfter, "writer 1 after the restarts"));
  ASSERT_TRUE(WaitForWrites(writer2, writer2.acked(), kWritesAfter, "writer 2 after the restarts"));
  writer1.Stop();
  writer2.Stop();
  std::printf("[docker] the rolling restart took %lld ms\n",
              static_cast<long long>(ElapsedMs(rolling)));
  for (const InsertWriterThread* w : {&writer1, &writer2}) {
    const InsertWriterReport& r = w->report();
    const Gap gap = LongestGapFrom(AckTimes(r), rolling);
    std::printf("[docker] writer %d: longest gap %lld ms, starting %+lld ms into the restarts\n",
                r.node, static_cast<long long>(gap.ms), static_cast<long long>(gap.starts_at_ms));
    PrintWriter(absl::StrCat("writer ", r.node), r);
    // No commit failed beyond what the writer's retries cured.
    EXPECT_EQ(r.error, "") << "writer " << r.node;
  }
  ASSERT_TRUE(WaitForReady(/*caught_up=*/true));
  ExpectEveryAcknowledgedRow("rolling", {&writer1.report(), &writer2.report()});
}

}  // namespace
}  // namespace cairn::docker
