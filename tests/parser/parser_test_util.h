#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/error_code.h"
#include "gtest/gtest.h"
#include "parser/parser.h"

namespace cairn::parser::testing {

// Parses `sql`, which must hold exactly one statement.
inline std::unique_ptr<ast::Statement> ParseOne(std::string_view sql) {
  auto result = ParseStatements(sql);
  EXPECT_TRUE(result.ok()) << sql << ": " << result.status();
  if (!result.ok() || result->size() != 1) {
    ADD_FAILURE() << sql << ": expected one statement";
    return nullptr;
  }
  return std::move((*result)[0]);
}

template <typename T>
std::unique_ptr<T> ParseAs(std::string_view sql) {
  std::unique_ptr<ast::Statement> stmt = ParseOne(sql);
  if (stmt == nullptr) return nullptr;
  if (stmt->kind != T::kKind) {
    ADD_FAILURE() << sql << ": unexpected statement kind";
    return nullptr;
  }
  return std::unique_ptr<T>(static_cast<T*>(stmt.release()));
}

// ToString() of the statement, after checking that the printed text parses
// back to a statement that prints the same (a fixed point).
inline std::string Canonical(std::string_view sql) {
  std::unique_ptr<ast::Statement> stmt = ParseOne(sql);
  if (stmt == nullptr) return "<parse error>";
  const std::string printed = stmt->ToString();
  std::unique_ptr<ast::Statement> again = ParseOne(printed);
  if (again == nullptr) return "<reparse error: " + printed + ">";
  EXPECT_EQ(again->ToString(), printed) << "not a fixed point: " << sql;
  return printed;
}

// The same for a scalar expression.
inline std::string ExprText(std::string_view sql) {
  auto expr = ParseExpression(sql);
  EXPECT_TRUE(expr.ok()) << sql << ": " << expr.status();
  if (!expr.ok()) return "<parse error>";
  const std::string printed = (*expr)->ToString();
  auto again = ParseExpression(printed);
  EXPECT_TRUE(again.ok()) << printed << ": " << again.status();
  if (again.ok()) {
    EXPECT_EQ((*again)->ToString(), printed) << "not a fixed point: " << sql;
  }
  return printed;
}

inline std::unique_ptr<ast::Expr> Expr(std::string_view sql) {
  auto expr = ParseExpression(sql);
  EXPECT_TRUE(expr.ok()) << sql << ": " << expr.status();
  return expr.ok() ? std::move(*expr) : nullptr;
}

// Expects `sql` to fail with `code`, `message` and `position` (0: none).
inline void ExpectError(std::string_view sql, ErrorCode code, std::string_view message,
                        int position) {
  auto result = ParseStatements(sql);
  ASSERT_FALSE(result.ok()) << sql << " parsed";
  EXPECT_EQ(GetErrorCode(result.status()), code) << sql << ": " << result.status();
  EXPECT_EQ(std::string(result.status().message()), std::string(message)) << sql;
  if (position == 0) {
    EXPECT_FALSE(GetErrorPosition(result.status()).has_value()) << sql;
  } else {
    EXPECT_EQ(GetErrorPosition(result.status()), std::optional<int>(position)) << sql;
  }
}

inline void ExpectSyntaxError(std::string_view sql, std::string_view message, int position) {
  ExpectError(sql, ErrorCode::kSyntaxError, message, position);
}

}  // namespace cairn::parser::testing
