// Session: planning and running query plans (SELECT and DML), EXPLAIN
// [ANALYZE], and the execution context a statement runs with. Plans of
// prepared statements are cached with the settings and catalog versions
// they were made under.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "executor/ddl.h"
#include "executor/exec_context.h"
#include "executor/operator.h"
#include "executor/privilege_checker.h"
#include "executor/session.h"
#include "executor/system_views.h"
#include "parser/ast/dml.h"
#include "parser/ast/session.h"
#include "planner/parameter_types.h"
#include "planner/planner.h"

namespace cairn::executor {
namespace {

// Finds tables for the binder through the catalog, in the statement's
// transaction.
class CatalogTableResolver : public planner::TableResolver {
 public:
  CatalogTableResolver(catalog::Catalog* catalog, txn::Txn* txn, uint32_t database_id,
                       std::string database, std::string user, const SessionSettings* settings)
      : settings_(settings),
        catalog_(catalog),
        txn_(txn),
        database_id_(database_id),
        database_(std::move(database)),
        user_(std::move(user)),
        checker_(catalog, txn, user_, database_) {}

  absl::StatusOr<std::optional<SystemView>> ResolveSystemView(
      const ast::ObjectName& name) override {
    CAIRN_ASSIGN_OR_RETURN(auto view,
                           BuildSystemView(name, SystemViewSource{.catalog = catalog_,
                                                                  .txn = txn_,
                                                                  .database_id = database_id_,
                                                                  .database = database_,
                                                                  .user = user_,
                                                                  .settings = settings_->All()}));
    if (view.has_value()) read_system_view_ = true;
    return view;
  }
  // A plan with a system view's rows in it must not be cached.
  bool read_system_view() const { return read_system_view_; }

  absl::StatusOr<std::shared_ptr<const catalog::TableInfo>> ResolveTable(
      const ast::ObjectName& name, uint32_t privileges) override {
    CAIRN_RETURN_IF_ERROR(CheckSchema(name));
    CAIRN_ASSIGN_OR_RETURN(auto table, catalog_->GetTable(txn_, database_id_, name.name));
    if (!table) {
      return MakeError(ErrorCode::kUndefinedTable,
                       absl::StrFormat("relation \"%s\" does not exist", name.name), name.position);
    }
    if (privileges != 0) CAIRN_RETURN_IF_ERROR(checker_.CheckTable(*table, privileges));
    auto info = std::make_shared<const catalog::TableInfo>(std::move(*table));
    resolved_.push_back(info);
    return info;
  }

  absl::Status CheckPrivileges(const catalog::TableInfo& table, uint32_t privileges) override {
    return checker_.CheckTable(table, privileges);
  }

  // Every table resolved so far, in order (with repeats).
  std::vector<std::shared_ptr<const catalog::TableInfo>> TakeResolved() {
    return std::move(resolved_);
  }

 private:
  std::vector<std::shared_ptr<const catalog::TableInfo>> resolved_;
  const SessionSettings* settings_;
  catalog::Catalog* catalog_;
  txn::Txn* txn_;
  uint32_t database_id_;
  std::string database_;
  std::string user_;
  PrivilegeChecker checker_;
  bool read_system_view_ = false;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const planner::PlanNode>> Session::PlanFor(
    const ast::Statement& stmt, txn::Txn* txn, PreparedQuery* prepared) {
  if (prepared != nullptr && prepared->plan_ != nullptr) {
    // Its privileges were checked for the role it was planned as.
    bool unchanged = prepared->plan_role_ == CurrentRole() &&
                     prepared->plan_settings_ == CurrentPlannerSettings();
    for (const auto& table : prepared->plan_tables_) {
      if (!unchanged) break;
      CAIRN_ASSIGN_OR_RETURN(auto now, deps_.catalog->GetTable(txn, database_id_, table->name()));
      if (!now ||
          now->descriptor().SerializeAsString() != table->descriptor().SerializeAsString()) {
        unchanged = false;
        break;
      }
    }
    if (unchanged) return prepared->plan_;
  }
  CatalogTableResolver resolver(deps_.catalog, txn, database_id_, database_, CurrentRole(),
                                &settings_);
  CAIRN_ASSIGN_OR_RETURN(planner::PlanPtr planned,
                         planner::PlanQuery(stmt, &resolver, CurrentPlannerSettings()));
  std::shared_ptr<const planner::PlanNode> plan = std::move(planned);
  if (prepared != nullptr) {
    if (prepared->returns_rows_) {
      // The client was told the row shape at Parse.
      bool same = plan->output.size() == prepared->columns_.size();
      for (size_t i = 0; same && i < plan->output.size(); ++i) {
        same = plan->output[i].type == prepared->columns_[i].type;
      }
      if (!same) {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         "cached plan must not change result type");
      }
    }
    if (!resolver.read_system_view()) {
      prepared->plan_ = plan;
      prepared->plan_tables_ = resolver.TakeResolved();
      prepared->plan_role_ = CurrentRole();
      prepared->plan_settings_ = CurrentPlannerSettings();
    }
  }
  return plan;
}

absl::StatusOr<StatementResult> Session::ExecuteQueryPlan(const ast::Statement& stmt, txn::Txn* txn,
                                                          const Bindings& bindings) {
  CAIRN_ASSIGN_OR_RETURN(std::shared_ptr<const planner::PlanNode> plan,
                         PlanFor(stmt, txn, bindings.prepared));
  return RunPlan(*plan, txn, bindings.params, /*stats=*/nullptr);
}

absl::StatusOr<StatementResult> Session::RunPlan(
    const planner::PlanNode& plan_node, txn::Txn* txn, const std::vector<Value>* params,
    absl::node_hash_map<const planner::PlanNode*, OperatorStats>* stats) {
  const planner::PlanNode* plan = &plan_node;
  ExecContext ctx;
  InitExecContext(txn, &ctx);
  if (params != nullptr) ctx.params = *params;
  ctx.stats = stats;

  StatementResult result;
  int64_t row_count = 0;
  OperatorPtr root;
  bool is_dml = plan->kind == planner::PlanKind::kInsert ||
                plan->kind == planner::PlanKind::kUpdate ||
                plan->kind == planner::PlanKind::kDelete;
  if (is_dml) {
    CAIRN_ASSIGN_OR_RETURN(OperatorPtr child, BuildOperator(*plan->children[0], &ctx));
    switch (plan->kind) {
      case planner::PlanKind::kInsert:
        root = MakeInsertOperator(*plan, std::move(child), &ctx, &row_count);
        break;
      case planner::PlanKind::kUpdate:
        root = MakeUpdateOperator(*plan, std::move(child), &ctx, &row_count);
        break;
      default:
        root = MakeDeleteOperator(*plan, std::move(child), &ctx, &row_count);
        break;
    }
    root = Instrument(*plan, std::move(root), &ctx);
  } else {
    CAIRN_ASSIGN_OR_RETURN(root, BuildOperator(*plan, &ctx));
  }
  RowBatch batch;
  while (true) {
    CAIRN_RETURN_IF_ERROR(CheckInterrupts(ctx));
    CAIRN_ASSIGN_OR_RETURN(bool more, root->Next(&batch));
    if (!more) break;
    for (Row& r : batch) result.rows.push_back(std::move(r));
  }
  CAIRN_RETURN_IF_ERROR(RunEndOfStatementChecks(&ctx));
  for (const auto& c : plan->output) result.columns.push_back({c.name, c.type});
  switch (plan->kind) {
    case planner::PlanKind::kInsert:
      result.command_tag = absl::StrCat("INSERT 0 ", row_count);
      result.returns_rows = plan->has_returning;
      break;
    case planner::PlanKind::kUpdate:
      result.command_tag = absl::StrCat("UPDATE ", row_count);
      result.returns_rows = plan->has_returning;
      break;
    case planner::PlanKind::kDelete:
      result.command_tag = absl::StrCat("DELETE ", row_count);
      result.returns_rows = plan->has_returning;
      break;
    default:
      result.command_tag = absl::StrCat("SELECT ", result.rows.size());
      result.returns_rows = true;
      break;
  }
  if (!result.returns_rows) result.columns.clear();
  if (is_dml && deps_.auto_analyzer != nullptr && plan->table != nullptr && row_count > 0) {
    // Counted once committed: an ANALYZE that ran earlier would not see them.
    AutoAnalyzer* analyzer = deps_.auto_analyzer;
    txn->OnCommit(
        [analyzer, db = database_id_, table = plan->table->name(),
         rows = static_cast<uint64_t>(row_count)] { analyzer->NoteWrites(db, table, rows); });
  }
  return result;
}

void Session::InitExecContext(txn::Txn* txn, ExecContext* ctx) {
  ctx->txn = txn;
  ctx->catalog = deps_.catalog;
  ctx->user = CurrentRole();
  ctx->session_user = SessionUser();
  ctx->database = database_;
  ctx->database_id = database_id_;
  ctx->backend_pid = backend_pid_;
  ctx->node_id = deps_.node_id;
  ctx->transaction_start_micros = static_cast<int64_t>(PhysicalMs(txn->start_ts())) * 1000;
  ctx->cancel_requested = &cancel_requested_;
  ctx->deadline = statement_deadline_;
  ctx->work_mem_bytes = settings_.MemoryBytes("work_mem");
  ctx->deferred_checks = &deferred_checks_;
  ctx->constraint_timing = &constraint_timing_;
}

absl::StatusOr<StatementResult> Session::ExecuteExplain(const ast::Statement& stmt, txn::Txn* txn,
                                                        const Bindings& bindings) {
  const auto& explain = stmt.As<ast::ExplainStatement>();
  const ast::Statement& inner = *explain.statement;
  CatalogTableResolver resolver(deps_.catalog, txn, database_id_, database_, CurrentRole(),
                                &settings_);
  const auto planning_start = std::chrono::steady_clock::now();
  CAIRN_ASSIGN_OR_RETURN(planner::PlanPtr plan,
                         planner::PlanQuery(inner, &resolver, CurrentPlannerSettings()));
  const double planning_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - planning_start)
          .count();
  std::vector<std::string> lines;
  if (!explain.analyze) {
    lines = planner::ExplainPlan(*plan);
  } else {
    // The plan shown is the plan run, each node with what its operator did.
    absl::node_hash_map<const planner::PlanNode*, OperatorStats> stats;
    const auto start = std::chrono::steady_clock::now();
    CAIRN_ASSIGN_OR_RETURN(StatementResult run, RunPlan(*plan, txn, bindings.params, &stats));
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    lines = planner::ExplainPlan(*plan, [&](const planner::PlanNode& node) -> std::string {
      auto it = stats.find(&node);
      if (it == stats.end()) return "(never executed)";
      const OperatorStats& s = it->second;
      return absl::StrFormat("(actual time=%.3f ms rows=%d kv reads=%d)", s.ms, s.rows, s.kv_reads);
    });
    lines.push_back(absl::StrFormat("Result: %s", run.command_tag));
    lines.push_back(absl::StrFormat("Planning Time: %.3f ms", planning_ms));
    lines.push_back(absl::StrFormat("Execution Time: %.3f ms", ms));
  }
  StatementResult r;
  r.returns_rows = true;
  r.command_tag = "EXPLAIN";
  r.columns = {{"QUERY PLAN", SqlType::Of(TypeId::kText)}};
  for (auto& line : lines) r.rows.push_back({Value::Text(std::move(line))});
  return r;
}

}  // namespace cairn::executor
