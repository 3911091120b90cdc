#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "kv/kv_client.h"

namespace cairn::kv {

// Hands out ids for the ranges that splits make, from a counter in the meta
// range (the system key "i" + "range-id") incremented by one-phase commits,
// so that every node's splits draw from one sequence. Ids start above the
// ranges a cluster is bootstrapped with (keys::kFirstDataRangeId).
// Thread-safe.
class RangeIdAllocator {
 public:
  explicit RangeIdAllocator(KvClient* client) : client_(client) {}

  absl::StatusOr<uint64_t> Next();

 private:
  // One attempt: kSerializationFailure when another node took the id first.
  absl::StatusOr<uint64_t> TryNext();

  KvClient* const client_;
};

}  // namespace cairn::kv
