#pragma once

#include <cstdint>
#include <string>

#include "kv/engine.h"
#include "kv/mvcc/txn_types.h"
#include "proto/metadata.pb.h"

namespace cairn::kv {

// Where a range's data lies in the MVCC column families: their keys are the
// escaped user keys followed by a version, and the escaping keeps order, so
// [Encode(start_key), Encode(end_key)) holds exactly the range's entries
// (empty bounds: unbounded).
struct DataSpan {
  std::string lower;
  std::string upper;
};

inline DataSpan DataSpanOf(const proto::RangeDescriptor& range) {
  return DataSpan{
      .lower = range.start_key().empty() ? "" : mvcc_keys::EncodeUserKey(range.start_key()),
      .upper = range.end_key().empty() ? "" : mvcc_keys::EncodeUserKey(range.end_key())};
}

// The engine's estimate of the bytes of the range's data on this store.
inline uint64_t RangeDataBytes(const KvEngine& engine, const proto::RangeDescriptor& range) {
  const DataSpan span = DataSpanOf(range);
  return engine.ApproximateSize(span.lower, span.upper);
}

}  // namespace cairn::kv
