// Transaction control, SET/SHOW/RESET and EXPLAIN.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {
namespace {

// SHOW/RESET name normalisation shared by the special forms.
template <typename Ctx>
bool SpecialVariable(Ctx* ctx, std::string* name) {
  if (ctx->ALL()) {
    *name = "all";
  } else if (ctx->ZONE()) {
    *name = "timezone";
  } else if (ctx->ISOLATION()) {
    *name = "transaction_isolation";
  } else {
    return false;
  }
  return true;
}

std::optional<bool> ParseBool(const std::string& value) {
  if (value.empty() || value == "true" || value == "on" || value == "1") return true;
  if (value == "false" || value == "off" || value == "0") return false;
  return std::nullopt;
}

}  // namespace

ast::StatementPtr Transformer::TransformTransaction(P::TransactionStmtContext* ctx) {
  auto stmt = std::make_unique<ast::TransactionStatement>();
  using K = ast::TransactionStmtKind;
  if (auto* c = dynamic_cast<P::BeginStmtContext*>(ctx)) {
    stmt->txn_kind = K::kBegin;
    stmt->modes = TransformTransactionModes(c->transactionModeList());
  } else if (auto* c = dynamic_cast<P::StartStmtContext*>(ctx)) {
    stmt->txn_kind = K::kBegin;
    stmt->start_transaction = true;
    stmt->modes = TransformTransactionModes(c->transactionModeList());
  } else if (dynamic_cast<P::CommitStmtContext*>(ctx)) {
    stmt->txn_kind = K::kCommit;
  } else if (dynamic_cast<P::RollbackStmtContext*>(ctx)) {
    stmt->txn_kind = K::kRollback;
  } else if (auto* c = dynamic_cast<P::SavepointStmtContext*>(ctx)) {
    stmt->txn_kind = K::kSavepoint;
    stmt->savepoint = Ident(c->identifier());
  } else if (auto* c = dynamic_cast<P::ReleaseStmtContext*>(ctx)) {
    stmt->txn_kind = K::kRelease;
    stmt->savepoint = Ident(c->identifier());
  } else {
    auto* rollback_to = dynamic_cast<P::RollbackToStmtContext*>(ctx);
    stmt->txn_kind = K::kRollbackToSavepoint;
    stmt->savepoint = Ident(rollback_to->identifier());
  }
  return stmt;
}

ast::TransactionModes Transformer::TransformTransactionModes(P::TransactionModeListContext* ctx) {
  ast::TransactionModes modes;
  if (ctx == nullptr) return modes;
  for (auto* mode : ctx->transactionMode()) {
    if (auto* c = dynamic_cast<P::IsolationModeContext*>(mode)) {
      P::IsolationLevelContext* level = c->isolationLevel();
      if (level->SERIALIZABLE()) {
        modes.isolation = ast::IsolationLevel::kSerializable;
      } else if (level->REPEATABLE()) {
        modes.isolation = ast::IsolationLevel::kRepeatableRead;
      } else if (level->COMMITTED()) {
        modes.isolation = ast::IsolationLevel::kReadCommitted;
      } else {
        modes.isolation = ast::IsolationLevel::kReadUncommitted;
      }
    } else if (dynamic_cast<P::ReadOnlyModeContext*>(mode)) {
      modes.read_only = true;
    } else if (dynamic_cast<P::ReadWriteModeContext*>(mode)) {
      modes.read_only = false;
    } else {
      modes.deferrable = dynamic_cast<P::DeferrableModeContext*>(mode)->NOT() == nullptr;
    }
  }
  return modes;
}

ast::StatementPtr Transformer::TransformSet(P::SetStmtContext* ctx) {
  auto stmt = std::make_unique<ast::SetStatement>();
  stmt->local = ctx->scope != nullptr && ctx->scope->getType() == P::LOCAL;
  P::SetRestContext* rest = ctx->setRest();
  if (auto* c = dynamic_cast<P::SetClusterSettingContext*>(rest)) {
    stmt->cluster = true;
    stmt->name = TransformVarName(c->varName());
    if (c->DEFAULT()) {
      stmt->set_kind = ast::SetKind::kDefault;
    } else {
      stmt->values.push_back(TransformVarValue(c->varValue()));
    }
  } else if (auto* c = dynamic_cast<P::SetConstraintsContext*>(rest)) {
    stmt->set_kind = ast::SetKind::kConstraints;
    if (c->qualifiedNameList() != nullptr) {
      for (P::QualifiedNameContext* name : c->qualifiedNameList()->qualifiedName()) {
        stmt->values.push_back(TransformQualifiedName(name).name);
      }
    }
    stmt->constraints_deferred = c->timing->getType() == P::DEFERRED;
  } else if (auto* c = dynamic_cast<P::SetTransactionContext*>(rest)) {
    stmt->set_kind = ast::SetKind::kTransaction;
    stmt->modes = TransformTransactionModes(c->transactionModeList());
  } else if (auto* c = dynamic_cast<P::SetSessionCharacteristicsContext*>(rest)) {
    stmt->set_kind = ast::SetKind::kSessionCharacteristics;
    stmt->modes = TransformTransactionModes(c->transactionModeList());
  } else if (auto* c = dynamic_cast<P::SetTimeZoneContext*>(rest)) {
    stmt->name = "timezone";
    if (c->varValue() != nullptr) {
      stmt->values.push_back(TransformVarValue(c->varValue()));
    } else {
      stmt->set_kind = ast::SetKind::kDefault;  // LOCAL and DEFAULT
    }
  } else if (auto* c = dynamic_cast<P::SetNamesContext*>(rest)) {
    stmt->name = "client_encoding";
    if (c->varValue() != nullptr) {
      stmt->values.push_back(TransformVarValue(c->varValue()));
    } else {
      stmt->set_kind = ast::SetKind::kDefault;
    }
  } else if (auto* c = dynamic_cast<P::SetRoleContext*>(rest)) {
    stmt->name = "role";
    if (c->NONE()) {
      stmt->set_kind = ast::SetKind::kDefault;
    } else {
      stmt->values.push_back(c->identifier() ? Ident(c->identifier())
                                             : StringValue(c->stringLiteral()->getStart()));
    }
  } else if (auto* c = dynamic_cast<P::SetSessionAuthorizationContext*>(rest)) {
    stmt->name = "session_authorization";
    if (c->DEFAULT()) {
      stmt->set_kind = ast::SetKind::kDefault;
    } else {
      stmt->values.push_back(c->identifier() ? Ident(c->identifier())
                                             : StringValue(c->stringLiteral()->getStart()));
    }
  } else if (auto* c = dynamic_cast<P::SetSchemaContext*>(rest)) {
    stmt->name = "search_path";
    stmt->values.push_back(TransformVarValue(c->varValue()));
  } else {
    auto* variable = dynamic_cast<P::SetVariableContext*>(rest);
    stmt->name = TransformVarName(variable->varName());
    if (variable->DEFAULT()) {
      stmt->set_kind = ast::SetKind::kDefault;
    } else {
      for (auto* value : variable->varValue()) stmt->values.push_back(TransformVarValue(value));
    }
  }
  return stmt;
}

std::string Transformer::TransformVarValue(P::VarValueContext* ctx) {
  if (auto* str = ctx->stringLiteral()) return StringValue(str->getStart());
  if (auto* id = ctx->identifier()) return Ident(id);
  if (ctx->INTEGER_LITERAL() || ctx->NUMERIC_LITERAL()) {
    return ctx->MINUS() ? ctx->getText() : ctx->getText().substr(ctx->PLUS() ? 1 : 0);
  }
  return AsciiLower(ctx->getText());  // on, true, false, all, null
}

std::string Transformer::TransformVarName(P::VarNameContext* ctx) {
  std::vector<std::string> parts;
  for (auto* id : ctx->identifier()) parts.push_back(Ident(id));
  return absl::StrJoin(parts, ".");
}

ast::StatementPtr Transformer::TransformShow(P::ShowStmtContext* ctx) {
  auto stmt = std::make_unique<ast::ShowStatement>();
  if (ctx->SETTING() != nullptr) {
    stmt->cluster_setting = true;
    stmt->name = TransformVarName(ctx->varName());
  } else if (ctx->CLUSTER() != nullptr) {
    stmt->name = std::string(ast::ShowStatement::kClusterNodes);
  } else if (ctx->RANGES() != nullptr) {
    stmt->name = std::string(ast::ShowStatement::kRanges);
    if (ctx->qualifiedName() != nullptr) stmt->table = TransformQualifiedName(ctx->qualifiedName());
  } else if (!SpecialVariable(ctx, &stmt->name)) {
    stmt->name = TransformVarName(ctx->varName());
  }
  return stmt;
}

ast::StatementPtr Transformer::TransformReset(P::ResetStmtContext* ctx) {
  auto stmt = std::make_unique<ast::ResetStatement>();
  if (ctx->AUTHORIZATION()) {
    stmt->name = "session_authorization";
  } else if (!SpecialVariable(ctx, &stmt->name)) {
    stmt->name = TransformVarName(ctx->varName());
  }
  return stmt;
}

std::vector<ast::Option> Transformer::TransformOptionList(P::OptionListContext* ctx) {
  std::vector<ast::Option> out;
  if (ctx == nullptr) return out;
  for (auto* option : ctx->genericOption()) {
    ast::Option o;
    o.position = Pos(option);
    o.name = ColLabel(option->colLabel());
    if (option->varValue() != nullptr) o.value = TransformVarValue(option->varValue());
    out.push_back(std::move(o));
  }
  return out;
}

ast::StatementPtr Transformer::TransformExplain(P::ExplainStmtContext* ctx) {
  auto stmt = std::make_unique<ast::ExplainStatement>();
  if (ctx->ANALYZE()) stmt->options.push_back({"analyze", "", Pos(ctx->ANALYZE())});
  if (ctx->VERBOSE()) stmt->options.push_back({"verbose", "", Pos(ctx->VERBOSE())});
  if (auto* list = ctx->optionList()) {
    for (ast::Option& option : TransformOptionList(list)) {
      option.value = AsciiLower(option.value);
      stmt->options.push_back(std::move(option));
    }
  }
  // Validate as PostgreSQL's ExplainQuery does.
  static const char* const kBoolOptions[] = {"analyze", "verbose", "costs", "settings",
                                             "buffers", "wal",     "timing", "summary"};
  for (const ast::Option& option : stmt->options) {
    if (option.name == "format") {
      if (option.value != "text" && option.value != "json" && option.value != "xml" &&
          option.value != "yaml") {
        Fail(MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrCat("unrecognized value for EXPLAIN option \"format\": \"",
                                    option.value, "\""),
                       option.position));
      }
      continue;
    }
    bool known = false;
    for (const char* name : kBoolOptions) known = known || option.name == name;
    if (!known) {
      Fail(MakeError(ErrorCode::kSyntaxError,
                     absl::StrCat("unrecognized EXPLAIN option \"", option.name, "\""),
                     option.position));
    }
    std::optional<bool> value = ParseBool(option.value);
    if (!value) {
      Fail(MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("EXPLAIN option ", option.name, " requires a Boolean value"),
                     option.position));
    }
    if (option.name == "analyze") stmt->analyze = *value;
    if (option.name == "verbose") stmt->verbose = *value;
  }

  P::ExplainableStmtContext* inner = ctx->explainableStmt();
  if (auto* c = inner->selectStmt()) {
    auto select = std::make_unique<ast::SelectStatement>();
    select->query = TransformSelectStmt(c);
    stmt->statement = std::move(select);
  } else if (auto* c = inner->insertStmt()) {
    stmt->statement = TransformInsert(c);
  } else if (auto* c = inner->updateStmt()) {
    stmt->statement = TransformUpdate(c);
  } else {
    stmt->statement = TransformDelete(inner->deleteStmt());
  }
  const size_t begin = source_.ByteOffset(inner->getStart()->getStartIndex());
  const size_t end = source_.ByteOffset(inner->getStop()->getStopIndex() + 1);
  stmt->statement->location = static_cast<int>(begin);
  stmt->statement->length = static_cast<int>(end - begin);
  return stmt;
}

}  // namespace cairn::parser
