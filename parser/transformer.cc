#include "parser/transformer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"

namespace cairn::parser {
namespace {

// PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated.
constexpr size_t kMaxIdentifierBytes = 63;

void TruncateIdentifier(std::string* name) {
  if (name->size() <= kMaxIdentifierBytes) return;
  size_t n = kMaxIdentifierBytes;
  // Do not cut a UTF-8 character in half.
  while (n > 0 && (static_cast<unsigned char>((*name)[n]) & 0xC0) == 0x80) --n;
  name->resize(n);
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void Transformer::Fail(absl::Status status) { throw TransformError{std::move(status)}; }

void Transformer::SyntaxError(std::string_view message, antlr4::Token* token) {
  Fail(MakeError(ErrorCode::kSyntaxError, message, Pos(token)));
}

Transformer::DepthGuard::DepthGuard(Transformer* transformer, size_t levels,
                                    antlr4::ParserRuleContext* ctx)
    : transformer_(transformer), levels_(levels) {
  transformer_->depth_ += levels_;
  if (transformer_->depth_ > kMaxTreeDepth) {
    transformer_->depth_ -= levels_;
    Fail(MakeError(ErrorCode::kFeatureNotSupported,
                   absl::StrCat("statement too complex: nested more than ", kMaxTreeDepth,
                                " levels deep"),
                   Pos(ctx)));
  }
}

ast::StatementPtr Transformer::TransformStatement(P::StatementContext* ctx) {
  ast::StatementPtr stmt;
  if (auto* c = ctx->selectStmt()) {
    auto select = std::make_unique<ast::SelectStatement>();
    select->query = TransformSelectStmt(c);
    select->as_of_system_time = std::move(as_of_);
    stmt = std::move(select);
  } else if (auto* c = ctx->insertStmt()) {
    stmt = TransformInsert(c);
  } else if (auto* c = ctx->updateStmt()) {
    stmt = TransformUpdate(c);
  } else if (auto* c = ctx->deleteStmt()) {
    stmt = TransformDelete(c);
  } else if (auto* c = ctx->createDatabaseStmt()) {
    stmt = TransformCreateDatabase(c);
  } else if (auto* c = ctx->dropDatabaseStmt()) {
    stmt = TransformDropDatabase(c);
  } else if (auto* c = ctx->createTableStmt()) {
    stmt = TransformCreateTable(c);
  } else if (auto* c = ctx->dropTableStmt()) {
    stmt = TransformDropTable(c);
  } else if (auto* c = ctx->createIndexStmt()) {
    stmt = TransformCreateIndex(c);
  } else if (auto* c = ctx->dropIndexStmt()) {
    stmt = TransformDropIndex(c);
  } else if (auto* c = ctx->alterTableStmt()) {
    stmt = TransformAlterTable(c);
  } else if (auto* c = ctx->truncateStmt()) {
    stmt = TransformTruncate(c);
  } else if (auto* c = ctx->transactionStmt()) {
    stmt = TransformTransaction(c);
  } else if (auto* c = ctx->setStmt()) {
    stmt = TransformSet(c);
  } else if (auto* c = ctx->showStmt()) {
    stmt = TransformShow(c);
  } else if (auto* c = ctx->resetStmt()) {
    stmt = TransformReset(c);
  } else if (auto* c = ctx->explainStmt()) {
    stmt = TransformExplain(c);
  } else if (auto* c = ctx->copyStmt()) {
    stmt = TransformCopy(c);
  } else if (auto* c = ctx->vacuumStmt()) {
    stmt = TransformVacuum(c);
  } else if (auto* c = ctx->declareCursorStmt()) {
    stmt = TransformDeclareCursor(c);
  } else if (auto* c = ctx->fetchStmt()) {
    stmt = TransformFetch(c);
  } else if (auto* c = ctx->closeCursorStmt()) {
    stmt = TransformCloseCursor(c);
  } else if (auto* c = ctx->prepareStmt()) {
    stmt = TransformPrepare(c);
  } else if (auto* c = ctx->executeStmt()) {
    stmt = TransformExecute(c);
  } else if (auto* c = ctx->deallocateStmt()) {
    stmt = TransformDeallocate(c);
  } else if (auto* c = ctx->createRoleStmt()) {
    stmt = TransformCreateRole(c);
  } else if (auto* c = ctx->alterRoleStmt()) {
    stmt = TransformAlterRole(c);
  } else if (auto* c = ctx->dropRoleStmt()) {
    stmt = TransformDropRole(c);
  } else if (auto* c = ctx->commentStmt()) {
    auto comment = std::make_unique<ast::CommentStatement>();
    ast::ObjectName name = TransformQualifiedName(c->qualifiedName());
    comment->column = c->COLUMN() != nullptr;
    if (comment->column) {
      // t.c (or schema.t.c): the last part is the column.
      std::vector<P::IdentifierContext*> parts = c->qualifiedName()->identifier();
      if (parts.size() < 2) {
        Fail(MakeError(ErrorCode::kSyntaxError, "column name must be qualified",
                       Pos(c->qualifiedName())));
      }
      comment->column_name = Ident(parts.back());
      comment->table.name = Ident(parts[parts.size() - 2]);
      if (parts.size() >= 3) comment->table.schema = Ident(parts[parts.size() - 3]);
      comment->table.position = Pos(c->qualifiedName());
    } else {
      comment->table = std::move(name);
    }
    if (c->stringLiteral() != nullptr) comment->comment = StringValue(c->stringLiteral()->getStart());
    stmt = std::move(comment);
  } else if (auto* c = ctx->grantStmt()) {
    stmt = TransformGrant(c);
  } else if (auto* c = ctx->revokeStmt()) {
    stmt = TransformRevoke(c);
  } else {
    Fail(MakeError(ErrorCode::kFeatureNotSupported, "statement not supported", Pos(ctx)));
  }
  if (as_of_ != nullptr) {
    // A historical read only: an INSERT ... SELECT or a cursor reads now.
    Fail(MakeError(ErrorCode::kFeatureNotSupported,
                   "AS OF SYSTEM TIME is supported only in a SELECT statement", Pos(ctx)));
  }
  const size_t begin = source_.ByteOffset(ctx->getStart()->getStartIndex());
  const size_t end = source_.ByteOffset(ctx->getStop()->getStopIndex() + 1);
  stmt->location = static_cast<int>(begin);
  stmt->length = static_cast<int>(end - begin);
  return stmt;
}

std::string Transformer::Ident(P::IdentifierContext* ctx) {
  std::string name;
  if (auto* quoted = ctx->QUOTED_IDENTIFIER()) {
    const std::string text = quoted->getText();
    if (text.size() == 2) {
      SyntaxError("zero-length delimited identifier at or near \"\"\"\"", quoted->getSymbol());
    }
    name.reserve(text.size() - 2);
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      name.push_back(text[i]);
      if (text[i] == '"') ++i;  // "" is one quote
    }
  } else {
    // An identifier or a non-reserved keyword: folded to lower case.
    name = AsciiLower(ctx->getText());
  }
  TruncateIdentifier(&name);
  return name;
}

ast::Identifier Transformer::TransformIdentifier(P::IdentifierContext* ctx) {
  return ast::Identifier{Ident(ctx), Pos(ctx)};
}

std::vector<ast::Identifier> Transformer::TransformColumnNameList(P::ColumnNameListContext* ctx) {
  std::vector<ast::Identifier> out;
  if (ctx == nullptr) return out;
  for (auto* id : ctx->identifier()) out.push_back(TransformIdentifier(id));
  return out;
}

std::vector<std::string> Transformer::ColumnNameStrings(P::ColumnNameListContext* ctx) {
  std::vector<std::string> out;
  if (ctx == nullptr) return out;
  for (auto* id : ctx->identifier()) out.push_back(Ident(id));
  return out;
}

ast::ObjectName Transformer::TransformQualifiedName(P::QualifiedNameContext* ctx) {
  std::vector<std::string> parts;
  for (auto* id : ctx->identifier()) parts.push_back(Ident(id));
  if (parts.size() > 3) {
    Fail(MakeError(ErrorCode::kSyntaxError,
                   absl::StrCat("improper qualified name (too many dotted names): ",
                                absl::StrJoin(parts, ".")),
                   Pos(ctx)));
  }
  ast::ObjectName name;
  name.position = Pos(ctx);
  name.name = parts.back();
  if (parts.size() >= 2) name.schema = parts[parts.size() - 2];
  if (parts.size() == 3) name.catalog = parts[0];
  return name;
}

std::vector<ast::ObjectName> Transformer::TransformQualifiedNameList(
    P::QualifiedNameListContext* ctx) {
  std::vector<ast::ObjectName> out;
  for (auto* name : ctx->qualifiedName()) out.push_back(TransformQualifiedName(name));
  return out;
}

std::string Transformer::ColLabel(P::ColLabelContext* ctx) {
  if (auto* id = ctx->identifier()) return Ident(id);
  return AsciiLower(ctx->getText());  // a reserved keyword after AS
}

}  // namespace cairn::parser
