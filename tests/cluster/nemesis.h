// The fault injector of the Jepsen-style tests: from the test's seed, it
// kills nodes (SIGKILL, restarted on their data dirs), pauses them (SIGSTOP
// for longer than a lease, then SIGCONT; half the time the leaseholder of a
// range of the workload's table), kills or pauses the node holding the meta
// range's lease (range 1, where the timestamp oracle runs: a paused oracle
// woken after a new one took over must not hand out a timestamp again),
// and splits the
// workload's table at a fresh key while the clients run. One fault at a
// time, each on at most `max_down` nodes (a minority: 1 of 3, 2 of 5), each
// healed before the next begins: a healed node answers the workload's probe
// statement again (waited for, not slept for). The fault lengths and the
// quiet spells between faults are the deliberate sleeps.
//
// Ownership and threads: the nemesis borrows the fixture's CairnProcess
// objects and must run on the test's own thread, the one that started them
// (a node started from another thread would be SIGKILLed when that thread
// exits: CairnProcess::Start). The destructor SIGCONTs any node it left
// stopped, so that the fixture's TearDown can stop it.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "jepsen_client.h"

namespace cairn::cluster {

enum class FaultKind { kKill, kPause, kKillMetaLeaseholder, kPauseMetaLeaseholder, kSplit };

inline const char* FaultName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kKill:
      return "kill";
    case FaultKind::kPause:
      return "pause";
    case FaultKind::kKillMetaLeaseholder:
      return "kill-meta-leaseholder";
    case FaultKind::kPauseMetaLeaseholder:
      return "pause-meta-leaseholder";
    case FaultKind::kSplit:
      return "split";
  }
  return "?";
}

// The meta range, whose leaseholder runs the timestamp oracle.
constexpr int64_t kMetaRangeId = 1;

struct NemesisOptions {
  // Nodes down (killed or paused) at once, at most.
  int max_down = 1;
  // How long a killed node stays down, and a paused one stopped: the pause
  // outlasts a lease (10 Raft ticks of 100 ms) several times over.
  std::chrono::milliseconds kill_min{500}, kill_max{2'000};
  std::chrono::milliseconds pause_min{2'500}, pause_max{4'000};
  // The quiet spell after each fault is healed.
  std::chrono::milliseconds quiet_min{800}, quiet_max{2'000};
  // A fault is begun only if this much of the run is left: the longest a
  // fault and its healing take, roughly.
  std::chrono::milliseconds fault_room{4'500};
  // The kinds of fault to inject, each in turn (kSplit only with split_sql).
  std::vector<FaultKind> kinds = {FaultKind::kKill, FaultKind::kPause,
                                  FaultKind::kKillMetaLeaseholder, FaultKind::kPauseMetaLeaseholder,
                                  FaultKind::kSplit};
  // The workload's table: half the pauses (as the seed picks) stop a node
  // leading one of its ranges, so that leases move under the clients.
  std::string table;
  // A statement a healed node must answer (it reads the workload's table).
  std::string probe_sql = "SELECT 1";
  // The statement of a split at a fresh key of the workload's table (ALTER
  // TABLE ... SPLIT AT VALUES (...)); none: no splits.
  std::function<std::string(std::mt19937_64& rng)> split_sql;
};

class Nemesis {
 public:
  Nemesis(std::vector<CairnProcess*> nodes, uint64_t seed, NemesisOptions options)
      : nodes_(std::move(nodes)), rng_(seed), options_(std::move(options)), began_(Clock::now()) {}
  ~Nemesis() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (paused_.contains(static_cast<int>(i) + 1) && nodes_[i]->running()) {
        kill(nodes_[i]->pid(), SIGCONT);
      }
    }
  }
  Nemesis(const Nemesis&) = delete;
  Nemesis& operator=(const Nemesis&) = delete;

  // Injects faults one after another (each kind in turn, in an order the
  // seed shuffles) until `until`, healing each; returns with every node up
  // and answering. A node that cannot be brought back is a test failure.
  void RunUntil(Clock::time_point until) {
    while (Clock::now() + options_.fault_room < until) {
      if (bag_.empty()) {
        for (FaultKind kind : options_.kinds) {
          if (kind != FaultKind::kSplit || options_.split_sql) bag_.push_back(kind);
        }
        if (bag_.empty()) break;
        std::shuffle(bag_.begin(), bag_.end(), rng_);
      }
      const FaultKind kind = bag_.back();
      bag_.pop_back();
      Inject(kind);
      if (Clock::now() + options_.quiet_min >= until) break;
      std::this_thread::sleep_for(Between(options_.quiet_min, options_.quiet_max));
    }
    EXPECT_TRUE(HealAll());
  }

  // Restarts killed nodes, continues paused ones, restarts any that exited
  // by itself (a test failure: a crash), and waits until every node answers
  // the probe.
  ::testing::AssertionResult HealAll() {
    for (int id = 1; id <= static_cast<int>(nodes_.size()); ++id) {
      if (paused_.contains(id)) Continue(id);
      if (!node(id).Alive()) {
        if (!killed_.contains(id)) {
          ADD_FAILURE() << "node " << id << " exited by itself with " << node(id).exit_code()
                        << "; its log: " << node(id).log_path() << "\n"
                        << node(id).LogTail(30);
          Log(absl::StrCat("node ", id, " found exited by itself (", node(id).exit_code(), ")"));
        }
        Restart(id);
      }
    }
    for (int id = 1; id <= static_cast<int>(nodes_.size()); ++id) {
      ::testing::AssertionResult answers = WaitAnswers(id);
      if (!answers) return answers;
    }
    return ::testing::AssertionSuccess();
  }

  // "kill=2 pause=1 kill-meta-leaseholder=1 pause-meta-leaseholder=1 split=1"
  // (faults injected, by kind; a fault on two nodes counts once).
  std::string Summary() const {
    std::vector<std::string> parts;
    for (FaultKind kind : {FaultKind::kKill, FaultKind::kPause, FaultKind::kKillMetaLeaseholder,
                           FaultKind::kPauseMetaLeaseholder, FaultKind::kSplit}) {
      auto it = injected_.find(kind);
      parts.push_back(absl::StrCat(FaultName(kind), "=", it == injected_.end() ? 0 : it->second));
    }
    if (failed_splits_ > 0) parts.push_back(absl::StrCat("failed-splits=", failed_splits_));
    return absl::StrJoin(parts, " ");
  }
  int injected(FaultKind kind) const {
    auto it = injected_.find(kind);
    return it == injected_.end() ? 0 : it->second;
  }
  // What happened when, in ms since the nemesis was made.
  const std::vector<std::string>& log() const { return log_; }

 private:
  CairnProcess& node(int id) { return *nodes_.at(id - 1); }

  std::chrono::milliseconds Between(std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
    return lo +
           std::chrono::milliseconds(rng_() % (hi - lo + std::chrono::milliseconds(1)).count());
  }

  void Log(const std::string& what) {
    log_.push_back(absl::StrCat("+", ElapsedMs(began_), " ms: ", what));
    std::printf("[nemesis] %s\n", log_.back().c_str());
    std::fflush(stdout);
  }

  // 1, or up to max_down nodes, picked by the seed.
  int HowMany() {
    return options_.max_down <= 1 ? 1 : 1 + static_cast<int>(rng_() % options_.max_down);
  }

  // `count` distinct node ids, starting with `first` if given.
  std::vector<int> Victims(int count, int first = 0) {
    std::vector<int> ids;
    for (int id = 1; id <= static_cast<int>(nodes_.size()); ++id) {
      if (id != first) ids.push_back(id);
    }
    std::shuffle(ids.begin(), ids.end(), rng_);
    if (first != 0) ids.insert(ids.begin(), first);
    ids.resize(std::min<size_t>(ids.size(), count));
    return ids;
  }

  // SHOW RANGES [FROM TABLE `table`] through the first node that answers.
  std::vector<RangeRow> Ranges(const std::string& table) {
    const std::string sql =
        table.empty() ? "SHOW RANGES" : absl::StrCat("SHOW RANGES FROM TABLE ", table);
    for (int id = 1; id <= static_cast<int>(nodes_.size()); ++id) {
      JepsenSession session(JepsenDsn(node(id)));
      if (!session.ok()) continue;
      ClientResult r = session.Exec(sql);
      if (!r.ok) continue;
      std::vector<RangeRow> rows;
      for (const auto& cells : r.rows) {
        absl::StatusOr<RangeRow> row = ParseRangeRow(cells);
        if (row.ok() && row->lease_holder > 0 &&
            row->lease_holder <= static_cast<int64_t>(nodes_.size())) {
          rows.push_back(*row);
        }
      }
      return rows;
    }
    return {};
  }

  // Range 1's leaseholder, per SHOW RANGES; 0 if no node says.
  int MetaLeaseholder() {
    for (const RangeRow& row : Ranges("")) {
      if (row.range_id == kMetaRangeId) return static_cast<int>(row.lease_holder);
    }
    return 0;
  }

  // The leaseholder of a range of the workload's table picked by the seed,
  // and which range; {0, 0} if none is known.
  std::pair<int, int64_t> TableLeaseholder() {
    const std::vector<RangeRow> rows = Ranges(options_.table);
    if (rows.empty()) return {0, 0};
    const RangeRow& row = rows[rng_() % rows.size()];
    return {static_cast<int>(row.lease_holder), row.range_id};
  }

  void Inject(FaultKind kind) {
    switch (kind) {
      case FaultKind::kKill:
      case FaultKind::kKillMetaLeaseholder: {
        int first = 0;
        if (kind == FaultKind::kKillMetaLeaseholder) {
          first = MetaLeaseholder();
          if (first == 0) {
            Log("kill-meta-leaseholder: no node named range 1's leaseholder; skipped");
            return;
          }
        }
        const std::vector<int> victims = Victims(HowMany(), first);
        const auto down = Between(options_.kill_min, options_.kill_max);
        for (int id : victims) {
          node(id).Kill();
          killed_.insert(id);
        }
        ++injected_[kind];
        Log(absl::StrCat(FaultName(kind), ": SIGKILL node(s) ", absl::StrJoin(victims, ","),
                         first != 0 ? absl::StrCat(" (node ", first, " held range 1's lease)") : "",
                         "; down for ", down.count(), " ms"));
        std::this_thread::sleep_for(down);
        for (int id : victims) Restart(id);
        for (int id : victims) EXPECT_TRUE(WaitAnswers(id));
        return;
      }
      case FaultKind::kPause:
      case FaultKind::kPauseMetaLeaseholder: {
        auto [leaseholder, range] = std::pair<int, int64_t>{0, 0};
        if (kind == FaultKind::kPauseMetaLeaseholder) {
          leaseholder = MetaLeaseholder();
          range = kMetaRangeId;
          if (leaseholder == 0) {
            Log("pause-meta-leaseholder: no node named range 1's leaseholder; skipped");
            return;
          }
        } else if (!options_.table.empty() && rng_() % 2 == 0) {
          std::tie(leaseholder, range) = TableLeaseholder();
        }
        const std::vector<int> victims = Victims(HowMany(), leaseholder);
        const auto stopped = Between(options_.pause_min, options_.pause_max);
        for (int id : victims) {
          kill(node(id).pid(), SIGSTOP);
          paused_.insert(id);
        }
        ++injected_[kind];
        Log(absl::StrCat(FaultName(kind), ": SIGSTOP node(s) ", absl::StrJoin(victims, ","),
                         leaseholder != 0
                             ? absl::StrCat(" (node ", leaseholder, " held r", range, "'s lease)")
                             : "",
                         " for ", stopped.count(), " ms"));
        std::this_thread::sleep_for(stopped);
        for (int id : victims) Continue(id);
        for (int id : victims) EXPECT_TRUE(WaitAnswers(id));
        return;
      }
      case FaultKind::kSplit: {
        const std::string sql = options_.split_sql(rng_);
        const auto start = Clock::now();
        // Through any node; a transient error is tried again, through
        // another, for a while.
        std::string last;
        while (Clock::now() - start < kMembershipDeadline) {
          const int via = 1 + static_cast<int>(rng_() % nodes_.size());
          JepsenSession session(JepsenDsn(node(via)));
          if (!session.ok()) {
            last = absl::StrCat("connect via node ", via, ": ", session.error());
            std::this_thread::sleep_for(kPollInterval);
            continue;
          }
          ClientResult r = session.Exec(sql);
          if (r.ok) {
            ++injected_[kind];
            Log(absl::StrCat("split: ", sql, " via node ", via, " took ", ElapsedMs(start), " ms"));
            return;
          }
          last = absl::StrCat("via node ", via, ": ", ErrorKey(r), " ", r.message);
          if (Classify(r) == ErrorClass::kUnexpected) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ++failed_splits_;
        ADD_FAILURE() << "the nemesis could not split: " << sql << ": " << last;
        Log(absl::StrCat("split FAILED: ", sql, ": ", last));
        return;
      }
    }
  }

  void Continue(int id) {
    if (node(id).running()) kill(node(id).pid(), SIGCONT);
    paused_.erase(id);
  }

  void Restart(int id) {
    const auto start = Clock::now();
    ::testing::AssertionResult started = node(id).Start();
    EXPECT_TRUE(started) << "restarting node " << id;
    if (started) killed_.erase(id);
    Log(absl::StrCat("node ", id, started ? " restarted" : " did NOT restart",
                     " (/health 200 after ", ElapsedMs(start), " ms)"));
  }

  // Waits until node `id` answers the probe statement.
  ::testing::AssertionResult WaitAnswers(int id) {
    const auto start = Clock::now();
    std::string last;
    while (Clock::now() - start < kMembershipDeadline) {
      JepsenSession session(JepsenDsn(node(id)));
      if (session.ok()) {
        ClientResult r = session.Exec(options_.probe_sql);
        if (r.ok) {
          Log(absl::StrCat("node ", id, " answers SQL again after ", ElapsedMs(start), " ms"));
          return ::testing::AssertionSuccess();
        }
        last = absl::StrCat(ErrorKey(r), " ", r.message);
      } else {
        last = session.error();
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    Log(absl::StrCat("node ", id, " still not answering: ", last));
    return ::testing::AssertionFailure()
           << "node " << id << " did not answer " << options_.probe_sql << " within "
           << ElapsedMs(start) << " ms after healing; last: " << last;
  }

  std::vector<CairnProcess*> nodes_;
  std::mt19937_64 rng_;
  NemesisOptions options_;
  Clock::time_point began_;
  std::vector<FaultKind> bag_;
  std::set<int> killed_;
  std::set<int> paused_;
  std::map<FaultKind, int> injected_;
  int failed_splits_ = 0;
  std::vector<std::string> log_;
};

}  // namespace cairn::cluster
