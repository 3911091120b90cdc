#include "common/array_text.h"

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/value_text.h"

namespace cairn {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool NeedsQuotes(const std::string& s) {
  if (s.empty() || absl::EqualsIgnoreCase(s, "NULL")) return true;
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || IsSpace(c)) return true;
  }
  return false;
}

absl::Status Malformed(std::string_view text, std::string_view detail) {
  return WithDetail(MakeError(ErrorCode::kInvalidTextRepresentation,
                              absl::StrFormat("malformed array literal: \"%s\"", text)),
                    detail);
}

}  // namespace

std::string FormatArray(const ArrayValue& array) {
  std::string out = "{";
  for (size_t i = 0; i < array.elements.size(); ++i) {
    if (i > 0) out += ',';
    const Value& e = array.elements[i];
    if (e.is_null()) {
      out += "NULL";
      continue;
    }
    const std::string text = FormatValue(e);
    if (!NeedsQuotes(text)) {
      out += text;
      continue;
    }
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

absl::StatusOr<Value> ParseArray(std::string_view text, const SqlType& element) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && IsSpace(text[i])) ++i;
  };
  skip_space();
  if (i >= text.size() || text[i] != '{') {
    return Malformed(text, "Array value must start with \"{\" or dimension information.");
  }
  ++i;
  std::vector<Value> elements;
  skip_space();
  if (i < text.size() && text[i] == '}') {
    ++i;
  } else {
    for (;;) {
      skip_space();
      if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
      if (text[i] == '{') {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         "multidimensional arrays are not supported");
      }
      std::string item;
      bool quoted = false;
      if (text[i] == '"') {
        quoted = true;
        ++i;
        while (i < text.size() && text[i] != '"') {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          item += text[i++];
        }
        if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
        ++i;  // the closing quote
        skip_space();
      } else {
        size_t last_kept = 0;  // trailing whitespace of an unquoted item goes
        while (i < text.size() && text[i] != ',' && text[i] != '}') {
          if (text[i] == '"' || text[i] == '{') {
            return Malformed(text, absl::StrFormat("Unexpected \"%c\" character.", text[i]));
          }
          if (text[i] == '\\' && i + 1 < text.size()) {
            item += text[++i];
            ++i;
            last_kept = item.size();
            continue;
          }
          item += text[i++];
          if (!IsSpace(item.back())) last_kept = item.size();
        }
        item.resize(last_kept);
        if (item.empty()) return Malformed(text, "Unexpected \",\" character.");
      }
      if (!quoted && absl::EqualsIgnoreCase(item, "NULL")) {
        elements.push_back(Value::Null(element.id));
      } else {
        CAIRN_ASSIGN_OR_RETURN(Value v, ParseValue(item, element));
        elements.push_back(std::move(v));
      }
      if (i >= text.size()) return Malformed(text, "Unexpected end of input.");
      if (text[i] == ',') {
        ++i;
        continue;
      }
      if (text[i] == '}') {
        ++i;
        break;
      }
      return Malformed(text, absl::StrFormat("Unexpected \"%c\" character.", text[i]));
    }
  }
  skip_space();
  if (i != text.size()) return Malformed(text, "Junk after closing right brace.");
  return Value::Array(element.id, std::move(elements));
}

}  // namespace cairn
