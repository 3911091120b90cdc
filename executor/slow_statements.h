#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace cairn::executor {

// The slowest statements this node ran in the last few minutes, for the
// operator's status page: a short list, kept as statements finish, cheap
// to update (a statement faster than every kept one changes nothing once
// the list is full). Thread-safe.
class SlowStatements {
 public:
  static constexpr size_t kKept = 10;
  static constexpr int64_t kWindowMs = 10 * 60 * 1000;
  static constexpr size_t kMaxTextBytes = 500;

  struct Entry {
    std::string text;  // the statement's SQL, cut at kMaxTextBytes
    double ms = 0;
    int64_t finished_unix_ms = 0;
    std::string user;
    std::string database;
    bool failed = false;
  };

  // The node's list.
  static SlowStatements& Global();

  void Record(std::string_view text, double ms, std::string_view user, std::string_view database,
              bool failed);
  // The kept statements of the window, slowest first.
  std::vector<Entry> Slowest() const;

 private:
  void DropExpired(int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::executor
