#pragma once

#include <string_view>

namespace cairn::failpoint {

// Failpoints: named places where a test can make a node die at once, as
// kill -9 would, to prove that what the node leaves half done is recovered
// (a coordinator killed between the phases of a commit, say). They are set
// by the environment variable CAIRN_FAILPOINTS, a comma-separated list of
// names, read once; unset, each check costs one lookup in an empty set.
//
// Names in use:
//   kv.prewrite.after_one_range   one range of a transaction prewritten
//   txn.commit.after_prewrite     every key locked, no commit_ts yet
//   txn.commit.after_primary      the primary committed, no secondary yet
//   txn.commit.after_async_prewrite  every key locked for async commit:
//                                 committed, no commit record yet

// Kills this process (SIGKILL: no destructor, no flush) if `name` is set.
void CrashIfSet(std::string_view name);

}  // namespace cairn::failpoint
