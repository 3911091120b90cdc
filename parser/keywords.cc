// The keyword list behind ast::IsKeyword, taken from the generated lexer so
// that it can never drift from the grammar.
#include <string>

#include "CairnSqlLexer.h"
#include "antlr4-runtime.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

const absl::flat_hash_set<std::string>& Keywords() {
  static const auto* keywords = [] {
    auto* set = new absl::flat_hash_set<std::string>();
    antlr4::ANTLRInputStream input("");
    cairn_antlr::CairnSqlLexer lexer(&input);
    const antlr4::dfa::Vocabulary& vocabulary = lexer.getVocabulary();
    // The lexer lists every keyword first, ahead of the punctuation.
    for (size_t type = 1; type < cairn_antlr::CairnSqlLexer::SEMI; ++type) {
      std::string name = vocabulary.getSymbolicName(type);
      if (absl::EndsWith(name, "_P")) name.resize(name.size() - 2);  // NULL_P
      set->insert(absl::AsciiStrToLower(name));
    }
    return set;
  }();
  return *keywords;
}

}  // namespace

bool IsKeyword(std::string_view word) {
  return Keywords().contains(absl::string_view(word.data(), word.size()));
}

}  // namespace cairn::ast
