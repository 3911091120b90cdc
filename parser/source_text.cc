#include "parser/source_text.h"

#include <cstdint>

namespace cairn::parser {

SourceText::SourceText(std::string_view sql) : sql_(sql) {
  bool ascii = true;
  for (char c : sql) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return;
  char_to_byte_.reserve(sql.size() + 1);
  for (size_t i = 0; i < sql.size(); ++i) {
    // Continuation bytes (10xxxxxx) do not start a character.
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) char_to_byte_.push_back(i);
  }
  char_to_byte_.push_back(sql.size());
}

size_t SourceText::ByteOffset(size_t char_index) const {
  if (char_to_byte_.empty()) return char_index < sql_.size() ? char_index : sql_.size();
  return char_index < char_to_byte_.size() ? char_to_byte_[char_index] : sql_.size();
}

size_t FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<uint8_t>(text[i]);
    size_t len;
    uint32_t min;
    if (c < 0x80) {
      // PostgreSQL never lets NUL into a query string either.
      if (c == 0) return i;
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + len > text.size()) return i;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace cairn::parser
