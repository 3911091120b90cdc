// CREATE/ALTER/DROP ROLE and USER, GRANT and REVOKE.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "common/error_code.h"
#include "parser/ast/roles.h"
#include "parser/transformer.h"

namespace cairn::parser {

std::vector<ast::RoleOption> Transformer::TransformRoleOptions(
    const std::vector<P::RoleOptionContext*>& options) {
  std::vector<ast::RoleOption> out;
  for (P::RoleOptionContext* option : options) {
    ast::RoleOption o;
    o.position = Pos(option);
    if (auto* c = dynamic_cast<P::PasswordOptionContext*>(option)) {
      o.kind = ast::RoleOption::Kind::kPassword;
      if (c->stringLiteral() != nullptr) o.password = StringValue(c->stringLiteral()->getStart());
    } else if (auto* c = dynamic_cast<P::ConnectionLimitOptionContext*>(option)) {
      o.kind = ast::RoleOption::Kind::kConnectionLimit;
      if (!absl::SimpleAtoi(c->signedCount()->getText(), &o.connection_limit)) {
        Fail(MakeError(ErrorCode::kNumericValueOutOfRange, "CONNECTION LIMIT out of range",
                       Pos(c->signedCount())));
      }
    } else if (auto* c = dynamic_cast<P::ValidUntilOptionContext*>(option)) {
      o.kind = ast::RoleOption::Kind::kValidUntil;
      o.valid_until = StringValue(c->stringLiteral()->getStart());
    } else {
      o.flag = Ident(dynamic_cast<P::FlagOptionContext*>(option)->identifier());
    }
    out.push_back(std::move(o));
  }
  return out;
}

ast::RoleSpec Transformer::TransformRoleSpec(P::RoleSpecContext* ctx) {
  ast::RoleSpec spec;
  if (ctx->CURRENT_USER()) {
    spec.kind = ast::RoleSpec::Kind::kCurrentUser;
  } else if (ctx->SESSION_USER()) {
    spec.kind = ast::RoleSpec::Kind::kSessionUser;
  } else {
    spec.name = Ident(ctx->identifier());
  }
  return spec;
}

ast::StatementPtr Transformer::TransformCreateRole(P::CreateRoleStmtContext* ctx) {
  auto stmt = std::make_unique<ast::CreateRoleStatement>();
  stmt->is_user = ctx->kind->getType() == P::USER;
  stmt->name = Ident(ctx->identifier());
  stmt->options = TransformRoleOptions(ctx->roleOption());
  return stmt;
}

ast::StatementPtr Transformer::TransformAlterRole(P::AlterRoleStmtContext* ctx) {
  auto stmt = std::make_unique<ast::AlterRoleStatement>();
  if (auto* c = dynamic_cast<P::RenameRoleContext*>(ctx)) {
    stmt->is_user = c->kind->getType() == P::USER;
    stmt->role = TransformRoleSpec(c->roleSpec());
    stmt->rename_to = Ident(c->identifier());
  } else {
    auto* options = dynamic_cast<P::AlterRoleOptionsContext*>(ctx);
    stmt->is_user = options->kind->getType() == P::USER;
    stmt->role = TransformRoleSpec(options->roleSpec());
    stmt->options = TransformRoleOptions(options->roleOption());
  }
  return stmt;
}

ast::StatementPtr Transformer::TransformDropRole(P::DropRoleStmtContext* ctx) {
  auto stmt = std::make_unique<ast::DropRoleStatement>();
  stmt->is_user = ctx->kind->getType() == P::USER;
  stmt->if_exists = ctx->EXISTS() != nullptr;
  for (auto* id : ctx->identifier()) stmt->names.push_back(Ident(id));
  return stmt;
}

void Transformer::TransformPrivileges(P::PrivilegeListContext* list,
                                      P::PrivilegeTargetContext* target,
                                      P::GranteeListContext* grantees, ast::GrantStatement* stmt) {
  if (list->ALL()) {
    stmt->all_privileges = true;
  } else {
    for (auto* p : list->privilegeName()) {
      stmt->privileges.push_back(absl::AsciiStrToUpper(p->getText()));
    }
  }
  auto names = [&](const std::vector<P::IdentifierContext*>& ids) {
    for (auto* id : ids) stmt->objects.push_back(ast::ObjectName{.name = Ident(id), .position = Pos(id)});
  };
  if (auto* c = dynamic_cast<P::TablesTargetContext*>(target)) {
    stmt->target = ast::PrivilegeTarget::kTables;
    stmt->objects = TransformQualifiedNameList(c->qualifiedNameList());
  } else if (auto* c = dynamic_cast<P::AllTablesTargetContext*>(target)) {
    stmt->target = ast::PrivilegeTarget::kAllTablesInSchema;
    names(c->identifier());
  } else if (auto* c = dynamic_cast<P::SchemaTargetContext*>(target)) {
    stmt->target = ast::PrivilegeTarget::kSchemas;
    names(c->identifier());
  } else {
    stmt->target = ast::PrivilegeTarget::kDatabases;
    names(dynamic_cast<P::DatabaseTargetContext*>(target)->identifier());
  }
  for (auto* g : grantees->grantee()) stmt->grantees.push_back(TransformRoleSpec(g->roleSpec()));
}

ast::StatementPtr Transformer::TransformGrant(P::GrantStmtContext* ctx) {
  auto stmt = std::make_unique<ast::GrantStatement>();
  TransformPrivileges(ctx->privilegeList(), ctx->privilegeTarget(), ctx->granteeList(),
                      stmt.get());
  stmt->grant_option = ctx->OPTION() != nullptr;
  return stmt;
}

ast::StatementPtr Transformer::TransformRevoke(P::RevokeStmtContext* ctx) {
  auto stmt = std::make_unique<ast::GrantStatement>();
  stmt->revoke = true;
  TransformPrivileges(ctx->privilegeList(), ctx->privilegeTarget(), ctx->granteeList(),
                      stmt.get());
  stmt->grant_option = ctx->OPTION() != nullptr;
  stmt->cascade = ctx->dropBehavior() != nullptr && ctx->dropBehavior()->CASCADE() != nullptr;
  return stmt;
}

}  // namespace cairn::parser
