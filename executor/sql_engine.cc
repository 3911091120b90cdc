#include "executor/sql_engine.h"

#include "absl/strings/str_format.h"
#include "catalog/privileges.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "executor/session.h"

namespace cairn::executor {

absl::StatusOr<std::unique_ptr<SqlSession>> SqlEngine::NewSession(std::string_view user,
                                                                   std::string_view database) {
  CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(client_, resolver_, {}));
  auto role = catalog_->GetRole(txn.get(), user);
  auto db = catalog_->GetDatabase(txn.get(), database);
  txn->Rollback();
  CAIRN_RETURN_IF_ERROR(role.status());
  CAIRN_RETURN_IF_ERROR(db.status());
  if (!*role) {
    return MakeError(ErrorCode::kInvalidAuthorizationSpecification,
                     absl::StrFormat("role \"%s\" does not exist", user));
  }
  if (!(*role)->login()) {
    return MakeError(ErrorCode::kInvalidAuthorizationSpecification,
                     absl::StrFormat("role \"%s\" is not permitted to log in", user));
  }
  if (!*db) {
    return MakeError(ErrorCode::kInvalidCatalogName,
                     absl::StrFormat("database \"%s\" does not exist", database));
  }
  const bool superuser = (*role)->superuser();
  if (!superuser && (*db)->has_acl() &&
      !catalog::HoldsPrivileges(catalog::EffectiveOwner((*db)->owner()), (*db)->acl(),
                                (*role)->name(), catalog::kConnect)) {
    return WithDetail(MakeError(ErrorCode::kInsufficientPrivilege,
                                absl::StrFormat("permission denied for database \"%s\"", database)),
                      "User does not have CONNECT privilege.");
  }
  Session::Deps deps{client_,  resolver_,       catalog_, node_id_,          &active_,
                     &auto_analyzer_, cluster_, ranges_,  cluster_settings_};
  deps.heartbeater = &heartbeater_;
  deps.secondaries = &secondaries_;
  return std::unique_ptr<SqlSession>(new Session(deps, std::string(user), std::string(database),
                                                 (*db)->id(), next_pid_++, superuser));
}

absl::StatusOr<std::optional<SessionFactory::LoginRole>> SqlEngine::LookupLogin(
    std::string_view user) {
  CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(client_, resolver_, {}));
  auto role = catalog_->GetRole(txn.get(), user);
  txn->Rollback();
  CAIRN_RETURN_IF_ERROR(role.status());
  if (!*role) return std::nullopt;
  LoginRole login;
  login.secret = (*role)->password();
  login.expired = (*role)->has_valid_until() &&
                  (*role)->valid_until_micros() <
                      static_cast<int64_t>(Clock::Real()->NowMillis()) * 1000;
  return login;
}

}  // namespace cairn::executor
