// Literals, with PostgreSQL's typing: integers that fit int64 are integer
// constants (the binder makes them int4 or int8 by range), all other numbers
// are numeric; strings are of unknown type until context decides.
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (c | 0x20) - 'a' + 10;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads `digits` hex digits at text[*i]; false if they are not all there.
bool ReadHex(std::string_view text, size_t* i, int digits, uint32_t* value) {
  if (*i + digits > text.size()) return false;
  uint32_t v = 0;
  for (int k = 0; k < digits; ++k) {
    const char c = text[*i + k];
    if (!IsHex(c)) return false;
    v = v * 16 + HexValue(c);
  }
  *i += digits;
  *value = v;
  return true;
}

}  // namespace

ast::ExprPtr Transformer::TransformLiteral(P::LiteralContext* ctx) {
  const int pos = Pos(ctx);
  if (auto* integer = ctx->INTEGER_LITERAL()) return MakeNumericConstant(integer->getText(), pos);
  if (auto* numeric = ctx->NUMERIC_LITERAL()) return MakeNumericConstant(numeric->getText(), pos);
  if (auto* str = ctx->stringLiteral()) return MakeStringConstant(str->getStart());
  if (ctx->NULL_P()) return std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kNull, pos);
  auto out = std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kBool, pos);
  out->bool_value = ctx->TRUE_P() != nullptr;
  return out;
}

ast::ExprPtr Transformer::MakeNumericConstant(std::string text, int position) {
  int64_t value;
  const bool integral = text.find_first_not_of("-0123456789") == std::string::npos;
  if (integral && absl::SimpleAtoi(text, &value)) {
    auto out = std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kInteger, position);
    out->int_value = value;
    return out;
  }
  auto out = std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kNumeric, position);
  out->str_value = std::move(text);
  return out;
}

ast::ExprPtr Transformer::MakeStringConstant(antlr4::Token* token) {
  auto out = std::make_unique<ast::ConstantExpr>(ast::ConstantKind::kString, Pos(token));
  out->str_value = StringValue(token);
  return out;
}

std::string Transformer::StringValue(antlr4::Token* token) {
  const std::string text = token->getText();
  if (token->getType() == P::DOLLAR_STRING) return text.substr(2, text.size() - 4);

  const bool escapes = token->getType() == P::ESCAPE_STRING;
  std::string out;
  size_t i = escapes ? 1 : 0;  // skip the E
  // The token is one or more quoted parts separated by whitespace that
  // contains a newline; the parts are concatenated.
  while (i < text.size()) {
    if (text[i] != '\'') {
      ++i;  // whitespace between parts
      continue;
    }
    ++i;  // opening quote
    while (i < text.size()) {
      const char c = text[i];
      if (c == '\'') {
        if (i + 1 < text.size() && text[i + 1] == '\'') {
          out.push_back('\'');
          i += 2;
          continue;
        }
        ++i;  // closing quote
        break;
      }
      if (!escapes || c != '\\') {
        out.push_back(c);
        ++i;
        continue;
      }
      // Backslash escapes of E'...' strings.
      const char e = text[i + 1];  // the lexer guarantees a character follows
      i += 2;
      switch (e) {
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'x': {
          uint32_t v = 0;
          int n = 0;
          while (n < 2 && i < text.size() && IsHex(text[i])) v = v * 16 + HexValue(text[i++]), ++n;
          if (n == 0) {
            out.push_back('x');  // "\x" with no digits is just x, as in PostgreSQL
          } else {
            out.push_back(static_cast<char>(v));
          }
          break;
        }
        case 'u':
        case 'U': {
          uint32_t cp;
          if (!ReadHex(text, &i, e == 'u' ? 4 : 8, &cp)) {
            SyntaxError("invalid Unicode escape", token);
          }
          // A UTF-16 surrogate pair written as two \u escapes.
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            const bool next_is_escape = i + 1 < text.size() && text[i] == '\\' &&
                                        (text[i + 1] == 'u' || text[i + 1] == 'U');
            if (next_is_escape) {
              i += 2;
              if (!ReadHex(text, &i, text[i - 1] == 'u' ? 4 : 8, &low) || low < 0xDC00 ||
                  low > 0xDFFF) {
                SyntaxError("invalid Unicode surrogate pair", token);
              }
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              SyntaxError("invalid Unicode surrogate pair", token);
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            SyntaxError("invalid Unicode surrogate pair", token);
          }
          if (cp == 0 || cp > 0x10FFFF) SyntaxError("invalid Unicode escape value", token);
          AppendUtf8(cp, &out);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = e - '0';
            for (int n = 1; n < 3 && i < text.size() && text[i] >= '0' && text[i] <= '7'; ++n) {
              v = v * 8 + (text[i++] - '0');
            }
            out.push_back(static_cast<char>(v & 0xFF));
          } else {
            out.push_back(e);  // \\ \' and any other character stand for themselves
          }
      }
    }
  }
  if (escapes) {
    // Octal and hex escapes can produce bytes that are not UTF-8 (or NUL).
    const size_t bad = FindInvalidUtf8(out);
    if (bad != std::string::npos) {
      Fail(MakeError(ErrorCode::kSyntaxError,
                     absl::StrFormat("invalid byte sequence for encoding \"UTF8\": 0x%02x",
                                     static_cast<unsigned char>(out[bad])),
                     Pos(token)));
    }
  }
  return out;
}

}  // namespace cairn::parser
