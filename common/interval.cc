// Intervals compared, printed and added to timestamps as PostgreSQL does;
// their input is in interval_input.cc.
#include "common/interval.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/civil_date.h"
#include "common/error_code.h"

namespace cairn {
namespace {

constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = kMicrosPerDayForInterval;
constexpr int kMonthsPerYear = 12;

absl::Status IntervalOutOfRange() {
  return MakeError(ErrorCode::kDatetimeFieldOverflow, "interval out of range");
}
absl::Status TimestampOutOfRange() {
  return MakeError(ErrorCode::kDatetimeFieldOverflow, "timestamp out of range");
}

// A timestamp split into its date and its time of day.
struct CivilTime {
  CivilDate date;
  int64_t time_of_day;  // microseconds since midnight
};

CivilTime SplitTimestamp(int64_t micros) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  return {CivilFromDays(days), micros - days * kMicrosPerDay};
}

}  // namespace

__int128 IntervalSpan(const Interval& v) {
  return static_cast<__int128>(v.micros) +
         (static_cast<__int128>(v.months) * kDaysPerMonth + v.days) * kMicrosPerDay;
}

int CompareIntervals(const Interval& a, const Interval& b) {
  const __int128 x = IntervalSpan(a), y = IntervalSpan(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// ---------------------------------------------------------------- output

std::string FormatInterval(const Interval& v) {
  const int64_t years = v.months / kMonthsPerYear;
  const int64_t months = v.months % kMonthsPerYear;
  const int64_t days = v.days;
  int64_t time = v.micros;
  const int64_t hours = time / kMicrosPerHour;
  time -= hours * kMicrosPerHour;
  const int64_t minutes = time / kMicrosPerMinute;
  time -= minutes * kMicrosPerMinute;
  const int64_t seconds = time / kMicrosPerSecond;
  const int64_t fraction = time - seconds * kMicrosPerSecond;

  std::string out;
  bool is_zero = true;
  bool is_before = false;
  // Each nonzero field is written with a '+' when the one before it was
  // negative, so that "-1 days +02:00:00" reads back the same.
  auto add_part = [&](int64_t value, const char* unit) {
    if (value == 0) return;
    absl::StrAppend(&out, is_zero ? "" : " ", is_before && value > 0 ? "+" : "", value, " ", unit,
                    value != 1 ? "s" : "");
    is_before = value < 0;
    is_zero = false;
  };
  add_part(years, "year");
  add_part(months, "mon");
  add_part(days, "day");
  if (is_zero || hours != 0 || minutes != 0 || seconds != 0 || fraction != 0) {
    const bool minus = hours < 0 || minutes < 0 || seconds < 0 || fraction < 0;
    absl::StrAppend(&out, is_zero ? "" : " ", minus ? "-" : (is_before ? "+" : ""),
                    absl::StrFormat("%02d:%02d:%02d", std::llabs(hours), std::llabs(minutes),
                                    std::llabs(seconds)));
    if (fraction != 0) {
      std::string digits = absl::StrFormat("%06d", std::llabs(fraction));
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      absl::StrAppend(&out, ".", digits);
    }
  }
  return out;
}

// ---------------------------------------------------------------- arithmetic

namespace {

absl::StatusOr<Interval> FromWide(__int128 months, __int128 days, __int128 micros) {
  if (months > INT32_MAX || months < INT32_MIN || days > INT32_MAX || days < INT32_MIN ||
      micros > INT64_MAX || micros < INT64_MIN) {
    return IntervalOutOfRange();
  }
  return Interval{static_cast<int32_t>(months), static_cast<int32_t>(days),
                  static_cast<int64_t>(micros)};
}

// Rounds to microseconds, as PostgreSQL's TSROUND.
double RoundToMicros(double v) { return std::rint(v * 1e6) / 1e6; }

// PostgreSQL's interval_mul and interval_div share the cascade of the
// fractional parts: months to days (30 each), days to seconds.
// `months`, `days` and `time` are the scaled fields, not yet truncated.
absl::StatusOr<Interval> Scale(double months, double days, double time) {
  if (std::isnan(months) || std::isnan(days) || std::isnan(time) || months > INT32_MAX ||
      months < INT32_MIN || days > INT32_MAX || days < INT32_MIN) {
    return IntervalOutOfRange();
  }
  Interval out;
  out.months = static_cast<int32_t>(months);
  out.days = static_cast<int32_t>(days);
  double month_remainder_days = RoundToMicros((months - out.months) * kDaysPerMonth);
  double sec_remainder = RoundToMicros(
      (days - out.days + month_remainder_days - static_cast<int>(month_remainder_days)) * 86400.0);
  if (std::fabs(sec_remainder) >= 86400.0) {
    const int whole = static_cast<int>(sec_remainder / 86400.0);
    out.days += whole;
    sec_remainder -= whole * 86400.0;
  }
  out.days += static_cast<int32_t>(month_remainder_days);
  const double micros = std::rint(time + sec_remainder * 1e6);
  if (!(micros >= -9.2e18 && micros <= 9.2e18)) return IntervalOutOfRange();
  out.micros = static_cast<int64_t>(micros);
  return out;
}

}  // namespace

absl::StatusOr<Interval> AddIntervals(const Interval& a, const Interval& b) {
  return FromWide(static_cast<__int128>(a.months) + b.months,
                  static_cast<__int128>(a.days) + b.days,
                  static_cast<__int128>(a.micros) + b.micros);
}

absl::StatusOr<Interval> NegateInterval(const Interval& v) {
  return FromWide(-static_cast<__int128>(v.months), -static_cast<__int128>(v.days),
                  -static_cast<__int128>(v.micros));
}

absl::StatusOr<Interval> MultiplyInterval(const Interval& v, double factor) {
  return Scale(v.months * factor, v.days * factor, static_cast<double>(v.micros) * factor);
}

absl::StatusOr<Interval> DivideInterval(const Interval& v, double divisor) {
  if (divisor == 0) return MakeError(ErrorCode::kDivisionByZero, "division by zero");
  return Scale(v.months / divisor, v.days / divisor, static_cast<double>(v.micros) / divisor);
}

absl::StatusOr<int64_t> AddIntervalToTimestamp(int64_t micros, const Interval& v) {
  int64_t result = micros;
  if (v.months != 0 || v.days != 0) {
    CivilTime t = SplitTimestamp(result);
    if (v.months != 0) {
      int64_t month_index = t.date.year * kMonthsPerYear + (t.date.month - 1) + v.months;
      t.date.year = FloorDiv(month_index, kMonthsPerYear);
      t.date.month = static_cast<int>(month_index - t.date.year * kMonthsPerYear + 1);
      t.date.day = std::min(t.date.day, DaysInMonth(t.date.year, t.date.month));
    }
    const int64_t days = DaysFromCivil(t.date.year, t.date.month, t.date.day) + v.days;
    if (days > 106751991 || days < -106751991) return TimestampOutOfRange();
    result = days * kMicrosPerDay + t.time_of_day;
  }
  if (__builtin_add_overflow(result, v.micros, &result)) return TimestampOutOfRange();
  return result;
}

Interval SubtractTimestamps(int64_t a, int64_t b) { return JustifyHours(Interval{0, 0, a - b}); }

Interval TimestampAge(int64_t a, int64_t b) {
  const CivilTime x = SplitTimestamp(a), y = SplitTimestamp(b);
  auto fields = [](const CivilTime& t, int64_t f[6]) {
    f[0] = t.date.year;
    f[1] = t.date.month;
    f[2] = t.date.day;
    f[3] = t.time_of_day / kMicrosPerHour;
    f[4] = (t.time_of_day / kMicrosPerMinute) % 60;
    f[5] = t.time_of_day % kMicrosPerMinute;  // seconds and fraction, in microseconds
  };
  int64_t fa[6], fb[6], d[6];
  fields(x, fa);
  fields(y, fb);
  for (int i = 0; i < 6; ++i) d[i] = fa[i] - fb[i];
  // Work on a non-negative difference, borrowing from the next field up;
  // a month borrowed is as long as the earlier timestamp's month.
  const bool negative = a < b;
  if (negative) {
    for (int64_t& f : d) f = -f;
  }
  while (d[5] < 0) {
    d[5] += kMicrosPerMinute;
    --d[4];
  }
  while (d[4] < 0) {
    d[4] += 60;
    --d[3];
  }
  while (d[3] < 0) {
    d[3] += 24;
    --d[2];
  }
  while (d[2] < 0) {
    d[2] +=
        negative ? DaysInMonth(x.date.year, x.date.month) : DaysInMonth(y.date.year, y.date.month);
    --d[1];
  }
  while (d[1] < 0) {
    d[1] += kMonthsPerYear;
    --d[0];
  }
  if (negative) {
    for (int64_t& f : d) f = -f;
  }
  return Interval{static_cast<int32_t>(d[0] * kMonthsPerYear + d[1]), static_cast<int32_t>(d[2]),
                  d[3] * kMicrosPerHour + d[4] * kMicrosPerMinute + d[5]};
}

namespace {

// Whole days of the time into the days, whole months of the days into the
// months (what the justify functions share).
void CarryTimeIntoDays(Interval* v) {
  const int64_t whole_days = v->micros / kMicrosPerDay;
  v->micros -= whole_days * kMicrosPerDay;
  v->days += static_cast<int32_t>(whole_days);
}
void CarryDaysIntoMonths(Interval* v) {
  const int32_t whole_months = v->days / kDaysPerMonth;
  v->days -= whole_months * kDaysPerMonth;
  v->months += whole_months;
}

// Gives the time the days' sign: "1 day -01:00" becomes "23:00:00".
void AlignTimeWithDays(Interval* v) {
  if (v->days > 0 && v->micros < 0) {
    v->micros += kMicrosPerDay;
    --v->days;
  } else if (v->days < 0 && v->micros > 0) {
    v->micros -= kMicrosPerDay;
    ++v->days;
  }
}

}  // namespace

Interval JustifyHours(const Interval& v) {
  Interval out = v;
  CarryTimeIntoDays(&out);
  AlignTimeWithDays(&out);
  return out;
}

Interval JustifyDays(const Interval& v) {
  Interval out = v;
  CarryDaysIntoMonths(&out);
  if (out.months > 0 && out.days < 0) {
    out.days += kDaysPerMonth;
    --out.months;
  } else if (out.months < 0 && out.days > 0) {
    out.days -= kDaysPerMonth;
    ++out.months;
  }
  return out;
}

Interval JustifyInterval(const Interval& v) {
  Interval out = v;
  CarryTimeIntoDays(&out);
  CarryDaysIntoMonths(&out);
  // The months' sign for days and time together, then the days' for time.
  if (out.months > 0 && (out.days < 0 || (out.days == 0 && out.micros < 0))) {
    out.days += kDaysPerMonth;
    --out.months;
  } else if (out.months < 0 && (out.days > 0 || (out.days == 0 && out.micros > 0))) {
    out.days -= kDaysPerMonth;
    ++out.months;
  }
  AlignTimeWithDays(&out);
  return out;
}

IntervalParts SplitInterval(const Interval& v) {
  IntervalParts p;
  p.years = v.months / kMonthsPerYear;
  p.months = v.months % kMonthsPerYear;
  p.days = v.days;
  p.hours = v.micros / kMicrosPerHour;
  int64_t rest = v.micros - p.hours * kMicrosPerHour;
  p.minutes = rest / kMicrosPerMinute;
  p.micros = rest - p.minutes * kMicrosPerMinute;
  return p;
}

std::string EncodeIntervalBinary(const Interval& v) {
  std::string out(16, '\0');
  auto put = [&](size_t at, uint64_t x, int bytes) {
    for (int i = 0; i < bytes; ++i) out[at + i] = static_cast<char>(x >> (8 * (bytes - 1 - i)));
  };
  put(0, static_cast<uint64_t>(v.micros), 8);
  put(8, static_cast<uint32_t>(v.days), 4);
  put(12, static_cast<uint32_t>(v.months), 4);
  return out;
}

absl::StatusOr<Interval> DecodeIntervalBinary(std::string_view bytes) {
  if (bytes.size() != 16) {
    return MakeError(ErrorCode::kInvalidBinaryRepresentation, "insufficient data left in message");
  }
  auto get = [&](size_t at, int n) {
    uint64_t x = 0;
    for (int i = 0; i < n; ++i) x = (x << 8) | static_cast<unsigned char>(bytes[at + i]);
    return x;
  };
  return Interval{static_cast<int32_t>(static_cast<uint32_t>(get(12, 4))),
                  static_cast<int32_t>(static_cast<uint32_t>(get(8, 4))),
                  static_cast<int64_t>(get(0, 8))};
}

}  // namespace cairn
