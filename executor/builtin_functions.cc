// PostgreSQL's string, math and date/time functions over plain values.
#include "executor/builtin_functions.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/civil_date.h"
#include "common/error_code.h"
#include "common/numeric.h"
#include "common/value_text.h"
#include "parser/ast/sql_text.h"

namespace cairn::executor {

using planner::BoundExpr;

// A value as text, the way PostgreSQL casts it for string functions:
// CHAR(n) loses its padding.
std::string TextOf(const Value& v) {
  if (v.type() != TypeId::kChar) return FormatValue(v);
  std::string s = v.str_value();
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

namespace {

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

constexpr int64_t kMicrosPerDay = 86400000000LL;

// to_char(date/timestamp, format) with PostgreSQL's template patterns:
// YYYY YY MM DD DDD D HH24 HH12 HH MI SS MS US AM PM Month MONTH month Mon
// MON mon Day DAY day Dy DY dy TZ, FM (no padding), "quoted" text; other
// characters are copied.
std::string FormatDateTime(const Value& v, std::string_view format) {
  static const char* const kMonths[] = {"January", "February", "March",     "April",
                                        "May",     "June",     "July",      "August",
                                        "September", "October", "November", "December"};
  static const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
  const bool is_date = v.type() == TypeId::kDate;
  const int64_t micros = is_date ? v.date_value() * kMicrosPerDay : v.micros_value();
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t of_day = micros - days * kMicrosPerDay;
  const CivilDate c = CivilFromDays(days);
  const int64_t dow = ((days % 7) + 11) % 7;  // 0 = Sunday
  const int64_t hour = of_day / 3600000000LL;
  const int64_t minute = of_day / 60000000LL % 60;
  const int64_t second = of_day / 1000000 % 60;
  const int64_t fraction = of_day % 1000000;
  const int64_t day_of_year = days - DaysFromCivil(c.year, 1, 1) + 1;
  std::string out;
  bool fill_mode = false;
  auto number = [&](int64_t n, int width) {
    std::string s = absl::StrCat(n < 0 ? -n : n);
    if (!fill_mode && static_cast<int>(s.size()) < width) {
      s = std::string(static_cast<size_t>(width) - s.size(), '0') + s;
    }
    if (n < 0) out += '-';
    out += s;
    fill_mode = false;
  };
  auto word = [&](std::string w, int width, int kase) {  // kase: 0 Title, 1 UPPER, 2 lower
    if (kase == 1) w = absl::AsciiStrToUpper(w);
    if (kase == 2) w = absl::AsciiStrToLower(w);
    if (!fill_mode && static_cast<int>(w.size()) < width) {
      w += std::string(static_cast<size_t>(width) - w.size(), ' ');
    }
    out += w;
    fill_mode = false;
  };
  size_t i = 0;
  auto take = [&](std::string_view p) {
    if (format.substr(i, p.size()) != p) return false;
    i += p.size();
    return true;
  };
  while (i < format.size()) {
    if (format[i] == '"') {
      for (++i; i < format.size() && format[i] != '"'; ++i) {
        if (format[i] == '\\' && i + 1 < format.size()) ++i;
        out += format[i];
      }
      ++i;
      continue;
    }
    if (take("FM") || take("fm")) {
      fill_mode = true;
      continue;
    }
    if (take("YYYY")) number(c.year, 4);
    else if (take("YY")) number(c.year % 100, 2);
    else if (take("MONTH")) word(kMonths[c.month - 1], 9, 1);
    else if (take("Month")) word(kMonths[c.month - 1], 9, 0);
    else if (take("month")) word(kMonths[c.month - 1], 9, 2);
    else if (take("MON")) word(std::string(kMonths[c.month - 1]).substr(0, 3), 3, 1);
    else if (take("Mon")) word(std::string(kMonths[c.month - 1]).substr(0, 3), 3, 0);
    else if (take("mon")) word(std::string(kMonths[c.month - 1]).substr(0, 3), 3, 2);
    else if (take("MM")) number(c.month, 2);
    else if (take("DAY")) word(kDays[dow], 9, 1);
    else if (take("Day")) word(kDays[dow], 9, 0);
    else if (take("day")) word(kDays[dow], 9, 2);
    else if (take("DY")) word(std::string(kDays[dow]).substr(0, 3), 3, 1);
    else if (take("Dy")) word(std::string(kDays[dow]).substr(0, 3), 3, 0);
    else if (take("dy")) word(std::string(kDays[dow]).substr(0, 3), 3, 2);
    else if (take("DDD")) number(day_of_year, 3);
    else if (take("DD")) number(c.day, 2);
    else if (take("D")) number(dow + 1, 1);
    else if (take("HH24")) number(hour, 2);
    else if (take("HH12") || take("HH")) number(hour % 12 == 0 ? 12 : hour % 12, 2);
    else if (take("MI")) number(minute, 2);
    else if (take("SS")) number(second, 2);
    else if (take("MS")) number(fraction / 1000, 3);
    else if (take("US")) number(fraction, 6);
    else if (take("AM") || take("PM")) out += hour < 12 ? "AM" : "PM";
    else if (take("am") || take("pm")) out += hour < 12 ? "am" : "pm";
    else if (take("TZ")) out += v.type() == TypeId::kTimestampTz ? "UTC" : "";
    else if (take("tz")) out += v.type() == TypeId::kTimestampTz ? "utc" : "";
    else out += format[i++];
  }
  return out;
}

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

}  // namespace

absl::StatusOr<std::optional<Value>> EvalBuiltinFunction(const BoundExpr& e,
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
  if (name == "chr") {
    // The character with this Unicode code point, in UTF-8.
    const int64_t c = args[0].int_value();
    if (c == 0) {
      return MakeError(ErrorCode::kProgramLimitExceeded, "null character not permitted");
    }
    if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      return MakeError(ErrorCode::kProgramLimitExceeded, "requested character too large for encoding: " + std::to_string(c));
    }
    std::string out;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    return Value::Text(std::move(out));
  }
  if (name == "ascii") {
    // The code point of the first character (0 for the empty string).
    const std::string s = str(0);
    if (s.empty()) return Value::Int32(0);
    const unsigned char b = static_cast<unsigned char>(s[0]);
    int64_t c = b;
    size_t extra = 0;
    if (b >= 0xF0) {
      c = b & 0x07, extra = 3;
    } else if (b >= 0xE0) {
      c = b & 0x0F, extra = 2;
    } else if (b >= 0xC0) {
      c = b & 0x1F, extra = 1;
    }
    for (size_t i = 1; i <= extra && i < s.size(); ++i) {
      c = (c << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    }
    return Value::Int32(c);
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
  if (name == "cairn_regex_match") {
    // POSIX regular expressions as far as ECMAScript's agree with them;
    // the last few patterns stay compiled (a WHERE clause reuses one).
    const bool icase = str(2) == "i";
    thread_local std::map<std::pair<std::string, bool>, std::regex> compiled;
    auto key = std::make_pair(str(1), icase);
    auto it = compiled.find(key);
    if (it == compiled.end()) {
      if (compiled.size() > 64) compiled.clear();
      auto syntax = std::regex::ECMAScript;
      if (icase) syntax |= std::regex::icase;
      try {
        it = compiled.emplace(key, std::regex(key.first, syntax)).first;
      } catch (const std::regex_error& err) {
        return MakeError(ErrorCode::kInvalidRegularExpression,
                         absl::StrFormat("invalid regular expression: %s", err.what()));
      }
    }
    return Value::Bool(std::regex_search(str(0), it->second));
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
  if (name == "quote_ident") return Value::Text(ast::QuoteIdentifier(str(0)));
  if (name == "quote_literal") {
    // 'it''s'; with backslashes an E'' string, them doubled.
    const std::string s = str(0);
    std::string out;
    bool backslash = false;
    for (char c : s) {
      if (c == '\\') backslash = true, out += '\\';
      if (c == '\'') out += '\'';
      out += c;
    }
    return Value::Text(absl::StrCat(backslash ? "E'" : "'", out, "'"));
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
  if (name == "to_char") return Value::Text(FormatDateTime(args[0], str(1)));
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

}  // namespace cairn::executor
