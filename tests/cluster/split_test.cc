// Range splits seen from outside: each table starting in a range of its
// own, a table outgrowing --range-max-bytes under writers through every node
// divided by the split queues without a write lost, and ALTER TABLE ... SPLIT
// AT putting boundaries at primary key values, which a node's crash keeps.

#include "cluster_fixture.h"
#include "insert_writer.h"

namespace cairn::cluster {
namespace {

// A threshold a few seconds of writes outgrow many times over, so that the
// split queues (one pass a second) have something to divide soon.
constexpr char kSmallRangesFlag[] = "--range-max-bytes=32KiB";
constexpr int kSmallRangeBytes = 32 << 10;
// Random letters and digits: the engine compresses its files, and a
// repetitive payload could stay under the threshold however many rows.
constexpr int kPayloadBytes = 200;
// The writers keep on until they have written ten times the threshold in
// payloads, whenever the ranges split.
constexpr int kTargetRows = 10 * kSmallRangeBytes / kPayloadBytes;
// One split makes two ranges; a third means a range made by a split, while
// the writers ran, was split again.
constexpr size_t kGrownRanges = 3;
// Splitting needs the size estimate to pass the threshold, a pass of the
// queue and a Raft round per split, with three nodes and three writers on
// two cores: twice what membership may take.
constexpr Clock::duration kSplitDeadline = 2 * kMembershipDeadline;

// Row `id`'s payload, the same for the same seed, so that what is read back
// can be checked against what was written.
std::string Payload(uint64_t seed, int64_t id) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::mt19937_64 rng(seed ^ (static_cast<uint64_t>(id) * 0x9E3779B97F4A7C15ull));
  std::string payload(kPayloadBytes, ' ');
  for (char& c : payload) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return payload;
}

// Whether `rows` are one span (Contiguous) starting at `start`, the table's
// first key, with every range inside the table (its start key begins with
// `start`, as the table's keys do); if not, *why says the first difference.
bool CoverOneSpanFrom(const std::vector<RangeRow>& rows, const std::string& start,
                      std::string* why) {
  if (rows.empty() || rows.front().start_key != start) {
    *why = absl::StrCat("the first range does not start at ", start);
    return false;
  }
  for (const RangeRow& row : rows) {
    if (!absl::StartsWith(row.start_key, start)) {
      *why = absl::StrCat("range ", row.range_id, " starts at ", row.start_key,
                          ", outside the table");
      return false;
    }
  }
  return Contiguous(rows, why);
}

// Whether every range of `rows` is fully replicated (RangeFullyReplicated)
// with no learner left; if not, *why says which is not.
bool AllFullyReplicated(const std::vector<RangeRow>& rows, std::string* why) {
  if (rows.empty()) {
    *why = "no ranges";
    return false;
  }
  for (const RangeRow& row : rows) {
    if (!RangeFullyReplicated(row, {}, why)) return false;
    if (!row.learners.empty()) {
      *why = absl::StrCat("range ", row.range_id, " has learners {",
                          absl::StrJoin(row.learners, ","), "}");
      return false;
    }
  }
  return true;
}

class SplitTest : public ClusterTest {
 protected:
  // SHOW RANGES FROM TABLE `table` through node `via`, expecting success.
  std::vector<RangeRow> TableRanges(int via, const std::string& table) {
    absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(via, table);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<RangeRow>{};
  }

  // The sum of cairn_range_splits_total over the nodes 1..n that answer.
  double SplitsCounted(int n) {
    double sum = 0;
    for (int id = 1; id <= n; ++id) {
      std::string body;
      if (node(id).HttpGet("/metrics", &body) != 200) continue;
      sum += MetricValue(body, "cairn_range_splits_total").value_or(0);
    }
    return sum;
  }
};

// ---------------------------------------------------------------------------
// Splits by size

TEST_F(SplitTest, TableGrowsPastTheSplitThresholdUnderConcurrentWriters) {
  const uint64_t seed = cairn::testing::TestSeed(31);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  const auto began = Clock::now();
  auto at = [&] { return static_cast<long long>(ElapsedMs(began)); };
  ASSERT_TRUE(StartCluster(3, {kSmallRangesFlag}));
  // Three voters before the first row, so that the splits below divide
  // groups that are whole rather than race their up-replication.
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges));

  const RangeRow* data = FindRange(ranges, kDataRangeId);
  ASSERT_NE(data, nullptr) << DescribeSpans(ranges);
  const std::string data_start = data->start_key;

  // A new table starts a range of its own: not at the start of the data
  // range, and not in the range of the table created after it. Read right
  // after the statements, through other nodes than the one that ran them:
  // SHOW RANGES reports the ranges as they are now (cluster_fixture.h).
  ExecOk(1, "CREATE TABLE t (id INT PRIMARY KEY, payload TEXT)");
  const std::vector<RangeRow> created = TableRanges(2, "t");
  EXPECT_TRUE(created.size() == 1 && created[0].start_key != data_start)
      << "SHOW RANGES FROM TABLE t via node 2 right after CREATE TABLE t via node 1: "
      << DescribeSpans(created) << "; want one range not starting where the data range does ("
      << data_start << ")";
  ExecOk(1, "CREATE TABLE t_next (id INT PRIMARY KEY)");
  const std::vector<RangeRow> created_next = TableRanges(3, "t_next");
  EXPECT_TRUE(created_next.size() == 1 && created_next[0].start_key != data_start &&
              (created.empty() || created_next[0].start_key != created[0].start_key))
      << "SHOW RANGES FROM TABLE t_next via node 3 right after CREATE TABLE t_next via node 1: "
      << DescribeSpans(created_next) << "; want one range starting neither where the data range "
      << "does nor where t's does (" << DescribeSpans(created) << ")";
  std::printf("[cluster] +%lld ms: right after CREATE TABLE t (via node 1): t via node 2: %s; "
              "right after CREATE TABLE t_next: t_next via node 3: %s\n",
              at(), DescribeSpans(created).c_str(), DescribeSpans(created_next).c_str());

  // Where t begins and ends, for what follows: its one range, ending where
  // t_next's begins (t_next's split ended it there and moved nothing else).
  std::vector<RangeRow> t_alone, next;
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        absl::StatusOr<std::vector<RangeRow>> t_rows = ShowRanges(1, "t");
        absl::StatusOr<std::vector<RangeRow>> next_rows = ShowRanges(1, "t_next");
        if (!t_rows.ok() || !next_rows.ok()) {
          *state = absl::StrCat(t_rows.status().ToString(), " / ", next_rows.status().ToString());
          return false;
        }
        *state = absl::StrCat("t: ", DescribeSpans(*t_rows), " | t_next: ",
                              DescribeSpans(*next_rows));
        if (t_rows->size() != 1 || next_rows->size() != 1 ||
            (*t_rows)[0].start_key == data_start ||
            (*t_rows)[0].end_key != (*next_rows)[0].start_key) {
          return false;
        }
        t_alone = *t_rows;
        next = *next_rows;
        return true;
      },
      kMembershipDeadline,
      "SHOW RANGES FROM TABLE t and t_next via node 1: one range each, t's ending where t_next's "
      "begins"));
  const std::string table_start = t_alone[0].start_key;
  const std::string next_start = next[0].start_key;
  EXPECT_NE(t_alone[0].range_id, next[0].range_id) << "t and t_next share a range";

  // Writers through the three nodes at once, while the split queues divide
  // the ranges under them.
  std::vector<std::unique_ptr<InsertWriterThread>> writers;
  const auto writing = Clock::now();
  for (int via = 1; via <= 3; ++via) {
    writers.push_back(std::make_unique<InsertWriterThread>(
        node(via).Dsn(), via, int64_t{via} * 1'000'000, [seed](int64_t id) {
          return absl::StrCat("INSERT INTO t VALUES (", id, ", '", Payload(seed, id), "')");
        }));
  }
  auto acked = [&] {
    int sum = 0;
    for (const auto& writer : writers) sum += writer->acked();
    return sum;
  };
  // Why the first writer that stopped on its own did, or "".
  auto gave_up = [&]() -> std::string {
    for (const auto& writer : writers) {
      if (writer->gave_up()) {
        return absl::StrCat("the writer via node ", writer->report().node,
                            " gave up: ", writer->report().error);
      }
    }
    return "";
  };

  // Only a listing that is one span counts: one that is not is kept to be
  // reported, as SHOW RANGES should never list one. Whether the table split
  // or not, the writers' reports and the rows are checked below.
  int64_t first_split_ms = -1;
  int acked_at_first_split = 0;
  std::string not_one_span;
  std::vector<RangeRow> grown;
  EXPECT_TRUE(WaitForRanges(
      1, "t",
      [&](const std::vector<RangeRow>& rows, std::string* why) {
        *why = gave_up();
        if (!why->empty()) return true;  // reported below, without waiting out the deadline
        if (!Contiguous(rows, why)) {
          if (not_one_span.empty()) not_one_span = *why + ": " + DescribeSpans(rows);
          return false;
        }
        if (rows.size() > 1 && first_split_ms < 0) {
          first_split_ms = ElapsedMs(writing);
          acked_at_first_split = acked();
        }
        *why = absl::StrCat(rows.size(), " ranges with ", acked(), " rows acknowledged");
        return rows.size() >= kGrownRanges;
      },
      absl::StrCat("at least ", kGrownRanges, " ranges, one span, while the writers run"),
      kSplitDeadline, &grown));
  ASSERT_EQ(gave_up(), "");
  EXPECT_EQ(not_one_span, "") << "SHOW RANGES FROM TABLE t via node 1 listed ranges that are not "
                                 "one span while the table was splitting";
  const int64_t grown_ms = ElapsedMs(writing);
  const int acked_at_grown = acked();
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        *state = gave_up();
        if (!state->empty()) return true;
        *state = absl::StrCat(acked(), " rows acknowledged");
        return acked() >= kTargetRows;
      },
      kSplitDeadline, absl::StrCat(kTargetRows, " rows acknowledged (", kTargetRows * kPayloadBytes,
                                   " bytes of payloads)")));
  for (auto& writer : writers) writer->Stop();
  const int64_t wrote_ms = ElapsedMs(writing);
  const std::string first_split =
      first_split_ms < 0 ? "never seen in a listing that was one span"
                         : absl::StrCat("seen ", first_split_ms, " ms after the writers started (",
                                        acked_at_first_split, " rows acknowledged then)");
  std::printf(
      "[cluster] +%lld ms: --range-max-bytes=%d; first split %s; %zu ranges after %lld ms (%d "
      "rows); writers stopped after %lld ms\n",
      at(), kSmallRangeBytes, first_split.c_str(), grown.size(), static_cast<long long>(grown_ms),
      acked_at_grown, static_cast<long long>(wrote_ms));

  // No write failed for good, and ideally none even needed a retry: the KV
  // client retries a route a split made stale, invisibly to SQL (DESIGN.md).
  std::set<int64_t> must_exist, may_exist;
  int retried_errors = 0;
  for (const auto& writer : writers) {
    const InsertWriterReport& r = writer->report();
    for (const auto& [id, acked_at] : r.acked) must_exist.insert(id);
    for (int64_t id : r.taken_on_retry) must_exist.insert(id);
    for (int64_t id : r.unknown) may_exist.insert(id);
    for (const auto& [state, seen] : r.errors) retried_errors += seen.first;
    std::printf(
        "[cluster] writer via node %d: %zu acknowledged, %zu found committed on a retry (23505), "
        "%zu unknown, %d attempts, %d reconnects; slowest INSERT %lld ms (%s); errors: %s\n",
        r.node, r.acked.size(), r.taken_on_retry.size(), r.unknown.size(), r.attempts,
        r.reconnects, static_cast<long long>(r.slowest_ms), r.slowest_outcome.c_str(),
        DescribeErrors(r).c_str());
    EXPECT_EQ(r.error, "") << "writer via node " << r.node;
  }
  if (retried_errors > 0) {
    std::printf("[cluster] NOTE: the writers retried %d statements after transient errors "
                "(listed above) while the ranges split\n",
                retried_errors);
  }

  // The ranges as the splits left them: one span from t's first key to
  // t_next's, each range with its three voters and a lease holder.
  std::vector<RangeRow> split;
  EXPECT_TRUE(WaitForRanges(
      1, "t",
      [](const std::vector<RangeRow>& rows, std::string* why) {
        return AllFullyReplicated(rows, why);
      },
      "every range of t with 3 voters and a lease holder among them", kMembershipDeadline,
      &split));
  EXPECT_GE(split.size(), kGrownRanges) << DescribeSpans(split);
  std::string why;
  EXPECT_TRUE(CoverOneSpanFrom(split, table_start, &why)) << why << ": " << DescribeSpans(split);
  if (!split.empty()) {
    EXPECT_EQ(split.back().end_key, next_start)
        << "t's last range does not end where t_next begins: " << DescribeSpans(split);
  }
  const double splits_counted = SplitsCounted(3);
  EXPECT_GE(splits_counted, static_cast<double>(split.size()) - 1)
      << "cairn_range_splits_total over the nodes";
  std::printf(
      "[cluster] +%lld ms: t in %zu ranges, cairn_range_splits_total %g over the nodes: %s\n",
      at(), split.size(), splits_counted, DescribeSpans(split).c_str());

  // Every acknowledged row through every node, with the payload written,
  // and no row nobody wrote.
  std::optional<std::vector<std::string>> first_rows;
  for (int via = 1; via <= 3; ++via) {
    const std::vector<std::string> rows = QueryRows(via, "SELECT id, payload FROM t ORDER BY id");
    std::set<int64_t> seen;
    std::vector<std::string> unexpected;
    for (const std::string& text : rows) {
      const std::pair<std::string, std::string> cells = absl::StrSplit(text, '|');
      int64_t id = 0;
      if (!absl::SimpleAtoi(cells.first, &id) || cells.second != Payload(seed, id) ||
          (!must_exist.contains(id) && !may_exist.contains(id))) {
        unexpected.push_back(text.substr(0, 40));
        continue;
      }
      seen.insert(id);
    }
    std::vector<std::string> missing;
    for (int64_t id : must_exist) {
      if (!seen.contains(id)) missing.push_back(absl::StrCat(id));
    }
    EXPECT_THAT(missing, ::testing::IsEmpty())
        << missing.size() << " acknowledged ids missing through node " << via;
    EXPECT_THAT(unexpected, ::testing::IsEmpty())
        << "rows no writer wrote, or with another payload, through node " << via;
    EXPECT_THAT(QueryRows(via, "SELECT count(*) FROM t"),
                ElementsAre(absl::StrCat(rows.size())))
        << "through node " << via;
    std::printf(
        "[cluster] through node %d: %zu rows, all %zu acknowledged ids %s with their payloads\n",
        via, rows.size(), must_exist.size(), missing.empty() ? "present" : "NOT all present");
    if (!first_rows) {
      first_rows = rows;
    } else {
      EXPECT_TRUE(rows == *first_rows) << "rows through node " << via << " differ from node 1's";
    }
  }
}

// ---------------------------------------------------------------------------
// Splits on request

TEST_F(SplitTest, AlterTableSplitAtMakesRangeBoundaries) {
  const auto began = Clock::now();
  auto at = [&] { return static_cast<long long>(ElapsedMs(began)); };
  ASSERT_TRUE(StartCluster(3));
  std::vector<RangeRow> ranges;
  ASSERT_TRUE(WaitForFullyReplicated(1, {}, &ranges));
  const RangeRow* data = FindRange(ranges, kDataRangeId);
  ASSERT_NE(data, nullptr) << DescribeSpans(ranges);
  const std::string data_start = data->start_key;
  ExecOk(1, "CREATE TABLE s (k INT PRIMARY KEY, v TEXT)");
  EXPECT_EQ(ExecOk(1, "INSERT INTO s SELECT g, 'row ' || g FROM generate_series(1, 100) AS g"),
            "INSERT 0 100");
  std::vector<RangeRow> before;
  ASSERT_TRUE(WaitForRanges(
      1, "s",
      [&](const std::vector<RangeRow>& rows, std::string* why) {
        *why = "not one range of its own";
        return rows.size() == 1 && rows[0].start_key != data_start;
      },
      "s in a range of its own", kMembershipDeadline, &before));

  // Four ranges, one span where s's one range was, right after the
  // statement through another node.
  auto four_ranges_where_s_was = [&](const std::vector<RangeRow>& rows, std::string* why) {
    if (rows.size() != 4) {
      *why = absl::StrCat(rows.size(), " ranges, want 4");
      return false;
    }
    if (rows.back().end_key != before[0].end_key) {
      *why = absl::StrCat("the last range ends at ", rows.back().end_key.value_or("<end>"),
                          ", s's range did at ", before[0].end_key.value_or("<end>"));
      return false;
    }
    return CoverOneSpanFrom(rows, before[0].start_key, why);
  };
  EXPECT_EQ(ExecOk(1, "ALTER TABLE s SPLIT AT VALUES (25), (50), (75)"), "ALTER TABLE");
  const std::vector<RangeRow> right_after = TableRanges(2, "s");
  std::string why;
  EXPECT_TRUE(four_ranges_where_s_was(right_after, &why))
      << "SHOW RANGES FROM TABLE s via node 2 right after the SPLIT AT via node 1: " << why
      << ": " << DescribeSpans(right_after);
  std::printf("[cluster] +%lld ms: 100 rows, then ALTER TABLE s SPLIT AT VALUES (25), (50), (75) "
              "via node 1: %s -> right after, via node 2: %s\n",
              at(), DescribeSpans(before).c_str(), DescribeSpans(right_after).c_str());
  std::vector<RangeRow> after;
  ASSERT_TRUE(WaitForRanges(2, "s", four_ranges_where_s_was, "4 ranges where s's one range was",
                            kMembershipDeadline, &after));

  // Each key range is counted by the range that now holds it, through nodes
  // that did not split; an UPDATE of every row commits across all four.
  const std::vector<std::pair<std::string, std::string>> counts = {
      {"k < 25", "24"}, {"k >= 25 AND k < 50", "25"}, {"k >= 50 AND k < 75", "25"},
      {"k >= 75", "26"}, {"true", "100"}};
  for (int via : {2, 3}) {
    for (const auto& [where, want] : counts) {
      EXPECT_THAT(QueryRows(via, "SELECT count(*) FROM s WHERE " + where), ElementsAre(want))
          << "WHERE " << where << " through node " << via;
    }
  }
  EXPECT_EQ(ExecOk(3, "UPDATE s SET v = 'updated ' || k"), "UPDATE 100");
  std::vector<std::string> want_rows;
  for (int k = 1; k <= 100; ++k) want_rows.push_back(absl::StrCat(k, "|updated ", k));
  EXPECT_THAT(QueryRows(2, "SELECT k, v FROM s ORDER BY k"), ElementsAreArray(want_rows));

  // Splitting where ranges already start changes nothing: had a split landed
  // anywhere but at 25, 50 and 75, the same statement would add a range.
  EXPECT_EQ(ExecOk(1, "ALTER TABLE s SPLIT AT VALUES (25), (50), (75)"), "ALTER TABLE");
  const std::vector<RangeRow> again = TableRanges(3, "s");
  ASSERT_EQ(again.size(), 4u) << "the same SPLIT AT again: " << DescribeSpans(again);
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].start_key, after[i].start_key) << "range " << i;
    EXPECT_EQ(again[i].range_id, after[i].range_id) << "range " << i;
  }

  // Statements that cannot split fail with an error, and the node lives on.
  QueryResult missing = Query(2, "ALTER TABLE no_such_table SPLIT AT VALUES (1)");
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.sqlstate, "42P01") << missing.message;
  QueryResult too_many = Query(2, "ALTER TABLE s SPLIT AT VALUES (1, 2)");
  EXPECT_FALSE(too_many.ok);
  EXPECT_FALSE(too_many.connection_lost) << too_many.message;
  EXPECT_NE(too_many.sqlstate, "");
  EXPECT_FALSE(absl::StartsWith(too_many.sqlstate, "XX"))
      << "an internal error: " << too_many.sqlstate << " " << too_many.message;
  // A bad row anywhere splits nothing, not even at the good rows before it.
  QueryResult mixed = Query(2, "ALTER TABLE s SPLIT AT VALUES (10), (1, 2)");
  EXPECT_FALSE(mixed.ok);
  EXPECT_TRUE(node(2).Alive());
  const std::vector<RangeRow> unchanged = TableRanges(2, "s");
  EXPECT_EQ(unchanged.size(), 4u) << "after the failed SPLIT ATs: " << DescribeSpans(unchanged);
  std::printf(
      "[cluster] +%lld ms: SPLIT AT again: still 4 ranges; missing table: %s %s; "
      "(1, 2) for a one-column key: %s %s; (10), (1, 2): %s %s\n",
      at(), missing.sqlstate.c_str(), missing.message.c_str(), too_many.sqlstate.c_str(),
      too_many.message.c_str(), mixed.sqlstate.c_str(), mixed.message.c_str());

  // A crash of a node holding the new ranges (all three do, once each has
  // its voters): it comes back with them and serves every row. The victim
  // is the one of nodes 2 and 3 leading more of s's ranges.
  std::vector<RangeRow> placed;
  ASSERT_TRUE(WaitForRanges(
      1, "s",
      [&](const std::vector<RangeRow>& rows, std::string* why) {
        if (rows.size() != 4) {
          *why = absl::StrCat(rows.size(), " ranges, want 4");
          return false;
        }
        return CoverOneSpanFrom(rows, before[0].start_key, why) && AllFullyReplicated(rows, why);
      },
      "the 4 ranges of s, one span, each with 3 voters and a lease holder among them",
      kMembershipDeadline, &placed));
  int victim = 2;
  auto leases_of = [&](int id) {
    return std::count_if(placed.begin(), placed.end(),
                         [id](const RangeRow& row) { return row.lease_holder == id; });
  };
  if (leases_of(3) > leases_of(2)) victim = 3;
  node(victim).Kill();
  std::printf(
      "[cluster] +%lld ms: killed node %d (SIGKILL), lease holder of %lld of s's ranges: %s\n",
      at(), victim, static_cast<long long>(leases_of(victim)), DescribeSpans(placed).c_str());
  const auto restarting = Clock::now();
  ASSERT_TRUE(node(victim).Start());
  ASSERT_TRUE(WaitFor(
      [&](std::string* state) {
        QueryResult r = Query(victim, "SELECT count(*) FROM s");
        *state = r.ok ? absl::StrCat("count ", absl::StrJoin(Rows(r), ""))
                      : absl::StrCat(r.sqlstate, " ", r.message);
        return r.ok;
      },
      kMembershipDeadline, "the restarted node answering SELECT count(*) FROM s"));
  const int64_t answered_ms = ElapsedMs(restarting);
  EXPECT_THAT(QueryRows(victim, "SELECT k, v FROM s ORDER BY k"), ElementsAreArray(want_rows))
      << "through the restarted node " << victim;
  for (const auto& [where, want] : counts) {
    EXPECT_THAT(QueryRows(victim, "SELECT count(*) FROM s WHERE " + where), ElementsAre(want))
        << "WHERE " << where << " through the restarted node " << victim;
  }
  std::vector<RangeRow> restored;
  EXPECT_TRUE(WaitForRanges(
      victim, "s",
      [&](const std::vector<RangeRow>& rows, std::string* why) {
        if (rows.size() != placed.size()) {
          *why = absl::StrCat(rows.size(), " ranges, want ", placed.size());
          return false;
        }
        for (size_t i = 0; i < rows.size(); ++i) {
          if (rows[i].start_key != placed[i].start_key) {
            *why = absl::StrCat("range ", i, " starts at ", rows[i].start_key);
            return false;
          }
        }
        return AllFullyReplicated(rows, why);
      },
      "the 4 ranges of s as before the kill, each with 3 voters", kMembershipDeadline,
      &restored));
  std::printf("[cluster] +%lld ms: node %d restarted, answering %lld ms after its start: 100 "
              "rows; ranges %s\n",
              at(), victim, static_cast<long long>(answered_ms), DescribeSpans(restored).c_str());
}

// A table's secondary indexes each start a range of their own, whether
// made with the table (UNIQUE) or later (CREATE INDEX), and the index
// entries in those ranges answer lookups and enforce uniqueness.
TEST_F(ClusterTest, SecondaryIndexesStartRangesOfTheirOwn) {
  ASSERT_TRUE(StartCluster(1));
  ExecOk(1, "CREATE TABLE people (id INT PRIMARY KEY, email TEXT UNIQUE, city TEXT)");
  ExecOk(1, "INSERT INTO people SELECT g, 'p' || g || '@x', 'c' || (g % 7) "
            "FROM generate_series(1, 70) AS g");
  ExecOk(1, "CREATE INDEX people_city ON people (city)");
  absl::StatusOr<std::vector<RangeRow>> ranges = ShowRanges(1, "people");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  std::printf("[cluster] ranges of people: %s\n", DescribeSpans(*ranges).c_str());
  ASSERT_EQ(ranges->size(), 3u) << "rows, the UNIQUE index, the city index: "
                                << DescribeSpans(*ranges);
  std::string why;
  EXPECT_TRUE(Contiguous(*ranges, &why)) << why;
  EXPECT_THAT(QueryRows(1, "SELECT count(*) FROM people WHERE city = 'c3'"), ElementsAre("10"));
  EXPECT_THAT(QueryRows(1, "SELECT id FROM people WHERE email = 'p42@x'"), ElementsAre("42"));
  QueryResult duplicate = Query(1, "INSERT INTO people VALUES (100, 'p42@x', 'c1')");
  EXPECT_EQ(duplicate.sqlstate, "23505") << duplicate.message;
}

}  // namespace
}  // namespace cairn::cluster
