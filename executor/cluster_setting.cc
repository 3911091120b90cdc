#include "executor/cluster_setting.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/error_code.h"

namespace cairn::executor {
namespace {

absl::Status NeedsACluster(kv::ClusterSettings* settings) {
  if (settings != nullptr) return absl::OkStatus();
  return MakeError(ErrorCode::kFeatureNotSupported, "cluster settings need a node's cluster");
}

}  // namespace

absl::StatusOr<StatementResult> SetClusterSetting(const ast::SetStatement& stmt,
                                                  kv::ClusterSettings* settings) {
  CAIRN_RETURN_IF_ERROR(NeedsACluster(settings));
  std::optional<int64_t> value;
  if (stmt.set_kind == ast::SetKind::kValue) {
    int64_t parsed = 0;
    if (stmt.values.size() != 1 || !absl::SimpleAtoi(stmt.values[0], &parsed)) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrCat("cluster setting \"", stmt.name, "\" takes an integer"));
    }
    value = parsed;
  }
  CAIRN_RETURN_IF_ERROR(settings->Set(stmt.name, value));
  StatementResult r;
  r.command_tag = "SET CLUSTER SETTING";
  return r;
}

std::vector<ResultColumn> ShowClusterSettingColumns(const std::string& name) {
  return {{name, SqlType::Of(TypeId::kText)}};
}

absl::StatusOr<StatementResult> ShowClusterSetting(const std::string& name,
                                                   kv::ClusterSettings* settings) {
  CAIRN_RETURN_IF_ERROR(NeedsACluster(settings));
  CAIRN_ASSIGN_OR_RETURN(int64_t value, settings->Get(name));
  StatementResult r;
  r.returns_rows = true;
  r.command_tag = "SHOW";
  r.columns = ShowClusterSettingColumns(name);
  r.rows.push_back({Value::Text(absl::StrCat(value))});
  return r;
}

}  // namespace cairn::executor
