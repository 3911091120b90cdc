#pragma once

#include <cstdint>
#include <vector>

#include "raft/types.h"

// How a brand-new group comes into existence.
//
// Every replica created for a NEW group (all the initial voters, each on its
// own node) applies the same bootstrap snapshot to its empty storage before
// RawNode::Create:
//
//   MemoryLogStorage storage;
//   CAIRN_RETURN_IF_ERROR(storage.ApplySnapshot(MakeBootstrapSnapshot({1})));
//   Config config{.id = 1, .storage = &storage};
//   CAIRN_ASSIGN_OR_RETURN(auto node, RawNode::Create(config));
//
// (A durable LogStorage persists the same thing: a snapshot record at
// kBootstrapIndex/kBootstrapTerm with that ConfState and empty data, and an
// empty log.) The hard state may stay empty; raft treats the snapshot as
// committed and applied. The first entry a leader appends gets index
// kBootstrapIndex + 1.
//
// A replica that JOINS an existing group (added by a conf change) starts from
// completely empty storage (no snapshot, empty ConfState): it cannot campaign,
// and since the leader's log starts after kBootstrapIndex it is brought up to
// date by a snapshot that carries the membership. Bootstrapping at index 0
// would let a joiner replay the log from entry 1 without ever learning the
// initial voters; that is why the bootstrap index is not 0.
namespace cairn::raft {

inline constexpr uint64_t kBootstrapIndex = 1;
inline constexpr uint64_t kBootstrapTerm = 1;

// REQUIRES: `voters` non-empty, no id 0.
Snapshot MakeBootstrapSnapshot(std::vector<uint64_t> voters,
                               std::vector<uint64_t> learners = {});

}  // namespace cairn::raft
