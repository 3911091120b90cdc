#include "executor/slow_statements.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace cairn::executor {

SlowStatements& SlowStatements::Global() {
  static auto* statements = new SlowStatements;
  return *statements;
}

void SlowStatements::DropExpired(int64_t now_ms) {
  std::erase_if(entries_,
                [now_ms](const Entry& e) { return e.finished_unix_ms < now_ms - kWindowMs; });
}

void SlowStatements::Record(std::string_view text, double ms, std::string_view user,
                            std::string_view database, bool failed) {
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  absl::MutexLock lock(&mu_);
  DropExpired(now_ms);
  auto fastest = std::min_element(entries_.begin(), entries_.end(),
                                  [](const Entry& a, const Entry& b) { return a.ms < b.ms; });
  if (entries_.size() >= kKept) {
    if (fastest->ms >= ms) return;
    entries_.erase(fastest);
  }
  Entry entry;
  entry.text = std::string(text.substr(0, kMaxTextBytes));
  entry.ms = ms;
  entry.finished_unix_ms = now_ms;
  entry.user = std::string(user);
  entry.database = std::string(database);
  entry.failed = failed;
  entries_.push_back(std::move(entry));
}

std::vector<SlowStatements::Entry> SlowStatements::Slowest() const {
  const int64_t since_ms = absl::ToUnixMillis(absl::Now()) - kWindowMs;
  std::vector<Entry> out;
  {
    absl::MutexLock lock(&mu_);
    for (const Entry& e : entries_) {
      if (e.finished_unix_ms >= since_ms) out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.ms > b.ms; });
  return out;
}

}  // namespace cairn::executor
