#include "kv/range_fragment.h"

#include <atomic>

namespace cairn::kv {
namespace {

std::atomic<FragmentEvaluator*> registered_evaluator{nullptr};

}  // namespace

void RegisterFragmentEvaluator(FragmentEvaluator* evaluator) {
  registered_evaluator.store(evaluator, std::memory_order_release);
}

FragmentEvaluator* RegisteredFragmentEvaluator() {
  return registered_evaluator.load(std::memory_order_acquire);
}

}  // namespace cairn::kv
