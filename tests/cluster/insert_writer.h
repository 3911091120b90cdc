// The INSERT writer of the failover and split tests: one autocommit INSERT
// of a unique key at a time through one node, retrying transient errors on a
// fresh connection and recording what was acknowledged, found committed on a
// retry (23505) or left unknown; and the longest pause between acknowledged
// writes after a failure was injected.
#pragma once

#include "cluster_fixture.h"

namespace cairn::cluster {

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
inline bool IsFailoverTransient(const QueryResult& r) {
  if (r.connection_lost) return true;
  for (const char* state : {"40001", "40P01", "55P03", "40003", "08006", "57P01", "57014"}) {
    if (r.sqlstate == state) return true;
  }
  return r.sqlstate == "XX000" &&
         absl::StrContains(absl::AsciiStrToLower(r.message), "unavailable");
}

// The statement a writer sends to write `key`: an INSERT of the one row with
// that key. Called on the writer's thread.
using InsertStatement = std::function<std::string(int64_t key)>;

// The failover tests' row: the key and the node it is written through.
inline InsertStatement FailoverRow(int via) {
  return [via](int64_t key) {
    return absl::StrCat("INSERT INTO failover VALUES (", key, ", ", via, ")");
  };
}

// Inserts keys first_key, first_key + 1, ... through the node of `dsns[0]`,
// one autocommit `insert` each, until `stop`. A key whose attempt fails with a
// transient error is tried again on a fresh session, on the node of the next
// DSN of `dsns` (round robin; a node down or cut off is left for another),
// until an attempt settles it (INSERT 0 1: acknowledged; 23505: an earlier
// attempt committed it) or the workload ends (its outcome unknown). A failed
// connect moves on to the next DSN too. So, until `stop`, every key below the
// one being written is committed. Stops early, with report->error, on an
// error no retry cures.
inline void RunInsertStatements(const std::vector<std::string>& dsns, const InsertStatement& insert,
                                int64_t first_key, const std::atomic<bool>& stop,
                                InsertWriterReport* report) {
  std::unique_ptr<PgConn> pg;
  size_t next_dsn = 0;  // the node of the next session: dsns[next_dsn % dsns.size()]
  for (int64_t key = first_key; !stop.load(); ++key) {
    const std::string sql = insert(key);
    for (bool tried = false;;) {
      if (tried && stop.load()) {
        report->unknown.push_back(key);
        break;
      }
      if (pg == nullptr || !pg->ok()) {
        if (key != first_key || tried) ++report->reconnects;
        pg = Connect(dsns[next_dsn % dsns.size()], kFailoverStatementTimeoutMs);
        if (!pg->ok()) {
          auto& [count, message] = report->errors["connect"];
          ++count;
          message = std::string(absl::StripTrailingAsciiWhitespace(pg->error()));
          ++next_dsn;
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
      pg.reset();  // a fresh session for the next attempt, on the next node
      ++next_dsn;
      std::this_thread::sleep_for(kRetryPause);
    }
  }
}

// RunInsertStatements through the one node of `dsn`.
inline void RunInsertStatements(const std::string& dsn, const InsertStatement& insert,
                                int64_t first_key, const std::atomic<bool>& stop,
                                InsertWriterReport* report) {
  RunInsertStatements(std::vector<std::string>{dsn}, insert, first_key, stop, report);
}

// RunInsertStatements of failover(k, via) rows through node `via`.
inline void RunInsertWriter(const std::string& dsn, int via, int64_t first_key,
                            const std::atomic<bool>& stop, InsertWriterReport* report) {
  RunInsertStatements(dsn, FailoverRow(via), first_key, stop, report);
}

inline std::string DescribeErrors(const InsertWriterReport& report) {
  std::vector<std::string> parts;
  for (const auto& [state, seen] : report.errors) {
    parts.push_back(absl::StrCat(state, " x", seen.first, " (last: ", seen.second, ")"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

// RunInsertStatements on a thread of its own (failover rows unless given
// `insert`), stopped and joined at the latest when the object is destroyed,
// so that a test giving up early (an ASSERT) does not leave it running.
// report() may be read once Stop() has returned, or once gave_up(); acked()
// at any time.
class InsertWriterThread {
 public:
  InsertWriterThread(const std::string& dsn, int via, int64_t first_key)
      : InsertWriterThread(dsn, via, first_key, FailoverRow(via)) {}
  InsertWriterThread(const std::string& dsn, int via, int64_t first_key, InsertStatement insert)
      : InsertWriterThread(std::vector<std::string>{dsn}, via, first_key, std::move(insert)) {}
  // Through the nodes of `dsns`, moving to the next one after a failure.
  InsertWriterThread(std::vector<std::string> dsns, int via, int64_t first_key,
                     InsertStatement insert) {
    report_.node = via;
    thread_ = std::thread([this, dsns = std::move(dsns), insert = std::move(insert), first_key] {
      RunInsertStatements(dsns, insert, first_key, stop_, &report_);
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

}  // namespace cairn::cluster
