// FROM items: tables, WITH queries named there, subqueries, joins and
// generate_series. Each appends its columns to the query's scope.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/functions.h"

namespace cairn::planner {

PlanPtr Binder::CrossJoin(PlanPtr left, PlanPtr right) {
  auto cross = std::make_unique<PlanNode>(PlanKind::kJoin);
  cross->join_type = JoinType::kCross;
  cross->output = left->output;
  cross->output.insert(cross->output.end(), right->output.begin(), right->output.end());
  cross->children.push_back(std::move(left));
  cross->children.push_back(std::move(right));
  return cross;
}

namespace {

// 42712 when a FROM item of `scope` already goes by `alias`.
absl::Status CheckAliasUnused(const Scope& scope, const std::string& alias, int position) {
  for (const auto& c : scope.columns()) {
    if (!c.table.empty() && c.table == alias) {
      return MakeError(ErrorCode::kDuplicateAlias,
                       absl::StrFormat("table name \"%s\" specified more than once", alias),
                       position);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PlanPtr> Binder::BindTableRef(const ast::TableRef& ref, Scope* scope) {
  if (ref.kind == ast::TableRefKind::kJoin) return BindJoin(ref.As<ast::JoinRef>(), scope);
  if (ref.kind == ast::TableRefKind::kSubquery) {
    if (ref.alias.name.empty()) {
      return MakeError(ErrorCode::kSyntaxError, "subquery in FROM must have an alias",
                       ref.position);
    }
    return BindDerivedTable(*ref.As<ast::SubqueryRef>().query, ref.alias, "", ref.position,
                            scope);
  }
  if (ref.kind == ast::TableRefKind::kFunction) {
    return BindTableFunction(ref.As<ast::FunctionTableRef>(), scope);
  }
  if (ref.kind != ast::TableRefKind::kBaseTable) {
    return MakeError(ErrorCode::kFeatureNotSupported, "this kind of FROM item is not supported yet",
                     ref.position);
  }
  const auto& base = ref.As<ast::BaseTableRef>();
  if (base.name.schema.empty() && base.name.catalog.empty()) {
    // A WITH query of that name hides a table (innermost first); its own
    // query sees only the WITH queries defined before it.
    for (size_t k = ctes_.size(); k-- > 0;) {
      if (ctes_[k]->name != base.name.name) continue;
      const ast::CommonTableExpr& cte = *ctes_[k];
      if (recursive_ctes_.contains(&cte)) {
        ast::TableAlias alias = ref.alias;
        if (alias.columns.empty()) alias.columns = cte.column_names;
        CAIRN_ASSIGN_OR_RETURN(PlanPtr plan,
                               BindRecursiveReference(cte, k, alias, ref.position, scope));
        if (plan != nullptr) return plan;
      }
      std::vector<const ast::CommonTableExpr*> visible(ctes_.begin(), ctes_.begin() + k);
      visible.swap(ctes_);
      ast::TableAlias alias = ref.alias;
      if (alias.columns.empty()) alias.columns = cte.column_names;
      absl::StatusOr<PlanPtr> plan =
          BindDerivedTable(*cte.query, alias, cte.name, ref.position, scope);
      visible.swap(ctes_);
      return plan;
    }
  }
  CAIRN_ASSIGN_OR_RETURN(auto view, resolver_->ResolveSystemView(base.name));
  if (view.has_value()) return BindSystemView(*view, ref, scope);
  CAIRN_ASSIGN_OR_RETURN(auto table, resolver_->ResolveTable(base.name, catalog::kSelect));
  std::string alias = ref.alias.name.empty() ? table->name() : ref.alias.name;
  CAIRN_RETURN_IF_ERROR(CheckAliasUnused(*scope, alias, ref.position));
  auto scan = std::make_unique<PlanNode>(PlanKind::kScan);
  scan->table = table;
  for (const auto& c : table->columns()) {
    scope->Add({alias, c.name, c.type, c.hidden});
    scan->output.push_back({c.name, c.type});
  }
  return scan;
}

absl::StatusOr<PlanPtr> Binder::BindSystemView(const TableResolver::SystemView& view,
                                               const ast::TableRef& ref, Scope* scope) {
  const std::string alias = ref.alias.name.empty() ? view.name : ref.alias.name;
  CAIRN_RETURN_IF_ERROR(CheckAliasUnused(*scope, alias, ref.position));
  auto values = std::make_unique<PlanNode>(PlanKind::kValues);
  for (const OutputColumn& c : view.columns) {
    scope->Add({alias, c.name, c.type, false});
    values->output.push_back(c);
  }
  for (const Row& row : view.rows) {
    std::vector<BoundExprPtr> exprs;
    for (size_t i = 0; i < row.size(); ++i) {
      exprs.push_back(BoundExpr::Constant(row[i], view.columns[i].type));
    }
    values->rows.push_back(std::move(exprs));
  }
  return values;
}

absl::StatusOr<PlanPtr> Binder::BindTableFunction(const ast::FunctionTableRef& ref, Scope* scope) {
  const ast::FunctionExpr& f = *ref.function;
  if (f.name != "generate_series" && IsSetReturningFunction(f.name)) {
    return BindSetFunctionInFrom(ref, scope);
  }
  if (f.name != "generate_series") {
    return MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrFormat("function %s does not exist, or is not supported in FROM",
                                     f.name),
                     ref.position);
  }
  if (f.args.size() != 2 && f.args.size() != 3) {
    return MakeError(ErrorCode::kUndefinedFunction,
                     "generate_series takes a start, a stop and an optional step", ref.position);
  }
  // Arguments are evaluated once, before the first row, over the
  // enclosing query's row when they name its columns.
  Scope none;
  none.set_parent(outer_scope_);
  ExpressionBinder binder(&none);
  AllowSubqueries(&binder);
  auto plan = std::make_unique<PlanNode>(PlanKind::kSeries);
  std::vector<SqlType> types;
  for (const auto& a : f.args) {
    CAIRN_ASSIGN_OR_RETURN(auto b, binder.Bind(*a));
    types.push_back(b->type);
    plan->exprs.push_back(std::move(b));
  }
  CAIRN_ASSIGN_OR_RETURN(SqlType type, ScalarResultType(f.name, types, ref.position));
  for (size_t i = 0; i < plan->exprs.size(); ++i) {
    // Over timestamps the step is an interval.
    const SqlType want = i == 2 && !IsIntegerType(type.id) ? SqlType::Of(TypeId::kInterval) : type;
    CAIRN_ASSIGN_OR_RETURN(plan->exprs[i], ExpressionBinder::Coerce(std::move(plan->exprs[i]), want));
  }
  // One column: named by a column alias, else by the table alias, as in
  // PostgreSQL for a function returning a scalar.
  const std::string table = ref.alias.name.empty() ? f.name : ref.alias.name;
  const std::string column = !ref.alias.columns.empty() ? ref.alias.columns[0] : table;
  if (ref.alias.columns.size() > 1) {
    return MakeError(ErrorCode::kSyntaxError,
                     "too many column aliases specified for function generate_series",
                     ref.position);
  }
  plan->output.push_back({column, type});
  scope->Add({table, column, type});
  return plan;
}

absl::StatusOr<PlanPtr> Binder::BindSetFunctionInFrom(const ast::FunctionTableRef& ref,
                                                      Scope* scope) {
  // unnest(x) AS u(v) is SELECT unnest(x) over one row: a kProjectSet on
  // a one-row kValues. Arguments may name the enclosing query's columns.
  const ast::FunctionExpr& f = *ref.function;
  Scope none;
  none.set_parent(outer_scope_);
  ExpressionBinder binder(&none);
  AllowSubqueries(&binder);
  CAIRN_ASSIGN_OR_RETURN(BoundExprPtr call, binder.Bind(f));
  auto values = std::make_unique<PlanNode>(PlanKind::kValues);
  values->rows.emplace_back();
  auto plan = std::make_unique<PlanNode>(PlanKind::kProjectSet);
  const std::string table = ref.alias.name.empty() ? f.name : ref.alias.name;
  const std::string column = !ref.alias.columns.empty() ? ref.alias.columns[0] : table;
  if (ref.alias.columns.size() > 1) {
    return MakeError(ErrorCode::kSyntaxError,
                     absl::StrFormat("too many column aliases specified for function %s", f.name),
                     ref.position);
  }
  plan->output.push_back({column, call->type});
  scope->Add({table, column, call->type});
  plan->exprs.push_back(std::move(call));
  plan->children.push_back(std::move(values));
  return plan;
}

absl::StatusOr<PlanPtr> Binder::BindRecursiveReference(const ast::CommonTableExpr& cte,
                                                       size_t index,
                                                       const ast::TableAlias& alias,
                                                       int position, Scope* scope) {
  const std::string name = alias.name.empty() ? cte.name : alias.name;
  auto add_columns = [&](const std::vector<OutputColumn>& columns) {
    for (const OutputColumn& c : columns) scope->Add({name, c.name, c.type});
  };
  // Inside its own recursive term: the rows of the previous round.
  for (size_t w = work_tables_.size(); w-- > 0;) {
    if (work_tables_[w].cte != &cte) continue;
    work_tables_[w].referenced = true;
    auto plan = std::make_unique<PlanNode>(PlanKind::kWorkTable);
    plan->work_table = work_tables_[w].id;
    plan->output = work_tables_[w].columns;
    add_columns(plan->output);
    return plan;
  }
  if (cte.query->kind != ast::QueryNodeKind::kSetOperation ||
      cte.query->As<ast::SetOperationNode>().op != ast::SetOpType::kUnion ||
      cte.query->has_modifiers()) {
    return PlanPtr();  // no recursive union: an ordinary WITH query
  }
  const auto& set = cte.query->As<ast::SetOperationNode>();
  // The non-recursive term sees the WITH queries before this one; the
  // recursive term sees this one too, as its work table.
  std::vector<const ast::CommonTableExpr*> visible(ctes_.begin(), ctes_.begin() + index);
  visible.swap(ctes_);
  absl::StatusOr<PlanPtr> left = BindQuery(*set.left);
  if (!left.ok()) {
    visible.swap(ctes_);
    return left.status();
  }
  std::vector<OutputColumn> columns = (*left)->output;
  if (alias.columns.size() > columns.size()) {
    visible.swap(ctes_);
    return MakeError(ErrorCode::kInvalidColumnReference,
                     absl::StrFormat("WITH query \"%s\" has %d columns available but %d "
                                     "columns specified",
                                     cte.name, columns.size(), alias.columns.size()),
                     position);
  }
  for (size_t i = 0; i < alias.columns.size(); ++i) columns[i].name = alias.columns[i];
  const int id = next_work_table_++;
  work_tables_.push_back({&cte, id, columns});
  ctes_.push_back(&cte);
  absl::StatusOr<PlanPtr> right = BindQuery(*set.right);
  const bool recursive = work_tables_.back().referenced;
  work_tables_.pop_back();
  ctes_.pop_back();
  visible.swap(ctes_);
  CAIRN_RETURN_IF_ERROR(right.status());
  if (!recursive) return PlanPtr();  // bound again as an ordinary WITH query
  if ((*right)->output.size() != columns.size()) {
    return MakeError(ErrorCode::kSyntaxError,
                     "each UNION query must have the same number of columns", position);
  }
  // The recursive term's rows take the non-recursive term's column types.
  PlanPtr recursive_term = *std::move(right);
  bool same = true;
  for (size_t i = 0; i < columns.size(); ++i) {
    same &= recursive_term->output[i].type == columns[i].type;
  }
  if (!same) {
    auto project = std::make_unique<PlanNode>(PlanKind::kProject);
    for (size_t i = 0; i < columns.size(); ++i) {
      const OutputColumn& c = recursive_term->output[i];
      auto coerced = ExpressionBinder::CoerceForAssignment(
          BoundExpr::Column(static_cast<int>(i), c.type, c.name), columns[i].type,
          columns[i].name);
      if (!coerced.ok()) {
        return MakeError(ErrorCode::kDatatypeMismatch,
                         absl::StrFormat("recursive query \"%s\" column %d has type %s in "
                                         "non-recursive term but type %s overall",
                                         cte.name, i + 1, TypeName(columns[i].type),
                                         TypeName(c.type)),
                         position);
      }
      project->exprs.push_back(*std::move(coerced));
      project->output.push_back(columns[i]);
    }
    project->children.push_back(std::move(recursive_term));
    recursive_term = std::move(project);
  }
  auto plan = std::make_unique<PlanNode>(PlanKind::kRecursiveUnion);
  plan->work_table = id;
  plan->set_all = set.all;
  plan->output = columns;
  plan->children.push_back(*std::move(left));
  plan->children.push_back(std::move(recursive_term));
  add_columns(plan->output);
  return plan;
}

absl::StatusOr<PlanPtr> Binder::BindDerivedTable(const ast::QueryNode& query,
                                                 const ast::TableAlias& alias,
                                                 const std::string& default_name, int position,
                                                 Scope* scope) {
  const std::string name = alias.name.empty() ? default_name : alias.name;
  CAIRN_RETURN_IF_ERROR(CheckAliasUnused(*scope, name, position));
  CAIRN_ASSIGN_OR_RETURN(PlanPtr plan, BindQuery(query));
  if (alias.columns.size() > plan->output.size()) {
    return MakeError(ErrorCode::kInvalidColumnReference,
                     absl::StrFormat("table \"%s\" has %d columns available but %d columns "
                                     "specified",
                                     name, plan->output.size(), alias.columns.size()),
                     position);
  }
  for (size_t i = 0; i < plan->output.size(); ++i) {
    OutputColumn& c = plan->output[i];
    if (i < alias.columns.size()) c.name = alias.columns[i];
    scope->Add({name, c.name, c.type});
  }
  return plan;
}

namespace {

// FULL JOIN ... USING: the merged columns, COALESCE(left, right) under the
// bare names, come first; every original column follows (still reachable
// qualified, not by the bare name or *).
absl::StatusOr<PlanPtr> MergeFullJoinColumns(PlanPtr join,
                                             const std::vector<std::pair<int, int>>& pairs,
                                             const Scope& own, size_t before, Scope* scope) {
  std::vector<ScopeColumn> joined(scope->columns().begin() + before, scope->columns().end());
  std::vector<ScopeColumn> tail;
  auto project = std::make_unique<PlanNode>(PlanKind::kProject);
  for (const auto& [li, ri] : pairs) {
    const ScopeColumn& l = own.columns()[li];
    const ScopeColumn& r = own.columns()[ri];
    CAIRN_ASSIGN_OR_RETURN(SqlType type,
                           ExpressionBinder::CommonType(l.type, r.type, "COALESCE", 0));
    auto coalesce = std::make_unique<BoundExpr>();
    coalesce->kind = BoundExprKind::kFunction;
    coalesce->name = "coalesce";
    coalesce->type = type;
    CAIRN_ASSIGN_OR_RETURN(auto lc, ExpressionBinder::Coerce(BoundExpr::Column(li, l.type, l.name), type));
    CAIRN_ASSIGN_OR_RETURN(auto rc, ExpressionBinder::Coerce(BoundExpr::Column(ri, r.type, r.name), type));
    coalesce->children.push_back(std::move(lc));
    coalesce->children.push_back(std::move(rc));
    project->exprs.push_back(std::move(coalesce));
    project->output.push_back({l.name, type});
    tail.push_back({"", l.name, type});
  }
  for (size_t i = 0; i < joined.size(); ++i) {
    project->exprs.push_back(BoundExpr::Column(static_cast<int>(i), joined[i].type, joined[i].name));
    project->output.push_back(join->output[i]);
    tail.push_back(joined[i]);
  }
  scope->mutable_columns().resize(before);
  for (ScopeColumn& c : tail) scope->Add(std::move(c));
  project->children.push_back(std::move(join));
  return project;
}

}  // namespace

absl::StatusOr<PlanPtr> Binder::BindJoin(const ast::JoinRef& join, Scope* scope) {
  // The left side's columns come first in the row, then the right side's;
  // names are resolved over both (and over what `scope` held before, for
  // the duplicate-alias check only).
  const size_t before = scope->columns().size();
  CAIRN_ASSIGN_OR_RETURN(PlanPtr left, BindTableRef(*join.left, scope));
  const size_t left_end = scope->columns().size();
  CAIRN_ASSIGN_OR_RETURN(PlanPtr right, BindTableRef(*join.right, scope));
  const int left_width = static_cast<int>(left_end - before);

  auto node = std::make_unique<PlanNode>(PlanKind::kJoin);
  switch (join.join_type) {
    case ast::JoinType::kInner: node->join_type = JoinType::kInner; break;
    case ast::JoinType::kLeft: node->join_type = JoinType::kLeft; break;
    case ast::JoinType::kRight: node->join_type = JoinType::kRight; break;
    case ast::JoinType::kFull: node->join_type = JoinType::kFull; break;
    case ast::JoinType::kCross: node->join_type = JoinType::kCross; break;
  }
  node->output = left->output;
  node->output.insert(node->output.end(), right->output.begin(), right->output.end());

  // This join's columns, positioned in its own output row.
  Scope own(std::vector<ScopeColumn>(scope->columns().begin() + before, scope->columns().end()));
  const Scope left_scope(std::vector<ScopeColumn>(own.columns().begin(),
                                                  own.columns().begin() + left_width));
  const Scope right_scope(std::vector<ScopeColumn>(own.columns().begin() + left_width,
                                                   own.columns().end()));

  std::vector<std::string> using_names;
  for (const auto& id : join.using_columns) using_names.push_back(id.name);
  if (join.natural) {
    for (const auto& l : left_scope.columns()) {
      if (l.hidden || l.merged_away) continue;
      for (const auto& r : right_scope.columns()) {
        if (!r.hidden && !r.merged_away && r.name == l.name) using_names.push_back(l.name);
      }
    }
  }
  std::vector<int> merged;  // USING: the kept column of each pair
  std::vector<std::pair<int, int>> full_pairs;  // FULL JOIN USING: both columns
  own.set_parent(outer_scope_);
  if (join.condition) {
    ExpressionBinder binder(&own);
    AllowSubqueries(&binder);
    CAIRN_ASSIGN_OR_RETURN(node->predicate, binder.BindCondition(*join.condition, "JOIN/ON"));
  } else if (!using_names.empty()) {
    ExpressionBinder binder(&own);
    std::vector<BoundExprPtr> equalities;
    for (const std::string& name : using_names) {
      auto l = left_scope.Resolve("", name, join.position);
      if (!l.ok()) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" specified in USING clause does not "
                                         "exist in left table",
                                         name),
                         join.position);
      }
      auto r = right_scope.Resolve("", name, join.position);
      if (!r.ok()) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" specified in USING clause does not "
                                         "exist in right table",
                                         name),
                         join.position);
      }
      const int li = *l;
      const int ri = left_width + *r;
      CAIRN_ASSIGN_OR_RETURN(
          auto eq, binder.BindEquality(
                       BoundExpr::Column(li, own.columns()[li].type, name),
                       BoundExpr::Column(ri, own.columns()[ri].type, name), join.position));
      equalities.push_back(std::move(eq));
      if (node->join_type == JoinType::kFull) {
        // Either side may be NULL: the name stands for COALESCE of both.
        scope->mutable_columns()[before + li].merged_away = true;
        scope->mutable_columns()[before + ri].merged_away = true;
        full_pairs.emplace_back(li, ri);
        continue;
      }
      // One name for the pair: the side whose rows all appear.
      const bool right_kept = node->join_type == JoinType::kRight;
      scope->mutable_columns()[before + (right_kept ? li : ri)].merged_away = true;
      merged.push_back(right_kept ? ri : li);
    }
    if (equalities.size() == 1) {
      node->predicate = std::move(equalities[0]);
    } else {
      node->predicate = std::make_unique<BoundExpr>();
      node->predicate->kind = BoundExprKind::kAnd;
      node->predicate->type = SqlType::Of(TypeId::kBool);
      node->predicate->position = join.position;
      node->predicate->children = std::move(equalities);
    }
  } else if (node->join_type != JoinType::kCross && !join.natural) {
    return MakeError(ErrorCode::kSyntaxError, "JOIN requires an ON or USING clause",
                     join.position);
  }
  node->children.push_back(std::move(left));
  node->children.push_back(std::move(right));
  if (!full_pairs.empty()) return MergeFullJoinColumns(std::move(node), full_pairs, own, before, scope);
  if (merged.empty()) return node;

  // As in PostgreSQL, the merged USING columns come first (SELECT * shows
  // them so), then the rest of the left side, then the right side.
  std::vector<int> order = merged;
  for (int i = 0; i < static_cast<int>(own.columns().size()); ++i) {
    if (std::find(merged.begin(), merged.end(), i) == merged.end()) order.push_back(i);
  }
  std::vector<ScopeColumn> joined(scope->columns().begin() + before, scope->columns().end());
  auto project = std::make_unique<PlanNode>(PlanKind::kProject);
  for (size_t i = 0; i < order.size(); ++i) {
    const ScopeColumn& c = joined[order[i]];
    project->exprs.push_back(BoundExpr::Column(order[i], c.type, c.name));
    project->output.push_back(node->output[order[i]]);
    scope->mutable_columns()[before + i] = c;
  }
  project->children.push_back(std::move(node));
  return project;
}

}  // namespace cairn::planner
