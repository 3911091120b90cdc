// Jepsen-style register test on a real cluster: rows of a table as
// independent read/write/compare-and-set registers, clients doing
// single-key operations through random nodes while the nemesis (nemesis.h)
// kills, pauses and splits; every operation is recorded with its invoke and
// complete times (steady clock) and its outcome (ok, fail, or unknown when
// the write may or may not have happened), and each key's history must be
// linearizable (linearizability_checker.h). After healing, every key is
// read through every node and those reads join the history.
//
// Keys change every kKeyEpoch (as Jepsen's "independent" keys), so that a
// key's history stays small enough to check however long the run.
//
// Short form (make test): 3 nodes, CAIRN_JEPSEN_SECONDS (default 20). Long
// form, many seeds:
//   bench/jepsen_soak.sh build 300 20
//   one seed, two minutes a run (from build/):
//   CAIRN_TEST_SEED=7 CAIRN_JEPSEN_SECONDS=120 tests/cluster/jepsen_test
//   --gtest_filter='*Register*'

#include "jepsen_workload.h"
#include "linearizability_checker.h"

namespace cairn::cluster {
namespace {

// Keys in use at once, and how long before clients move to fresh ones.
constexpr int kKeysAtOnce = 4;
constexpr std::chrono::seconds kKeyEpoch(5);
// Key i of epoch e is i * kKeyBlock + e: each i has a block of its own,
// split from the others before the run, and splits at fresh keys land
// among live ones.
constexpr int64_t kKeyBlock = 10'000;
// Values are 0..kValues-1 (few, so that compare-and-sets succeed often).
constexpr int64_t kValues = 5;
constexpr int64_t kInitialValue = 0;
constexpr int kClients = 6;

int64_t Key(int index, int64_t epoch) { return index * kKeyBlock + epoch; }

struct KeyedOp {
  int64_t key = 0;
  RegisterOp op;
};

struct RegisterClientReport {
  ClientTally tally;
  std::vector<KeyedOp> ops;
};

// One operation on one key through the route's session; recorded in
// `report` unless nothing was sent (no session).
void RegisterStep(NodeRoute& route, int client, int64_t key, Clock::time_point origin,
                  RegisterClientReport* report) {
  ClientTally& tally = report->tally;
  JepsenSession* session = route.Session(&tally);
  if (session == nullptr) {
    std::this_thread::sleep_for(kClientBackoff);
    return;
  }
  std::mt19937_64& rng = route.rng();
  RegisterOp op;
  op.process = client;
  op.note = absl::StrCat("k=", key, " via n", route.node());
  std::string sql;
  switch (rng() % 3) {
    case 0:
      op.kind = RegisterOpKind::kRead;
      sql = absl::StrCat("SELECT v FROM reg WHERE k = ", key);
      break;
    case 1:
      op.kind = RegisterOpKind::kWrite;
      op.value = static_cast<int64_t>(rng() % kValues);
      sql = absl::StrCat("UPDATE reg SET v = ", op.value, " WHERE k = ", key);
      break;
    default:
      op.kind = RegisterOpKind::kCas;
      op.expected = static_cast<int64_t>(rng() % kValues);
      op.value = static_cast<int64_t>(rng() % kValues);
      sql = absl::StrCat("UPDATE reg SET v = ", op.value, " WHERE k = ", key,
                         " AND v = ", op.expected);
      break;
  }
  op.invoke = SinceNs(origin);
  ClientResult r = session->Exec(sql);
  op.complete = SinceNs(origin);
  if (r.ok) {
    op.outcome = OpOutcome::kOk;
    bool understood = true;
    if (op.kind == RegisterOpKind::kRead) {
      understood = r.rows.size() == 1 && r.rows[0].size() == 1 && r.rows[0][0] &&
                   absl::SimpleAtoi(*r.rows[0][0], &op.value);
    } else if (r.tag == "UPDATE 0" && op.kind == RegisterOpKind::kCas) {
      op.outcome = OpOutcome::kFail;  // the value was not the expected one
    } else {
      understood = r.tag == "UPDATE 1";
    }
    if (!understood) {
      // A row that vanished or doubled: not a register any more.
      op.outcome = OpOutcome::kUnknown;
      tally.unexpected.push_back(absl::StrCat(sql, " via node ", route.node(), " answered ", r.tag,
                                              " ", absl::StrJoin(Rows(r), ";")));
    }
  } else {
    tally.Error(r, sql);
    // A read that failed, or a write refused, did nothing; a write whose
    // fate is unknown may take effect at any later time, or never.
    op.outcome = op.kind != RegisterOpKind::kRead && Classify(r) != ErrorClass::kNoEffect
                     ? OpOutcome::kUnknown
                     : OpOutcome::kFail;
    if (Classify(r) != ErrorClass::kNoEffect) route.Reset();
    std::this_thread::sleep_for(kClientBackoff);
  }
  switch (op.outcome) {
    case OpOutcome::kOk:
      ++tally.ok;
      break;
    case OpOutcome::kFail:
      ++tally.fail;
      break;
    case OpOutcome::kUnknown:
      ++tally.unknown;
      break;
  }
  report->ops.push_back({key, std::move(op)});
}

TEST_F(JepsenTest, RegisterThreeNodes) {
  const uint64_t seed = cairn::testing::TestSeed(3);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  const std::chrono::seconds length = JepsenRunLength();
  const int64_t epochs = length / kKeyEpoch + 2;
  ASSERT_TRUE(StartJepsenCluster(3, 3));

  ExecOk(1, "CREATE TABLE reg (k INT PRIMARY KEY, v BIGINT NOT NULL)");
  for (int i = 0; i < kKeysAtOnce; ++i) {
    ASSERT_EQ(ExecOk(1 + i % 3, absl::StrCat("INSERT INTO reg SELECT g, ", kInitialValue,
                                             " FROM generate_series(", Key(i, 0), ", ",
                                             Key(i, epochs), ") AS g")),
              absl::StrCat("INSERT 0 ", epochs + 1));
  }
  std::vector<std::string> blocks;
  for (int i = 1; i < kKeysAtOnce; ++i) blocks.push_back(absl::StrCat("(", Key(i, 0), ")"));
  ASSERT_EQ(ExecOk(2, "ALTER TABLE reg SPLIT AT VALUES " + absl::StrJoin(blocks, ", ")),
            "ALTER TABLE");
  std::vector<RangeRow> placed;
  ASSERT_TRUE(WaitForSpreadLeases("reg", kKeysAtOnce, 3, &placed));
  std::printf("[jepsen] register: %d keys at a time, fresh ones every %lld s, in %zu ranges: %s\n",
              kKeysAtOnce, static_cast<long long>(kKeyEpoch.count()), placed.size(),
              Describe(placed).c_str());

  // Splits at fresh keys among the live ones.
  std::set<int64_t> split_at = {Key(1, 0), Key(2, 0), Key(3, 0)};
  NemesisOptions options = DefaultNemesisOptions("reg");
  options.split_sql = [&split_at, epochs](std::mt19937_64& rng) {
    int64_t key = 0;
    do {
      key = Key(static_cast<int>(rng() % kKeysAtOnce), 1 + static_cast<int64_t>(rng() % epochs));
    } while (split_at.contains(key));
    split_at.insert(key);
    return absl::StrCat("ALTER TABLE reg SPLIT AT VALUES (", key, ")");
  };
  Nemesis nemesis(Processes(), seed, options);

  const std::vector<std::string> dsns = Dsns();
  const auto origin = Clock::now();
  std::vector<RegisterClientReport> reports(kClients);
  ClientPool clients(kClients, [&](int client, const std::atomic<bool>& stop) {
    NodeRoute route(dsns, seed * 1000 + client);
    while (!stop.load()) {
      const int64_t epoch = (Clock::now() - origin) / kKeyEpoch;
      const int index = static_cast<int>(route.rng()() % kKeysAtOnce);
      RegisterStep(route, client, Key(index, std::min(epoch, epochs)), origin, &reports[client]);
    }
  });
  RunFaults(nemesis, clients, origin, length);

  // Every key, read through every node, after the run: part of the history.
  std::map<int64_t, std::vector<RegisterOp>> history;
  RunSummary summary;
  for (RegisterClientReport& r : reports) {
    summary.tally.Merge(r.tally);
    for (KeyedOp& op : r.ops) history[op.key].push_back(std::move(op.op));
  }
  std::vector<std::string> final_errors;
  for (int via = 1; via <= 3; ++via) {
    const int64_t invoke = SinceNs(origin);
    ClientResult r = QueryHealed(via, "SELECT k, v FROM reg ORDER BY k");
    const int64_t complete = SinceNs(origin);
    if (!r.ok) {
      final_errors.push_back(absl::StrCat("the final read through node ", via,
                                          " failed: ", ErrorKey(r), " ", r.message));
      continue;
    }
    for (const auto& row : r.rows) {
      int64_t key = 0, value = 0;
      if (row.size() != 2 || !row[0] || !row[1] || !absl::SimpleAtoi(*row[0], &key) ||
          !absl::SimpleAtoi(*row[1], &value)) {
        final_errors.push_back("an unreadable row in the final read");
        continue;
      }
      auto it = history.find(key);
      if (it == history.end()) continue;  // a key no client used
      RegisterOp read;
      read.process = -via;
      read.kind = RegisterOpKind::kRead;
      read.value = value;
      read.outcome = OpOutcome::kOk;
      read.invoke = invoke;
      read.complete = complete;
      read.note = absl::StrCat("k=", key, " final read via n", via);
      it->second.push_back(read);
    }
    if (r.rows.size() != static_cast<size_t>(kKeysAtOnce * (epochs + 1))) {
      final_errors.push_back(absl::StrCat("the final read through node ", via, " returned ",
                                          r.rows.size(), " rows, want ",
                                          kKeysAtOnce * (epochs + 1)));
    }
  }

  // Each key's history, checked on its own.
  int linearizable = 0;
  int64_t states = 0;
  size_t longest = 0;
  int64_t most_unknown = 0;
  std::vector<std::string> failures;
  for (const auto& [key, ops] : history) {
    const LinearizabilityResult result = CheckRegisterHistory(ops, kInitialValue);
    states += result.states_seen;
    longest = std::max(longest, ops.size());
    most_unknown = std::max<int64_t>(
        most_unknown, std::count_if(ops.begin(), ops.end(), [](const RegisterOp& op) {
          return op.outcome == OpOutcome::kUnknown;
        }));
    if (result.linearizable()) {
      ++linearizable;
      continue;
    }
    failures.push_back(absl::StrCat("key ", key, " (", ops.size(), " operations): ",
                                    VerdictName(result.verdict), ": ", result.explanation));
  }
  summary.workload = "register";
  summary.nodes = 3;
  summary.seed = seed;
  summary.seconds = length.count();
  summary.faults = nemesis.Summary();
  summary.verdict =
      failures.empty() && final_errors.empty()
          ? absl::StrCat("valid (", linearizable, " keys linearizable, the longest history ",
                         longest, " operations, at most ", most_unknown,
                         " of unknown outcome in one, ", states, " search states)")
          : absl::StrCat("INVALID: ", failures.size(), " of ", history.size(),
                         " keys not shown linearizable", final_errors.empty() ? "" : "; ",
                         absl::StrJoin(final_errors, "; "));
  PrintSummary(summary);
  for (const std::string& failure : failures) std::printf("[jepsen] %s\n", failure.c_str());
  EXPECT_THAT(failures, ::testing::IsEmpty()) << "seed " << seed;
  EXPECT_THAT(final_errors, ::testing::IsEmpty()) << "seed " << seed;
  EXPECT_THAT(summary.tally.unexpected, ::testing::IsEmpty())
      << "errors no fault explains; seed " << seed;
  EXPECT_GT(summary.tally.ok, 0) << "no operation succeeded";
  for (const std::string& line : nemesis.log()) std::printf("[nemesis log] %s\n", line.c_str());
}

}  // namespace
}  // namespace cairn::cluster
