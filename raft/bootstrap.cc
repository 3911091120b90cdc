#include "raft/bootstrap.h"

#include <algorithm>
#include <utility>

namespace cairn::raft {

Snapshot MakeBootstrapSnapshot(std::vector<uint64_t> voters,
                               std::vector<uint64_t> learners) {
  std::sort(voters.begin(), voters.end());
  std::sort(learners.begin(), learners.end());
  Snapshot snap;
  snap.metadata.index = kBootstrapIndex;
  snap.metadata.term = kBootstrapTerm;
  snap.metadata.conf_state.voters = std::move(voters);
  snap.metadata.conf_state.learners = std::move(learners);
  return snap;
}

}  // namespace cairn::raft
