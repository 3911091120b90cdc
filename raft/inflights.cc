#include "raft/inflights.h"

namespace cairn::raft {

void Inflights::FreeLE(uint64_t index) {
  while (!indexes_.empty() && indexes_.front() <= index) indexes_.pop_front();
}

void Inflights::FreeFirstOne() {
  if (!indexes_.empty()) indexes_.pop_front();
}

}  // namespace cairn::raft
