#include "pgwire/startup_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/error_code.h"

namespace cairn::pgwire {
namespace {

// pg_split_opts: white space separates words; a backslash escapes the
// character after it (a space in a value, or a backslash).
std::vector<std::string> SplitWords(std::string_view options) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < options.size(); ++i) {
    const char c = options[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < options.size()) {
      word.push_back(options[++i]);
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::Status InvalidArgument(std::string_view word) {
  return MakeError(
      ErrorCode::kSyntaxError,
      absl::StrCat("invalid command-line argument for server process: ", std::string(word)));
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseStartupOptions(
    std::string_view options) {
  std::vector<std::pair<std::string, std::string>> settings;
  const std::vector<std::string> words = SplitWords(options);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    std::string setting;
    bool dashes_to_underscores = false;
    if (word == "-c") {
      if (i + 1 == words.size()) return InvalidArgument(word);
      setting = words[++i];
    } else if (word.starts_with("-c")) {
      setting = word.substr(2);
    } else if (word.starts_with("--")) {
      setting = word.substr(2);
      dashes_to_underscores = true;
    } else {
      return InvalidArgument(word);
    }
    const size_t eq = setting.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument(word);
    std::string name = setting.substr(0, eq);
    if (dashes_to_underscores) name = absl::StrReplaceAll(name, {{"-", "_"}});
    settings.emplace_back(std::move(name), setting.substr(eq + 1));
  }
  return settings;
}

}  // namespace cairn::pgwire
