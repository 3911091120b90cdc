#include "executor/session_settings.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"

namespace cairn::executor {
namespace {

struct Known {
  const char* name;  // canonical spelling
  const char* value;
  bool reported;     // sent as ParameterStatus
};

constexpr Known kKnown[] = {
    {"application_name", "", true},
    {"client_encoding", "UTF8", true},
    {"DateStyle", "ISO, MDY", true},
    {"default_transaction_isolation", "repeatable read", false},
    {"default_transaction_read_only", "off", false},
    {"extra_float_digits", "1", false},
    {"integer_datetimes", "on", true},
    {"IntervalStyle", "postgres", true},
    {"is_superuser", "on", true},
    {"search_path", "\"$user\", public", false},
    {"server_encoding", "UTF8", true},
    {"server_version", "15.0", true},
    {"server_version_num", "150000", false},
    {"session_authorization", "", true},
    {"standard_conforming_strings", "on", true},
    {"statement_timeout", "0", false},
    {"lock_timeout", "0", false},
    {"idle_in_transaction_session_timeout", "0", false},
    {"TimeZone", "UTC", true},
    {"transaction_isolation", "repeatable read", false},
    {"transaction_read_only", "off", false},
    {"max_identifier_length", "63", false},
    {"bytea_output", "hex", false},
    {"client_min_messages", "notice", false},
    {"role", "none", false},
    {"password_encryption", "scram-sha-256", false},
    {"enable_hashjoin", "on", false},
    {"enable_mergejoin", "on", false},
    {"enable_pushdown", "on", false},
    {"work_mem", "64MB", false},
};

const Known* Find(const std::string& lower) {
  for (const Known& k : kKnown) {
    if (absl::AsciiStrToLower(k.name) == lower) return &k;
  }
  return nullptr;
}

// Parameters fixed at start-up: SET is refused.
bool IsReadOnly(const std::string& lower) {
  return lower == "server_version" || lower == "server_version_num" ||
         lower == "server_encoding" || lower == "integer_datetimes" ||
         lower == "max_identifier_length" || lower == "is_superuser";
}

absl::Status Unsupported(const std::string& name, const std::string& value, const char* why) {
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrFormat("invalid value for parameter \"%s\": \"%s\" (%s)", name, value,
                                   why));
}

bool IsBoolSetting(const std::string& lower) {
  return lower == "enable_hashjoin" || lower == "enable_mergejoin" || lower == "enable_pushdown";
}

// A memory setting's value: a number with an optional unit (kB, MB, GB, TB;
// kB when it has none), as PostgreSQL reads work_mem; in bytes.
absl::StatusOr<int64_t> ParseMemoryBytes(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  int64_t n = 0;
  size_t digits = i;
  for (; digits < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[digits]));
       ++digits) {
    if (n > (int64_t{1} << 40)) return MakeError(ErrorCode::kInvalidParameterValue, "too large");
    n = n * 10 + (text[digits] - '0');
  }
  if (digits == i) return MakeError(ErrorCode::kInvalidParameterValue, "not a number");
  std::string unit;
  for (size_t k = digits; k < text.size(); ++k) {
    if (text[k] != ' ') unit.push_back(text[k]);
  }
  if (unit.empty() || unit == "kB") return n * 1024;
  if (unit == "MB") return n * 1024 * 1024;
  if (unit == "GB") return n * 1024 * 1024 * 1024;
  if (unit == "TB") return n * 1024 * 1024 * 1024 * 1024;
  return MakeError(ErrorCode::kInvalidParameterValue,
                   "valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\"");
}

// PostgreSQL's spellings of a boolean setting: on/off, true/false, yes/no,
// 1/0 and their prefixes.
std::optional<bool> ParseBoolSetting(const std::string& lv) {
  if (lv == "on" || lv == "true" || lv == "yes" || lv == "1" || lv == "t" || lv == "y") return true;
  if (lv == "off" || lv == "false" || lv == "no" || lv == "0" || lv == "f" || lv == "n") return false;
  return std::nullopt;
}

bool IsDurationSetting(const std::string& lower) {
  return lower == "statement_timeout" || lower == "lock_timeout" ||
         lower == "idle_in_transaction_session_timeout";
}

// A time setting's value: a number with an optional unit (us, ms, s, min,
// h, d), milliseconds when it has none, as PostgreSQL reads it.
absl::StatusOr<int64_t> ParseDurationMs(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t digits = i;
  while (digits < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == i) return MakeError(ErrorCode::kInvalidParameterValue, "not a number");
  int64_t n = 0;
  for (size_t k = i; k < digits; ++k) {
    if (n > (int64_t{1} << 40)) return MakeError(ErrorCode::kInvalidParameterValue, "too large");
    n = n * 10 + (text[k] - '0');
  }
  std::string unit;
  for (size_t k = digits; k < text.size(); ++k) {
    if (text[k] != ' ') unit.push_back(absl::ascii_tolower(static_cast<unsigned char>(text[k])));
  }
  if (unit.empty() || unit == "ms") return n;
  if (unit == "us") return n / 1000;
  if (unit == "s") return n * 1000;
  if (unit == "min") return n * 60 * 1000;
  if (unit == "h") return n * 3600 * 1000;
  if (unit == "d") return n * 86400 * 1000;
  return MakeError(ErrorCode::kInvalidParameterValue,
                   "valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"");
}

// How SHOW prints a duration: in the largest unit that divides it.
std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0";
  if (ms % (86400 * 1000) == 0) return absl::StrFormat("%dd", ms / (86400 * 1000));
  if (ms % (3600 * 1000) == 0) return absl::StrFormat("%dh", ms / (3600 * 1000));
  if (ms % (60 * 1000) == 0) return absl::StrFormat("%dmin", ms / (60 * 1000));
  if (ms % 1000 == 0) return absl::StrFormat("%ds", ms / 1000);
  return absl::StrFormat("%dms", ms);
}

}  // namespace

SessionSettings::SessionSettings(const std::string& user, const std::string& application_name,
                                 bool superuser) {
  for (const Known& k : kKnown) defaults_[absl::AsciiStrToLower(k.name)] = k.value;
  defaults_["session_authorization"] = user;
  defaults_["is_superuser"] = superuser ? "on" : "off";
  defaults_["application_name"] = application_name;
  values_ = defaults_;
}

std::string SessionSettings::CanonicalName(const std::string& name) {
  const Known* k = Find(absl::AsciiStrToLower(name));
  return k ? k->name : name;
}

bool SessionSettings::IsReported(const std::string& name) {
  const Known* k = Find(absl::AsciiStrToLower(name));
  return k != nullptr && k->reported;
}

absl::Status SessionSettings::Set(const std::string& name, const std::string& value) {
  std::string lower = absl::AsciiStrToLower(name);
  const Known* known = Find(lower);
  if (known == nullptr && lower.find('.') == std::string::npos) {
    return MakeError(ErrorCode::kUndefinedObject,
                     absl::StrFormat("unrecognized configuration parameter \"%s\"", name));
  }
  if (IsReadOnly(lower)) {
    return MakeError(ErrorCode::kCantChangeRuntimeParam,
                     absl::StrFormat("parameter \"%s\" cannot be changed", name));
  }
  std::string v = value;
  std::string lv = absl::AsciiStrToLower(value);
  if (lower == "client_encoding") {
    if (lv != "utf8" && lv != "utf-8" && lv != "unicode") {
      return Unsupported(name, value, "CairnDB speaks UTF8 only");
    }
    v = "UTF8";
  } else if (lower == "timezone") {
    if (lv != "utc" && lv != "gmt" && lv != "etc/utc" && lv != "z" && lv != "0" &&
        lv != "+00" && lv != "zulu" && lv != "universal") {
      return Unsupported(name, value, "CairnDB sessions run in UTC");
    }
    v = "UTC";
  } else if (lower == "datestyle") {
    if (lv.find("iso") == std::string::npos) {
      return Unsupported(name, value, "CairnDB formats dates in ISO style");
    }
    // The order only matters for reading ambiguous non-ISO dates.
    v = lv.find("dmy") != std::string::npos   ? "ISO, DMY"
        : lv.find("ymd") != std::string::npos ? "ISO, YMD"
                                               : "ISO, MDY";
  } else if (lower == "transaction_isolation" || lower == "default_transaction_isolation") {
    if (lv == "serializable") {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       "SERIALIZABLE isolation is not supported yet; CairnDB provides snapshot "
                       "isolation (REPEATABLE READ)");
    }
    if (lv != "repeatable read" && lv != "read committed" && lv != "read uncommitted") {
      return Unsupported(name, value, "unknown isolation level");
    }
    // Weaker levels are served by snapshot isolation, as PostgreSQL serves
    // READ UNCOMMITTED with READ COMMITTED.
    v = "repeatable read";
  } else if (lower == "password_encryption") {
    if (lv != "scram-sha-256" && lv != "md5") {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrFormat("invalid value for parameter \"%s\": \"%s\"", name, value));
    }
    v = lv;
  } else if (lower == "work_mem") {
    absl::StatusOr<int64_t> bytes = ParseMemoryBytes(value);
    if (!bytes.ok()) return Unsupported(name, value, std::string(bytes.status().message()).c_str());
    if (*bytes < 64 * 1024) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrFormat("%d kB is outside the valid range for parameter \"work_mem\" "
                                       "(64 .. 2147483647)",
                                       *bytes / 1024));
    }
    v = *bytes % (1024 * 1024) == 0 ? absl::StrFormat("%dMB", *bytes / (1024 * 1024))
                                    : absl::StrFormat("%dkB", *bytes / 1024);
  } else if (IsBoolSetting(lower)) {
    std::optional<bool> b = ParseBoolSetting(lv);
    if (!b.has_value()) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrFormat("parameter \"%s\" requires a Boolean value", name));
    }
    v = *b ? "on" : "off";
  } else if (IsDurationSetting(lower)) {
    absl::StatusOr<int64_t> ms = ParseDurationMs(value);
    if (!ms.ok()) return Unsupported(name, value, std::string(ms.status().message()).c_str());
    v = FormatDurationMs(*ms);
  } else if (lower == "extra_float_digits") {
    for (char c : value) {
      if (!isdigit(static_cast<unsigned char>(c)) && c != '-' && !isalpha(static_cast<unsigned char>(c))) {
        return Unsupported(name, value, "expected a number");
      }
    }
  }
  values_[lower] = v;
  return absl::OkStatus();
}

void SessionSettings::KeepAsDefault(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  auto it = values_.find(lower);
  if (it != values_.end()) defaults_[lower] = it->second;
}

absl::Status SessionSettings::Reset(const std::string& name) {
  std::string lower = absl::AsciiStrToLower(name);
  if (lower == "all") {
    values_ = defaults_;
    return absl::OkStatus();
  }
  auto it = defaults_.find(lower);
  if (it == defaults_.end()) {
    if (lower.find('.') != std::string::npos) {
      values_.erase(lower);
      return absl::OkStatus();
    }
    return MakeError(ErrorCode::kUndefinedObject,
                     absl::StrFormat("unrecognized configuration parameter \"%s\"", name));
  }
  values_[lower] = it->second;
  return absl::OkStatus();
}

int64_t SessionSettings::DurationMs(const std::string& name) const {
  auto it = values_.find(absl::AsciiStrToLower(name));
  if (it == values_.end()) return 0;
  absl::StatusOr<int64_t> ms = ParseDurationMs(it->second);
  return ms.ok() ? *ms : 0;
}

int64_t SessionSettings::MemoryBytes(const std::string& name) const {
  auto it = values_.find(absl::AsciiStrToLower(name));
  if (it == values_.end()) return 0;
  absl::StatusOr<int64_t> bytes = ParseMemoryBytes(it->second);
  return bytes.ok() ? *bytes : 0;
}

absl::StatusOr<std::string> SessionSettings::Get(const std::string& name) const {
  auto it = values_.find(absl::AsciiStrToLower(name));
  if (it == values_.end()) {
    return MakeError(ErrorCode::kUndefinedObject,
                     absl::StrFormat("unrecognized configuration parameter \"%s\"", name));
  }
  return it->second;
}

std::vector<std::pair<std::string, std::string>> SessionSettings::All() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : values_) {
    out.emplace_back(CanonicalName(name), value);
  }
  return out;
}

}  // namespace cairn::executor
