#include "executor/copy_format.h"

#include "absl/strings/str_format.h"
#include "common/error_code.h"

namespace cairn::executor {
namespace {

absl::Status BadCopyFormat(std::string_view message) {
  return MakeError(ErrorCode::kBadCopyFileFormat, message);
}

// The value of a boolean option: absent (a bare HEADER) means true.
absl::StatusOr<bool> OptionBool(const ast::Option& option) {
  const std::string& v = option.value;
  if (v.empty() || v == "true" || v == "on" || v == "1") return true;
  if (v == "false" || v == "off" || v == "0") return false;
  return MakeError(ErrorCode::kSyntaxError,
                   absl::StrFormat("%s requires a Boolean value", option.name), option.position);
}

absl::StatusOr<char> OneByte(const ast::Option& option, std::string_view what) {
  if (option.value.size() != 1) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrFormat("COPY %s must be a single one-byte character", what));
  }
  return option.value[0];
}

// Text format's backslash sequences (PostgreSQL's CopyReadAttributesText).
std::string Unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out.push_back(c);
      continue;
    }
    c = raw[++i];
    switch (c) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        int value = 0, digits = 0;
        while (digits < 2 && i + 1 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1]))) {
          const char h = raw[++i];
          value = value * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
          ++digits;
        }
        if (digits == 0) {
          out.push_back('x');
        } else {
          out.push_back(static_cast<char>(value));
        }
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int value = c - '0';
          for (int digits = 1; digits < 3 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++digits) {
            value = value * 8 + (raw[++i] - '0');
          }
          out.push_back(static_cast<char>(value & 0xff));
        } else {
          out.push_back(c);  // \\, \<delimiter>, and any other character as itself
        }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<CopyOptions> CopyOptions::FromAst(const std::vector<ast::Option>& options) {
  CopyOptions out;
  const ast::Option* delimiter = nullptr;
  const ast::Option* null_string = nullptr;
  const ast::Option* quote = nullptr;
  const ast::Option* escape = nullptr;
  std::vector<std::string> seen;
  for (const ast::Option& option : options) {
    for (const std::string& name : seen) {
      if (name == option.name) {
        return MakeError(ErrorCode::kSyntaxError, "conflicting or redundant options",
                         option.position);
      }
    }
    seen.push_back(option.name);
    if (option.name == "format") {
      if (option.value == "csv") {
        out.csv = true;
      } else if (option.value == "binary") {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         "COPY in binary format is not supported yet");
      } else if (option.value != "text") {
        return MakeError(ErrorCode::kInvalidParameterValue,
                         absl::StrFormat("COPY format \"%s\" not recognized", option.value),
                         option.position);
      }
    } else if (option.name == "header") {
      CAIRN_ASSIGN_OR_RETURN(out.header, OptionBool(option));
    } else if (option.name == "freeze") {
      CAIRN_RETURN_IF_ERROR(OptionBool(option).status());
    } else if (option.name == "delimiter") {
      delimiter = &option;
    } else if (option.name == "null") {
      null_string = &option;
    } else if (option.name == "quote") {
      quote = &option;
    } else if (option.name == "escape") {
      escape = &option;
    } else {
      return MakeError(ErrorCode::kSyntaxError,
                       absl::StrFormat("option \"%s\" not recognized", option.name),
                       option.position);
    }
  }
  out.delimiter = out.csv ? ',' : '\t';
  out.null_string = out.csv ? "" : "\\N";
  if (delimiter != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(out.delimiter, OneByte(*delimiter, "delimiter"));
  }
  if (null_string != nullptr) out.null_string = null_string->value;
  if ((quote != nullptr || escape != nullptr) && !out.csv) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrFormat("COPY %s available only in CSV mode",
                                     quote != nullptr ? "quote" : "escape"));
  }
  if (quote != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(out.quote, OneByte(*quote, "quote"));
  }
  out.escape = out.quote;
  if (escape != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(out.escape, OneByte(*escape, "escape"));
  }
  if (out.delimiter == '\n' || out.delimiter == '\r') {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "COPY delimiter cannot be newline or carriage return");
  }
  if (!out.csv && out.delimiter == '\\') {
    return MakeError(ErrorCode::kInvalidParameterValue, "COPY delimiter cannot be \"\\\"");
  }
  if (out.csv && out.delimiter == out.quote) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "COPY delimiter and quote must be different");
  }
  return out;
}

size_t CopyParser::RecordEnd() const {
  if (!options_.csv) return pending_.find('\n');
  bool quoted = false;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const char c = pending_[i];
    if (quoted) {
      if (c == options_.escape && options_.escape != options_.quote && i + 1 < pending_.size() &&
          (pending_[i + 1] == options_.quote || pending_[i + 1] == options_.escape)) {
        ++i;  // an escaped quote or escape
      } else if (c == options_.quote) {
        quoted = false;  // a doubled quote reopens at once
      }
    } else if (c == options_.quote) {
      quoted = true;
    } else if (c == '\n') {
      return i;
    }
  }
  return std::string::npos;
}

absl::Status CopyParser::Feed(std::string_view chunk, std::vector<CopyRecord>* out) {
  if (ended_) return absl::OkStatus();  // after "\.", PostgreSQL ignores the rest
  pending_.append(chunk);
  size_t consumed = 0;
  for (;;) {
    // RecordEnd scans pending_ from its start: look at the rest only.
    if (consumed > 0) {
      pending_.erase(0, consumed);
      consumed = 0;
    }
    const size_t end = RecordEnd();
    if (end == std::string::npos) break;
    std::string_view record(pending_.data(), end);
    const int64_t newlines = std::count(record.begin(), record.end(), '\n') + 1;
    CAIRN_RETURN_IF_ERROR(ParseRecord(record, out));
    next_line_ += newlines;
    consumed = end + 1;
    if (ended_) {
      pending_.clear();
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status CopyParser::Finish(std::vector<CopyRecord>* out) {
  if (ended_ || pending_.empty()) return absl::OkStatus();
  // The last line need not end in a newline.
  if (options_.csv && RecordEnd() == std::string::npos) {
    size_t quotes = std::count(pending_.begin(), pending_.end(), options_.quote);
    if (options_.escape == options_.quote && quotes % 2 == 1) {
      return WithContext(BadCopyFormat("unterminated CSV quoted field"),
                         absl::StrFormat("%s, line %d", context_, next_line_));
    }
  }
  std::string rest = std::move(pending_);
  pending_.clear();
  return ParseRecord(rest, out);
}

absl::Status CopyParser::ParseRecord(std::string_view text, std::vector<CopyRecord>* out) {
  // The first line sets the line ending, \n or \r\n, as in PostgreSQL;
  // in text format a carriage return elsewhere is an error (data has \r).
  const bool crlf = !text.empty() && text.back() == '\r';
  if (line_ending_ == LineEnding::kUnknown) {
    line_ending_ = crlf ? LineEnding::kCrLf : LineEnding::kLf;
  }
  if (line_ending_ == LineEnding::kCrLf) {
    if (!crlf && !options_.csv) {
      return WithContext(BadCopyFormat("literal newline found in data"),
                         absl::StrFormat("%s, line %d", context_, next_line_));
    }
    if (crlf) text.remove_suffix(1);
  } else if (!options_.csv && text.find('\r') != std::string_view::npos) {
    return WithContext(BadCopyFormat("literal carriage return found in data"),
                       absl::StrFormat("%s, line %d", context_, next_line_));
  }
  if (text == "\\.") {
    ended_ = true;
    return absl::OkStatus();
  }
  if (options_.header && !header_skipped_) {
    header_skipped_ = true;
    return absl::OkStatus();
  }
  CAIRN_ASSIGN_OR_RETURN(CopyRecord record, options_.csv ? ParseCsv(text) : ParseText(text));
  record.line = next_line_;
  record.text = std::string(text);
  out->push_back(std::move(record));
  return absl::OkStatus();
}

absl::StatusOr<CopyRecord> CopyParser::ParseText(std::string_view text) const {
  CopyRecord record;
  std::string_view rest = text;
  for (;;) {
    // A field runs to the next delimiter that no backslash escapes.
    size_t end = 0;
    while (end < rest.size() && rest[end] != options_.delimiter) {
      end += rest[end] == '\\' && end + 1 < rest.size() ? 2 : 1;
    }
    const std::string_view raw = rest.substr(0, end);
    if (raw == options_.null_string) {
      record.fields.emplace_back(std::nullopt);
    } else {
      record.fields.emplace_back(Unescape(raw));
    }
    if (end >= rest.size()) break;
    rest.remove_prefix(end + 1);
  }
  return record;
}

absl::StatusOr<CopyRecord> CopyParser::ParseCsv(std::string_view text) const {
  CopyRecord record;
  size_t i = 0;
  for (;;) {
    std::string value;
    bool was_quoted = false;
    std::string unquoted;  // the field's characters outside quotes, for the NULL test
    while (i < text.size() && text[i] != options_.delimiter) {
      if (text[i] != options_.quote) {
        unquoted.push_back(text[i]);
        value.push_back(text[i++]);
        continue;
      }
      was_quoted = true;
      ++i;  // opening quote
      bool closed = false;
      while (i < text.size()) {
        const char c = text[i];
        if (c == options_.escape && i + 1 < text.size() &&
            (text[i + 1] == options_.quote || text[i + 1] == options_.escape) &&
            (options_.escape != options_.quote || text[i + 1] == options_.quote)) {
          value.push_back(text[i + 1]);
          i += 2;
        } else if (c == options_.quote) {
          ++i;
          closed = true;
          break;
        } else {
          value.push_back(c);
          ++i;
        }
      }
      if (!closed) return BadCopyFormat("unterminated CSV quoted field");
    }
    if (!was_quoted && unquoted == options_.null_string) {
      record.fields.emplace_back(std::nullopt);
    } else {
      record.fields.emplace_back(std::move(value));
    }
    if (i >= text.size()) break;
    ++i;  // the delimiter
  }
  return record;
}

std::string FormatCopyRow(const std::vector<std::optional<std::string>>& fields,
                          const CopyOptions& options) {
  std::string out;
  for (size_t f = 0; f < fields.size(); ++f) {
    if (f > 0) out.push_back(options.delimiter);
    if (!fields[f].has_value()) {
      out.append(options.null_string);
      continue;
    }
    const std::string& v = *fields[f];
    if (!options.csv) {
      for (char c : v) {
        switch (c) {
          case '\\': out.append("\\\\"); break;
          case '\b': out.append("\\b"); break;
          case '\f': out.append("\\f"); break;
          case '\n': out.append("\\n"); break;
          case '\r': out.append("\\r"); break;
          case '\t': out.append("\\t"); break;
          case '\v': out.append("\\v"); break;
          default:
            if (c == options.delimiter) out.push_back('\\');
            out.push_back(c);
        }
      }
      continue;
    }
    const bool needs_quotes = v == options.null_string || v == "\\." ||
                              v.find_first_of(std::string{options.delimiter, options.quote,
                                                          '\n', '\r'}) != std::string::npos;
    if (!needs_quotes) {
      out.append(v);
      continue;
    }
    out.push_back(options.quote);
    for (char c : v) {
      if (c == options.quote || c == options.escape) out.push_back(options.escape);
      out.push_back(c);
    }
    out.push_back(options.quote);
  }
  out.push_back('\n');
  return out;
}

}  // namespace cairn::executor
