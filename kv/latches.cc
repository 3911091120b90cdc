#include "kv/latches.h"

#include <algorithm>

namespace cairn::kv {

Latches::Guard Latches::Acquire(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  absl::MutexLock lock(&mu_);
  auto all_free = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::none_of(keys.begin(), keys.end(), [&](const std::string& k) {
      return held_.count(k) > 0 || IsFrozen(k);
    });
  };
  while (!all_free()) released_.Wait(&mu_);
  for (const std::string& k : keys) held_.insert(k);
  return Guard(this, std::move(keys));
}

void Latches::WaitUnlatched(std::string_view key) {
  absl::MutexLock lock(&mu_);
  while (held_.find(key) != held_.end()) released_.Wait(&mu_);
}

bool Latches::AnyHeldIn(std::string_view start, std::string_view end) const {
  auto it = held_.lower_bound(start);
  return it != held_.end() && (end.empty() || *it < end);
}

bool Latches::IsFrozen(std::string_view key) const {
  return std::any_of(frozen_.begin(), frozen_.end(), [&](const FrozenSpan& span) {
    return key >= span.start && (span.end.empty() || key < span.end);
  });
}

void Latches::WaitRangeUnlatched(std::string_view start, std::string_view end) {
  absl::MutexLock lock(&mu_);
  while (AnyHeldIn(start, end)) released_.Wait(&mu_);
}

Latches::SpanFreeze Latches::Freeze(std::string start, std::string end) {
  absl::MutexLock lock(&mu_);
  // Frozen first, then drained: writers arriving meanwhile wait too.
  const uint64_t id = next_freeze_id_++;
  frozen_.push_back({id, start, end});
  while (AnyHeldIn(start, end)) released_.Wait(&mu_);
  return SpanFreeze(this, id);
}

void Latches::Thaw(uint64_t id) {
  absl::MutexLock lock(&mu_);
  std::erase_if(frozen_, [id](const FrozenSpan& span) { return span.id == id; });
  released_.SignalAll();
}

void Latches::Release(const std::vector<std::string>& keys) {
  absl::MutexLock lock(&mu_);
  for (const std::string& k : keys) held_.erase(k);
  released_.SignalAll();
}

}  // namespace cairn::kv
