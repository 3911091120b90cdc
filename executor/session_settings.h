#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace cairn::executor {

// The run-time parameters a session can SET and SHOW, with PostgreSQL's
// names, defaults and validation for the ones CairnDB acts on. Names are
// case-insensitive; custom names with a dot ("app.user_id") are accepted as
// PostgreSQL does. Not thread-safe: one per session.
class SessionSettings {
 public:
  SessionSettings(const std::string& user, const std::string& application_name,
                  bool superuser = true);

  // 42704 for an unknown name; 22023 for a value CairnDB can't honour.
  absl::Status Set(const std::string& name, const std::string& value);
  absl::Status Reset(const std::string& name);
  // Makes the current value of `name` the one RESET returns to (a setting
  // the client sent at connection start).
  void KeepAsDefault(const std::string& name);
  absl::StatusOr<std::string> Get(const std::string& name) const;
  // A time setting (statement_timeout, ...) in milliseconds; 0: none.
  int64_t DurationMs(const std::string& name) const;
  // A memory setting (work_mem) in bytes; 0 when unset.
  int64_t MemoryBytes(const std::string& name) const;
  // Every parameter, for SHOW ALL: (name, value, description).
  std::vector<std::pair<std::string, std::string>> All() const;

  // Whether a parameter is reported to the client in ParameterStatus.
  static bool IsReported(const std::string& name);
  // The canonical spelling of `name` (e.g. "DateStyle" for "datestyle").
  static std::string CanonicalName(const std::string& name);

 private:
  std::map<std::string, std::string> values_;  // keyed by lower-case name
  std::map<std::string, std::string> defaults_;
};

}  // namespace cairn::executor
