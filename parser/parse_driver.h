#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "CairnSqlLexer.h"
#include "CairnSqlParser.h"
#include "absl/status/status.h"
#include "antlr4-runtime.h"
#include "parser/source_text.h"

namespace cairn::parser {

// Runs ANTLR over one query text: lexing, the two-stage parse (SLL with
// bail-out first, full LL only when SLL fails) and PostgreSQL-style error
// reporting. Owns the parse tree it returns; not thread-safe (make one per
// parse). The text must outlive the driver.
class ParseDriver {
 public:
  // REQUIRES: `sql` is valid UTF-8 (see FindInvalidUtf8).
  explicit ParseDriver(std::string_view sql);
  ParseDriver(const ParseDriver&) = delete;
  ParseDriver& operator=(const ParseDriver&) = delete;

  // Parse trees are owned by the driver and live as long as it. On failure
  // the status carries 42601 and the position of the offending token.
  absl::Status ParseScript(cairn_antlr::CairnSqlParser::ScriptContext** out);
  absl::Status ParseSingleExpression(cairn_antlr::CairnSqlParser::SingleExpressionContext** out);

  const SourceText& source() const { return source_; }

 private:
  template <typename Ctx>
  absl::Status Parse(Ctx* (cairn_antlr::CairnSqlParser::*rule)(), Ctx** out);
  // Lexes everything and records the first token that can only be an error
  // (unterminated string, identifier or comment) and the nesting depth.
  absl::Status Prescan();
  absl::Status SyntaxErrorAt(antlr4::Token* token) const;

  SourceText source_;
  antlr4::ANTLRInputStream input_;
  cairn_antlr::CairnSqlLexer lexer_;
  antlr4::CommonTokenStream tokens_;
  cairn_antlr::CairnSqlParser parser_;
  // Index of the first token that is a lexical error, or -1.
  ssize_t first_lexical_error_ = -1;
};

}  // namespace cairn::parser
