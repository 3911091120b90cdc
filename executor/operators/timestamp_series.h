#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/error_code.h"
#include "common/interval.h"
#include "common/value.h"

namespace cairn::executor {

// generate_series(start, stop, step) over timestamps: start, start + step,
// ... (months, days and time added as timestamp + interval adds them)
// while not past stop. Shared by the FROM form (kSeries) and the
// select-list form (kProjectSet).
class TimestampSeries {
 public:
  static absl::StatusOr<TimestampSeries> Make(TypeId type, int64_t start, int64_t stop,
                                              const Interval& step) {
    const int direction = CompareIntervals(step, Interval{});
    if (direction == 0) {
      return MakeError(ErrorCode::kInvalidParameterValue, "step size cannot equal zero");
    }
    return TimestampSeries(type, start, stop, step, direction > 0);
  }

  // The next timestamp, or false when the series is done.
  absl::StatusOr<bool> Next(Value* out) {
    if (done_ || (ascending_ ? next_ > stop_ : next_ < stop_)) return false;
    *out = Value::Timestamp(type_, next_);
    absl::StatusOr<int64_t> following = AddIntervalToTimestamp(next_, step_);
    if (!following.ok()) {
      done_ = true;  // past the end of time: nothing more to give
    } else {
      next_ = *following;
    }
    return true;
  }

 private:
  TimestampSeries(TypeId type, int64_t start, int64_t stop, const Interval& step, bool ascending)
      : type_(type), next_(start), stop_(stop), step_(step), ascending_(ascending) {}

  TypeId type_;
  int64_t next_;
  int64_t stop_;
  Interval step_;
  bool ascending_;
  bool done_ = false;
};

}  // namespace cairn::executor
