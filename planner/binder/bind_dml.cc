#include <algorithm>

#include <set>

#include "absl/strings/str_format.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "parser/parser.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"

namespace cairn::planner {
namespace {

// Whether `e` reads a column of the input row before `limit`.
bool ReadsColumnBelow(const BoundExpr& e, int limit) {
  if (e.kind == BoundExprKind::kColumn && e.column_index < limit) return true;
  for (const auto& c : e.children) {
    if (ReadsColumnBelow(*c, limit)) return true;
  }
  return false;
}

Scope TableScope(const catalog::TableInfo& table, const std::string& alias) {
  Scope scope;
  for (const auto& c : table.columns()) {
    scope.Add({alias.empty() ? table.name() : alias, c.name, c.type, c.hidden});
  }
  return scope;
}

PlanPtr MakeScan(std::shared_ptr<const catalog::TableInfo> table) {
  auto scan = std::make_unique<PlanNode>(PlanKind::kScan);
  for (const auto& c : table->columns()) scan->output.push_back({c.name, c.type});
  scan->table = std::move(table);
  return scan;
}

}  // namespace

absl::StatusOr<BoundExprPtr> Binder::BindColumnDefault(const catalog::TableInfo& table,
                                                       int column) {
  const catalog::ColumnInfo& c = table.columns()[column];
  if (c.is_serial) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExprKind::kFunction;
    e->name = "cairn_nextval";
    e->type = SqlType::Of(TypeId::kInt64);
    e->children.push_back(BoundExpr::Constant(Value::Int64(table.id()), SqlType::Of(TypeId::kInt64)));
    e->children.push_back(BoundExpr::Constant(Value::Int64(c.id), SqlType::Of(TypeId::kInt64)));
    return ExpressionBinder::CoerceForAssignment(std::move(e), c.type, c.name);
  }
  if (c.hidden) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExprKind::kFunction;
    e->name = "unique_rowid";
    e->type = SqlType::Of(TypeId::kInt64);
    return e;
  }
  if (c.default_expr.empty()) return BoundExpr::Constant(Value::Null(c.type.id), c.type);
  CAIRN_ASSIGN_OR_RETURN(auto parsed, parser::ParseExpression(c.default_expr));
  Scope empty;
  ExpressionBinder binder(&empty);
  CAIRN_ASSIGN_OR_RETURN(auto bound, binder.Bind(*parsed));
  return ExpressionBinder::CoerceForAssignment(std::move(bound), c.type, c.name);
}

absl::StatusOr<PlanPtr> Binder::BindReturning(PlanPtr dml,
                                              const std::vector<ast::ResultTarget>& targets,
                                              const Scope& scope) {
  if (targets.empty()) return dml;
  ExpressionBinder binder(&scope);
  AllowSubqueries(&binder);
  dml->has_returning = true;
  dml->output.clear();
  for (const auto& t : targets) {
    if (t.expr->kind == ast::ExprKind::kStar) {
      for (size_t i = 0; i < scope.columns().size(); ++i) {
        const ScopeColumn& c = scope.columns()[i];
        if (c.hidden) continue;
        dml->returning.push_back(BoundExpr::Column(static_cast<int>(i), c.type, c.name));
        dml->output.push_back({c.name, c.type});
      }
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(auto b, binder.Bind(*t.expr));
    if (b->type.id == TypeId::kUnknown) {
      CAIRN_ASSIGN_OR_RETURN(b, ExpressionBinder::Coerce(std::move(b), SqlType::Of(TypeId::kText)));
    }
    std::string name = t.alias;
    if (name.empty()) {
      name = t.expr->kind == ast::ExprKind::kColumnRef
                 ? t.expr->As<ast::ColumnRefExpr>().column()
                 : (t.expr->kind == ast::ExprKind::kFunction ? t.expr->As<ast::FunctionExpr>().name
                                                             : "?column?");
    }
    dml->output.push_back({name, b->type});
    dml->returning.push_back(std::move(b));
  }
  return dml;
}

absl::StatusOr<PlanPtr> Binder::BindInsert(const ast::InsertStatement& stmt) {
  WithScope with_scope(this);
  if (stmt.with) CAIRN_RETURN_IF_ERROR(EnterWith(*stmt.with));
  // What PostgreSQL asks of the target: INSERT, and SELECT to read rows
  // back (RETURNING), UPDATE to change them (ON CONFLICT DO UPDATE).
  uint32_t privileges = catalog::kInsert;
  if (!stmt.returning.empty()) privileges |= catalog::kSelect;
  if (stmt.on_conflict && stmt.on_conflict->action == ast::OnConflictAction::kUpdate) {
    privileges |= catalog::kUpdate | catalog::kSelect;
  }
  CAIRN_ASSIGN_OR_RETURN(auto table, resolver_->ResolveTable(stmt.table, privileges));
  const auto& columns = table->columns();

  // The target columns, in the order values are given.
  std::vector<int> targets;
  if (stmt.columns.empty()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!columns[i].hidden) targets.push_back(static_cast<int>(i));
    }
  } else {
    std::set<int> seen;
    for (const auto& id : stmt.columns) {
      auto pos = table->FindColumn(id.name);
      if (!pos || columns[*pos].hidden) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" of relation \"%s\" does not exist", id.name,
                                         table->name()),
                         id.position);
      }
      if (!seen.insert(*pos).second) {
        return MakeError(ErrorCode::kDuplicateColumn,
                         absl::StrFormat("column \"%s\" specified more than once", id.name),
                         id.position);
      }
      targets.push_back(*pos);
    }
  }

  std::vector<BoundExprPtr> defaults;
  for (size_t i = 0; i < columns.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(auto d, BindColumnDefault(*table, static_cast<int>(i)));
    defaults.push_back(std::move(d));
  }

  PlanPtr source;
  if (stmt.source == nullptr || stmt.source->kind == ast::QueryNodeKind::kValues) {
    // VALUES rows become full table rows directly, DEFAULT items included.
    auto values = std::make_unique<PlanNode>(PlanKind::kValues);
    for (const auto& c : columns) values->output.push_back({c.name, c.type});
    Scope empty;
    ExpressionBinder binder(&empty);
    std::vector<const ast::ExprList*> rows;
    ast::ExprList no_values;
    if (stmt.source == nullptr) {
      rows.push_back(&no_values);
    } else {
      if (stmt.source->has_modifiers()) {
        return MakeError(ErrorCode::kFeatureNotSupported, "ORDER BY/LIMIT on VALUES is not supported yet");
      }
      for (const auto& r : stmt.source->As<ast::ValuesNode>().rows) rows.push_back(&r);
    }
    for (const ast::ExprList* row : rows) {
      if (row->size() > targets.size()) {
        return MakeError(ErrorCode::kSyntaxError, "INSERT has more expressions than target columns",
                         (*row)[targets.size()]->position);
      }
      // Without a column list, PostgreSQL fills the trailing columns with
      // their defaults; with one, every listed column needs a value.
      if (stmt.source != nullptr && row->size() < targets.size() && !stmt.columns.empty()) {
        return MakeError(ErrorCode::kSyntaxError, "INSERT has more target columns than expressions",
                         stmt.columns.empty() ? stmt.table.position
                                              : stmt.columns[row->size()].position);
      }
      std::vector<BoundExprPtr> full(columns.size());
      for (size_t i = 0; i < row->size(); ++i) {
        int col = targets[i];
        const ast::Expr& item = *(*row)[i];
        if (item.kind == ast::ExprKind::kDefault) continue;
        CAIRN_ASSIGN_OR_RETURN(auto b, binder.Bind(item));
        CAIRN_ASSIGN_OR_RETURN(full[col], ExpressionBinder::CoerceForAssignment(
                                              std::move(b), columns[col].type, columns[col].name));
      }
      for (size_t c = 0; c < columns.size(); ++c) {
        if (!full[c]) full[c] = defaults[c]->Clone();
      }
      values->rows.push_back(std::move(full));
    }
    source = std::move(values);
  } else {
    CAIRN_ASSIGN_OR_RETURN(auto query, BindQuery(*stmt.source));
    if (query->output.size() > targets.size()) {
      return MakeError(ErrorCode::kSyntaxError, "INSERT has more expressions than target columns");
    }
    if (query->output.size() < targets.size() && !stmt.columns.empty()) {
      return MakeError(ErrorCode::kSyntaxError, "INSERT has more target columns than expressions",
                       stmt.columns[query->output.size()].position);
    }
    std::vector<BoundExprPtr> full(columns.size());
    for (size_t i = 0; i < query->output.size(); ++i) {
      int col = targets[i];
      auto ref = BoundExpr::Column(static_cast<int>(i), query->output[i].type, query->output[i].name);
      CAIRN_ASSIGN_OR_RETURN(full[col], ExpressionBinder::CoerceForAssignment(
                                            std::move(ref), columns[col].type, columns[col].name));
    }
    std::vector<OutputColumn> out;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!full[c]) full[c] = defaults[c]->Clone();
      out.push_back({columns[c].name, columns[c].type});
    }
    auto project = std::make_unique<PlanNode>(PlanKind::kProject);
    project->exprs = std::move(full);
    project->output = std::move(out);
    project->children.push_back(std::move(query));
    source = std::move(project);
  }

  auto insert = std::make_unique<PlanNode>(PlanKind::kInsert);
  insert->table = table;
  insert->children.push_back(std::move(source));
  if (stmt.on_conflict) CAIRN_RETURN_IF_ERROR(BindOnConflict(stmt, *table, insert.get()));
  CAIRN_RETURN_IF_ERROR(BindChecks(*table, insert.get()));
  return BindReturning(std::move(insert), stmt.returning, TableScope(*table, stmt.alias));
}

absl::StatusOr<BoundExprPtr> Binder::BindCheckExpression(const catalog::TableInfo& table,
                                                         const ast::Expr& expr) {
  // No subquery binder and no aggregate collection: both are refused.
  Scope scope = TableScope(table, "");
  ExpressionBinder binder(&scope);
  CAIRN_ASSIGN_OR_RETURN(BoundExprPtr bound, binder.Bind(expr));
  if (bound->type.id != TypeId::kBool && bound->type.id != TypeId::kUnknown) {
    return MakeError(ErrorCode::kDatatypeMismatch,
                     absl::StrFormat("argument of CHECK must be type boolean, not type %s",
                                     TypeName(bound->type)),
                     expr.position);
  }
  return ExpressionBinder::Coerce(std::move(bound), SqlType::Of(TypeId::kBool));
}

absl::Status Binder::BindChecks(const catalog::TableInfo& table, PlanNode* plan) {
  for (const proto::CheckConstraint& check : table.descriptor().checks()) {
    CAIRN_ASSIGN_OR_RETURN(auto parsed, parser::ParseExpression(check.expr()));
    CAIRN_ASSIGN_OR_RETURN(BoundExprPtr bound, BindCheckExpression(table, *parsed));
    plan->checks.push_back(std::move(bound));
    plan->check_names.push_back(check.name());
  }
  return absl::OkStatus();
}

absl::Status Binder::BindOnConflict(const ast::InsertStatement& stmt,
                                    const catalog::TableInfo& table, PlanNode* insert) {
  const ast::OnConflictClause& oc = *stmt.on_conflict;
  // The target names a unique constraint: the primary key or a unique
  // index, by name (ON CONSTRAINT) or by its columns, in any order.
  const bool needs_target = oc.action == ast::OnConflictAction::kUpdate;
  if (!oc.constraint.empty()) {
    bool found = oc.constraint == table.primary_index_name();
    for (const catalog::IndexInfo& index : table.indexes()) {
      if (!found && index.unique && index.is_constraint && index.name == oc.constraint) {
        insert->conflict_index_id = index.id;
        found = true;
      }
    }
    if (!found) {
      return MakeError(ErrorCode::kUndefinedObject,
                       absl::StrFormat("constraint \"%s\" for table \"%s\" does not exist",
                                       oc.constraint, table.name()),
                       oc.position);
    }
  } else if (oc.target_columns.empty()) {
    if (needs_target) {
      return MakeError(ErrorCode::kSyntaxError,
                       "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                       oc.position);
    }
    insert->conflict_on_any = true;
  } else {
    std::vector<int> named;
    for (const auto& c : oc.target_columns) {
      auto pos = table.FindColumn(c.name);
      if (!pos) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" does not exist", c.name), c.position);
      }
      named.push_back(*pos);
    }
    auto as_set = [](std::vector<int> columns) {
      std::sort(columns.begin(), columns.end());
      columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
      return columns;
    };
    named = as_set(std::move(named));
    bool found = named == as_set(table.primary_key());
    for (const catalog::IndexInfo& index : table.indexes()) {
      if (!found && index.unique && named == as_set(index.columns)) {
        insert->conflict_index_id = index.id;
        found = true;
      }
    }
    if (!found) {
      return MakeError(ErrorCode::kInvalidColumnReference,
                       "there is no unique or exclusion constraint matching the ON CONFLICT "
                       "specification",
                       oc.position);
    }
  }
  if (oc.action == ast::OnConflictAction::kNothing) {
    insert->on_conflict = PlanNode::OnConflict::kNothing;
    return absl::OkStatus();
  }
  // DO UPDATE: names over the existing row, then EXCLUDED (the proposed one).
  Scope scope = TableScope(table, stmt.alias);
  for (const auto& c : table.columns()) scope.Add({"excluded", c.name, c.type, c.hidden});
  ExpressionBinder binder(&scope);
  AllowSubqueries(&binder);
  CAIRN_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> new_row, BindSetList(table, oc.set, &binder));
  insert->exprs = std::move(new_row);
  if (oc.where) {
    CAIRN_ASSIGN_OR_RETURN(insert->predicate, binder.BindCondition(*oc.where, "WHERE"));
  }
  insert->on_conflict = PlanNode::OnConflict::kUpdate;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BoundExprPtr>> Binder::BindSetList(
    const catalog::TableInfo& table, const std::vector<ast::SetClause>& set_list,
    ExpressionBinder* binder) {
  const auto& columns = table.columns();
  std::vector<BoundExprPtr> new_row(columns.size());
  for (const auto& set : set_list) {
    auto pos = table.FindColumn(set.column.name);
    if (!pos || columns[*pos].hidden) {
      return MakeError(ErrorCode::kUndefinedColumn,
                       absl::StrFormat("column \"%s\" of relation \"%s\" does not exist",
                                       set.column.name, table.name()),
                       set.column.position);
    }
    if (new_row[*pos]) {
      return MakeError(ErrorCode::kSyntaxError,
                       absl::StrFormat("multiple assignments to same column \"%s\"", set.column.name),
                       set.column.position);
    }
    BoundExprPtr value;
    if (set.value->kind == ast::ExprKind::kDefault) {
      CAIRN_ASSIGN_OR_RETURN(value, BindColumnDefault(table, *pos));
    } else {
      CAIRN_ASSIGN_OR_RETURN(auto b, binder->Bind(*set.value));
      CAIRN_ASSIGN_OR_RETURN(value, ExpressionBinder::CoerceForAssignment(
                                        std::move(b), columns[*pos].type, columns[*pos].name));
    }
    new_row[*pos] = std::move(value);
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!new_row[i]) {
      new_row[i] = BoundExpr::Column(static_cast<int>(i), columns[i].type, columns[i].name);
    }
  }
  return new_row;
}

absl::StatusOr<PlanPtr> Binder::BindTargetRows(std::shared_ptr<const catalog::TableInfo> table,
                                               const std::vector<ast::TableRefPtr>& others,
                                               const ast::Expr* where, Scope* scope) {
  PlanPtr plan = MakeScan(table);
  for (const auto& other : others) {
    CAIRN_ASSIGN_OR_RETURN(PlanPtr right, BindTableRef(*other, scope));
    plan = CrossJoin(std::move(plan), std::move(right));
  }
  if (where == nullptr) return plan;
  ExpressionBinder binder(scope);
  AllowSubqueries(&binder);
  CAIRN_ASSIGN_OR_RETURN(auto predicate, binder.BindCondition(*where, "WHERE"));
  if (plan->kind == PlanKind::kScan) {
    plan->predicate = std::move(predicate);
    return plan;
  }
  auto filter = std::make_unique<PlanNode>(PlanKind::kFilter);
  filter->predicate = std::move(predicate);
  filter->output = plan->output;
  filter->children.push_back(std::move(plan));
  return filter;
}

absl::StatusOr<PlanPtr> Binder::BindUpdate(const ast::UpdateStatement& stmt) {
  WithScope with_scope(this);
  if (stmt.with) CAIRN_RETURN_IF_ERROR(EnterWith(*stmt.with));
  // UPDATE, and SELECT when rows are read to pick them or give them back.
  const bool reads = stmt.where != nullptr || !stmt.from.empty() || !stmt.returning.empty();
  CAIRN_ASSIGN_OR_RETURN(
      auto table,
      resolver_->ResolveTable(stmt.table, catalog::kUpdate | (reads ? uint32_t{catalog::kSelect} : 0u)));
  Scope scope = TableScope(*table, stmt.alias);
  Scope joined = scope;  // the target's columns first, then FROM's
  CAIRN_ASSIGN_OR_RETURN(PlanPtr scan,
                         BindTargetRows(table, stmt.from, stmt.where.get(), &joined));
  ExpressionBinder binder(&joined);
  AllowSubqueries(&binder);
  CAIRN_ASSIGN_OR_RETURN(std::vector<BoundExprPtr> new_row,
                         BindSetList(*table, stmt.set, &binder));
  // A new value computed from the row reads it: SELECT too, as in
  // PostgreSQL.
  if (!reads) {
    for (size_t i = 0; i < new_row.size(); ++i) {
      const BoundExpr& e = *new_row[i];
      const bool unchanged = e.kind == BoundExprKind::kColumn && e.column_index == static_cast<int>(i);
      if (!unchanged && ReadsColumnBelow(e, static_cast<int>(new_row.size()))) {
        CAIRN_RETURN_IF_ERROR(resolver_->CheckPrivileges(*table, catalog::kSelect));
        break;
      }
    }
  }
  auto update = std::make_unique<PlanNode>(PlanKind::kUpdate);
  update->table = table;
  update->target_joined = !stmt.from.empty();
  update->exprs = std::move(new_row);
  update->children.push_back(std::move(scan));
  CAIRN_RETURN_IF_ERROR(BindChecks(*table, update.get()));
  return BindReturning(std::move(update), stmt.returning, scope);
}

absl::StatusOr<PlanPtr> Binder::BindDelete(const ast::DeleteStatement& stmt) {
  WithScope with_scope(this);
  if (stmt.with) CAIRN_RETURN_IF_ERROR(EnterWith(*stmt.with));
  const bool reads =
      stmt.where != nullptr || !stmt.using_tables.empty() || !stmt.returning.empty();
  CAIRN_ASSIGN_OR_RETURN(
      auto table,
      resolver_->ResolveTable(stmt.table, catalog::kDelete | (reads ? uint32_t{catalog::kSelect} : 0u)));
  Scope scope = TableScope(*table, stmt.alias);
  Scope joined = scope;
  CAIRN_ASSIGN_OR_RETURN(PlanPtr scan,
                         BindTargetRows(table, stmt.using_tables, stmt.where.get(), &joined));
  auto del = std::make_unique<PlanNode>(PlanKind::kDelete);
  del->table = table;
  del->target_joined = !stmt.using_tables.empty();
  del->children.push_back(std::move(scan));
  return BindReturning(std::move(del), stmt.returning, scope);
}

}  // namespace cairn::planner
