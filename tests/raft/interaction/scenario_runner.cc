#include "scenario_runner.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cairn::raft::interaction {

namespace {

constexpr absl::string_view kSeparator = "----";

absl::Status BadArg(const ScenarioCommand& c, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrFormat("line %d (%s): %s", c.line, c.name, what));
}

absl::StatusOr<uint64_t> ParseUint(const ScenarioCommand& c,
                                   absl::string_view text) {
  uint64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    return BadArg(c, absl::StrFormat("'%s' is not a number", text));
  }
  return v;
}

absl::StatusOr<ScenarioCommand> ParseCommand(absl::string_view text,
                                             int line) {
  ScenarioCommand c;
  c.line = line;
  std::vector<absl::string_view> tokens =
      absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  c.name = std::string(tokens.front());
  for (size_t i = 1; i < tokens.size(); ++i) {
    const size_t eq = tokens[i].find('=');
    if (eq == absl::string_view::npos) {
      c.positional.emplace_back(tokens[i]);
      continue;
    }
    std::string key(tokens[i].substr(0, eq));
    if (!c.named.emplace(key, std::string(tokens[i].substr(eq + 1))).second) {
      return BadArg(c, absl::StrFormat("argument '%s' given twice", key));
    }
  }
  return c;
}

std::string TrimTrailing(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace

absl::StatusOr<uint64_t> ScenarioCommand::PosUint(size_t i) const {
  if (i >= positional.size()) {
    return BadArg(*this, absl::StrFormat("missing argument %d", i + 1));
  }
  return ParseUint(*this, positional[i]);
}

absl::StatusOr<std::vector<uint64_t>> ScenarioCommand::PosUints() const {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < positional.size(); ++i) {
    absl::StatusOr<uint64_t> v = PosUint(i);
    if (!v.ok()) return v.status();
    out.push_back(*v);
  }
  return out;
}

absl::StatusOr<uint64_t> ScenarioCommand::GetUint(const std::string& key,
                                                  uint64_t fallback) const {
  auto it = named.find(key);
  if (it == named.end()) return fallback;
  return ParseUint(*this, it->second);
}

absl::StatusOr<bool> ScenarioCommand::GetBool(const std::string& key,
                                              bool fallback) const {
  auto it = named.find(key);
  if (it == named.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return BadArg(*this, absl::StrFormat("%s must be true or false", key));
}

std::string ScenarioCommand::GetString(const std::string& key,
                                       const std::string& fallback) const {
  auto it = named.find(key);
  return it == named.end() ? fallback : it->second;
}

absl::StatusOr<std::vector<uint64_t>> ScenarioCommand::GetUintList(
    const std::string& key) const {
  std::vector<uint64_t> out;
  auto it = named.find(key);
  if (it == named.end()) return out;
  absl::string_view text = it->second;
  if (absl::ConsumePrefix(&text, "(") && !absl::ConsumeSuffix(&text, ")")) {
    return BadArg(*this, absl::StrFormat("unbalanced list in %s", key));
  }
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    absl::StatusOr<uint64_t> v = ParseUint(*this, item);
    if (!v.ok()) return v.status();
    out.push_back(*v);
  }
  return out;
}

absl::Status ScenarioCommand::CheckNamed(
    const std::vector<std::string>& allowed) const {
  for (const auto& [key, value] : named) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return BadArg(*this, absl::StrFormat("unknown argument '%s'", key));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ScenarioResult> RunScenarioFile(const std::string& path,
                                               const ScenarioHandler& handler,
                                               bool rewrite) {
  absl::StatusOr<std::vector<std::string>> read = ReadLines(path);
  if (!read.ok()) return read.status();
  const std::vector<std::string>& lines = *read;
  ScenarioResult result;
  std::vector<std::string> out;  // the file as rewrite mode writes it
  size_t i = 0;
  while (i < lines.size()) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(lines[i]);
    if (stripped.empty() || absl::StartsWith(stripped, "#")) {
      out.push_back(lines[i++]);
      continue;
    }
    const int cmd_line = static_cast<int>(i) + 1;
    absl::StatusOr<ScenarioCommand> cmd = ParseCommand(stripped, cmd_line);
    if (!cmd.ok()) return cmd.status();
    out.push_back(lines[i++]);
    if (i >= lines.size() || lines[i] != kSeparator) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s:%d: command without a '----' line after it", path, cmd_line));
    }
    out.push_back(lines[i++]);
    std::vector<std::string> expected_lines;
    while (i < lines.size() && !lines[i].empty()) {
      expected_lines.push_back(lines[i++]);
    }
    const std::string expected = absl::StrJoin(expected_lines, "\n");

    absl::StatusOr<std::string> actual_or = handler(*cmd);
    if (!actual_or.ok()) {
      return absl::Status(actual_or.status().code(),
                          absl::StrCat(path, ": ",
                                       actual_or.status().message()));
    }
    std::string actual = TrimTrailing(*std::move(actual_or));
    if (actual.empty()) actual = "ok";
    if (absl::StrContains(actual, "\n\n")) {
      return absl::InternalError(absl::StrFormat(
          "%s:%d: output contains a blank line", path, cmd_line));
    }
    if (actual != expected) {
      result.mismatches.push_back(ScenarioMismatch{
          cmd_line, std::string(stripped), expected, actual});
    }
    for (absl::string_view l : absl::StrSplit(actual, '\n')) {
      out.emplace_back(l);
    }
  }
  if (rewrite && !result.mismatches.empty()) {
    std::ofstream f(path, std::ios::trunc);
    for (const std::string& l : out) f << l << "\n";
    if (!f) return absl::InternalError(absl::StrCat("cannot write ", path));
    result.rewritten = true;
  }
  return result;
}

}  // namespace cairn::raft::interaction
