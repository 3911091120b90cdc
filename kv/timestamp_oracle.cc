#include "kv/timestamp_oracle.h"

#include <algorithm>

#include "common/error_code.h"

namespace cairn::kv {

TimestampOracle::TimestampOracle(Clock* clock, uint64_t persisted_high_water_ms,
                                 PersistFn persist)
    : clock_(clock),
      persist_(std::move(persist)),
      physical_ms_(persisted_high_water_ms),
      high_water_ms_(persisted_high_water_ms) {
  // Start strictly above anything a previous incarnation could have issued.
  logical_ = uint64_t{1} << kLogicalBits;
}

absl::StatusOr<Timestamp> TimestampOracle::GetTimestamps(uint32_t count) {
  if (count == 0 || count >= (1u << kLogicalBits)) {
    return MakeError(ErrorCode::kInvalidArgument, "bad timestamp batch size");
  }
  absl::MutexLock lock(&mu_);
  uint64_t now = clock_->NowMillis();
  if (now > physical_ms_) {
    physical_ms_ = now;
    logical_ = 0;
  }
  if (logical_ + count >= (uint64_t{1} << kLogicalBits)) {
    // The logical counter is exhausted for this millisecond: borrow the next.
    ++physical_ms_;
    logical_ = 0;
  }
  if (physical_ms_ + 1 >= high_water_ms_) {
    uint64_t mark = std::max(physical_ms_, now) + kWindowMs;
    CAIRN_RETURN_IF_ERROR(persist_(mark));
    high_water_ms_ = mark;
  }
  Timestamp first = ComposeTimestamp(physical_ms_, logical_);
  logical_ += count;
  return first;
}

}  // namespace cairn::kv
