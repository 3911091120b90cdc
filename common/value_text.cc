#include "common/value_text.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/array_text.h"
#include "common/error_code.h"
#include "common/interval.h"
#include "common/json.h"

namespace cairn {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

std::string_view Strip(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

absl::Status InvalidInput(std::string_view type_name, std::string_view text) {
  return MakeError(ErrorCode::kInvalidTextRepresentation,
                   absl::StrFormat("invalid input syntax for type %s: \"%s\"", type_name, text));
}

// PostgreSQL's shortest round-trip output (d2s.c/f2s.c): fixed notation for
// decimal exponents in [-4, 15) (float8) or [-4, 6) (float4), scientific
// with a signed two-digit exponent otherwise.
std::string FormatFloat(double d, bool single) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[128];
  auto shortest = [&](std::chars_format format) {
    std::to_chars_result r = single
                                 ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d), format)
                                 : std::to_chars(buf, buf + sizeof buf, d, format);
    return std::string(buf, r.ptr);
  };
  std::string sci = shortest(std::chars_format::scientific);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  if (exponent >= -4 && exponent < (single ? 6 : 15)) return shortest(std::chars_format::fixed);
  std::string mant = sci.substr(0, e);
  std::string digits = std::to_string(exponent < 0 ? -exponent : exponent);
  if (digits.size() < 2) digits = "0" + digits;
  return absl::StrCat(mant, "e", exponent < 0 ? "-" : "+", digits);
}

std::string FormatBytea(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

absl::StatusOr<std::string> ParseBytea(std::string_view text) {
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    std::string out;
    std::string_view hex = text.substr(2);
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    size_t i = 0;
    while (i < hex.size()) {
      if (isspace(static_cast<unsigned char>(hex[i]))) {
        ++i;
        continue;
      }
      if (i + 1 >= hex.size() || nibble(hex[i]) < 0 || nibble(hex[i + 1]) < 0) {
        return InvalidInput("bytea", text);
      }
      out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
      i += 2;
    }
    return out;
  }
  // Escape format: backslash followed by three octal digits or a backslash.
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
    } else if (i + 3 < text.size()) {
      int v = 0;
      for (int k = 1; k <= 3; ++k) {
        char c = text[i + k];
        if (c < '0' || c > '7') return InvalidInput("bytea", text);
        v = v * 8 + (c - '0');
      }
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      return InvalidInput("bytea", text);
    }
  }
  return out;
}

absl::StatusOr<int64_t> ParseInteger(std::string_view text, TypeId type) {
  std::string_view s = Strip(text);
  const char* name = type == TypeId::kInt16 ? "smallint" : type == TypeId::kInt32 ? "integer" : "bigint";
  int64_t v = 0;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ptr != s.data() + s.size()) {
    return InvalidInput(name, text);
  }
  if (ec == std::errc::result_out_of_range ||
      (type == TypeId::kInt16 && (v < INT16_MIN || v > INT16_MAX)) ||
      (type == TypeId::kInt32 && (v < INT32_MIN || v > INT32_MAX))) {
    return MakeError(ErrorCode::kNumericValueOutOfRange,
                     absl::StrFormat("value \"%s\" is out of range for type %s", text, name));
  }
  return v;
}

absl::StatusOr<double> ParseFloat(std::string_view text, bool single) {
  std::string s = absl::AsciiStrToLower(std::string(Strip(text)));
  if (s == "nan") return std::nan("");
  if (s == "infinity" || s == "+infinity" || s == "inf") return INFINITY;
  if (s == "-infinity" || s == "-inf") return -INFINITY;
  double d = 0;
  if (s.empty() || !absl::SimpleAtod(s, &d) || std::isinf(d) || std::isnan(d)) {
    if (!s.empty() && std::isinf(d)) {
      return MakeError(ErrorCode::kNumericValueOutOfRange,
                       absl::StrFormat("\"%s\" is out of range for type %s", text,
                                    single ? "real" : "double precision"));
    }
    return InvalidInput(single ? "real" : "double precision", text);
  }
  if (single && std::isinf(static_cast<float>(d))) {
    return MakeError(ErrorCode::kNumericValueOutOfRange,
                     absl::StrFormat("\"%s\" is out of range for type real", text));
  }
  return single ? static_cast<double>(static_cast<float>(d)) : d;
}

absl::StatusOr<bool> ParseBool(std::string_view text) {
  std::string s = absl::AsciiStrToLower(std::string(Strip(text)));
  if (s == "t" || s == "true" || s == "y" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "f" || s == "false" || s == "n" || s == "no" || s == "off" || s == "0") return false;
  return InvalidInput("boolean", text);
}

// Parses "YYYY-MM-DD" at the front of s; advances s. A well-formed date
// that does not exist (Feb 30, month 13) sets *out_of_range.
bool ParseCivilDate(std::string_view* s, absl::CivilDay* day, bool* out_of_range = nullptr) {
  int y = 0, m = 0, d = 0, n = 0;
  std::string tmp(s->substr(0, 16));
  if (sscanf(tmp.c_str(), "%d-%d-%d%n", &y, &m, &d, &n) != 3) return false;
  absl::CivilDay cd(y, m, d);
  if (m < 1 || m > 12 || d < 1 || d > 31 || cd.year() != y || cd.month() != m || cd.day() != d) {
    if (out_of_range) *out_of_range = true;
    return false;
  }
  *day = cd;
  s->remove_prefix(n);
  return true;
}

absl::Status DateOutOfRange(std::string_view text) {
  return MakeError(ErrorCode::kDatetimeFieldOverflow,
                   absl::StrFormat("date/time field value out of range: \"%s\"", text));
}

// 8-4-4-4-12 lower-case hex digits.
std::string FormatUuid(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[static_cast<unsigned char>(bytes[i]) >> 4];
    out += kHex[static_cast<unsigned char>(bytes[i]) & 15];
  }
  return out;
}

// What PostgreSQL's uuid_in reads: 32 hex digits, optionally in braces,
// with a hyphen allowed after any group of four.
absl::StatusOr<std::string> ParseUuid(std::string_view text) {
  auto invalid = [&] {
    return MakeError(ErrorCode::kInvalidTextRepresentation,
                     absl::StrFormat("invalid input syntax for type uuid: \"%s\"", text));
  };
  std::string_view s = text;
  const bool braces = !s.empty() && s.front() == '{';
  if (braces) {
    if (s.size() < 2 || s.back() != '}') return invalid();
    s = s.substr(1, s.size() - 2);
  }
  std::string out;
  int digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '-' && digits > 0 && digits % 4 == 0 && i + 1 < s.size() && s[i + 1] != '-') continue;
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return invalid();
    }
    if (digits % 2 == 0) {
      out.push_back(static_cast<char>(v << 4));
    } else {
      out.back() = static_cast<char>(out.back() | v);
    }
    ++digits;
  }
  if (digits != 32) return invalid();
  return out;
}

}  // namespace

int64_t Utf8Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t Utf8Prefix(std::string_view s, int64_t chars) {
  size_t i = 0;
  for (int64_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) break;
      ++seen;
    }
  }
  return i;
}

absl::StatusOr<int32_t> ParseDate(std::string_view text) {
  std::string_view s = Strip(text);
  absl::CivilDay day;
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidDatetimeFormat,
                     absl::StrFormat("invalid input syntax for type date: \"%s\"", text));
  };
  bool out_of_range = false;
  if (!ParseCivilDate(&s, &day, &out_of_range)) return out_of_range ? DateOutOfRange(text) : bad();
  // What follows the date may only be a time, which a date ignores.
  if (!s.empty() && !ParseTimestampMicros(text, false).ok()) return bad();
  // A time part after the date is allowed and ignored, as in PostgreSQL.
  return static_cast<int32_t>(day - absl::CivilDay(1970, 1, 1));
}

absl::StatusOr<int64_t> ParseTimestampMicros(std::string_view text, bool with_time_zone) {
  std::string_view s = Strip(text);
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidDatetimeFormat,
                     absl::StrFormat("invalid input syntax for type timestamp%s: \"%s\"",
                                  with_time_zone ? " with time zone" : "", text));
  };
  absl::CivilDay day;
  bool out_of_range = false;
  if (!ParseCivilDate(&s, &day, &out_of_range)) return out_of_range ? DateOutOfRange(text) : bad();
  const int64_t days = day - absl::CivilDay(1970, 1, 1);
  // Microseconds since 1970 in an int64 reach to about the year 294246
  // (PostgreSQL, counting from 2000, to 294276).
  if (days > INT64_MAX / kMicrosPerDay - 1 || days < INT64_MIN / kMicrosPerDay + 1) {
    return MakeError(ErrorCode::kDatetimeFieldOverflow,
                     absl::StrFormat("timestamp out of range: \"%s\"", text));
  }
  int64_t micros = days * kMicrosPerDay;
  // A zone right after the date ("2024-02-11 +00", as JDBC sends a date)
  // means midnight.
  const bool zone_without_time = s.size() > 1 && s[0] == ' ' && (s[1] == '+' || s[1] == '-');
  if (!zone_without_time && !s.empty() && (s[0] == ' ' || s[0] == 'T' || s[0] == 't')) {
    s.remove_prefix(1);
    int hh = 0, mm = 0, n = 0;
    std::string tmp(s.substr(0, 8));
    if (sscanf(tmp.c_str(), "%d:%d%n", &hh, &mm, &n) != 2) return bad();
    s.remove_prefix(n);
    int ss = 0;
    int64_t frac = 0;
    if (!s.empty() && s[0] == ':') {
      s.remove_prefix(1);
      if (s.size() < 1 || !isdigit(static_cast<unsigned char>(s[0]))) return bad();
      ss = 0;
      while (!s.empty() && isdigit(static_cast<unsigned char>(s[0]))) {
        ss = ss * 10 + (s[0] - '0');
        s.remove_prefix(1);
      }
      if (!s.empty() && s[0] == '.') {
        s.remove_prefix(1);
        int digits = 0;
        while (!s.empty() && isdigit(static_cast<unsigned char>(s[0]))) {
          if (digits < 6) {
            frac = frac * 10 + (s[0] - '0');
          } else if (digits == 6 && s[0] >= '5') {
            frac += 1;  // round to microseconds
          }
          ++digits;
          s.remove_prefix(1);
        }
        for (int i = digits; i < 6; ++i) frac *= 10;
      }
    }
    if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm > 0 || ss > 0 || frac > 0))) {
      return MakeError(ErrorCode::kDatetimeFieldOverflow,
                       absl::StrFormat("date/time field value out of range: \"%s\"", text));
    }
    micros += ((hh * 60LL + mm) * 60 + ss) * 1000000 + frac;
  }
  s = Strip(s);
  if (!s.empty()) {
    // A zone: Z, UTC, +HH, +HH:MM, -HHMM. Ignored for plain timestamps.
    int64_t offset_secs = 0;
    std::string zone = absl::AsciiStrToUpper(std::string(s));
    if (zone == "Z" || zone == "UTC" || zone == "GMT") {
      offset_secs = 0;
    } else if (zone[0] == '+' || zone[0] == '-') {
      int sign = zone[0] == '-' ? -1 : 1;
      std::string digits;
      for (char c : zone.substr(1)) {
        if (isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
        else if (c != ':') return bad();
      }
      if (digits.empty() || digits.size() > 4) return bad();
      int hh = 0, mm = 0;
      if (digits.size() <= 2) {
        hh = std::stoi(digits);
      } else {
        hh = std::stoi(digits.substr(0, digits.size() - 2));
        mm = std::stoi(digits.substr(digits.size() - 2));
      }
      offset_secs = sign * (hh * 3600 + mm * 60);
    } else {
      return bad();
    }
    if (with_time_zone) micros -= offset_secs * 1000000;
  }
  return micros;
}

std::string FormatDate(int32_t days) {
  absl::CivilDay d = absl::CivilDay(1970, 1, 1) + days;
  if (d.year() <= 0) {
    return absl::StrFormat("%04d-%02d-%02d BC", 1 - d.year(), d.month(), d.day());
  }
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string FormatTimestamp(int64_t micros, bool with_time_zone) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rem = micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  std::string out = FormatDate(static_cast<int32_t>(days));
  int64_t secs = rem / 1000000, frac = rem % 1000000;
  absl::StrAppendFormat(&out, " %02d:%02d:%02d", secs / 3600, (secs / 60) % 60, secs % 60);
  if (frac != 0) {
    std::string f = absl::StrFormat("%06d", frac);
    while (!f.empty() && f.back() == '0') f.pop_back();
    absl::StrAppend(&out, ".", f);
  }
  if (with_time_zone) out += "+00";
  return out;
}

std::string FormatValue(const Value& v) {
  switch (v.type()) {
    case TypeId::kBool: return v.bool_value() ? "t" : "f";
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: return absl::StrCat(v.int_value());
    case TypeId::kFloat32: return FormatFloat(v.float_value(), true);
    case TypeId::kFloat64: return FormatFloat(v.float_value(), false);
    case TypeId::kNumeric: return v.numeric_value().ToString();
    case TypeId::kBytea: return FormatBytea(v.str_value());
    case TypeId::kDate: return FormatDate(v.date_value());
    case TypeId::kTimestamp: return FormatTimestamp(v.micros_value(), false);
    case TypeId::kTimestampTz: return FormatTimestamp(v.micros_value(), true);
    case TypeId::kUnknown:
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kChar: return v.str_value();
    case TypeId::kArray: return FormatArray(v.array_value());
    case TypeId::kUuid: return FormatUuid(v.str_value());
    case TypeId::kJson:
    case TypeId::kJsonb: return v.str_value();
    case TypeId::kInterval: return FormatInterval(v.interval_value());
  }
  return "";
}

absl::StatusOr<Value> ParseValue(std::string_view text, const SqlType& type) {
  switch (type.id) {
    case TypeId::kArray: return ParseArray(text, SqlType::Of(type.element));
    case TypeId::kInterval: {
      CAIRN_ASSIGN_OR_RETURN(
          Interval v, ParseInterval(text, static_cast<IntervalFields>(type.precision < 0 ? -1 : type.precision)));
      return Value::FromInterval(RoundIntervalSeconds(v, type.scale));
    }
    case TypeId::kUuid: {
      CAIRN_ASSIGN_OR_RETURN(std::string bytes, ParseUuid(text));
      return Value::String(TypeId::kUuid, std::move(bytes));
    }
    case TypeId::kJson: {
      // json keeps its text; it only has to be JSON.
      CAIRN_RETURN_IF_ERROR(json::Parse(text).status());
      return Value::String(TypeId::kJson, std::string(text));
    }
    case TypeId::kJsonb: {
      CAIRN_ASSIGN_OR_RETURN(json::Value doc, json::Parse(text));
      return Value::String(TypeId::kJsonb, json::JsonbText(json::Normalize(std::move(doc))));
    }
    case TypeId::kBool: {
      CAIRN_ASSIGN_OR_RETURN(bool b, ParseBool(text));
      return Value::Bool(b);
    }
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      CAIRN_ASSIGN_OR_RETURN(int64_t i, ParseInteger(text, type.id));
      return Value::Int(type.id, i);
    }
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      CAIRN_ASSIGN_OR_RETURN(double d, ParseFloat(text, type.id == TypeId::kFloat32));
      return Value::Float(type.id, d);
    }
    case TypeId::kNumeric: {
      CAIRN_ASSIGN_OR_RETURN(Numeric n, Numeric::Parse(text));
      CAIRN_ASSIGN_OR_RETURN(n, n.Coerce(type.precision, type.scale));
      return Value::Num(n);
    }
    case TypeId::kUnknown:
    case TypeId::kText: return Value::String(type.id, std::string(text));
    case TypeId::kVarchar:
    case TypeId::kChar: {
      // Lengths count characters (UTF-8 code points), not bytes.
      std::string s(text);
      int64_t length = Utf8Length(s);
      if (type.precision >= 0 && length > type.precision) {
        // Trailing spaces beyond the limit are silently dropped, as in PostgreSQL.
        size_t cut = Utf8Prefix(s, type.precision);
        if (s.find_first_not_of(' ', cut) == std::string::npos) {
          s.resize(cut);
          length = type.precision;
        } else {
          return MakeError(ErrorCode::kStringDataRightTruncation,
                           absl::StrFormat("value too long for type %s", TypeName(type)));
        }
      }
      if (type.id == TypeId::kChar && type.precision > 0 && length < type.precision) {
        s.append(type.precision - length, ' ');
      }
      return Value::String(type.id, std::move(s));
    }
    case TypeId::kBytea: {
      CAIRN_ASSIGN_OR_RETURN(std::string b, ParseBytea(text));
      return Value::Bytea(std::move(b));
    }
    case TypeId::kDate: {
      CAIRN_ASSIGN_OR_RETURN(int32_t d, ParseDate(text));
      return Value::Date(d);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      CAIRN_ASSIGN_OR_RETURN(int64_t m,
                             ParseTimestampMicros(text, type.id == TypeId::kTimestampTz));
      return Value::Timestamp(type.id, m);
    }
  }
  return InvalidInput(TypeName(type), text);
}

}  // namespace cairn
