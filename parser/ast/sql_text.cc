#include "parser/ast/sql_text.h"

#include "absl/strings/str_join.h"

namespace cairn::ast {

std::string QuoteIdentifier(std::string_view name) {
  bool bare = !name.empty() && !(name[0] >= '0' && name[0] <= '9') && name[0] != '$';
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$')) {
      bare = false;
      break;
    }
  }
  if (bare && !IsKeyword(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string OptionName(std::string_view name) {
  bool word = !name.empty();
  for (char c : name) word = word && ((c >= 'a' && c <= 'z') || c == '_');
  if (!word) return QuoteIdentifier(name);
  std::string out(name);
  for (char& c : out) {
    if (c != '_') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string QuoteString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string QuoteQualified(const std::vector<std::string>& parts) {
  return absl::StrJoin(parts, ".", [](std::string* out, const std::string& part) {
    out->append(QuoteIdentifier(part));
  });
}

}  // namespace cairn::ast
