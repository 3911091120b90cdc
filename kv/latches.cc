#include "kv/latches.h"

#include <algorithm>

namespace cairn::kv {

Latches::Guard Latches::Acquire(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  absl::MutexLock lock(&mu_);
  auto all_free = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::none_of(keys.begin(), keys.end(),
                        [&](const std::string& k) { return held_.count(k) > 0; });
  };
  while (!all_free()) released_.Wait(&mu_);
  for (const std::string& k : keys) held_.insert(k);
  return Guard(this, std::move(keys));
}

void Latches::WaitUnlatched(std::string_view key) {
  absl::MutexLock lock(&mu_);
  while (held_.find(key) != held_.end()) released_.Wait(&mu_);
}

void Latches::WaitRangeUnlatched(std::string_view start, std::string_view end) {
  absl::MutexLock lock(&mu_);
  auto busy = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = held_.lower_bound(start);
    return it != held_.end() && (end.empty() || *it < end);
  };
  while (busy()) released_.Wait(&mu_);
}

void Latches::Release(const std::vector<std::string>& keys) {
  absl::MutexLock lock(&mu_);
  for (const std::string& k : keys) held_.erase(k);
  released_.SignalAll();
}

}  // namespace cairn::kv
