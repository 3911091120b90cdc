#include "txn/secondary_committer.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/metrics.h"

namespace cairn::txn {
namespace {

Counter* FailuresCounter() {
  static Counter* c = MetricRegistry::Global().GetCounter(
      "cairn_txn_secondary_commit_failures_total",
      "Secondary commits that failed in the background (their locks are rolled forward by "
      "readers)");
  return c;
}

}  // namespace

SecondaryCommitter::SecondaryCommitter(kv::KvClient* client, size_t workers, size_t max_queued)
    : client_(client), workers_count_(std::max<size_t>(workers, 1)), max_queued_(max_queued) {}

void SecondaryCommitter::Start() {
  absl::MutexLock lock(&mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  for (size_t i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { Run(); });
}

void SecondaryCommitter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  absl::MutexLock lock(&mu_);
  running_ = false;
}

void SecondaryCommitter::Commit(std::vector<std::string> keys, Timestamp start_ts,
                                Timestamp commit_ts) {
  Work work{std::move(keys), start_ts, commit_ts};
  {
    absl::MutexLock lock(&mu_);
    if (running_ && !stopping_ && queue_.size() < max_queued_) {
      queue_.push_back(std::move(work));
      return;
    }
  }
  CommitNow(work);
}

void SecondaryCommitter::CommitNow(const Work& work) {
  auto errors = client_->Commit(work.keys, work.start_ts, work.commit_ts);
  if (!errors.ok() || !errors->empty()) {
    FailuresCounter()->Add();
    CAIRN_LOG_WARN("committing the secondaries of transaction {} failed: {}", work.start_ts,
                   errors.ok() ? "a key was no longer locked" : errors.status().ToString());
  }
}

void SecondaryCommitter::Run() {
  for (;;) {
    Work work;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, and everything committed
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    CommitNow(work);
  }
}

}  // namespace cairn::txn
