#include "executor/expression_evaluator.h"

#include <algorithm>
#include <optional>
#include <atomic>
#include <cmath>
#include <random>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "common/value_text.h"
#include "executor/operator.h"

namespace cairn::executor {

using planner::ArithOp;
using planner::BoundExpr;
using planner::BoundExprKind;
using planner::CompareOp;

namespace {

absl::Status IntOutOfRange(TypeId t) {
  const char* name = t == TypeId::kInt16 ? "smallint" : t == TypeId::kInt32 ? "integer" : "bigint";
  return MakeError(ErrorCode::kNumericValueOutOfRange, absl::StrFormat("%s out of range", name));
}

absl::Status DivisionByZero() { return MakeError(ErrorCode::kDivisionByZero, "division by zero"); }

absl::StatusOr<Value> IntArith(ArithOp op, TypeId type, int64_t a, int64_t b) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case ArithOp::kAdd: overflow = __builtin_add_overflow(a, b, &r); break;
    case ArithOp::kSub: overflow = __builtin_sub_overflow(a, b, &r); break;
    case ArithOp::kMul: overflow = __builtin_mul_overflow(a, b, &r); break;
    case ArithOp::kDiv:
      if (b == 0) return DivisionByZero();
      if (a == INT64_MIN && b == -1) return IntOutOfRange(type);
      r = a / b;
      break;
    case ArithOp::kMod:
      if (b == 0) return DivisionByZero();
      r = b == -1 ? 0 : a % b;
      break;
  }
  if (overflow || (type == TypeId::kInt16 && (r < INT16_MIN || r > INT16_MAX)) ||
      (type == TypeId::kInt32 && (r < INT32_MIN || r > INT32_MAX))) {
    return IntOutOfRange(type);
  }
  return Value::Int(type, r);
}

absl::StatusOr<Value> FloatArith(ArithOp op, TypeId type, double a, double b) {
  double r = 0;
  switch (op) {
    case ArithOp::kAdd: r = a + b; break;
    case ArithOp::kSub: r = a - b; break;
    case ArithOp::kMul: r = a * b; break;
    case ArithOp::kDiv:
      if (b == 0) return DivisionByZero();
      r = a / b;
      break;
    case ArithOp::kMod:
      if (b == 0) return DivisionByZero();
      r = std::fmod(a, b);
      break;
  }
  if (std::isinf(r) && !std::isinf(a) && !std::isinf(b)) {
    return MakeError(ErrorCode::kNumericValueOutOfRange, "value out of range: overflow");
  }
  if (type == TypeId::kFloat32) r = static_cast<float>(r);
  return Value::Float(type, r);
}

absl::StatusOr<Value> NumericArith(ArithOp op, const Numeric& a, const Numeric& b) {
  absl::StatusOr<Numeric> r;
  switch (op) {
    case ArithOp::kAdd: r = a.Add(b); break;
    case ArithOp::kSub: r = a.Sub(b); break;
    case ArithOp::kMul: r = a.Mul(b); break;
    case ArithOp::kDiv: r = a.Div(b); break;
    case ArithOp::kMod: r = a.Mod(b); break;
  }
  if (!r.ok()) return r.status();
  return Value::Num(*r);
}

absl::StatusOr<Value> EvalArith(const BoundExpr& e, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null(e.type.id);
  if (a.type() == TypeId::kDate) {
    if (b.type() == TypeId::kDate) return Value::Int32(a.date_value() - b.date_value());
    int64_t days = e.arith_op == ArithOp::kAdd ? a.date_value() + b.int_value()
                                               : a.date_value() - b.int_value();
    return Value::Date(static_cast<int32_t>(days));
  }
  TypeId t = e.type.id;
  if (IsIntegerType(t)) return IntArith(e.arith_op, t, a.int_value(), b.int_value());
  if (t == TypeId::kFloat32 || t == TypeId::kFloat64) {
    return FloatArith(e.arith_op, t, a.float_value(), b.float_value());
  }
  return NumericArith(e.arith_op, a.numeric_value(), b.numeric_value());
}

bool CompareResult(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

// Strings compare bytewise (the C collation); CHAR ignores trailing spaces.
int CompareForSql(const Value& a, const Value& b) {
  if (a.type() == TypeId::kChar && b.type() == TypeId::kChar) {
    std::string_view x = a.str_value(), y = b.str_value();
    while (!x.empty() && x.back() == ' ') x.remove_suffix(1);
    while (!y.empty() && y.back() == ' ') y.remove_suffix(1);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return CompareValues(a, b);
}

// A value as text, the way PostgreSQL casts it for string functions:
// CHAR(n) loses its padding.
std::string TextOf(const Value& v) {
  if (v.type() != TypeId::kChar) return FormatValue(v);
  std::string s = v.str_value();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

int64_t UniqueRowId(uint64_t node_id) {
  // Milliseconds, then node, then a per-process counter: unique across nodes
  // and roughly ordered by insertion time.
  static std::atomic<uint64_t> counter{0};
  uint64_t ms = Clock::Real()->NowMillis();
  uint64_t n = counter.fetch_add(1) & 0x3ff;
  return static_cast<int64_t>(((ms << 20) | ((node_id & 0x3ff) << 10) | n) & INT64_MAX);
}

// Byte offsets of each character of UTF-8 `s`, and of its end.
std::vector<size_t> CharOffsets(std::string_view s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

// Characters [from, to) of `s` (0-based, clamped).
std::string CharSlice(std::string_view s, int64_t from, int64_t to) {
  std::vector<size_t> at = CharOffsets(s);
  const int64_t chars = static_cast<int64_t>(at.size()) - 1;
  from = std::clamp<int64_t>(from, 0, chars);
  to = std::clamp<int64_t>(to, from, chars);
  return std::string(s.substr(at[from], at[to] - at[from]));
}

// Civil date of `days` since 1970-01-01 (proleptic Gregorian; H. Hinnant).
struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};
CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr int64_t kMicrosPerDay = 86400000000LL;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// extract(field FROM v) as a numeric: timestamps (micros; timestamptz in
// UTC, the session time zone here) or dates (days).
absl::StatusOr<Numeric> ExtractField(std::string field, const Value& v) {
  field = absl::AsciiStrToLower(field);
  const bool is_date = v.type() == TypeId::kDate;
  const int64_t micros = is_date ? v.date_value() * kMicrosPerDay : v.micros_value();
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t of_day = micros - days * kMicrosPerDay;
  const CivilDate c = CivilFromDays(days);
  const int64_t dow = ((days % 7) + 11) % 7;  // 1970-01-01 was a Thursday (4)
  auto whole = [](int64_t x) { return Numeric::FromInt(x); };
  if (field == "year" || field == "years") return whole(c.year);
  if (field == "month" || field == "months") return whole(c.month);
  if (field == "day" || field == "days") return whole(c.day);
  if (field == "quarter") return whole((c.month - 1) / 3 + 1);
  if (field == "dow") return whole(dow);
  if (field == "isodow") return whole(dow == 0 ? 7 : dow);
  if (field == "doy") return whole(days - DaysFromCivil(c.year, 1, 1) + 1);
  if (field == "decade") return whole(FloorDiv(c.year, 10));
  if (field == "century") return whole(c.year > 0 ? (c.year + 99) / 100 : -((99 - c.year) / 100));
  if (field == "millennium") return whole(c.year > 0 ? (c.year + 999) / 1000 : -((999 - c.year) / 1000));
  if (field == "week") {
    // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
    const int64_t isodow = dow == 0 ? 7 : dow;
    const int64_t thursday = days - isodow + 4;
    const CivilDate t = CivilFromDays(thursday);
    return whole((thursday - DaysFromCivil(t.year, 1, 1)) / 7 + 1);
  }
  if (field == "epoch") {
    if (is_date) return whole(days * 86400);
    return Numeric{static_cast<__int128>(micros), 6};
  }
  if (is_date) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrFormat("unit \"%s\" not supported for type date", field));
  }
  if (field == "hour" || field == "hours") return whole(of_day / 3600000000LL);
  if (field == "minute" || field == "minutes") return whole(of_day / 60000000LL % 60);
  const int64_t second_micros = of_day % 60000000LL;
  if (field == "second" || field == "seconds") return Numeric{second_micros, 6};
  if (field == "millisecond" || field == "milliseconds") return Numeric{second_micros, 3};
  if (field == "microsecond" || field == "microseconds") return whole(second_micros);
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrFormat("unit \"%s\" not recognized for type %s", field,
                                   v.type() == TypeId::kTimestampTz ? "timestamp with time zone"
                                                                    : "timestamp without time zone"));
}

// date_trunc(unit, micros): the start of the unit holding it.
absl::StatusOr<int64_t> TruncateMicros(std::string unit, int64_t micros) {
  unit = absl::AsciiStrToLower(unit);
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const CivilDate c = CivilFromDays(days);
  auto at_day = [](int64_t d) { return d * kMicrosPerDay; };
  auto floor_to = [&](int64_t unit_micros) { return FloorDiv(micros, unit_micros) * unit_micros; };
  if (unit == "microseconds") return micros;
  if (unit == "milliseconds") return floor_to(1000);
  if (unit == "second") return floor_to(1000000);
  if (unit == "minute") return floor_to(60000000LL);
  if (unit == "hour") return floor_to(3600000000LL);
  if (unit == "day") return at_day(days);
  if (unit == "week") {
    const int64_t dow = ((days % 7) + 11) % 7;
    return at_day(days - (dow == 0 ? 6 : dow - 1));  // back to Monday
  }
  if (unit == "month") return at_day(DaysFromCivil(c.year, c.month, 1));
  if (unit == "quarter") return at_day(DaysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1));
  if (unit == "year") return at_day(DaysFromCivil(c.year, 1, 1));
  if (unit == "decade") return at_day(DaysFromCivil(FloorDiv(c.year, 10) * 10, 1, 1));
  if (unit == "century") {
    return at_day(DaysFromCivil(FloorDiv(c.year - 1, 100) * 100 + 1, 1, 1));
  }
  if (unit == "millennium") {
    return at_day(DaysFromCivil(FloorDiv(c.year - 1, 1000) * 1000 + 1, 1, 1));
  }
  return MakeError(ErrorCode::kFeatureNotSupported,
                   absl::StrFormat("unit \"%s\" not recognized for date_trunc", unit));
}

double AsDouble(const Value& v) {
  if (IsIntegerType(v.type())) return static_cast<double>(v.int_value());
  if (v.type() == TypeId::kNumeric) return v.numeric_value().ToDouble();
  return v.float_value();
}

// The string and math functions of PostgreSQL that take plain values.
// Returns nullopt for a name that is none of them. REQUIRES: no NULL
// argument (they are all strict).
absl::StatusOr<std::optional<Value>> EvalStringOrMathFunction(const BoundExpr& e,
                                                              const std::vector<Value>& args) {
  const std::string& name = e.name;
  auto str = [&](size_t i) { return TextOf(args[i]); };
  if (name == "substring" || name == "substr") {
    // 1-based start; characters before the first one count against the length.
    const int64_t start = args[1].int_value();
    if (args.size() == 3 && args[2].int_value() < 0) {
      return MakeError(ErrorCode::kSubstringError, "negative substring length not allowed");
    }
    const int64_t end = args.size() == 3 ? start + args[2].int_value() : INT64_MAX / 2;
    return Value::Text(CharSlice(str(0), start - 1, end - 1));
  }
  if (name == "strpos") {
    std::string s = str(0), needle = str(1);
    size_t at = s.find(needle);
    if (at == std::string::npos) return Value::Int32(0);
    return Value::Int32(Utf8Length(std::string_view(s).substr(0, at)) + 1);
  }
  if (name == "replace") {
    std::string s = str(0), from = str(1), to = str(2);
    if (from.empty()) return Value::Text(s);
    std::string out;
    size_t pos = 0;
    for (size_t at; (at = s.find(from, pos)) != std::string::npos; pos = at + from.size()) {
      out.append(s, pos, at - pos);
      out.append(to);
    }
    out.append(s, pos, std::string::npos);
    return Value::Text(out);
  }
  if (name == "left" || name == "right") {
    std::string s = str(0);
    const int64_t chars = Utf8Length(s);
    int64_t n = args[1].int_value();
    if (n < 0) n = std::max<int64_t>(0, chars + n);
    return Value::Text(name == "left" ? CharSlice(s, 0, n) : CharSlice(s, chars - n, chars));
  }
  if (name == "repeat") {
    std::string s = str(0), out;
    for (int64_t i = 0; i < args[1].int_value(); ++i) out += s;
    return Value::Text(out);
  }
  if (name == "lpad" || name == "rpad") {
    std::string s = str(0);
    const std::string fill = args.size() == 3 ? str(2) : " ";
    const int64_t want = std::max<int64_t>(0, args[1].int_value());
    const int64_t have = Utf8Length(s);
    if (have >= want || fill.empty()) return Value::Text(CharSlice(s, 0, want));
    std::string pad;
    const int64_t fill_chars = Utf8Length(fill);
    for (int64_t made = 0; made < want - have; made += fill_chars) pad += fill;
    pad = CharSlice(pad, 0, want - have);
    return Value::Text(name == "lpad" ? pad + s : s + pad);
  }
  if (name == "split_part") {
    std::string s = str(0), delim = str(1);
    const int64_t n = args[2].int_value();
    if (n == 0) return MakeError(ErrorCode::kInvalidParameterValue, "field position must not be zero");
    std::vector<std::string> parts;
    if (delim.empty()) {
      parts.push_back(s);
    } else {
      size_t pos = 0;
      for (size_t at; (at = s.find(delim, pos)) != std::string::npos; pos = at + delim.size()) {
        parts.push_back(s.substr(pos, at - pos));
      }
      parts.push_back(s.substr(pos));
    }
    const int64_t count = static_cast<int64_t>(parts.size());
    const int64_t i = n > 0 ? n - 1 : count + n;
    return Value::Text(i >= 0 && i < count ? parts[i] : "");
  }
  if (name == "regexp_replace") {
    // POSIX-style patterns as far as ECMAScript's agree with them (classes,
    // quantifiers, groups, anchors); \1..\9 and \& in the replacement;
    // flags g (every match) and i (case-insensitive).
    const std::string flags = args.size() == 4 ? str(3) : "";
    auto syntax = std::regex::ECMAScript;
    bool global = false;
    for (char f : flags) {
      if (f == 'g') {
        global = true;
      } else if (f == 'i') {
        syntax |= std::regex::icase;
      } else {
        return MakeError(ErrorCode::kInvalidParameterValue,
                         absl::StrFormat("invalid regular expression option: \"%c\"", f));
      }
    }
    std::regex re;
    try {
      re = std::regex(str(1), syntax);
    } catch (const std::regex_error& err) {
      return MakeError(ErrorCode::kInvalidRegularExpression,
                       absl::StrFormat("invalid regular expression: %s", err.what()));
    }
    std::string replacement;
    const std::string given = str(2);
    for (size_t i = 0; i < given.size(); ++i) {
      if (given[i] == '\\' && i + 1 < given.size()) {
        const char next = given[++i];
        if (next >= '1' && next <= '9') {
          replacement += '$';
          replacement += next;
        } else if (next == '&') {
          replacement += "$&";
        } else {
          replacement += next;
        }
      } else if (given[i] == '$') {
        replacement += "$$";
      } else {
        replacement += given[i];
      }
    }
    const auto mode = global ? std::regex_constants::format_default
                             : std::regex_constants::format_first_only;
    try {
      return Value::Text(std::regex_replace(str(0), re, replacement, mode));
    } catch (const std::regex_error& err) {  // too complex to match
      return MakeError(ErrorCode::kInvalidRegularExpression,
                       absl::StrFormat("regular expression failed: %s", err.what()));
    }
  }
  if (name == "reverse") {
    std::string s = str(0), out;
    std::vector<size_t> at = CharOffsets(s);
    for (size_t i = at.size() - 1; i-- > 0;) out.append(s, at[i], at[i + 1] - at[i]);
    return Value::Text(out);
  }
  if (name == "initcap") {
    std::string s = str(0);
    bool word_start = true;
    for (char& ch : s) {
      const bool alnum = absl::ascii_isalnum(static_cast<unsigned char>(ch));
      ch = word_start ? absl::ascii_toupper(ch) : absl::ascii_tolower(ch);
      word_start = !alnum;
    }
    return Value::Text(s);
  }
  if (name == "extract") {
    CAIRN_ASSIGN_OR_RETURN(Numeric n, ExtractField(str(0), args[1]));
    return Value::Num(n);
  }
  if (name == "date_part") {
    CAIRN_ASSIGN_OR_RETURN(Numeric n, ExtractField(str(0), args[1]));
    return Value::Float64(n.ToDouble());
  }
  if (name == "date_trunc") {
    CAIRN_ASSIGN_OR_RETURN(int64_t micros, TruncateMicros(str(0), args[1].micros_value()));
    return Value::Timestamp(args[1].type(), micros);
  }
  const bool numeric = e.type.id == TypeId::kNumeric;
  if (name == "ceil" || name == "ceiling" || name == "floor" || name == "round" ||
      name == "trunc") {
    if (numeric) {
      const Numeric v = args[0].numeric_value();
      const int64_t digits = args.size() == 2 ? args[1].int_value() : 0;
      if (digits < 0 || digits > 30) {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         "round and trunc to a negative or very large scale are not supported yet");
      }
      const int scale = static_cast<int>(digits);
      if (name == "round") {
        CAIRN_ASSIGN_OR_RETURN(Numeric r, v.Rescale(scale));
        return Value::Num(r);
      }
      // ceil, floor, trunc: toward +inf, -inf, zero.
      CAIRN_ASSIGN_OR_RETURN(Numeric down, v.Rescale(std::max<int>(v.scale, scale)));
      __int128 unit = 1;
      for (int i = scale; i < down.scale; ++i) unit *= 10;
      __int128 q = down.unscaled / unit;  // toward zero
      const bool exact = down.unscaled % unit == 0;
      if (!exact && name == "ceil" && down.unscaled > 0) q += 1;
      if (!exact && name == "ceiling" && down.unscaled > 0) q += 1;
      if (!exact && name == "floor" && down.unscaled < 0) q -= 1;
      return Value::Num(Numeric{q, static_cast<int16_t>(scale)});
    }
    const double d = AsDouble(args[0]);
    if (name == "round") return Value::Float64(std::nearbyint(d));
    if (name == "trunc") return Value::Float64(std::trunc(d));
    return Value::Float64(name == "floor" ? std::floor(d) : std::ceil(d));
  }
  if (name == "mod") {
    if (IsIntegerType(e.type.id)) {
      if (args[1].int_value() == 0) return MakeError(ErrorCode::kDivisionByZero, "division by zero");
      if (args[1].int_value() == -1) return Value::Int(e.type.id, 0);
      return Value::Int(e.type.id, args[0].int_value() % args[1].int_value());
    }
    auto as_numeric = [](const Value& v) {
      return v.type() == TypeId::kNumeric ? v.numeric_value() : Numeric::FromInt(v.int_value());
    };
    CAIRN_ASSIGN_OR_RETURN(Numeric r, as_numeric(args[0]).Mod(as_numeric(args[1])));
    return Value::Num(r);
  }
  if (name == "power" || name == "pow") {
    const double a = AsDouble(args[0]), b = AsDouble(args[1]);
    if (a == 0 && b < 0) {
      return MakeError(ErrorCode::kInvalidArgumentForPowerFunction,
                       "zero raised to a negative power is undefined");
    }
    if (a < 0 && std::floor(b) != b) {
      return MakeError(ErrorCode::kInvalidArgumentForPowerFunction,
                       "a negative number raised to a non-integer power yields a complex result");
    }
    return Value::Float64(std::pow(a, b));
  }
  if (name == "sqrt") {
    const double d = AsDouble(args[0]);
    if (d < 0) {
      return MakeError(ErrorCode::kInvalidArgumentForPowerFunction,
                       "cannot take square root of a negative number");
    }
    return Value::Float64(std::sqrt(d));
  }
  if (name == "exp") return Value::Float64(std::exp(AsDouble(args[0])));
  if (name == "ln") {
    const double d = AsDouble(args[0]);
    if (d == 0) return MakeError(ErrorCode::kInvalidArgumentForLog, "cannot take logarithm of zero");
    if (d < 0) {
      return MakeError(ErrorCode::kInvalidArgumentForLog,
                       "cannot take logarithm of a negative number");
    }
    return Value::Float64(std::log(d));
  }
  if (name == "sign") {
    if (numeric) {
      const Numeric v = args[0].numeric_value();
      return Value::Num(Numeric::FromInt(v.unscaled > 0 ? 1 : v.unscaled < 0 ? -1 : 0));
    }
    const double d = AsDouble(args[0]);
    return Value::Float64(d > 0 ? 1 : d < 0 ? -1 : 0);
  }
  return std::optional<Value>();
}

absl::StatusOr<Value> EvalFunction(const BoundExpr& e, const std::vector<Value>& args,
                                   ExecContext* ctx) {
  const std::string& name = e.name;
  auto null_arg = [&] {
    for (const auto& a : args) {
      if (a.is_null()) return true;
    }
    return false;
  };
  if (name == "cairn_nextval") {
    CAIRN_ASSIGN_OR_RETURN(int64_t v, ctx->catalog->NextSequenceValue(
                                          static_cast<uint32_t>(args[0].int_value()),
                                          static_cast<uint32_t>(args[1].int_value())));
    return Value::Int64(v);
  }
  if (name == "unique_rowid") return Value::Int64(UniqueRowId(ctx->node_id));
  if (name == "now" || name == "current_timestamp" || name == "transaction_timestamp" ||
      name == "statement_timestamp") {
    return Value::Timestamp(TypeId::kTimestampTz, ctx->transaction_start_micros);
  }
  if (name == "clock_timestamp") {
    return Value::Timestamp(TypeId::kTimestampTz,
                            static_cast<int64_t>(Clock::Real()->NowMillis()) * 1000);
  }
  if (name == "current_date") {
    return Value::Date(static_cast<int32_t>(ctx->transaction_start_micros / 86400000000LL));
  }
  if (name == "version") {
    return Value::Text("PostgreSQL 15.0 (CairnDB 0.1) on x86_64-pc-linux-gnu, 64-bit");
  }
  if (name == "current_database") return Value::Text(ctx->database);
  if (name == "current_schema") return Value::Text("public");
  if (name == "current_user" || name == "session_user" || name == "user") {
    return Value::Text(ctx->user);
  }
  if (name == "pg_backend_pid") return Value::Int32(ctx->backend_pid);
  if (name == "random") {
    thread_local std::mt19937_64 rng(std::random_device{}());
    return Value::Float64(std::uniform_real_distribution<double>(0, 1)(rng));
  }
  if (name == "concat" || name == "concat_ws") {
    // NULL arguments are skipped; concat_ws is NULL only for a NULL separator.
    if (name == "concat_ws" && args[0].is_null()) return Value::Null(TypeId::kText);
    std::string out;
    bool first = true;
    for (size_t i = name == "concat" ? 0 : 1; i < args.size(); ++i) {
      if (args[i].is_null()) continue;
      if (!first && name == "concat_ws") out += TextOf(args[0]);
      out += TextOf(args[i]);
      first = false;
    }
    return Value::Text(out);
  }
  if (null_arg()) return Value::Null(e.type.id);
  CAIRN_ASSIGN_OR_RETURN(std::optional<Value> plain, EvalStringOrMathFunction(e, args));
  if (plain.has_value()) return *std::move(plain);
  if (name == "lower") return Value::Text(absl::AsciiStrToLower(args[0].str_value()));
  if (name == "upper") return Value::Text(absl::AsciiStrToUpper(args[0].str_value()));
  if (name == "btrim" || name == "ltrim" || name == "rtrim") {
    std::string_view s = args[0].str_value();
    if (name != "rtrim") {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    }
    if (name != "ltrim") {
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    }
    return Value::Text(std::string(s));
  }
  if (name == "length" || name == "char_length") {
    if (args[0].type() == TypeId::kBytea) {
      return Value::Int32(static_cast<int64_t>(args[0].str_value().size()));
    }
    return Value::Int32(Utf8Length(TextOf(args[0])));  // characters, not bytes
  }
  if (name == "octet_length") {
    return Value::Int32(static_cast<int64_t>(args[0].str_value().size()));
  }
  if (name == "abs") {
    const Value& v = args[0];
    if (IsIntegerType(v.type())) {
      if (v.int_value() == INT64_MIN) return IntOutOfRange(v.type());
      return Value::Int(v.type(), std::llabs(v.int_value()));
    }
    if (v.type() == TypeId::kNumeric) {
      Numeric n = v.numeric_value();
      return Value::Num(n.unscaled < 0 ? n.Negate() : n);
    }
    return Value::Float(v.type(), std::fabs(v.float_value()));
  }
  return MakeError(ErrorCode::kUndefinedFunction,
                   absl::StrFormat("function %s is not implemented", name));
}

}  // namespace

namespace {

// The byte length of the UTF-8 character starting at s[i].
size_t CharWidth(std::string_view s, size_t i) {
  size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, bool case_insensitive) {
  // Iterative matcher that backtracks to the last %; _ and literals match
  // whole UTF-8 characters.
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  auto same_char = [&](size_t ti, size_t pi, size_t width) {
    if (CharWidth(text, ti) != width || ti + width > text.size()) return false;
    for (size_t k = 0; k < width; ++k) {
      char a = text[ti + k], b = pattern[pi + k];
      if (case_insensitive ? absl::ascii_tolower(a) != absl::ascii_tolower(b) : a != b) return false;
    }
    return true;
  };
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '_') {
        t += CharWidth(text, t);
        ++p;
        continue;
      }
      size_t pi = p;
      if (pattern[p] == '\\' && p + 1 < pattern.size()) pi = p + 1;
      size_t width = CharWidth(pattern, pi);
      if (same_char(t, pi, width)) {
        t += width;
        p = pi + width;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    star_t += CharWidth(text, star_t);
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') p++;
  return p == pattern.size();
}

namespace {

// The first column of the rows `e.subplan` returns for `row` (one NULL per
// row for EXISTS, which looks at no column), at most `limit` rows (0: all).
// Uncorrelated subqueries run once per statement.
absl::StatusOr<const std::vector<Value>*> SubqueryRows(const BoundExpr& e, const Row& row,
                                                      ExecContext* ctx, size_t limit,
                                                      std::vector<Value>* storage) {
  if (!e.correlated) {
    auto it = ctx->subquery_results.find(&e);
    if (it != ctx->subquery_results.end()) return &it->second;
  }
  storage->clear();
  ctx->outer_rows.push_back(&row);
  absl::Status status = [&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(OperatorPtr op, BuildOperator(*e.subplan, ctx));
    RowBatch batch;
    while (limit == 0 || storage->size() < limit) {
      CAIRN_ASSIGN_OR_RETURN(bool more, op->Next(&batch));
      if (!more) break;
      for (Row& r : batch) {
        storage->push_back(r.empty() ? Value::Null() : std::move(r[0]));
        if (limit != 0 && storage->size() >= limit) break;
      }
    }
    return absl::OkStatus();
  }();
  ctx->outer_rows.pop_back();
  CAIRN_RETURN_IF_ERROR(status);
  if (e.correlated) return storage;
  auto [it, inserted] = ctx->subquery_results.emplace(&e, std::move(*storage));
  return &it->second;
}

absl::StatusOr<Value> EvaluateSubquery(const BoundExpr& e, const Row& row, ExecContext* ctx) {
  std::vector<Value> storage;
  switch (e.subquery_kind) {
    case planner::SubqueryKind::kExists: {
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 1, &storage));
      return Value::Bool(!rows->empty());
    }
    case planner::SubqueryKind::kScalar: {
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 2, &storage));
      if (rows->size() > 1) {
        return MakeError(ErrorCode::kCardinalityViolation,
                         "more than one row returned by a subquery used as an expression",
                         e.position);
      }
      return rows->empty() ? Value::Null(e.type.id) : (*rows)[0];
    }
    case planner::SubqueryKind::kAny:
    case planner::SubqueryKind::kAll: {
      // Three-valued, as PostgreSQL: ANY is true on a match, else NULL if
      // a comparison was NULL, else false; ALL the other way round.
      const bool any = e.subquery_kind == planner::SubqueryKind::kAny;
      CAIRN_ASSIGN_OR_RETURN(Value operand, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 0, &storage));
      bool decided = false;
      bool saw_null = false;
      for (const Value& v : *rows) {
        if (operand.is_null() || v.is_null()) {
          saw_null = true;
          continue;
        }
        if (CompareResult(e.compare_op, CompareForSql(operand, v)) == any) {
          decided = true;
          break;
        }
      }
      Value result = decided    ? Value::Bool(any)
                     : saw_null ? Value::Null(TypeId::kBool)
                                : Value::Bool(!any);
      if (e.negated && !result.is_null()) result = Value::Bool(!result.bool_value());
      return result;
    }
  }
  return MakeError(ErrorCode::kInternal, "unknown subquery kind");
}

}  // namespace

absl::StatusOr<Value> Evaluate(const BoundExpr& e, const Row& row, ExecContext* ctx) {
  switch (e.kind) {
    case BoundExprKind::kConstant: return e.value;
    case BoundExprKind::kColumn: return row[e.column_index];
    case BoundExprKind::kParameter: {
      if (e.parameter_index < 0 || e.parameter_index >= static_cast<int>(ctx->params.size())) {
        return MakeError(ErrorCode::kUndefinedParameter,
                         absl::StrFormat("there is no parameter $%d", e.parameter_index + 1),
                         e.position);
      }
      const Value& v = ctx->params[e.parameter_index];
      if (e.type.id == TypeId::kUnknown || v.is_null()) return v;
      return CastValue(v, e.type, CastContext::kAssignment);
    }
    case BoundExprKind::kNot: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      if (v.is_null()) return Value::Null(TypeId::kBool);
      return Value::Bool(!v.bool_value());
    }
    case BoundExprKind::kNegate: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      if (v.is_null()) return v;
      if (IsIntegerType(v.type())) return IntArith(ArithOp::kSub, v.type(), 0, v.int_value());
      if (v.type() == TypeId::kNumeric) return Value::Num(v.numeric_value().Negate());
      return Value::Float(v.type(), -v.float_value());
    }
    case BoundExprKind::kArith: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      auto r = EvalArith(e, a, b);
      if (!r.ok()) return WithPosition(r.status(), e.position);
      return r;
    }
    case BoundExprKind::kCompare: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      if (a.is_null() || b.is_null()) return Value::Null(TypeId::kBool);
      return Value::Bool(CompareResult(e.compare_op, CompareForSql(a, b)));
    }
    case BoundExprKind::kAnd:
    case BoundExprKind::kOr: {
      // AND: any false wins; OR: any true wins; otherwise NULL beats the rest.
      const bool decisive = e.kind == BoundExprKind::kOr;
      bool saw_null = false;
      for (const auto& c : e.children) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
        if (v.is_null()) {
          saw_null = true;
        } else if (v.bool_value() == decisive) {
          return Value::Bool(decisive);
        }
      }
      if (saw_null) return Value::Null(TypeId::kBool);
      return Value::Bool(!decisive);
    }
    case BoundExprKind::kConcat: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      if (a.is_null() || b.is_null()) return Value::Null(TypeId::kText);
      return Value::Text(absl::StrCat(TextOf(a), TextOf(b)));
    }
    case BoundExprKind::kIsNull: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      return Value::Bool(v.is_null() != e.negated);
    }
    case BoundExprKind::kIsBool: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      bool result;
      if (e.bool_test == 2) {
        result = v.is_null();
      } else {
        result = !v.is_null() && v.bool_value() == (e.bool_test == 0);
      }
      return Value::Bool(result != e.negated);
    }
    case BoundExprKind::kIsDistinct: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      bool distinct = a.is_null() != b.is_null() ||
                      (!a.is_null() && CompareForSql(a, b) != 0);
      return Value::Bool(distinct != e.negated);
    }
    case BoundExprKind::kInList: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      if (v.is_null()) return Value::Null(TypeId::kBool);
      bool saw_null = false;
      for (size_t i = 1; i < e.children.size(); ++i) {
        CAIRN_ASSIGN_OR_RETURN(Value item, Evaluate(*e.children[i], row, ctx));
        if (item.is_null()) {
          saw_null = true;
        } else if (CompareForSql(v, item) == 0) {
          return Value::Bool(!e.negated);
        }
      }
      if (saw_null) return Value::Null(TypeId::kBool);
      return Value::Bool(e.negated);
    }
    case BoundExprKind::kLike: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      if (a.is_null() || b.is_null()) return Value::Null(TypeId::kBool);
      return Value::Bool(LikeMatch(a.str_value(), b.str_value(), e.case_insensitive) != e.negated);
    }
    case BoundExprKind::kCase: {
      size_t n = e.children.size() - (e.has_else ? 1 : 0);
      for (size_t i = 0; i + 1 < n + 1 && i < n; i += 2) {
        CAIRN_ASSIGN_OR_RETURN(Value cond, Evaluate(*e.children[i], row, ctx));
        if (!cond.is_null() && cond.bool_value()) return Evaluate(*e.children[i + 1], row, ctx);
      }
      if (e.has_else) return Evaluate(*e.children.back(), row, ctx);
      return Value::Null(e.type.id);
    }
    case BoundExprKind::kCast: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      auto r = CastValue(v, e.type, e.explicit_cast ? CastContext::kExplicit
                                                    : CastContext::kAssignment);
      if (!r.ok()) return WithPosition(r.status(), e.position);
      return r;
    }
    case BoundExprKind::kOuterColumn: {
      const size_t n = ctx->outer_rows.size();
      if (e.outer_depth < 1 || static_cast<size_t>(e.outer_depth) > n) {
        return MakeError(ErrorCode::kInternal, "outer column reference without an enclosing row");
      }
      return (*ctx->outer_rows[n - e.outer_depth])[e.column_index];
    }
    case BoundExprKind::kSubquery: return EvaluateSubquery(e, row, ctx);
    case BoundExprKind::kFunction: {
      if (e.name == "coalesce") {
        // Lazy: arguments after the first non-NULL one are not evaluated.
        for (const auto& c : e.children) {
          CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
          if (!v.is_null()) return v;
        }
        return Value::Null(e.type.id);
      }
      if (e.name == "nullif") {
        CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
        CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
        if (!a.is_null() && !b.is_null() && CompareForSql(a, b) == 0) return Value::Null(e.type.id);
        return a;
      }
      if (e.name == "greatest" || e.name == "least") {
        // NULLs are ignored; the result is NULL only if every argument is.
        Value best = Value::Null(e.type.id);
        for (const auto& c : e.children) {
          CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
          if (v.is_null()) continue;
          int cmp = best.is_null() ? 0 : CompareForSql(v, best);
          if (best.is_null() || (e.name == "greatest" ? cmp > 0 : cmp < 0)) best = std::move(v);
        }
        return best;
      }
      std::vector<Value> args;
      args.reserve(e.children.size());
      for (const auto& c : e.children) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
        args.push_back(std::move(v));
      }
      return EvalFunction(e, args, ctx);
    }
  }
  return MakeError(ErrorCode::kInternal, "unknown bound expression");
}

absl::StatusOr<bool> EvaluatePredicate(const BoundExpr& expr, const Row& row, ExecContext* ctx) {
  CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(expr, row, ctx));
  return !v.is_null() && v.bool_value();
}

}  // namespace cairn::executor
