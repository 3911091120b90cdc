#include "executor/sql_engine.h"

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "executor/session.h"

namespace cairn::executor {

absl::StatusOr<std::unique_ptr<SqlSession>> SqlEngine::NewSession(std::string_view user,
                                                                   std::string_view database) {
  CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(client_, resolver_, {}));
  CAIRN_ASSIGN_OR_RETURN(auto db, catalog_->GetDatabase(txn.get(), database));
  txn->Rollback();
  if (!db) {
    return MakeError(ErrorCode::kInvalidCatalogName,
                     absl::StrFormat("database \"%s\" does not exist", database));
  }
  Session::Deps deps{client_, resolver_, catalog_, node_id_};
  return std::unique_ptr<SqlSession>(
      new Session(deps, std::string(user), std::string(database), db->id(), next_pid_++));
}

}  // namespace cairn::executor
