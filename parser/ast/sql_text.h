#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::ast {

// Helpers for printing SQL text, used by every ToString() and by EXPLAIN.

// `name` as an identifier: bare when it lexes back to itself (lower case,
// not a keyword), otherwise in double quotes with quotes doubled.
std::string QuoteIdentifier(std::string_view name);
// A standard-conforming string literal: 'it''s'.
std::string QuoteString(std::string_view value);
// Dotted list of QuoteIdentifier()s.
std::string QuoteQualified(const std::vector<std::string>& parts);
// An option name (EXPLAIN, COPY, WITH (...)): upper case when it is a plain
// word, which any keyword may be in that position; quoted otherwise.
std::string OptionName(std::string_view name);
// True for the words the lexer treats as keywords (lower case).
bool IsKeyword(std::string_view word);

}  // namespace cairn::ast
