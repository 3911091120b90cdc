#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "catalog/table_info.h"
#include "parser/ast/ddl.h"
#include "parser/ast/dml.h"
#include "parser/ast/names.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/scope.h"
#include "planner/plan.h"

namespace cairn::planner {

// How the binder finds tables: the session answers from the catalog, within
// the statement's transaction.
class TableResolver {
 public:
  virtual ~TableResolver() = default;
  // 42P01 when the table does not exist; 42501 when the current role lacks
  // `privileges` (catalog::Privilege bits) on it.
  virtual absl::StatusOr<std::shared_ptr<const catalog::TableInfo>> ResolveTable(
      const ast::ObjectName& name, uint32_t privileges) = 0;

  // 42501 unless the current role holds `privileges` on `table` too (what
  // a statement turned out to need once bound).
  virtual absl::Status CheckPrivileges(const catalog::TableInfo& table, uint32_t privileges) {
    return absl::OkStatus();
  }

  // A system view (pg_catalog.pg_class, information_schema.tables, ...)
  // with its rows as of the statement's transaction, which the plan
  // carries as constants; nullopt when `name` names none.
  struct SystemView {
    std::string name;
    std::vector<OutputColumn> columns;
    std::vector<Row> rows;
  };
  virtual absl::StatusOr<std::optional<SystemView>> ResolveSystemView(
      const ast::ObjectName& name) {
    return std::nullopt;
  }
};

// Binds a statement's AST against the catalog into a plan: names resolved,
// types checked, the operator tree laid out (DuckDB's binder and planner in
// one pass). The optimizer then picks access paths (optimizer/).
class Binder {
 public:
  explicit Binder(TableResolver* resolver) : resolver_(resolver) {}

  absl::StatusOr<PlanPtr> BindSelect(const ast::SelectStatement& stmt);
  absl::StatusOr<PlanPtr> BindInsert(const ast::InsertStatement& stmt);
  absl::StatusOr<PlanPtr> BindUpdate(const ast::UpdateStatement& stmt);
  absl::StatusOr<PlanPtr> BindDelete(const ast::DeleteStatement& stmt);

  // The expression a column takes when no value is given: its DEFAULT,
  // its sequence, a fresh row id, or NULL.
  // The table's CHECK constraints bound over its rows, into `plan`
  // (kInsert, kUpdate).
  static absl::Status BindChecks(const catalog::TableInfo& table, PlanNode* plan);
  // A CHECK expression for `table`: 42804 unless boolean; no subqueries or
  // aggregates (42P17/42803), as PostgreSQL allows none.
  static absl::StatusOr<BoundExprPtr> BindCheckExpression(const catalog::TableInfo& table,
                                                         const ast::Expr& expr);
  static absl::StatusOr<BoundExprPtr> BindColumnDefault(const catalog::TableInfo& table,
                                                        int column);

 private:
  absl::StatusOr<PlanPtr> BindQuery(const ast::QueryNode& query);
  // Puts the WITH queries of `with` in effect (until the WithScope that
  // was open when they were entered ends).
  absl::Status EnterWith(const ast::WithClause& with);
  class WithScope {
   public:
    explicit WithScope(Binder* binder) : binder_(binder), size_(binder->ctes_.size()) {}
    ~WithScope() { binder_->ctes_.resize(size_); }
    WithScope(const WithScope&) = delete;
    WithScope& operator=(const WithScope&) = delete;

   private:
    Binder* const binder_;
    const size_t size_;
  };
  // The query without its WITH clause (which BindQuery put in effect).
  absl::StatusOr<PlanPtr> BindQueryBody(const ast::QueryNode& query);
  absl::StatusOr<PlanPtr> BindUnlockedQueryBody(const ast::QueryNode& query);
  absl::StatusOr<PlanPtr> BindSelectNode(const ast::SelectNode& select, const ast::QueryNode& mods);
  absl::StatusOr<PlanPtr> BindValues(const ast::ValuesNode& values);
  // Binds a FROM item, appending its columns to `scope`.
  absl::StatusOr<PlanPtr> BindTableRef(const ast::TableRef& ref, Scope* scope);
  absl::StatusOr<PlanPtr> BindJoin(const ast::JoinRef& join, Scope* scope);
  // Every row of `left` with every row of `right` (columns side by side).
  static PlanPtr CrossJoin(PlanPtr left, PlanPtr right);
  // The new row of UPDATE and ON CONFLICT DO UPDATE, one expression per
  // column: the SET value, else the column as it was.
  absl::StatusOr<std::vector<BoundExprPtr>> BindSetList(const catalog::TableInfo& table,
                                                        const std::vector<ast::SetClause>& set_list,
                                                        ExpressionBinder* binder);
  // INSERT ... ON CONFLICT (on the primary key) into `insert`.
  absl::Status BindOnConflict(const ast::InsertStatement& stmt, const catalog::TableInfo& table,
                              PlanNode* insert);
  // The rows UPDATE and DELETE write: the target's, joined with `others`
  // (UPDATE ... FROM, DELETE ... USING) whose columns `scope` gains,
  // filtered by `where`.
  absl::StatusOr<PlanPtr> BindTargetRows(std::shared_ptr<const catalog::TableInfo> table,
                                         const std::vector<ast::TableRefPtr>& others,
                                         const ast::Expr* where, Scope* scope);
  // A system view in FROM: its rows, as constants.
  absl::StatusOr<PlanPtr> BindSystemView(const TableResolver::SystemView& view,
                                         const ast::TableRef& ref, Scope* scope);
  // A function in FROM (generate_series).
  absl::StatusOr<PlanPtr> BindSetFunctionInFrom(const ast::FunctionTableRef& ref, Scope* scope);
  absl::StatusOr<PlanPtr> BindTableFunction(const ast::FunctionTableRef& ref, Scope* scope);
  // A reference to a WITH RECURSIVE query: its recursive union, or its
  // work table inside its own recursive term. Null plan: not recursive
  // after all (bound as any WITH query).
  absl::StatusOr<PlanPtr> BindRecursiveReference(const ast::CommonTableExpr& cte, size_t index,
                                                 const ast::TableAlias& alias, int position,
                                                 Scope* scope);
  // A subquery in FROM, or a WITH query named there: its rows under `alias`.
  absl::StatusOr<PlanPtr> BindDerivedTable(const ast::QueryNode& query,
                                           const ast::TableAlias& alias,
                                           const std::string& default_name, int position,
                                           Scope* scope);
  // UNION / INTERSECT / EXCEPT [ALL], with the ORDER BY and LIMIT of `mods`.
  absl::StatusOr<PlanPtr> BindSetOperation(const ast::SetOperationNode& node,
                                           const ast::QueryNode& mods);
  absl::StatusOr<PlanPtr> BindReturning(PlanPtr dml, const std::vector<ast::ResultTarget>& targets,
                                        const Scope& scope);

  // Lets `binder` bind subqueries (as queries of their own, whose names
  // fall back to the binder's scope).
  void AllowSubqueries(ExpressionBinder* binder);

  TableResolver* resolver_;
  // A subquery's binder: the scope of the enclosing query, and how many
  // levels out this query's names reached (0: not correlated).
  const Scope* outer_scope_ = nullptr;
  int outer_depth_ = 0;
  // The WITH queries in effect, outermost first; a reference binds the
  // query anew with only the ones defined before it visible.
  std::vector<const ast::CommonTableExpr*> ctes_;
  // The WITH queries of WITH RECURSIVE clauses.
  absl::flat_hash_set<const ast::CommonTableExpr*> recursive_ctes_;
  // Recursive queries being bound: a reference to one inside its own
  // recursive term reads the work table.
  struct WorkTable {
    const ast::CommonTableExpr* cte;
    int id;
    std::vector<OutputColumn> columns;
    bool referenced = false;
  };
  std::vector<WorkTable> work_tables_;
  int next_work_table_ = 1;
};

}  // namespace cairn::planner
