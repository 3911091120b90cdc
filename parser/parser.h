#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "parser/ast/ddl.h"
#include "parser/ast/dml.h"
#include "parser/ast/expr.h"
#include "parser/ast/query.h"
#include "parser/ast/session.h"
#include "parser/ast/statement.h"

namespace cairn::parser {

// The SQL front end: text in, CairnDB AST (parser/ast) out. ANTLR parse trees
// and exceptions never leave this module.
//
// Errors carry a SQLSTATE (common/error_code.h) and, where PostgreSQL gives
// one, the 1-based character position of the offending token:
//   42601 syntax_error: `syntax error at or near "FROM"`, `syntax error at
//         end of input`, `unterminated quoted string at or near "'abc"`, ...
//   0A000 feature_not_supported: "statement too complex" for nesting deeper
//         than the parser allows (PostgreSQL's 54001 stack depth error).
// All functions are thread-safe; the ANTLR decision caches they share are
// internally synchronised.

// Parses the text of one Query message: zero or more statements separated by
// ';'. Empty statements (";;", only comments) are skipped, so an empty vector
// means an empty query. The whole text is parsed before anything is
// returned, so a syntax error in the last statement fails them all, as in
// PostgreSQL.
[[nodiscard]] absl::StatusOr<std::vector<std::unique_ptr<ast::Statement>>> ParseStatements(
    std::string_view sql);

// Parses a single scalar expression, e.g. a stored DEFAULT expression.
// Positions are relative to `sql`.
[[nodiscard]] absl::StatusOr<std::unique_ptr<ast::Expr>> ParseExpression(std::string_view sql);

}  // namespace cairn::parser
