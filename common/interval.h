#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cairn {

// PostgreSQL's interval: months, days and microseconds kept apart, because
// a month is not a fixed number of days nor a day a fixed number of hours
// once added to a timestamp ('2024-01-31' + 1 month is 2024-02-29). For
// comparison, hashing and keys an interval is reduced to one span that
// counts a month as 30 days and a day as 24 hours, as PostgreSQL does, so
// '1 mon' = '30 days' and '1 day' = '24 hours'.
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;

  // Field by field: '1 day' and '24 hours' differ here but not in
  // CompareIntervals.
  bool operator==(const Interval&) const = default;
};

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerDayForInterval = 24 * kMicrosPerHour;
inline constexpr int32_t kDaysPerMonth = 30;

// The span in microseconds, a month as 30 days.
__int128 IntervalSpan(const Interval& v);
int CompareIntervals(const Interval& a, const Interval& b);

// The fields an INTERVAL type or literal is qualified with (INTERVAL '1'
// DAY, INTERVAL DAY TO SECOND): kept in SqlType::precision. A bare number
// in the input counts in the qualifier's last field, and the value is
// truncated below it.
enum class IntervalFields : int32_t {
  kAll = -1,
  kYear,
  kMonth,
  kDay,
  kHour,
  kMinute,
  kSecond,
  kYearToMonth,
  kDayToHour,
  kDayToMinute,
  kDayToSecond,
  kHourToMinute,
  kHourToSecond,
  kMinuteToSecond,
};

// PostgreSQL's interval input: "1 year 2 mons 3 days 04:05:06.5",
// "1 day ago", "@ 2 hours", "-1 day +02:00", "1-2" (years-months),
// "3 4:05:06" (days and a time), "1.5 weeks", unit abbreviations ("10s",
// "2h", "3 mins"), and ISO 8601 ("P1Y2M3DT4H5M6S", "PT0.5S"). Bad input
// fails with 22007; a field out of range with 22015.
absl::StatusOr<Interval> ParseInterval(std::string_view text,
                                       IntervalFields fields = IntervalFields::kAll);
// Truncates `v` below the last of `fields` (INTERVAL '1 2:03:04' DAY TO
// MINUTE is 1 day 02:03:00).
Interval TruncateToFields(const Interval& v, IntervalFields fields);
// Rounds the seconds to `digits` fractional digits (INTERVAL(p)); -1 or 6
// and more leave microseconds.
Interval RoundIntervalSeconds(const Interval& v, int digits);

// PostgreSQL's default output style (IntervalStyle = postgres):
// "1 year 2 mons 3 days 04:05:06.5", "-1 days +02:00:00", "00:00:00".
std::string FormatInterval(const Interval& v);

// Arithmetic, failing with 22008 "interval out of range" on overflow and
// 22012 on division by zero. Multiplication and division carry fractional
// months into days and fractional days into time, as PostgreSQL does.
absl::StatusOr<Interval> AddIntervals(const Interval& a, const Interval& b);
absl::StatusOr<Interval> NegateInterval(const Interval& v);
absl::StatusOr<Interval> MultiplyInterval(const Interval& v, double factor);
absl::StatusOr<Interval> DivideInterval(const Interval& v, double divisor);

// timestamp + interval: months first (clamping the day to the month's
// last), then days, then time. Timestamps are microseconds since
// 1970-01-01 (UTC for timestamptz: the only session time zone).
absl::StatusOr<int64_t> AddIntervalToTimestamp(int64_t micros, const Interval& v);
// timestamp - timestamp: the difference in days and time (justify_hours).
Interval SubtractTimestamps(int64_t a, int64_t b);
// age(a, b): the symbolic difference in years, months, days and time.
Interval TimestampAge(int64_t a, int64_t b);

Interval JustifyHours(const Interval& v);
Interval JustifyDays(const Interval& v);
Interval JustifyInterval(const Interval& v);

// The fields of an interval as extract() and date_trunc() see them.
struct IntervalParts {
  int64_t years = 0;
  int64_t months = 0;  // within the year
  int64_t days = 0;
  int64_t hours = 0;
  int64_t minutes = 0;
  int64_t micros = 0;  // within the minute (seconds * 10^6 + fraction)
};
IntervalParts SplitInterval(const Interval& v);

// Binary wire format: int64 microseconds, int32 days, int32 months, each
// big-endian.
std::string EncodeIntervalBinary(const Interval& v);
absl::StatusOr<Interval> DecodeIntervalBinary(std::string_view bytes);

}  // namespace cairn
