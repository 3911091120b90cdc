// Plan fragments evaluated at the ranges' leaseholders (issue #6, point 5)
// seen from outside: on a table split into ranges whose leases are on
// several nodes, scans with filters, limits and aggregates answer the same
// with enable_pushdown on and off and through every node, EXPLAIN says what
// was pushed, and the fragments are evaluated where the leases are (each
// node's cairn_sql_fragment_rows_read_total); and with a leaseholder of
// the table other than the gateway killed (SIGKILL) and restarted under a
// reader, every answer that comes back counts every row exactly once, and
// answers come back soon after the kill.

#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "cluster_fixture.h"
#include "insert_writer.h"

namespace cairn::cluster {
namespace {

// t's rows: ids 1..kRows, grp = id % 7, v = id * 37 % 1000, note = 'row <id>'.
constexpr int64_t kRows = 30'000;
// t split at ids 5001, 10001, ...: kRanges ranges of kRows / kRanges rows.
constexpr int kRanges = 6;
constexpr int64_t kRowsPerRange = kRows / kRanges;
constexpr char kFragmentRowsRead[] = "cairn_sql_fragment_rows_read_total";
// How long the leases of a new table's ranges may take to spread over the
// nodes (one lease move per node every few seconds).
constexpr Clock::duration kLeaseSpreadDeadline = 2 * kMembershipDeadline;
// How long after a node is killed a read through a survivor may take to
// succeed again: the dead node's leases expire and are taken over, on a
// busy two-core machine.
constexpr Clock::duration kReadRecoveryBound = std::chrono::seconds(20);
// The fault test's reader's statement_timeout, as the failover writers'.
constexpr int kReaderStatementTimeoutMs = kFailoverStatementTimeoutMs;

int64_t ValueOf(int64_t id) { return id * 37 % 1000; }

// SELECT count(*), sum(v) FROM t, as Rows() renders it.
std::string CountAndSum() {
  int64_t sum = 0;
  for (int64_t id = 1; id <= kRows; ++id) sum += ValueOf(id);
  return absl::StrCat(kRows, "|", sum);
}

// Node id -> how many of `rows` it leads.
std::map<int64_t, int> LeasesPerNode(const std::vector<RangeRow>& rows) {
  std::map<int64_t, int> leases;
  for (const RangeRow& row : rows) ++leases[row.lease_holder];
  return leases;
}

std::string DescribeLeases(const std::map<int64_t, int>& leases) {
  std::vector<std::string> parts;
  for (const auto& [id, n] : leases) parts.push_back(absl::StrCat("n", id, ":", n));
  return absl::StrJoin(parts, " ");
}

// Range id -> lease holder.
std::map<int64_t, int64_t> LeaseHolders(const std::vector<RangeRow>& rows) {
  std::map<int64_t, int64_t> holders;
  for (const RangeRow& row : rows) holders[row.range_id] = row.lease_holder;
  return holders;
}

// Whether `rows` are kRanges ranges, each with 3 voters, no learner and a
// lease holder among them; if not, *why says the first difference.
bool TableSplitAndReplicated(const std::vector<RangeRow>& rows, std::string* why) {
  if (rows.size() != kRanges) {
    *why = absl::StrCat(rows.size(), " ranges, want ", kRanges);
    return false;
  }
  for (const RangeRow& row : rows) {
    if (!RangeFullyReplicated(row, {}, why)) return false;
    if (!row.learners.empty()) {
      *why = absl::StrCat("range ", row.range_id, " has learners");
      return false;
    }
  }
  return Contiguous(rows, why);
}

class PushdownTest : public ClusterTest {
 protected:
  // Creates t through node 1, fills it with kRows rows and splits it into
  // kRanges ranges; then waits until every range of t is whole
  // (TableSplitAndReplicated) and `leases` holds of them (it says in *why
  // what it misses). *seen gets the ranges that satisfied the wait.
  ::testing::AssertionResult LoadAndSplit(
      const std::function<bool(const std::vector<RangeRow>&, std::string* why)>& leases,
      const std::string& leases_what, std::vector<RangeRow>* seen) {
    const auto began = Clock::now();
    QueryResult r = Query(1,
                          "CREATE TABLE t (id INT PRIMARY KEY, grp INT NOT NULL, "
                          "v INT NOT NULL, note TEXT NOT NULL)");
    if (!r.ok) return ::testing::AssertionFailure() << "CREATE TABLE: " << r.message;
    constexpr int64_t kChunk = 10'000;
    for (int64_t first = 1; first <= kRows; first += kChunk) {
      r = Query(1, absl::StrCat("INSERT INTO t SELECT x, x % 7, x * 37 % 1000, 'row ' || x "
                                "FROM generate_series(",
                                first, ", ", first + kChunk - 1, ") AS x"));
      if (!r.ok || r.tag != absl::StrCat("INSERT 0 ", kChunk)) {
        return ::testing::AssertionFailure() << "INSERT of ids from " << first << ": " << r.tag
                                             << " " << r.sqlstate << " " << r.message;
      }
    }
    std::vector<std::string> at;
    for (int i = 1; i < kRanges; ++i) at.push_back(absl::StrCat("(", i * kRowsPerRange + 1, ")"));
    r = Query(1, absl::StrCat("ALTER TABLE t SPLIT AT VALUES ", absl::StrJoin(at, ", ")));
    if (!r.ok) return ::testing::AssertionFailure() << "SPLIT AT: " << r.message;
    std::printf("[cluster] t: %lld rows loaded and split at %s through node 1 in %lld ms\n",
                static_cast<long long>(kRows), absl::StrJoin(at, ", ").c_str(),
                static_cast<long long>(ElapsedMs(began)));
    return WaitForRanges(
        1, "t",
        [&](const std::vector<RangeRow>& rows, std::string* why) {
          if (!TableSplitAndReplicated(rows, why)) return false;
          *why = absl::StrCat("leases ", DescribeLeases(LeasesPerNode(rows)));
          return leases(rows, why);
        },
        absl::StrCat(kRanges, " ranges of t with 3 voters each, ", leases_what),
        kLeaseSpreadDeadline, seen);
  }

  // Node id -> its cairn_sql_fragment_rows_read_total, for nodes 1..3
  // (-1 when /metrics does not answer).
  std::map<int, double> FragmentRowsRead() {
    std::map<int, double> read;
    for (int id = 1; id <= 3; ++id) {
      std::string body;
      read[id] = node(id).HttpGet("/metrics", &body) == 200
                     ? MetricValue(body, kFragmentRowsRead).value_or(0)
                     : -1;
    }
    return read;
  }

  // Runs `queries` through node `via` on one session with enable_pushdown
  // set to `pushdown`; each query's rows (an error as "ERROR <sqlstate>
  // <message>").
  std::vector<std::vector<std::string>> RunSession(int via, bool pushdown,
                                                   const std::vector<std::string>& queries) {
    std::unique_ptr<PgConn> pg = Connect(node(via).Dsn());
    const QueryResult set =
        pg->Exec(absl::StrCat("SET enable_pushdown = ", pushdown ? "on" : "off"));
    EXPECT_TRUE(set.ok) << "node " << via << ": " << set.sqlstate << " " << set.message;
    std::vector<std::vector<std::string>> answers;
    for (const std::string& sql : queries) {
      const QueryResult r = pg->Exec(sql);
      answers.push_back(
          r.ok ? Rows(r)
               : std::vector<std::string>{absl::StrCat("ERROR ", r.sqlstate, " ", r.message)});
    }
    return answers;
  }

  // EXPLAIN `sql` through node 1 with enable_pushdown set to `pushdown`,
  // its lines joined by newlines.
  std::string Explain(bool pushdown, const std::string& sql) {
    std::vector<std::vector<std::string>> plan = RunSession(1, pushdown, {"EXPLAIN " + sql});
    return absl::StrJoin(plan[0], "\n");
  }
};

// ---------------------------------------------------------------------------
// Answers, plans and where fragments are evaluated

// A limit the first range's rows do not fill (about 1% of the rows have
// v >= 990): the next ranges are read too.
constexpr size_t kHighLimit = 120;

// A query and, where the test computes it from the rows it wrote, its
// answer (empty: only compared across the runs).
struct Checked {
  std::string sql;
  std::vector<std::string> want;
  // The answer is any kHighLimit rows with v >= 990 (a LIMIT without ORDER
  // BY), each once.
  bool any_high_rows = false;
};

// Whether `rows` ("id|v") are kHighLimit distinct rows of t with v >= 990;
// if not, *why says the first that is not.
bool AnyHighRows(const std::vector<std::string>& rows, std::string* why) {
  if (rows.size() != kHighLimit) {
    *why = absl::StrCat(rows.size(), " rows, want ", kHighLimit);
    return false;
  }
  std::set<int64_t> ids;
  for (const std::string& row : rows) {
    const std::pair<std::string, std::string> cells = absl::StrSplit(row, '|');
    int64_t id = 0, v = 0;
    if (!absl::SimpleAtoi(cells.first, &id) || !absl::SimpleAtoi(cells.second, &v) || id < 1 ||
        id > kRows || ValueOf(id) != v || v < 990 || !ids.insert(id).second) {
      *why = absl::StrCat("the row ", row, " is not t's, has v < 990 or comes twice");
      return false;
    }
  }
  return true;
}

std::vector<Checked> Queries() {
  std::vector<Checked> queries;
  int64_t sum = 0, min = 1000, max = -1;
  std::map<int64_t, std::pair<int64_t, int64_t>> per_grp;  // grp -> count, sum
  int64_t filtered = 0, filtered_sum = 0, grp3 = 0;
  bool all_below = true, some_999 = false;
  std::vector<std::string> high;  // ids with v >= 990 in key order, "id|v"
  for (int64_t id = 1; id <= kRows; ++id) {
    const int64_t v = ValueOf(id);
    sum += v;
    min = std::min(min, v);
    max = std::max(max, v);
    ++per_grp[id % 7].first;
    per_grp[id % 7].second += v;
    if (v % 3 == 0 && id > 2500) {
      ++filtered;
      filtered_sum += v;
    }
    if (id % 7 == 3) {
      ++grp3;
      all_below = all_below && v < 1000;
      some_999 = some_999 || v == 999;
    }
    if (v >= 990) high.push_back(absl::StrCat(id, "|", v));
  }
  queries.push_back({"SELECT count(*), sum(v), min(v), max(v) FROM t",
                     {absl::StrCat(kRows, "|", sum, "|", min, "|", max)}});
  // avg's numeric rendering is the aggregate's to choose: compared only.
  queries.push_back({"SELECT avg(v), count(note) FROM t", {}});
  std::vector<std::string> groups;
  for (const auto& [grp, cs] : per_grp) {
    groups.push_back(absl::StrCat(grp, "|", cs.first, "|", cs.second));
  }
  queries.push_back({"SELECT grp, count(*), sum(v) FROM t GROUP BY grp ORDER BY grp", groups});
  queries.push_back({"SELECT count(*), sum(v) FROM t WHERE v % 3 = 0 AND id > 2500",
                     {absl::StrCat(filtered, "|", filtered_sum)}});
  queries.push_back({"SELECT bool_and(v < 1000), bool_or(v = 999), count(*) FROM t WHERE grp = 3",
                     {absl::StrCat(all_below ? "t" : "f", "|", some_999 ? "t" : "f", "|", grp3)}});
  queries.push_back(
      {absl::StrCat("SELECT id, v FROM t WHERE v >= 990 ORDER BY id LIMIT ", kHighLimit),
       std::vector<std::string>(high.begin(), high.begin() + kHighLimit)});
  queries.push_back(
      {absl::StrCat("SELECT id, v FROM t WHERE v >= 990 LIMIT ", kHighLimit), {}, true});
  queries.push_back(
      {"SELECT id, upper(note) FROM t WHERE lower(note) = 'row 23456'", {"23456|ROW 23456"}});
  return queries;
}

TEST_F(PushdownTest, LeaseholdersEvaluateFragmentsWithTheAnswersOfAPlainScan) {
  const auto began = Clock::now();
  auto at = [&] { return static_cast<long long>(ElapsedMs(began)); };
  ASSERT_TRUE(StartCluster(3));
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges));
  ASSERT_TRUE(LoadAndSplit([](const std::vector<RangeRow>& rows,
                              std::string*) { return LeasesPerNode(rows).size() >= 2; },
                           "their leases on at least two nodes", &ranges));
  std::printf("[cluster] +%lld ms: t's leases %s\n", at(),
              DescribeLeases(LeasesPerNode(ranges)).c_str());

  // Plans: what EXPLAIN says is pushed, and nothing with pushdown off.
  struct Plan {
    std::string sql;
    std::string pushed;  // what the line "Pushed to leaseholders: ..." holds
  };
  const std::vector<Plan> plans = {
      {"SELECT count(*), sum(v) FROM t", "partial aggregate (count(*), sum(v))"},
      {"SELECT count(*), sum(v) FROM t WHERE v % 3 = 0 AND id > 2500", "filter, partial aggregate"},
      {absl::StrCat("SELECT id, v FROM t WHERE v >= 990 LIMIT ", kHighLimit),
       absl::StrCat("filter, columns (id, v), limit ", kHighLimit)},
      {absl::StrCat("SELECT id, v FROM t WHERE v >= 990 ORDER BY id LIMIT ", kHighLimit),
       "filter, columns (id, v)"},
  };
  for (const Plan& plan : plans) {
    const std::string on = Explain(true, plan.sql);
    EXPECT_THAT(on, HasSubstr("Pushed to leaseholders: " + plan.pushed)) << plan.sql;
    const std::string off = Explain(false, plan.sql);
    EXPECT_THAT(off, ::testing::Not(HasSubstr("Pushed to leaseholders"))) << plan.sql;
    std::printf("[cluster] EXPLAIN %s\n  pushdown on:\n    %s\n  pushdown off:\n    %s\n",
                plan.sql.c_str(), absl::StrReplaceAll(on, {{"\n", "\n    "}}).c_str(),
                absl::StrReplaceAll(off, {{"\n", "\n    "}}).c_str());
  }
  EXPECT_THAT(Explain(true, plans[0].sql), HasSubstr("Finalize Aggregate"));

  // The answers: with pushdown on and off, through each node, the same, and
  // the ones computed from the rows written where there is one.
  const std::vector<Checked> queries = Queries();
  std::vector<std::string> sql;
  for (const Checked& q : queries) sql.push_back(q.sql);
  const std::map<int, double> read_before = FragmentRowsRead();
  const std::map<int64_t, int64_t> holders_before = LeaseHolders(ranges);
  const std::vector<std::vector<std::string>> reference = RunSession(1, true, sql);
  for (size_t i = 0; i < queries.size(); ++i) {
    if (!queries[i].want.empty()) {
      EXPECT_EQ(reference[i], queries[i].want) << queries[i].sql << " through node 1, pushdown on";
    }
    std::string why;
    if (queries[i].any_high_rows) {
      EXPECT_TRUE(AnyHighRows(reference[i], &why))
          << queries[i].sql << " through node 1, pushdown on: " << why;
    }
  }
  int runs = 1;
  int unordered_differ = 0;  // runs whose LIMIT without ORDER BY chose other rows
  for (int via = 1; via <= 3; ++via) {
    for (bool pushdown : {true, false}) {
      if (via == 1 && pushdown) continue;  // the reference
      const std::vector<std::vector<std::string>> answers = RunSession(via, pushdown, sql);
      ++runs;
      for (size_t i = 0; i < queries.size(); ++i) {
        const std::string where =
            absl::StrCat(" through node ", via, " with pushdown ", pushdown ? "on" : "off");
        if (queries[i].any_high_rows) {
          // Which rows is the executor's to choose.
          std::string why;
          EXPECT_TRUE(AnyHighRows(answers[i], &why)) << queries[i].sql << where << ": " << why;
          unordered_differ += answers[i] != reference[i] ? 1 : 0;
          continue;
        }
        EXPECT_EQ(answers[i], reference[i])
            << queries[i].sql << where << ", against node 1 with pushdown on";
      }
    }
  }
  const std::map<int, double> read_after = FragmentRowsRead();
  absl::StatusOr<std::vector<RangeRow>> after = ShowRanges(1, "t");
  ASSERT_TRUE(after.ok()) << after.status();
  std::printf(
      "[cluster] +%lld ms: %zu queries, each through nodes 1, 2 and 3 with pushdown on and "
      "off (%d runs): the same answers%s\n",
      at(), queries.size(), runs,
      ::testing::Test::HasFailure() ? " (NOT all: see the failures)" : "");
  for (size_t i = 0; i < queries.size(); ++i) {
    const Checked& q = queries[i];
    const std::string checked =
        !q.want.empty()
            ? absl::StrCat(q.want.size(), " row(s) as computed, the first ", q.want.front())
        : q.any_high_rows
            ? absl::StrCat(kHighLimit, " distinct rows with v >= 990 (", runs - unordered_differ,
                           " of the ", runs, " runs the same rows)")
            : absl::StrCat(reference[i].size(), " row(s), compared across the runs");
    std::printf("[cluster]   %s -> %s\n", q.sql.c_str(), checked.c_str());
  }

  // Where the fragments were evaluated: every node that led one of t's
  // ranges both before and after the queries read rows for them (a range
  // whose lease moved in between proves nothing either way), and one of
  // them is not node 1, the gateway.
  const std::map<int64_t, int64_t> holders_after = LeaseHolders(*after);
  std::set<int64_t> steady_holders;
  for (const auto& [range, holder] : holders_before) {
    auto it = holders_after.find(range);
    if (it != holders_after.end() && it->second == holder) steady_holders.insert(holder);
  }
  std::vector<std::string> growth;
  for (int id = 1; id <= 3; ++id) {
    growth.push_back(absl::StrCat("n", id, " +", read_after.at(id) - read_before.at(id)));
  }
  std::printf(
      "[cluster] %s grew by: %s; t's leases before %s, after %s; nodes leading the same "
      "range before and after: %s\n",
      kFragmentRowsRead, absl::StrJoin(growth, ", ").c_str(), Describe(ranges).c_str(),
      Describe(*after).c_str(), absl::StrJoin(steady_holders, ",").c_str());
  EXPECT_TRUE(
      std::any_of(steady_holders.begin(), steady_holders.end(), [](int64_t id) { return id != 1; }))
      << "no node but node 1 led a range of t throughout: " << Describe(ranges) << " then "
      << Describe(*after);
  for (int64_t id : steady_holders) {
    EXPECT_GT(read_after.at(id), read_before.at(id))
        << "node " << id << " led a range of t throughout, yet evaluated no fragment: "
        << absl::StrJoin(growth, ", ");
  }

  // One full scan, pushed down: the leaseholders read t's rows once
  // between them, none twice and none at a node that does not lead them.
  // Tried again should a lease move meanwhile.
  bool exact = false;
  for (int attempt = 1; attempt <= 3 && !exact; ++attempt) {
    absl::StatusOr<std::vector<RangeRow>> before_scan = ShowRanges(1, "t");
    ASSERT_TRUE(before_scan.ok()) << before_scan.status();
    const std::map<int, double> read0 = FragmentRowsRead();
    const std::vector<std::vector<std::string>> answer =
        RunSession(1, true, {"SELECT count(*), sum(v) FROM t"});
    const std::map<int, double> read1 = FragmentRowsRead();
    absl::StatusOr<std::vector<RangeRow>> after_scan = ShowRanges(1, "t");
    ASSERT_TRUE(after_scan.ok()) << after_scan.status();
    EXPECT_THAT(answer[0], ElementsAre(CountAndSum()));
    if (LeaseHolders(*before_scan) != LeaseHolders(*after_scan)) {
      std::printf("[cluster] a lease of t moved during the scan (%s, then %s): again\n",
                  Describe(*before_scan).c_str(), Describe(*after_scan).c_str());
      continue;
    }
    exact = true;
    const std::map<int64_t, int> leases = LeasesPerNode(*before_scan);
    std::vector<std::string> per_node;
    for (int id = 1; id <= 3; ++id) {
      const double read = read1.at(id) - read0.at(id);
      const auto it = leases.find(id);
      const double want = it == leases.end() ? 0 : static_cast<double>(it->second * kRowsPerRange);
      per_node.push_back(absl::StrCat("n", id, " read ", read, " (leads ",
                                      it == leases.end() ? 0 : it->second, " ranges)"));
      EXPECT_EQ(read, want) << "node " << id << "'s " << kFragmentRowsRead
                            << " over one SELECT count(*), sum(v) FROM t through node 1; t's "
                            << "ranges: " << Describe(*before_scan);
    }
    std::printf("[cluster] SELECT count(*), sum(v) FROM t through node 1, pushed down: %s\n",
                absl::StrJoin(per_node, "; ").c_str());
  }
  EXPECT_TRUE(exact) << "t's leases moved during each of 3 scans";

  // With pushdown off, no fragment at all.
  const std::map<int, double> read_off0 = FragmentRowsRead();
  RunSession(1, false, {"SELECT count(*), sum(v) FROM t"});
  const std::map<int, double> read_off1 = FragmentRowsRead();
  EXPECT_EQ(read_off0, read_off1) << "fragments evaluated with enable_pushdown = off";
  std::printf("[cluster] +%lld ms: the same scan with pushdown off evaluated no fragment\n", at());
}

// ---------------------------------------------------------------------------
// A node killed and restarted under a reader

// One statement of the reader: when it was sent and answered, and how.
struct ReadAttempt {
  Clock::time_point sent;
  Clock::time_point answered;
  QueryResult result;
};

// Runs `sql` through `dsn` over and over (pushdown on), on a fresh session
// after an error, until stopped; what each attempt did is kept.
class Reader {
 public:
  Reader(std::string dsn, std::string sql) : dsn_(std::move(dsn)), sql_(std::move(sql)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Reader() { Stop(); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  // How many attempts sent at `since` or later succeeded.
  int SucceededSince(Clock::time_point since) const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(std::count_if(attempts_.begin(), attempts_.end(), [&](const auto& a) {
      return a.sent >= since && a.result.ok;
    }));
  }
  std::vector<ReadAttempt> attempts() const {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }

 private:
  void Run() {
    std::unique_ptr<PgConn> pg;
    while (!stop_.load()) {
      if (pg == nullptr || !pg->ok()) {
        const auto sent = Clock::now();
        pg = Connect(dsn_, kReaderStatementTimeoutMs);
        QueryResult set;
        if (pg->ok()) set = pg->Exec("SET enable_pushdown = on");
        if (!pg->ok() || !set.ok) {
          QueryResult failed = set;
          if (!pg->ok()) {
            failed.connection_lost = true;
            failed.message = "connect: " + pg->error();
          }
          Record({sent, Clock::now(), failed});
          pg.reset();
          std::this_thread::sleep_for(kRetryPause);  // pacing, as the writers'
          continue;
        }
      }
      const auto sent = Clock::now();
      QueryResult r = pg->Exec(sql_);
      Record({sent, Clock::now(), r});
      if (!r.ok) {
        pg.reset();
        std::this_thread::sleep_for(kRetryPause);
      }
    }
  }
  void Record(ReadAttempt attempt) {
    absl::MutexLock lock(&mu_);
    attempts_.push_back(std::move(attempt));
  }

  const std::string dsn_;
  const std::string sql_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<ReadAttempt> attempts_ ABSL_GUARDED_BY(mu_);
};

TEST_F(PushdownTest, ParallelRangeReadsCountEveryRowOnceWhileALeaseholderIsKilled) {
  const auto began = Clock::now();
  auto at = [&] { return static_cast<long long>(ElapsedMs(began)); };
  ASSERT_TRUE(StartCluster(3));
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges));
  // t's leases on two nodes or more, so on node 2 or 3 too. The victim is
  // the one of them leading more of t's ranges (node 3 on a tie): reads
  // through node 1 are evaluated there until it dies. (The leases are
  // balanced over all ranges, the meta and first data range included, so
  // node 3 need not lead any of t's.)
  ASSERT_TRUE(LoadAndSplit([](const std::vector<RangeRow>& rows,
                              std::string*) { return LeasesPerNode(rows).size() >= 2; },
                           "their leases on at least two nodes", &ranges));
  std::map<int64_t, int> leases = LeasesPerNode(ranges);
  const int victim = leases[2] > leases[3] ? 2 : 3;
  std::printf("[cluster] t's leases %s: the victim is node %d\n", DescribeLeases(leases).c_str(),
              victim);
  const std::string sql = "SELECT count(*), sum(v) FROM t";
  const std::string want = CountAndSum();
  EXPECT_THAT(QueryRows(1, sql), ElementsAre(want));

  Reader reader(node(1).Dsn(), sql);
  auto succeeded_since = [&](Clock::time_point since, int n, const std::string& what,
                             Clock::duration deadline) {
    return WaitFor(
        [&](std::string* state) {
          const int ok = reader.SucceededSince(since);
          *state = absl::StrCat(ok, " succeeded");
          return ok >= n;
        },
        deadline, what);
  };
  ASSERT_TRUE(
      succeeded_since(began, 3, "3 reads through node 1 before the kill", kMembershipDeadline));

  node(victim).Kill();
  const auto killed = Clock::now();
  std::printf("[cluster] +%lld ms: killed node %d (SIGKILL), which led %d of t's %d ranges: %s\n",
              at(), victim, LeasesPerNode(ranges)[victim], kRanges, Describe(ranges).c_str());
  ASSERT_TRUE(succeeded_since(
      killed, 1,
      absl::StrCat("a read through node 1 sent after node ", victim, "'s kill succeeding"),
      kReadRecoveryBound));
  ASSERT_TRUE(succeeded_since(killed, 3, absl::StrCat("3 reads with node ", victim, " down"),
                              kMembershipDeadline));

  ASSERT_TRUE(node(victim).Start());
  const auto restarted = Clock::now();
  std::printf("[cluster] +%lld ms: node %d restarted\n", at(), victim);
  // Back: the victim answers the scan itself, as its gateway, with the totals.
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        QueryResult r = Query(victim, sql);
        *state = r.ok ? absl::StrJoin(Rows(r), ";") : absl::StrCat(r.sqlstate, " ", r.message);
        return r.ok;
      },
      kMembershipDeadline, absl::StrCat("the restarted node ", victim, " answering ", sql)));
  const auto back = Clock::now();
  EXPECT_THAT(QueryRows(victim, sql), ElementsAre(want)) << "through the restarted node";
  // The reads go on while leases move back to the victim (the nodes
  // balance their leases): a planned move fails no read.
  std::vector<RangeRow> regained;
  ASSERT_TRUE(WaitForRanges(
      1, "",
      [&](const std::vector<RangeRow>& rows, std::string* why) {
        const int led = LeasesPerNode(rows)[victim];
        *why = absl::StrCat("leases ", DescribeLeases(LeasesPerNode(rows)));
        return led >= 2;
      },
      absl::StrCat("node ", victim, " leading 2 ranges again"), kLeaseSpreadDeadline, &regained));
  ASSERT_TRUE(succeeded_since(Clock::now(), 3,
                              absl::StrCat("3 reads once node ", victim, " leads ranges again"),
                              kMembershipDeadline));
  reader.Stop();

  // Every answer exact; failures only retryable ones, and only between the
  // kill and the victim answering again.
  const std::vector<ReadAttempt> attempts = reader.attempts();
  int ok = 0, failed = 0, wrong = 0, ok_while_down = 0, failed_outside = 0;
  std::string in_flight = "none";  // the read that was running at the kill
  int64_t first_ok_ms = -1;        // when the first read sent after the kill answered
  std::map<std::string, std::pair<int, std::string>> errors;  // SQLSTATE -> count, last message
  for (const ReadAttempt& a : attempts) {
    const auto ms = [&](Clock::time_point t) {
      return static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(t - killed).count());
    };
    if (a.sent <= killed && a.answered >= killed) {
      in_flight =
          absl::StrCat("sent ", ms(a.sent), " ms, answered ", ms(a.answered), " ms: ",
                       a.result.ok ? absl::StrJoin(Rows(a.result), ";")
                                   : absl::StrCat(a.result.sqlstate, " ", a.result.message));
    }
    if (a.result.ok) {
      ++ok;
      if (a.sent >= killed && a.answered < restarted) ++ok_while_down;
      if (a.sent >= killed && first_ok_ms < 0) first_ok_ms = ms(a.answered);
      if (Rows(a.result) != std::vector<std::string>{want}) {
        ++wrong;
        ADD_FAILURE() << sql << " sent " << ms(a.sent) << " ms from the kill answered "
                      << absl::StrJoin(Rows(a.result), ";") << ", want " << want;
      }
      continue;
    }
    ++failed;
    auto& [count, message] = errors[a.result.connection_lost ? "lost" : a.result.sqlstate];
    ++count;
    message = a.result.message;
    EXPECT_TRUE(IsFailoverTransient(a.result))
        << sql << " sent " << ms(a.sent) << " ms from the kill: " << a.result.sqlstate << " "
        << a.result.message;
    if (a.answered < killed || a.sent > back) {
      ++failed_outside;
      ADD_FAILURE() << sql << " sent " << ms(a.sent) << " ms from the kill (node " << victim
                    << " back at " << ms(back)
                    << " ms) failed outside the fault window: " << a.result.sqlstate << " "
                    << a.result.message;
    }
  }
  std::vector<std::string> seen;
  for (const auto& [state, e] : errors) {
    seen.push_back(absl::StrCat(state, " x", e.first, " (last: ", e.second, ")"));
  }
  const std::string errors_seen = seen.empty() ? "none" : absl::StrJoin(seen, "; ");
  std::printf(
      "[cluster] +%lld ms: %zu reads through node 1: %d succeeded (%d with the answer %s, %d "
      "sent and answered while node %d was down), %d failed (%d outside the fault window, from "
      "the kill until node %d answered again); SQLSTATEs seen: %s\n"
      "[cluster] the read in flight at the kill: %s; the first read sent after the kill to "
      "succeed answered %lld ms after it; node %d answering %lld ms after its restart; leases "
      "then: %s\n",
      at(), attempts.size(), ok, ok - wrong, want.c_str(), ok_while_down, victim, failed,
      failed_outside, victim, errors_seen.c_str(), in_flight.c_str(),
      static_cast<long long>(first_ok_ms), victim,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(back - restarted).count()),
      Describe(regained).c_str());
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(ok_while_down, 0);
}

}  // namespace
}  // namespace cairn::cluster
