#include "executor/interval_functions.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/interval.h"
#include "common/value_text.h"

namespace cairn::executor {
namespace {

constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;

absl::Status UnitNotSupported(const std::string& unit) {
  return MakeError(ErrorCode::kFeatureNotSupported,
                   absl::StrFormat("unit \"%s\" not supported for type interval", unit));
}

// extract(field FROM interval), as PostgreSQL 15 computes it (a numeric).
absl::StatusOr<Numeric> ExtractFromInterval(std::string field, const Interval& v) {
  field = absl::AsciiStrToLower(field);
  const IntervalParts p = SplitInterval(v);
  auto whole = [](int64_t x) { return Numeric::FromInt(x); };
  if (field == "microsecond" || field == "microseconds") return whole(p.micros);
  if (field == "millisecond" || field == "milliseconds") return Numeric{p.micros, 3};
  if (field == "second" || field == "seconds") return Numeric{p.micros, 6};
  if (field == "minute" || field == "minutes") return whole(p.minutes);
  if (field == "hour" || field == "hours") return whole(p.hours);
  if (field == "day" || field == "days") return whole(p.days);
  if (field == "month" || field == "months") return whole(p.months);
  if (field == "quarter") return whole(p.months / 3 + 1);
  if (field == "year" || field == "years") return whole(p.years);
  if (field == "decade" || field == "decades") return whole(p.years / 10);
  if (field == "century" || field == "centuries") return whole(p.years / 100);
  if (field == "millennium" || field == "millennia") return whole(p.years / 1000);
  if (field == "epoch") {
    // A year as 365.25 days and a month as 30, in microseconds.
    const __int128 seconds_from_days_and_months =
        (static_cast<__int128>(4 * 365 + 1) * (v.months / 12) +
         static_cast<__int128>(4 * 30) * (v.months % 12) + static_cast<__int128>(4) * v.days) *
        (86400 / 4);
    return Numeric{seconds_from_days_and_months * 1000000 + v.micros, 6};
  }
  if (field == "dow" || field == "doy" || field == "isodow" || field == "week" ||
      field == "isoyear" || field == "julian" || field == "timezone") {
    return UnitNotSupported(field);
  }
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrFormat("unit \"%s\" not recognized for type interval", field));
}

// date_trunc(unit, interval): the fields below `unit` zeroed.
absl::StatusOr<Interval> TruncateInterval(std::string unit, const Interval& v) {
  unit = absl::AsciiStrToLower(unit);
  IntervalParts p = SplitInterval(v);
  auto build = [](const IntervalParts& q) {
    return Interval{static_cast<int32_t>(q.years * 12 + q.months), static_cast<int32_t>(q.days),
                    q.hours * kMicrosPerHour + q.minutes * kMicrosPerMinute + q.micros};
  };
  if (unit == "microseconds" || unit == "microsecond") return v;
  if (unit == "milliseconds" || unit == "millisecond") {
    p.micros = (p.micros / 1000) * 1000;
    return build(p);
  }
  if (unit == "second" || unit == "seconds") {
    p.micros = (p.micros / kMicrosPerSecond) * kMicrosPerSecond;
    return build(p);
  }
  p.micros = 0;
  if (unit == "minute" || unit == "minutes") return build(p);
  p.minutes = 0;
  if (unit == "hour" || unit == "hours") return build(p);
  p.hours = 0;
  if (unit == "day" || unit == "days") return build(p);
  p.days = 0;
  if (unit == "month" || unit == "months") return build(p);
  if (unit == "quarter") {
    p.months = (p.months / 3) * 3;
    return build(p);
  }
  p.months = 0;
  if (unit == "year" || unit == "years") return build(p);
  if (unit == "decade" || unit == "decades") {
    p.years = (p.years / 10) * 10;
    return build(p);
  }
  if (unit == "century" || unit == "centuries") {
    p.years = (p.years / 100) * 100;
    return build(p);
  }
  if (unit == "millennium" || unit == "millennia") {
    p.years = (p.years / 1000) * 1000;
    return build(p);
  }
  if (unit == "week" || unit == "weeks") {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "interval units \"week\" not supported because months usually have "
                     "fractional weeks");
  }
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrFormat("interval units \"%s\" not recognized", unit));
}

double AsDouble(const Value& v) {
  if (IsIntegerType(v.type())) return static_cast<double>(v.int_value());
  if (v.type() == TypeId::kNumeric) return v.numeric_value().ToDouble();
  return v.float_value();
}

// make_interval(years, months, weeks, days, hours, mins, secs), each
// optional from the right.
absl::StatusOr<Interval> MakeInterval(const std::vector<Value>& args) {
  auto whole = [&](size_t i) -> int64_t { return i < args.size() ? args[i].int_value() : 0; };
  const double secs = args.size() > 6 ? AsDouble(args[6]) : 0;
  const __int128 months = static_cast<__int128>(whole(0)) * 12 + whole(1);
  const __int128 days = static_cast<__int128>(whole(2)) * 7 + whole(3);
  const double micros = std::rint(secs * 1e6);
  const __int128 time = static_cast<__int128>(whole(4)) * kMicrosPerHour +
                        static_cast<__int128>(whole(5)) * kMicrosPerMinute;
  if (std::isnan(secs) || std::isinf(secs) || months > INT32_MAX || months < INT32_MIN ||
      days > INT32_MAX || days < INT32_MIN || !(micros > -9.2e18 && micros < 9.2e18)) {
    return MakeError(ErrorCode::kDatetimeFieldOverflow, "interval out of range");
  }
  const __int128 total = time + static_cast<__int128>(micros);
  if (total > INT64_MAX || total < INT64_MIN) {
    return MakeError(ErrorCode::kDatetimeFieldOverflow, "interval out of range");
  }
  return Interval{static_cast<int32_t>(months), static_cast<int32_t>(days),
                  static_cast<int64_t>(total)};
}

int64_t TimestampMicros(const Value& v) {
  return v.type() == TypeId::kDate ? int64_t{v.date_value()} * kMicrosPerDayForInterval
                                   : v.micros_value();
}

}  // namespace

absl::StatusOr<std::optional<Value>> EvalIntervalFunction(const planner::BoundExpr& e,
                                                          const std::vector<Value>& args,
                                                          int64_t today_micros) {
  const std::string& name = e.name;
  const bool interval_second = args.size() == 2 && args[1].type() == TypeId::kInterval;
  if ((name == "extract" || name == "date_part") && interval_second) {
    CAIRN_ASSIGN_OR_RETURN(Numeric n,
                           ExtractFromInterval(FormatValue(args[0]), args[1].interval_value()));
    if (name == "extract") return Value::Num(n);
    return Value::Float64(n.ToDouble());
  }
  if (name == "date_trunc" && interval_second) {
    CAIRN_ASSIGN_OR_RETURN(Interval v,
                           TruncateInterval(FormatValue(args[0]), args[1].interval_value()));
    return Value::FromInterval(v);
  }
  if (name == "justify_hours") return Value::FromInterval(JustifyHours(args[0].interval_value()));
  if (name == "justify_days") return Value::FromInterval(JustifyDays(args[0].interval_value()));
  if (name == "justify_interval") {
    return Value::FromInterval(JustifyInterval(args[0].interval_value()));
  }
  if (name == "make_interval") {
    CAIRN_ASSIGN_OR_RETURN(Interval v, MakeInterval(args));
    return Value::FromInterval(v);
  }
  if (name == "age") {
    const int64_t a = args.size() == 2 ? TimestampMicros(args[0]) : today_micros;
    const int64_t b = TimestampMicros(args.size() == 2 ? args[1] : args[0]);
    return Value::FromInterval(TimestampAge(a, b));
  }
  return std::nullopt;
}

}  // namespace cairn::executor
