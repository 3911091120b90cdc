#include "parser/parser.h"

#include <exception>

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "parser/parse_driver.h"
#include "parser/source_text.h"
#include "parser/transformer.h"

namespace cairn::parser {
namespace {

absl::Status CheckEncoding(std::string_view sql) {
  const size_t bad = FindInvalidUtf8(sql);
  if (bad == std::string_view::npos) return absl::OkStatus();
  // PostgreSQL rejects such a message before parsing (22021); CairnDB's
  // error table has no closer code than syntax_error.
  return MakeError(ErrorCode::kSyntaxError,
                   absl::StrFormat("invalid byte sequence for encoding \"UTF8\": 0x%02x",
                                   static_cast<unsigned char>(sql[bad])));
}

// The boundary of the module: nothing thrown inside gets past here.
template <typename Fn>
auto Guard(Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const TransformError& e) {
    return e.status;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, absl::StrFormat("parser failure: %s", e.what()));
  } catch (...) {
    return MakeError(ErrorCode::kInternal, "parser failure");
  }
}

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<ast::Statement>>> ParseStatements(
    std::string_view sql) {
  CAIRN_RETURN_IF_ERROR(CheckEncoding(sql));
  return Guard([&]() -> absl::StatusOr<std::vector<std::unique_ptr<ast::Statement>>> {
    ParseDriver driver(sql);
    P::ScriptContext* tree = nullptr;
    CAIRN_RETURN_IF_ERROR(driver.ParseScript(&tree));
    Transformer transformer(driver.source());
    std::vector<std::unique_ptr<ast::Statement>> out;
    for (P::StatementContext* stmt : tree->statement()) {
      out.push_back(transformer.TransformStatement(stmt));
    }
    return out;
  });
}

absl::StatusOr<std::unique_ptr<ast::Expr>> ParseExpression(std::string_view sql) {
  CAIRN_RETURN_IF_ERROR(CheckEncoding(sql));
  return Guard([&]() -> absl::StatusOr<std::unique_ptr<ast::Expr>> {
    ParseDriver driver(sql);
    P::SingleExpressionContext* tree = nullptr;
    CAIRN_RETURN_IF_ERROR(driver.ParseSingleExpression(&tree));
    Transformer transformer(driver.source());
    return transformer.TransformExpr(tree->expr());
  });
}

}  // namespace cairn::parser
