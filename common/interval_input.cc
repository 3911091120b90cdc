// PostgreSQL's interval input: the postgres, SQL-standard and ISO 8601
// forms, read right to left as PostgreSQL reads them.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/interval.h"

namespace cairn {
namespace {

constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = kMicrosPerDayForInterval;
constexpr int kMonthsPerYear = 12;

absl::Status BadFormat(std::string_view text) {
  return MakeError(ErrorCode::kInvalidDatetimeFormat,
                   absl::StrFormat("invalid input syntax for type interval: \"%s\"", text));
}
absl::Status FieldOverflow(std::string_view text) {
  return MakeError(ErrorCode::kIntervalFieldOverflow,
                   absl::StrFormat("interval field value out of range: \"%s\"", text));
}

// PostgreSQL's interval input accumulates into these before it checks that
// the months fit.
struct Accumulator {
  int64_t years = 0;
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
};

bool AddMul(int64_t* acc, int64_t v, int64_t scale) {
  int64_t product;
  if (__builtin_mul_overflow(v, scale, &product)) return false;
  return !__builtin_add_overflow(*acc, product, acc);
}

bool AddRounded(int64_t* acc, double v) {
  const double r = std::rint(v);
  if (!(r > -9.2e18 && r < 9.2e18)) return false;
  return !__builtin_add_overflow(*acc, static_cast<int64_t>(r), acc);
}

// val units of `scale` microseconds, and the fraction fval of one.
bool AdjustMicros(Accumulator* a, int64_t val, double fval, int64_t scale) {
  return AddMul(&a->micros, val, scale) &&
         AddRounded(&a->micros, fval * static_cast<double>(scale));
}

// A fraction of `scale` days: whole days, then the rest as time.
bool AdjustFractionalDays(Accumulator* a, double fval, int scale) {
  double frac = fval * scale;
  const int64_t extra = static_cast<int64_t>(frac);
  a->days += extra;
  frac -= static_cast<double>(extra);
  return AddRounded(&a->micros, frac * static_cast<double>(kMicrosPerDay));
}

enum class Unit {
  kNone,
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,
  kMonth,
  kYear,
  kDecade,
  kCentury,
  kMillennium,
  kAgo,
};

Unit UnitOf(std::string word) {
  word = absl::AsciiStrToLower(word);
  struct Entry {
    const char* name;
    Unit unit;
  };
  static constexpr Entry kUnits[] = {
      {"us", Unit::kMicrosecond},
      {"usec", Unit::kMicrosecond},
      {"usecs", Unit::kMicrosecond},
      {"usecond", Unit::kMicrosecond},
      {"useconds", Unit::kMicrosecond},
      {"microsecond", Unit::kMicrosecond},
      {"microseconds", Unit::kMicrosecond},
      {"microsecon", Unit::kMicrosecond},
      {"ms", Unit::kMillisecond},
      {"msec", Unit::kMillisecond},
      {"msecs", Unit::kMillisecond},
      {"msecond", Unit::kMillisecond},
      {"mseconds", Unit::kMillisecond},
      {"millisecond", Unit::kMillisecond},
      {"milliseconds", Unit::kMillisecond},
      {"millisecon", Unit::kMillisecond},
      {"s", Unit::kSecond},
      {"sec", Unit::kSecond},
      {"secs", Unit::kSecond},
      {"second", Unit::kSecond},
      {"seconds", Unit::kSecond},
      {"m", Unit::kMinute},
      {"min", Unit::kMinute},
      {"mins", Unit::kMinute},
      {"minute", Unit::kMinute},
      {"minutes", Unit::kMinute},
      {"h", Unit::kHour},
      {"hr", Unit::kHour},
      {"hrs", Unit::kHour},
      {"hour", Unit::kHour},
      {"hours", Unit::kHour},
      {"d", Unit::kDay},
      {"day", Unit::kDay},
      {"days", Unit::kDay},
      {"w", Unit::kWeek},
      {"week", Unit::kWeek},
      {"weeks", Unit::kWeek},
      {"mon", Unit::kMonth},
      {"mons", Unit::kMonth},
      {"month", Unit::kMonth},
      {"months", Unit::kMonth},
      {"y", Unit::kYear},
      {"yr", Unit::kYear},
      {"yrs", Unit::kYear},
      {"year", Unit::kYear},
      {"years", Unit::kYear},
      {"dec", Unit::kDecade},
      {"decs", Unit::kDecade},
      {"decade", Unit::kDecade},
      {"decades", Unit::kDecade},
      {"c", Unit::kCentury},
      {"cent", Unit::kCentury},
      {"century", Unit::kCentury},
      {"centuries", Unit::kCentury},
      {"mil", Unit::kMillennium},
      {"mils", Unit::kMillennium},
      {"millennium", Unit::kMillennium},
      {"millennia", Unit::kMillennium},
      {"ago", Unit::kAgo},
  };
  for (const Entry& e : kUnits) {
    if (word == e.name) return e.unit;
  }
  return Unit::kNone;
}

// Adds `val` (and its fraction) counted in `unit`. False on overflow.
bool AddInUnit(Accumulator* a, Unit unit, int64_t val, double fval) {
  switch (unit) {
    case Unit::kMicrosecond:
      return AdjustMicros(a, val, fval, 1);
    case Unit::kMillisecond:
      return AdjustMicros(a, val, fval, 1000);
    case Unit::kSecond:
      return AdjustMicros(a, val, fval, kMicrosPerSecond);
    case Unit::kMinute:
      return AdjustMicros(a, val, fval, kMicrosPerMinute);
    case Unit::kHour:
      return AdjustMicros(a, val, fval, kMicrosPerHour);
    case Unit::kDay:
      return AddMul(&a->days, val, 1) &&
             AddRounded(&a->micros, fval * static_cast<double>(kMicrosPerDay));
    case Unit::kWeek:
      return AddMul(&a->days, val, 7) && AdjustFractionalDays(a, fval, 7);
    case Unit::kMonth:
      return AddMul(&a->months, val, 1) && AdjustFractionalDays(a, fval, kDaysPerMonth);
    case Unit::kYear:
    case Unit::kDecade:
    case Unit::kCentury:
    case Unit::kMillennium: {
      const int64_t years = unit == Unit::kYear      ? 1
                            : unit == Unit::kDecade  ? 10
                            : unit == Unit::kCentury ? 100
                                                     : 1000;
      return AddMul(&a->years, val, years) &&
             AddRounded(&a->months, fval * static_cast<double>(years * kMonthsPerYear));
    }
    default:
      return false;
  }
}

// The unit a bare number counts in: seconds, or the qualifier's last field.
Unit DefaultUnit(IntervalFields fields) {
  switch (fields) {
    case IntervalFields::kYear:
      return Unit::kYear;
    case IntervalFields::kMonth:
    case IntervalFields::kYearToMonth:
      return Unit::kMonth;
    case IntervalFields::kDay:
      return Unit::kDay;
    case IntervalFields::kHour:
    case IntervalFields::kDayToHour:
      return Unit::kHour;
    case IntervalFields::kMinute:
    case IntervalFields::kHourToMinute:
    case IntervalFields::kDayToMinute:
      return Unit::kMinute;
    default:
      return Unit::kSecond;
  }
}

// One whitespace-separated piece of the input, split further where digits
// meet letters ("10s" is "10" and "s").
struct Field {
  enum Kind { kNumber, kTime, kWord } kind;
  std::string text;
};

bool SplitFields(std::string_view s, std::vector<Field>* out) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c) || (c == '@' && out->empty())) {
      ++i;
      continue;
    }
    const size_t start = i;
    if (std::isalpha(c)) {
      while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      out->push_back({Field::kWord, std::string(s.substr(start, i - start))});
      continue;
    }
    if (std::isdigit(c) || c == '.' || c == '+' || c == '-') {
      ++i;
      bool time = false;
      while (i < s.size()) {
        const char d = s[i];
        if (std::isdigit(static_cast<unsigned char>(d)) || d == '.' || d == '-') {
          ++i;
        } else if (d == ':') {
          time = true;
          ++i;
        } else {
          break;
        }
      }
      out->push_back(
          {time ? Field::kTime : Field::kNumber, std::string(s.substr(start, i - start))});
      continue;
    }
    return false;
  }
  return true;
}

// "[+-]h:m[:s[.f]]", or "m:s.f" (a fraction in the second part makes it
// minutes and seconds). False for bad syntax; *overflow for a minute or
// second out of range.
bool ParseTimeField(const std::string& text, int64_t* micros, bool* overflow) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ':') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 2 || parts.size() > 3) return false;
  auto whole = [](std::string_view p, int64_t* v) {
    if (p.empty() || p.size() > 18) return false;
    *v = 0;
    for (char c : p) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      *v = *v * 10 + (c - '0');
    }
    return true;
  };
  // Seconds with an optional fraction, in microseconds.
  auto seconds = [&](std::string_view p, int64_t* us) {
    const size_t dot = p.find('.');
    int64_t secs;
    if (!whole(p.substr(0, dot), &secs)) return false;
    double frac = 0;
    if (dot != std::string_view::npos) {
      std::string digits(p.substr(dot + 1));
      for (char c : digits) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      }
      if (!digits.empty()) frac = std::strtod(("0." + digits).c_str(), nullptr);
    }
    if (secs > 59) *overflow = true;
    *us = secs * kMicrosPerSecond + static_cast<int64_t>(std::rint(frac * kMicrosPerSecond));
    return true;
  };
  int64_t hours = 0, minutes = 0, second_micros = 0;
  if (parts.size() == 2 && parts[1].find('.') != std::string_view::npos) {
    if (!whole(parts[0], &minutes) || !seconds(parts[1], &second_micros)) return false;
  } else {
    if (!whole(parts[0], &hours) || !whole(parts[1], &minutes)) return false;
    if (parts.size() == 3 && !seconds(parts[2], &second_micros)) return false;
  }
  if (minutes > 59) *overflow = true;
  if (hours > std::numeric_limits<int64_t>::max() / kMicrosPerHour - 1) *overflow = true;
  if (*overflow) return true;
  int64_t total = hours * kMicrosPerHour + minutes * kMicrosPerMinute + second_micros;
  *micros = negative ? -total : total;
  return true;
}

// A signed decimal "[+-]digits[.digits]", or "[+-]years-months". False for
// bad syntax; *overflow when the whole part does not fit.
bool ParseNumberField(const std::string& text, int64_t* val, double* fval, bool* year_month,
                      bool* overflow) {
  const char* p = text.c_str();
  const bool negative = *p == '-';
  char* end = nullptr;
  errno = 0;
  *val = std::strtoll(p, &end, 10);
  if (end == p && *p != '.' && !((*p == '-' || *p == '+') && p[1] == '.')) return false;
  if (errno == ERANGE) {
    *overflow = true;
    return true;
  }
  *fval = 0;
  *year_month = false;
  if (*end == '-') {
    // SQL's "years-months".
    char* end2 = nullptr;
    const long months = std::strtol(end + 1, &end2, 10);
    if (end2 == end + 1 || *end2 != '\0') return false;
    if (months < 0 || months >= kMonthsPerYear) {
      *overflow = true;
      return true;
    }
    int64_t total;
    if (__builtin_mul_overflow(*val, kMonthsPerYear, &total) ||
        __builtin_add_overflow(total, negative ? -months : months, &total)) {
      *overflow = true;
      return true;
    }
    *val = total;
    *year_month = true;
    return true;
  }
  if (*end == '.') {
    const char* digits = end + 1;
    for (const char* q = digits; *q != '\0'; ++q) {
      if (!std::isdigit(static_cast<unsigned char>(*q))) return false;
    }
    *fval = *digits == '\0' ? 0 : std::strtod((std::string("0.") + digits).c_str(), nullptr);
    if (negative) *fval = -*fval;
    return true;
  }
  return *end == '\0';
}

absl::StatusOr<Interval> Finish(const Accumulator& a, std::string_view text) {
  int64_t months;
  if (__builtin_mul_overflow(a.years, kMonthsPerYear, &months) ||
      __builtin_add_overflow(months, a.months, &months) || months > INT32_MAX ||
      months < INT32_MIN || a.days > INT32_MAX || a.days < INT32_MIN) {
    return FieldOverflow(text);
  }
  return Interval{static_cast<int32_t>(months), static_cast<int32_t>(a.days), a.micros};
}

// ISO 8601's alternative format: PYYYY-MM-DD[THH:MM:SS[.f]].
absl::StatusOr<Interval> ParseIso8601Alternative(std::string_view text, std::string_view original) {
  const size_t t = text.find('T');
  const std::string date(
      text.substr(1, t == std::string_view::npos ? std::string_view::npos : t - 1));
  int64_t years = 0, months = 0, days = 0;
  int consumed = 0;
  if (std::sscanf(date.c_str(), "%ld-%ld-%ld%n", &years, &months, &days, &consumed) != 3 ||
      consumed != static_cast<int>(date.size())) {
    return BadFormat(original);
  }
  if (months < 0 || months > 11 || days < 0 || days > 30) return FieldOverflow(original);
  Accumulator acc;
  acc.years = years;
  acc.months = months;
  acc.days = days;
  if (t != std::string_view::npos) {
    bool overflow = false;
    if (!ParseTimeField(std::string(text.substr(t + 1)), &acc.micros, &overflow)) {
      return BadFormat(original);
    }
    if (overflow) return FieldOverflow(original);
  }
  return Finish(acc, original);
}

// ISO 8601's designator format: P[nY][nM][nW][nD][T[nH][nM][nS]].
absl::StatusOr<Interval> ParseIso8601(std::string_view text, std::string_view original) {
  // A '-' right after a digit, before any designator, separates the
  // alternative format's years and months ("P-1Y" is a negative year).
  const size_t designator = text.find_first_of("YMWDH");
  for (size_t i = 2; i < text.size() && i < designator; ++i) {
    if (text[i] == '-' && std::isdigit(static_cast<unsigned char>(text[i - 1]))) {
      return ParseIso8601Alternative(text, original);
    }
  }
  Accumulator acc;
  bool in_time = false;
  bool any = false;
  size_t i = 1;  // after 'P'
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return BadFormat(original);
      in_time = true;
      ++i;
      continue;
    }
    const size_t start = i;
    if (text[i] == '-' || text[i] == '+') ++i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start || i >= text.size()) return BadFormat(original);
    int64_t val;
    double fval;
    bool year_month, overflow = false;
    if (!ParseNumberField(std::string(text.substr(start, i - start)), &val, &fval, &year_month,
                          &overflow) ||
        year_month) {
      return BadFormat(original);
    }
    if (overflow) return FieldOverflow(original);
    Unit unit;
    switch (text[i]) {
      case 'Y':
        unit = in_time ? Unit::kNone : Unit::kYear;
        break;
      case 'M':
        unit = in_time ? Unit::kMinute : Unit::kMonth;
        break;
      case 'W':
        unit = in_time ? Unit::kNone : Unit::kWeek;
        break;
      case 'D':
        unit = in_time ? Unit::kNone : Unit::kDay;
        break;
      case 'H':
        unit = in_time ? Unit::kHour : Unit::kNone;
        break;
      case 'S':
        unit = in_time ? Unit::kSecond : Unit::kNone;
        break;
      default:
        unit = Unit::kNone;
    }
    if (unit == Unit::kNone) return BadFormat(original);
    if (!AddInUnit(&acc, unit, val, fval)) return FieldOverflow(original);
    any = true;
    ++i;
  }
  if (!any) return BadFormat(original);
  return Finish(acc, original);
}

}  // namespace

absl::StatusOr<Interval> ParseInterval(std::string_view text, IntervalFields fields) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s[0] == 'P') {
    CAIRN_ASSIGN_OR_RETURN(Interval v, ParseIso8601(s, text));
    return TruncateToFields(v, fields);
  }
  std::vector<Field> parsed;
  if (!SplitFields(s, &parsed) || parsed.empty()) return BadFormat(text);

  // Right to left, as PostgreSQL reads it: a unit names the number before
  // it, and a time makes a bare number before it a count of days.
  Accumulator acc;
  Unit unit = Unit::kNone;
  bool ago = false;
  bool seen_unit = false;  // a unit word waiting for its number
  uint32_t seen = 0;       // units given so far, each at most once
  for (size_t k = parsed.size(); k-- > 0;) {
    const Field& f = parsed[k];
    switch (f.kind) {
      case Field::kTime: {
        int64_t micros = 0;
        bool overflow = false;
        if (!ParseTimeField(f.text, &micros, &overflow)) return BadFormat(text);
        if (overflow) return FieldOverflow(text);
        constexpr uint32_t kTimeBits = (1u << static_cast<int>(Unit::kHour)) |
                                       (1u << static_cast<int>(Unit::kMinute)) |
                                       (1u << static_cast<int>(Unit::kSecond));
        if (seen & kTimeBits) return BadFormat(text);
        seen |= kTimeBits;
        if (__builtin_add_overflow(acc.micros, micros, &acc.micros)) return FieldOverflow(text);
        unit = Unit::kDay;
        seen_unit = false;
        break;
      }
      case Field::kNumber: {
        int64_t val;
        double fval;
        bool year_month, overflow = false;
        if (!ParseNumberField(f.text, &val, &fval, &year_month, &overflow)) return BadFormat(text);
        if (overflow) return FieldOverflow(text);
        Unit u = year_month ? Unit::kMonth : (unit == Unit::kNone ? DefaultUnit(fields) : unit);
        const uint32_t bit = 1u << static_cast<int>(u);
        if (seen & bit) return BadFormat(text);
        seen |= bit;
        if (!AddInUnit(&acc, u, val, fval)) return FieldOverflow(text);
        // An hour's number makes the bare number before it days ('1 2 hours'
        // is not valid, but '1 2:00' style mixes are handled by kTime).
        unit = u == Unit::kHour ? Unit::kDay : unit;
        seen_unit = false;
        break;
      }
      case Field::kWord: {
        const Unit u = UnitOf(f.text);
        if (u == Unit::kNone || seen_unit) return BadFormat(text);
        if (u == Unit::kAgo) {
          if (k != parsed.size() - 1) return BadFormat(text);
          ago = true;
          break;
        }
        unit = u;
        seen_unit = true;
        break;
      }
    }
  }
  if (seen == 0) return BadFormat(text);
  if (ago) {
    acc.years = -acc.years;
    acc.months = -acc.months;
    acc.days = -acc.days;
    acc.micros = -acc.micros;
  }
  CAIRN_ASSIGN_OR_RETURN(Interval v, Finish(acc, text));
  return TruncateToFields(v, fields);
}

Interval TruncateToFields(const Interval& v, IntervalFields fields) {
  Interval out = v;
  auto trunc_time = [&](int64_t unit) { out.micros = (out.micros / unit) * unit; };
  switch (fields) {
    case IntervalFields::kAll:
    case IntervalFields::kSecond:
    case IntervalFields::kDayToSecond:
    case IntervalFields::kHourToSecond:
    case IntervalFields::kMinuteToSecond:
      break;
    case IntervalFields::kYear:
      out.months = (out.months / kMonthsPerYear) * kMonthsPerYear;
      out.days = 0;
      out.micros = 0;
      break;
    case IntervalFields::kMonth:
    case IntervalFields::kYearToMonth:
      out.days = 0;
      out.micros = 0;
      break;
    case IntervalFields::kDay:
      out.micros = 0;
      break;
    case IntervalFields::kHour:
    case IntervalFields::kDayToHour:
      trunc_time(kMicrosPerHour);
      break;
    case IntervalFields::kMinute:
    case IntervalFields::kHourToMinute:
    case IntervalFields::kDayToMinute:
      trunc_time(kMicrosPerMinute);
      break;
  }
  return out;
}

Interval RoundIntervalSeconds(const Interval& v, int digits) {
  if (digits < 0 || digits >= 6) return v;
  int64_t factor = 1;
  for (int i = digits; i < 6; ++i) factor *= 10;
  Interval out = v;
  const int64_t half = factor / 2;
  out.micros = out.micros >= 0 ? ((out.micros + half) / factor) * factor
                               : -(((-out.micros + half) / factor) * factor);
  return out;
}

}  // namespace cairn
