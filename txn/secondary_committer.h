#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/timestamp.h"
#include "kv/kv_client.h"

namespace cairn::txn {

// Commits transactions' secondary keys after their clients have been
// answered (DESIGN.md "Transactions": commit secondaries asynchronously).
// Once the primary is committed the transaction is, so nothing here is
// needed for correctness: a reader that meets a secondary's lock first
// rolls it forward from the primary. Until the records land, though, other
// writers of those keys wait, so several workers commit at once. The work
// queue is bounded; past it a committer commits its own secondaries before
// answering. Stop commits what is queued. Thread-safe; one per node.
class SecondaryCommitter {
 public:
  explicit SecondaryCommitter(kv::KvClient* client, size_t workers = 4, size_t max_queued = 256);
  ~SecondaryCommitter() { Stop(); }

  void Start();
  // Commits what is queued, then ends the worker.
  void Stop();

  void Commit(std::vector<std::string> keys, Timestamp start_ts, Timestamp commit_ts);

 private:
  struct Work {
    std::vector<std::string> keys;
    Timestamp start_ts;
    Timestamp commit_ts;
  };
  void CommitNow(const Work& work);
  void Run();

  kv::KvClient* const client_;
  const size_t workers_count_;
  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<Work> queue_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace cairn::txn
