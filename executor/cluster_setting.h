#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "executor/sql_session.h"
#include "kv/cluster_settings.h"
#include "parser/ast/session.h"

namespace cairn::executor {

// SET CLUSTER SETTING name = value | DEFAULT and SHOW CLUSTER SETTING name:
// the settings of the whole cluster (kv/cluster_settings.h). The caller
// checks who may set them.
absl::StatusOr<StatementResult> SetClusterSetting(const ast::SetStatement& stmt,
                                                  kv::ClusterSettings* settings);
std::vector<ResultColumn> ShowClusterSettingColumns(const std::string& name);
absl::StatusOr<StatementResult> ShowClusterSetting(const std::string& name,
                                                   kv::ClusterSettings* settings);

}  // namespace cairn::executor
