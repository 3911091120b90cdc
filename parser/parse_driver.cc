#include "parser/parse_driver.h"

#include <algorithm>
#include <exception>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"

namespace cairn::parser {
namespace {

using cairn_antlr::CairnSqlLexer;
using cairn_antlr::CairnSqlParser;

// Deeper nesting than this is refused before parsing: the parser, the
// transform and the AST all recurse once per level.
constexpr int kMaxNestingDepth = 200;

// Thrown by the error listener in the LL stage to stop at the first error.
struct SyntaxErrorSignal {
  antlr4::Token* token;
};

class ThrowingErrorListener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending_symbol, size_t, size_t,
                   const std::string&, std::exception_ptr) override {
    throw SyntaxErrorSignal{offending_symbol};
  }
};

ThrowingErrorListener* SharedListener() {
  static auto* listener = new ThrowingErrorListener();
  return listener;
}

bool IsUnterminated(size_t type) {
  return type == CairnSqlLexer::UNTERMINATED_STRING ||
         type == CairnSqlLexer::UNTERMINATED_ESCAPE_STRING ||
         type == CairnSqlLexer::UNTERMINATED_QUOTED_IDENTIFIER ||
         type == CairnSqlLexer::UNTERMINATED_DOLLAR_STRING;
}

// A '/' directly followed by '*' is what is left of a "/*" that never
// closed: a complete comment is skipped by the lexer.
bool IsUnterminatedComment(const std::vector<antlr4::Token*>& tokens, size_t i) {
  return tokens[i]->getType() == CairnSqlLexer::SLASH && i + 1 < tokens.size() &&
         tokens[i + 1]->getType() == CairnSqlLexer::STAR &&
         tokens[i + 1]->getStartIndex() == tokens[i]->getStartIndex() + 1;
}

}  // namespace

ParseDriver::ParseDriver(std::string_view sql)
    : source_(sql),
      input_(sql.data(), sql.size()),
      lexer_(&input_),
      tokens_(&lexer_),
      parser_(&tokens_) {
  lexer_.removeErrorListeners();
  parser_.removeErrorListeners();
}

absl::Status ParseDriver::Prescan() {
  tokens_.fill();
  const std::vector<antlr4::Token*>& all = tokens_.getTokens();
  int depth = 0;
  int prefix_run = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const size_t type = all[i]->getType();
    if (first_lexical_error_ < 0 && (IsUnterminated(type) || IsUnterminatedComment(all, i))) {
      first_lexical_error_ = static_cast<ssize_t>(i);
    }
    if (type == CairnSqlLexer::LPAREN || type == CairnSqlLexer::CASE) ++depth;
    if (type == CairnSqlLexer::RPAREN || type == CairnSqlLexer::END) depth = std::max(0, depth - 1);
    const bool prefix = type == CairnSqlLexer::NOT || type == CairnSqlLexer::MINUS ||
                        type == CairnSqlLexer::PLUS;
    prefix_run = prefix ? prefix_run + 1 : 0;
    if (depth + prefix_run > kMaxNestingDepth) {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrCat("statement too complex: expressions nested more than ",
                                    kMaxNestingDepth, " levels deep"),
                       static_cast<int>(all[i]->getStartIndex()) + 1);
    }
  }
  return absl::OkStatus();
}

absl::Status ParseDriver::SyntaxErrorAt(antlr4::Token* token) const {
  const std::vector<antlr4::Token*>& all =
      const_cast<antlr4::CommonTokenStream&>(tokens_).getTokens();
  if (first_lexical_error_ >= 0 &&
      (token == nullptr || static_cast<ssize_t>(token->getTokenIndex()) >= first_lexical_error_)) {
    antlr4::Token* bad = all[first_lexical_error_];
    const int position = static_cast<int>(bad->getStartIndex()) + 1;
    std::string what;
    switch (bad->getType()) {
      case CairnSqlLexer::UNTERMINATED_STRING:
      case CairnSqlLexer::UNTERMINATED_ESCAPE_STRING: what = "quoted string"; break;
      case CairnSqlLexer::UNTERMINATED_QUOTED_IDENTIFIER: what = "quoted identifier"; break;
      case CairnSqlLexer::UNTERMINATED_DOLLAR_STRING: what = "dollar-quoted string"; break;
      default: what = "/* comment"; break;
    }
    return MakeError(ErrorCode::kSyntaxError,
                     absl::StrCat("unterminated ", what, " at or near \"",
                                  std::string(source_.Rest(bad->getStartIndex())), "\""),
                     position);
  }
  if (token == nullptr || token->getType() == antlr4::Token::EOF) {
    const size_t end = token != nullptr ? token->getStartIndex()
                                         : const_cast<antlr4::ANTLRInputStream&>(input_).size();
    return MakeError(ErrorCode::kSyntaxError, "syntax error at end of input",
                     static_cast<int>(end) + 1);
  }
  return MakeError(ErrorCode::kSyntaxError,
                   absl::StrCat("syntax error at or near \"", token->getText(), "\""),
                   static_cast<int>(token->getStartIndex()) + 1);
}

template <typename Ctx>
absl::Status ParseDriver::Parse(Ctx* (CairnSqlParser::*rule)(), Ctx** out) {
  CAIRN_RETURN_IF_ERROR(Prescan());
  auto* interpreter = parser_.getInterpreter<antlr4::atn::ParserATNSimulator>();

  // Stage 1: SLL prediction, giving up at the first error. This is exact for
  // almost every input and much faster than full LL.
  interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser_.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  Ctx* tree = nullptr;
  try {
    tree = (parser_.*rule)();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  } catch (const antlr4::RecognitionException&) {
    tree = nullptr;
  }

  // Stage 2: full LL, which only fails on input that is really invalid; the
  // listener stops it at the first error with the offending token.
  if (tree == nullptr) {
    tokens_.seek(0);
    parser_.reset();
    interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser_.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser_.addErrorListener(SharedListener());
    try {
      tree = (parser_.*rule)();
    } catch (const SyntaxErrorSignal& signal) {
      return SyntaxErrorAt(signal.token);
    } catch (const antlr4::RecognitionException& e) {
      return SyntaxErrorAt(e.getOffendingToken());
    } catch (const antlr4::ParseCancellationException&) {
      return SyntaxErrorAt(tokens_.LT(1));
    }
  }
  // Cannot happen (no rule accepts an unterminated token), but a lexical
  // error must never pass silently.
  if (first_lexical_error_ >= 0) return SyntaxErrorAt(nullptr);
  *out = tree;
  return absl::OkStatus();
}

absl::Status ParseDriver::ParseScript(CairnSqlParser::ScriptContext** out) {
  return Parse(&CairnSqlParser::script, out);
}

absl::Status ParseDriver::ParseSingleExpression(CairnSqlParser::SingleExpressionContext** out) {
  return Parse(&CairnSqlParser::singleExpression, out);
}

}  // namespace cairn::parser
