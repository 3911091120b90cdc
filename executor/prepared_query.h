#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/table_info.h"
#include "executor/sql_session.h"
#include "parser/ast/statement.h"
#include "planner/plan.h"
#include "planner/planner.h"

namespace cairn::executor {

// What Session::Prepare makes of one statement: the parsed statement, what
// Describe reports, and for SELECT, INSERT, UPDATE and DELETE the plan,
// which every Execute reuses while the tables it was planned against are
// unchanged (PostgreSQL's cached plan; a changed table is planned anew).
class PreparedQuery final : public PreparedStatement {
 public:
  const std::vector<SqlType>& parameter_types() const override { return parameter_types_; }
  bool returns_rows() const override { return returns_rows_; }
  const std::vector<ResultColumn>& columns() const override { return columns_; }
  bool empty() const override { return statement_ == nullptr; }

 private:
  friend class Session;

  std::unique_ptr<ast::Statement> statement_;  // null for an empty query
  std::string text_;                           // the SQL it was parsed from
  std::vector<SqlType> parameter_types_;
  bool returns_rows_ = false;
  std::vector<ResultColumn> columns_;

  // The cached plan and the descriptors of the tables it resolved.
  std::shared_ptr<const planner::PlanNode> plan_;
  std::vector<std::shared_ptr<const catalog::TableInfo>> plan_tables_;
  std::string plan_role_;  // the role whose privileges the plan was checked for
  planner::PlannerSettings plan_settings_;  // the enable_* settings it was planned with
};

}  // namespace cairn::executor
