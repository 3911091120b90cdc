#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace cairn::parser {

// The query text being parsed, and the map between the character offsets
// ANTLR works in (it decodes UTF-8 into code points) and byte offsets.
// PostgreSQL reports error positions in characters; statement spans are
// kept in bytes so callers can slice the original string.
class SourceText {
 public:
  // REQUIRES: `sql` is valid UTF-8 and outlives this object.
  explicit SourceText(std::string_view sql);

  std::string_view sql() const { return sql_; }
  // Byte offset of the character at `char_index` (size() maps to the end).
  size_t ByteOffset(size_t char_index) const;
  // The text from character `char_index` to the end of the input.
  std::string_view Rest(size_t char_index) const { return sql_.substr(ByteOffset(char_index)); }

 private:
  std::string_view sql_;
  std::vector<size_t> char_to_byte_;  // empty when the text is ASCII
};

// Returns the byte offset of the first invalid UTF-8 sequence, or npos.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace cairn::parser
