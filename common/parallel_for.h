#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "common/statement_interrupts.h"

namespace cairn {

// Runs body(0) ... body(n - 1), up to `max_parallel` at a time: on the
// calling thread and on max_parallel - 1 threads started for the call,
// each taking the next index until none is left. Returns when all have
// run. For fanning requests out to several ranges (a transaction's
// prewrites), where each call mostly waits on another node or on Raft.
// The helper threads run under the caller's statement interrupts, so a
// cancel or statement_timeout ends their waits as it ends the caller's.
template <typename Body>
void ParallelFor(size_t n, size_t max_parallel, const Body& body) {
  if (n <= 1 || max_parallel <= 1) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) body(i);
  };
  const StatementInterrupts::Handle interrupts = StatementInterrupts::Current();
  auto helper = [&] {
    InheritedInterrupts inherited(interrupts);
    work();
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min(n, max_parallel) - 1;
  helpers.reserve(extra);
  for (size_t t = 0; t < extra; ++t) helpers.emplace_back(helper);
  work();
  for (std::thread& t : helpers) t.join();
}

}  // namespace cairn
