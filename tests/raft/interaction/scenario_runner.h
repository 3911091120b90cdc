#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Runs scenario scripts in the datadriven format of etcd raft's testdata and
// CockroachDB: a file is a sequence of blocks
//
//   # comments explain the step
//   command 1 2 key=value list=(1,2,3)
//   ----
//   expected output
//   (a blank line or the end of the file ends the block)
//
// Each command is handed to a handler that returns its actual output; the
// runner compares it with the expected output. In rewrite mode (the test
// sets it from CAIRN_REWRITE=1) the runner writes the actual outputs back
// into the file instead, so that a behaviour change shows up as a diff to
// review rather than as hand-edited expectations.
//
// Outputs never contain blank lines (they would end the block); an empty
// output is written as "ok".
//
// Thread safety: none.
namespace cairn::raft::interaction {

// One command line: `name pos1 pos2 key=value key=(a,b)`.
struct ScenarioCommand {
  std::string name;
  std::vector<std::string> positional;
  std::map<std::string, std::string> named;  // lists keep their parentheses
  int line = 0;                              // 1-based, for error messages

  // Positional argument `i` as a number; kInvalidArgument if absent or not
  // a number.
  absl::StatusOr<uint64_t> PosUint(size_t i) const;
  // Every positional argument as a number.
  absl::StatusOr<std::vector<uint64_t>> PosUints() const;
  bool Has(const std::string& key) const { return named.count(key) > 0; }
  absl::StatusOr<uint64_t> GetUint(const std::string& key,
                                   uint64_t fallback) const;
  absl::StatusOr<bool> GetBool(const std::string& key, bool fallback) const;
  std::string GetString(const std::string& key,
                        const std::string& fallback) const;
  // `key=(1,2,3)` or `key=1`; empty when absent.
  absl::StatusOr<std::vector<uint64_t>> GetUintList(
      const std::string& key) const;
  // Fails unless every named argument is one of `allowed`: a typo in a
  // script must not silently fall back to a default.
  absl::Status CheckNamed(const std::vector<std::string>& allowed) const;
};

// Returns the actual output of one command; an error means the script
// itself is wrong (unknown command, bad argument) and fails the test.
using ScenarioHandler =
    std::function<absl::StatusOr<std::string>(const ScenarioCommand&)>;

// A block whose actual output differs from the expected one.
struct ScenarioMismatch {
  int line = 0;
  std::string command;
  std::string expected;
  std::string actual;
};

struct ScenarioResult {
  std::vector<ScenarioMismatch> mismatches;
  bool rewritten = false;  // rewrite mode changed the file
};

// Runs every block of the file at `path` through `handler`, in order.
// Fails on an unreadable or malformed file and on a handler error.
absl::StatusOr<ScenarioResult> RunScenarioFile(const std::string& path,
                                               const ScenarioHandler& handler,
                                               bool rewrite);

}  // namespace cairn::raft::interaction
