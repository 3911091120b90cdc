#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kv/engine.h"
#include "proto/metadata.pb.h"

// The data of a Raft snapshot of one range: what a replica that fell behind
// the leader's compacted log installs instead of the entries it missed.
// The snapshot is taken at the leader's applied index, so it holds the
// range's MVCC column families (default, lock, write) over the range's key
// span plus the range-local state that is not in those families.
namespace cairn::kv {

struct RangeSnapshotState {
  uint64_t tso_high_water_ms = 0;  // meta range only
  proto::RangeDescriptor range;    // as the sender knew it
  uint64_t gc_threshold = 0;       // see proto::RaftCommand::gc_threshold
};

// Serialises every entry of `state.range`'s span in `view`, with `state`.
absl::StatusOr<std::string> BuildRangeSnapshot(const EngineSnapshot& view,
                                               const RangeSnapshotState& state);

// Adds to `batch` the writes that replace the range's data in `current`
// with the snapshot `data`: a delete of every key now in the snapshot's
// span, then the snapshot's entries. Returns the snapshot's range-local
// state (the range's descriptor with it).
absl::StatusOr<RangeSnapshotState> StageRangeSnapshot(const EngineSnapshot& current,
                                                      std::string_view data, WriteBatch* batch);

// The range of the snapshot `data`, read without decoding its entries.
absl::StatusOr<proto::RangeDescriptor> PeekSnapshotRange(std::string_view data);

}  // namespace cairn::kv
