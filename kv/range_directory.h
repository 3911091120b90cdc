#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/metadata.pb.h"

namespace cairn::kv {

// What the cluster says of its ranges, for operators (SHOW RANGES), and
// what operators may ask of them (ALTER TABLE ... SPLIT AT).
struct RangeInfo {
  proto::RangeDescriptor range;
  uint64_t leaseholder_node_id = 0;
  // Approximate bytes of the range's data on the node that answered, when
  // it holds a replica.
  std::optional<uint64_t> approximate_bytes;
};

class RangeDirectory {
 public:
  virtual ~RangeDirectory() = default;
  // The ranges overlapping [start, end) (empty end: the keyspace's end), in
  // key order, each with its leaseholder as found now.
  virtual absl::StatusOr<std::vector<RangeInfo>> RangesIn(std::string_view start,
                                                          std::string_view end) = 0;
  // Makes `key` the start of a range: splits the range that holds it, or
  // does nothing when a range starts there already. Retries while the
  // range moves; returns once its leaseholder has applied the split.
  virtual absl::Status SplitAt(std::string_view key) = 0;
};

}  // namespace cairn::kv
