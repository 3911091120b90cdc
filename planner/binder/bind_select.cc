#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/functions.h"

namespace cairn::planner {
namespace {

bool ContainsAggregate(const ast::Expr* e);

bool AnyAggregate(const ast::ExprList& list) {
  for (const auto& e : list) {
    if (ContainsAggregate(e.get())) return true;
  }
  return false;
}

bool ContainsAggregate(const ast::Expr* e) {
  if (e == nullptr) return false;
  switch (e->kind) {
    case ast::ExprKind::kFunction: {
      const auto& f = e->As<ast::FunctionExpr>();
      if (f.over) {
        // sum(x) OVER (...) is no grouping aggregate; its parts may hold one.
        if (AnyAggregate(f.args) || AnyAggregate(f.over->partition_by)) return true;
        for (const auto& o : f.over->order_by) {
          if (ContainsAggregate(o.expr.get())) return true;
        }
        return false;
      }
      return IsAggregateFunction(f.name) || AnyAggregate(f.args);
    }
    case ast::ExprKind::kUnary: return ContainsAggregate(e->As<ast::UnaryExpr>().operand.get());
    case ast::ExprKind::kBinary: {
      const auto& b = e->As<ast::BinaryExpr>();
      return ContainsAggregate(b.left.get()) || ContainsAggregate(b.right.get());
    }
    case ast::ExprKind::kIs: return ContainsAggregate(e->As<ast::IsExpr>().operand.get());
    case ast::ExprKind::kBetween: {
      const auto& b = e->As<ast::BetweenExpr>();
      return ContainsAggregate(b.operand.get()) || ContainsAggregate(b.low.get()) ||
             ContainsAggregate(b.high.get());
    }
    case ast::ExprKind::kInList: {
      const auto& in = e->As<ast::InListExpr>();
      return ContainsAggregate(in.operand.get()) || AnyAggregate(in.list);
    }
    case ast::ExprKind::kLike: {
      const auto& l = e->As<ast::LikeExpr>();
      return ContainsAggregate(l.operand.get()) || ContainsAggregate(l.pattern.get());
    }
    case ast::ExprKind::kCast: return ContainsAggregate(e->As<ast::CastExpr>().operand.get());
    case ast::ExprKind::kArray: return AnyAggregate(e->As<ast::ArrayExpr>().elements);
    case ast::ExprKind::kSubscript: {
      const auto& sub = e->As<ast::SubscriptExpr>();
      return ContainsAggregate(sub.array.get()) || ContainsAggregate(sub.index.get());
    }
    case ast::ExprKind::kArrayComparison: {
      const auto& c = e->As<ast::ArrayComparisonExpr>();
      return ContainsAggregate(c.operand.get()) || ContainsAggregate(c.array.get());
    }
    case ast::ExprKind::kCase: {
      const auto& c = e->As<ast::CaseExpr>();
      if (ContainsAggregate(c.operand.get()) || ContainsAggregate(c.else_result.get())) return true;
      for (const auto& w : c.whens) {
        if (ContainsAggregate(w.condition.get()) || ContainsAggregate(w.result.get())) return true;
      }
      return false;
    }
    default: return false;
  }
}

// The column name PostgreSQL gives an unaliased select-list item.
std::string DefaultColumnName(const ast::Expr& e) {
  switch (e.kind) {
    case ast::ExprKind::kColumnRef: return e.As<ast::ColumnRefExpr>().column();
    case ast::ExprKind::kFunction: return e.As<ast::FunctionExpr>().name;
    case ast::ExprKind::kCast: {
      const auto& c = e.As<ast::CastExpr>();
      if (c.syntax == ast::CastSyntax::kTypedLiteral) {
        auto t = ast::ResolveType(c.type);
        return t.ok() ? c.type.name : "?column?";
      }
      std::string inner = DefaultColumnName(*c.operand);
      if (inner != "?column?") return inner;
      auto t = ast::ResolveType(c.type);
      return c.type.name == "int4" ? "int4" : c.type.name;
    }
    case ast::ExprKind::kCase: return "case";
    case ast::ExprKind::kArray: return "array";
    case ast::ExprKind::kSubscript: return DefaultColumnName(*e.As<ast::SubscriptExpr>().array);
    case ast::ExprKind::kSubquery:
      return e.As<ast::SubqueryExpr>().subquery_kind == ast::SubqueryKind::kArray ? "array"
                                                                                   : "?column?";
    default: return "?column?";
  }
}

PlanPtr MakeProject(PlanPtr child, std::vector<BoundExprPtr> exprs, std::vector<OutputColumn> out) {
  bool sets = false;
  for (const auto& e : exprs) {
    sets |= e->kind == BoundExprKind::kFunction && IsSetReturningFunction(e->name);
  }
  auto p = std::make_unique<PlanNode>(sets ? PlanKind::kProjectSet : PlanKind::kProject);
  p->exprs = std::move(exprs);
  p->output = std::move(out);
  p->children.push_back(std::move(child));
  return p;
}

absl::StatusOr<BoundExprPtr> BindLimitValue(const ast::Expr& e, const char* what) {
  Scope empty;
  ExpressionBinder binder(&empty);
  CAIRN_ASSIGN_OR_RETURN(auto b, binder.Bind(e));
  if (!IsIntegerType(b->type.id) && b->type.id != TypeId::kUnknown &&
      b->type.id != TypeId::kNumeric) {
    return MakeError(ErrorCode::kDatatypeMismatch,
                     absl::StrFormat("argument of %s must be type bigint, not type %s", what,
                                     TypeName(b->type)),
                     e.position);
  }
  return ExpressionBinder::Coerce(std::move(b), SqlType::Of(TypeId::kInt64));
}

// ORDER BY (`sort_keys`, over `plan`'s columns) and LIMIT/OFFSET of `mods`
// on top of `plan`.
absl::StatusOr<PlanPtr> AddSortAndLimit(PlanPtr plan, std::vector<SortKey> sort_keys,
                                        const ast::QueryNode& mods) {
  if (!sort_keys.empty()) {
    auto sort = std::make_unique<PlanNode>(PlanKind::kSort);
    sort->sort_keys = std::move(sort_keys);
    sort->output = plan->output;
    sort->children.push_back(std::move(plan));
    plan = std::move(sort);
  }
  if (mods.limit || mods.offset) {
    auto l = std::make_unique<PlanNode>(PlanKind::kLimit);
    if (mods.limit) {
      CAIRN_ASSIGN_OR_RETURN(l->limit, BindLimitValue(*mods.limit, "LIMIT"));
    }
    if (mods.offset) {
      CAIRN_ASSIGN_OR_RETURN(l->offset, BindLimitValue(*mods.offset, "OFFSET"));
    }
    l->output = plan->output;
    l->children.push_back(std::move(plan));
    plan = std::move(l);
  }
  return plan;
}

}  // namespace

void Binder::AllowSubqueries(ExpressionBinder* binder) {
  binder->set_subquery_binder(
      [this](const ast::QueryNode& query, const Scope* outer, int* outer_depth)
          -> absl::StatusOr<PlanPtr> {
        Binder inner(resolver_);
        inner.ctes_ = ctes_;
        inner.outer_scope_ = outer;
        absl::StatusOr<PlanPtr> plan = inner.BindQuery(query);
        *outer_depth = inner.outer_depth_;
        return plan;
      },
      &outer_depth_);
}

absl::StatusOr<PlanPtr> Binder::BindSelect(const ast::SelectStatement& stmt) {
  return BindQuery(*stmt.query);
}

absl::Status Binder::EnterWith(const ast::WithClause& with) {
  for (size_t i = 0; i < with.ctes.size(); ++i) {
    const ast::CommonTableExpr& cte = with.ctes[i];
    for (size_t j = 0; j < i; ++j) {
      if (with.ctes[j].name == cte.name) {
        return MakeError(ErrorCode::kDuplicateAlias,
                         absl::StrFormat("WITH query name \"%s\" specified more than once",
                                         cte.name),
                         cte.position);
      }
    }
  }
  for (const ast::CommonTableExpr& cte : with.ctes) {
    ctes_.push_back(&cte);
    if (with.recursive) recursive_ctes_.insert(&cte);
  }
  return absl::OkStatus();
}

absl::StatusOr<PlanPtr> Binder::BindQuery(const ast::QueryNode& query) {
  WithScope with_scope(this);
  if (query.with) CAIRN_RETURN_IF_ERROR(EnterWith(*query.with));
  return BindQueryBody(query);
}

namespace {

// FOR UPDATE / FOR SHARE: marks every table scan of the query's FROM tree
// (derived tables included, as PostgreSQL does) to lock the rows it yields.
// Rows that are computed rather than read can't be locked.
absl::Status MarkRowsLocked(PlanNode* plan, const char* clause) {
  const char* refused = nullptr;
  switch (plan->kind) {
    case PlanKind::kAggregate:
      refused = "aggregate functions or GROUP BY clause";
      break;
    case PlanKind::kDistinct:
      refused = "DISTINCT clause";
      break;
    case PlanKind::kSetOp:
      refused = "UNION/INTERSECT/EXCEPT";
      break;
    case PlanKind::kWindow:
      refused = "window functions";
      break;
    case PlanKind::kScan:
      plan->lock_rows = true;
      break;
    default:
      break;
  }
  if (refused != nullptr) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrFormat("%s is not allowed with %s", clause, refused));
  }
  for (PlanPtr& child : plan->children) CAIRN_RETURN_IF_ERROR(MarkRowsLocked(child.get(), clause));
  return absl::OkStatus();
}

const char* LockingClauseName(ast::LockStrength strength) {
  switch (strength) {
    case ast::LockStrength::kUpdate:
      return "FOR UPDATE";
    case ast::LockStrength::kNoKeyUpdate:
      return "FOR NO KEY UPDATE";
    case ast::LockStrength::kShare:
      return "FOR SHARE";
    case ast::LockStrength::kKeyShare:
      return "FOR KEY SHARE";
    case ast::LockStrength::kNone:
      break;
  }
  return "";
}

}  // namespace

absl::StatusOr<PlanPtr> Binder::BindQueryBody(const ast::QueryNode& query) {
  if (query.lock_strength == ast::LockStrength::kNone) return BindUnlockedQueryBody(query);
  // Every strength takes an exclusive row lock: stricter than PostgreSQL's
  // FOR SHARE (two sharers wait for each other here), never weaker.
  const char* clause = LockingClauseName(query.lock_strength);
  if (query.lock_wait == ast::LockWaitPolicy::kSkipLocked) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrFormat("%s SKIP LOCKED is not supported", clause));
  }
  CAIRN_ASSIGN_OR_RETURN(PlanPtr plan, BindUnlockedQueryBody(query));
  CAIRN_RETURN_IF_ERROR(MarkRowsLocked(plan.get(), clause));
  return plan;
}

absl::StatusOr<PlanPtr> Binder::BindUnlockedQueryBody(const ast::QueryNode& query) {
  switch (query.kind) {
    case ast::QueryNodeKind::kSelect:
      return BindSelectNode(query.As<ast::SelectNode>(), query);
    case ast::QueryNodeKind::kValues: {
      if (!query.order_by.empty() || query.limit || query.offset) {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         "ORDER BY/LIMIT on VALUES is not supported yet");
      }
      return BindValues(query.As<ast::ValuesNode>());
    }
    case ast::QueryNodeKind::kSetOperation:
      return BindSetOperation(query.As<ast::SetOperationNode>(), query);
  }
  return MakeError(ErrorCode::kInternal, "unknown query kind");
}

absl::StatusOr<PlanPtr> Binder::BindSetOperation(const ast::SetOperationNode& node,
                                                 const ast::QueryNode& mods) {
  const char* name = node.op == ast::SetOpType::kUnion       ? "UNION"
                     : node.op == ast::SetOpType::kIntersect ? "INTERSECT"
                                                             : "EXCEPT";
  CAIRN_ASSIGN_OR_RETURN(PlanPtr left, BindQuery(*node.left));
  CAIRN_ASSIGN_OR_RETURN(PlanPtr right, BindQuery(*node.right));
  if (left->output.size() != right->output.size()) {
    return MakeError(ErrorCode::kSyntaxError,
                     absl::StrFormat("each %s query must have the same number of columns", name));
  }
  // Both sides are brought to each column's common type.
  std::vector<SqlType> types;
  for (size_t i = 0; i < left->output.size(); ++i) {
    auto common =
        ExpressionBinder::CommonType(left->output[i].type, right->output[i].type, name, 0);
    if (!common.ok()) {
      return MakeError(ErrorCode::kDatatypeMismatch,
                       absl::StrFormat("%s types %s and %s cannot be matched", name,
                                       TypeName(left->output[i].type),
                                       TypeName(right->output[i].type)));
    }
    types.push_back(common->id == TypeId::kUnknown ? SqlType::Of(TypeId::kText) : *common);
  }
  auto coerce = [&types](PlanPtr side) -> absl::StatusOr<PlanPtr> {
    bool same = true;
    for (size_t i = 0; i < types.size(); ++i) same &= side->output[i].type == types[i];
    if (same) return side;
    std::vector<BoundExprPtr> exprs;
    std::vector<OutputColumn> out;
    for (size_t i = 0; i < types.size(); ++i) {
      const OutputColumn& c = side->output[i];
      CAIRN_ASSIGN_OR_RETURN(
          auto e, ExpressionBinder::Coerce(BoundExpr::Column(static_cast<int>(i), c.type, c.name),
                                           types[i]));
      exprs.push_back(std::move(e));
      out.push_back({c.name, types[i]});
    }
    return MakeProject(std::move(side), std::move(exprs), std::move(out));
  };
  CAIRN_ASSIGN_OR_RETURN(left, coerce(std::move(left)));
  CAIRN_ASSIGN_OR_RETURN(right, coerce(std::move(right)));

  auto plan = std::make_unique<PlanNode>(PlanKind::kSetOp);
  plan->set_op = node.op == ast::SetOpType::kUnion       ? SetOp::kUnion
                 : node.op == ast::SetOpType::kIntersect ? SetOp::kIntersect
                                                         : SetOp::kExcept;
  plan->set_all = node.all;
  plan->output = left->output;  // the left side names the columns
  plan->children.push_back(std::move(left));
  plan->children.push_back(std::move(right));

  // ORDER BY over the result: its column names or positions only.
  std::vector<SortKey> sort_keys;
  for (const auto& item : mods.order_by) {
    SortKey key = SortKeyOrder(item);
    const ast::Expr& e = *item.expr;
    int index = -1;
    if (e.kind == ast::ExprKind::kConstant &&
        e.As<ast::ConstantExpr>().constant_kind == ast::ConstantKind::kInteger) {
      int64_t n = e.As<ast::ConstantExpr>().int_value;
      if (n < 1 || n > static_cast<int64_t>(plan->output.size())) {
        return MakeError(ErrorCode::kInvalidColumnReference,
                         absl::StrFormat("ORDER BY position %d is not in select list", n),
                         e.position);
      }
      index = static_cast<int>(n - 1);
    } else if (e.kind == ast::ExprKind::kColumnRef &&
               e.As<ast::ColumnRefExpr>().names.size() == 1) {
      const std::string& column = e.As<ast::ColumnRefExpr>().column();
      for (size_t i = 0; i < plan->output.size() && index < 0; ++i) {
        if (plan->output[i].name == column) index = static_cast<int>(i);
      }
      if (index < 0) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" does not exist", column), e.position);
      }
    } else {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrFormat("invalid %s ORDER BY clause: only result column names "
                                       "can be used, not expressions or functions",
                                       name),
                       e.position);
    }
    key.expr = BoundExpr::Column(index, plan->output[index].type, plan->output[index].name);
    sort_keys.push_back(std::move(key));
  }
  return AddSortAndLimit(std::move(plan), std::move(sort_keys), mods);
}

absl::StatusOr<PlanPtr> Binder::BindValues(const ast::ValuesNode& values) {
  Scope empty;
  ExpressionBinder binder(&empty);
  auto plan = std::make_unique<PlanNode>(PlanKind::kValues);
  size_t width = values.rows.front().size();
  std::vector<SqlType> types(width, SqlType::Of(TypeId::kUnknown));
  for (const auto& row : values.rows) {
    std::vector<BoundExprPtr> bound;
    for (size_t i = 0; i < row.size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(auto b, binder.Bind(*row[i]));
      auto common = ExpressionBinder::CommonType(types[i], b->type, "VALUES", row[i]->position);
      if (!common.ok()) {
        return MakeError(ErrorCode::kDatatypeMismatch,
                         absl::StrFormat("VALUES types %s and %s cannot be matched",
                                         TypeName(types[i]), TypeName(b->type)),
                         row[i]->position);
      }
      types[i] = *common;
      bound.push_back(std::move(b));
    }
    plan->rows.push_back(std::move(bound));
  }
  for (size_t i = 0; i < width; ++i) {
    if (types[i].id == TypeId::kUnknown) types[i] = SqlType::Of(TypeId::kText);
    for (auto& row : plan->rows) {
      CAIRN_ASSIGN_OR_RETURN(row[i], ExpressionBinder::Coerce(std::move(row[i]), types[i]));
    }
    plan->output.push_back({absl::StrFormat("column%d", i + 1), types[i]});
  }
  return plan;
}

absl::StatusOr<PlanPtr> Binder::BindSelectNode(const ast::SelectNode& select,
                                               const ast::QueryNode& mods) {
  // FROM
  Scope input;
  input.set_parent(outer_scope_);
  PlanPtr plan;
  if (select.from.empty()) {
    plan = std::make_unique<PlanNode>(PlanKind::kValues);
    plan->rows.emplace_back();
  } else {
    // FROM a, b, c: cross joins, left to right.
    CAIRN_ASSIGN_OR_RETURN(plan, BindTableRef(*select.from[0], &input));
    for (size_t i = 1; i < select.from.size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(PlanPtr right, BindTableRef(*select.from[i], &input));
      plan = CrossJoin(std::move(plan), std::move(right));
    }
  }

  // WHERE
  if (select.where) {
    if (ContainsAggregate(select.where.get())) {
      return MakeError(ErrorCode::kGroupingError, "aggregate functions are not allowed in WHERE",
                       select.where->position);
    }
    ExpressionBinder binder(&input);
    AllowSubqueries(&binder);
    CAIRN_ASSIGN_OR_RETURN(auto predicate, binder.BindCondition(*select.where, "WHERE"));
    if (plan->kind == PlanKind::kScan) {
      plan->predicate = std::move(predicate);
    } else {
      auto filter = std::make_unique<PlanNode>(PlanKind::kFilter);
      filter->predicate = std::move(predicate);
      filter->output = plan->output;
      filter->children.push_back(std::move(plan));
      plan = std::move(filter);
    }
  }

  // Aggregation
  bool aggregating = !select.group_by.empty() || select.having != nullptr;
  for (const auto& t : select.targets) aggregating |= ContainsAggregate(t.expr.get());
  for (const auto& o : mods.order_by) aggregating |= ContainsAggregate(o.expr.get());

  ExpressionBinder::AggregateContext agg_ctx;
  std::vector<AggregateCall> aggregates;
  Scope after_agg;  // unused names; positions come from the aggregate context
  const Scope* target_scope = &input;
  std::unique_ptr<PlanNode> agg_node;
  if (aggregating) {
    agg_node = std::make_unique<PlanNode>(PlanKind::kAggregate);
    ExpressionBinder group_binder(&input);
    AllowSubqueries(&group_binder);
    for (const auto& g : select.group_by) {
      const ast::Expr* item = g.get();
      // GROUP BY 1 refers to the first select-list item.
      if (item->kind == ast::ExprKind::kConstant &&
          item->As<ast::ConstantExpr>().constant_kind == ast::ConstantKind::kInteger) {
        int64_t n = item->As<ast::ConstantExpr>().int_value;
        if (n < 1 || n > static_cast<int64_t>(select.targets.size())) {
          return MakeError(ErrorCode::kInvalidColumnReference,
                           absl::StrFormat("GROUP BY position %d is not in select list", n),
                           item->position);
        }
        item = select.targets[n - 1].expr.get();
      } else if (item->kind == ast::ExprKind::kColumnRef &&
                 item->As<ast::ColumnRefExpr>().names.size() == 1) {
        // A name that is no input column may be a select-list alias.
        const std::string& name = item->As<ast::ColumnRefExpr>().column();
        if (!input.Resolve("", name, item->position).ok()) {
          for (const auto& t : select.targets) {
            if (t.alias == name) item = t.expr.get();
          }
        }
      }
      CAIRN_ASSIGN_OR_RETURN(auto bound, group_binder.Bind(*item));
      agg_ctx.group_texts.push_back(item->ToString());
      agg_ctx.group_types.push_back(bound->type);
      agg_node->output.push_back({item->ToString(), bound->type});
      agg_node->group_by.push_back(std::move(bound));
    }
    agg_ctx.aggregates = &aggregates;
    agg_ctx.input = &input;
    target_scope = &after_agg;
  }
  after_agg.set_parent(outer_scope_);
  ExpressionBinder target_binder(target_scope);
  AllowSubqueries(&target_binder);
  if (aggregating) target_binder.set_aggregate_context(&agg_ctx);
  // Window functions, in the select list and ORDER BY.
  std::vector<WindowCall> window_calls;
  ExpressionBinder::WindowContext window_ctx{&window_calls};
  target_binder.set_window_context(&window_ctx);

  // Select list
  std::vector<BoundExprPtr> exprs;
  std::vector<OutputColumn> outputs;
  for (const auto& t : select.targets) {
    if (t.expr->kind == ast::ExprKind::kStar) {
      const auto& star = t.expr->As<ast::StarExpr>();
      if (aggregating) {
        return MakeError(ErrorCode::kGroupingError,
                         "column reference * must appear in the GROUP BY clause", t.position);
      }
      std::string qual = star.qualifier.empty() ? "" : star.qualifier.back();
      bool any = false;
      for (size_t i = 0; i < input.columns().size(); ++i) {
        const ScopeColumn& c = input.columns()[i];
        if (c.hidden || (!qual.empty() && c.table != qual)) continue;
        if (c.merged_away && qual.empty()) continue;
        any = true;
        exprs.push_back(BoundExpr::Column(static_cast<int>(i), c.type, c.name));
        outputs.push_back({c.name, c.type});
      }
      if (!any && select.from.empty()) {
        return MakeError(ErrorCode::kSyntaxError, "SELECT * with no tables specified is not valid",
                         t.position);
      }
      if (!any && !qual.empty()) {
        return MakeError(ErrorCode::kUndefinedTable,
                         absl::StrFormat("missing FROM-clause entry for table \"%s\"", qual),
                         t.position);
      }
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(auto b, target_binder.Bind(*t.expr));
    if (b->type.id == TypeId::kUnknown) {
      CAIRN_ASSIGN_OR_RETURN(b, ExpressionBinder::Coerce(std::move(b), SqlType::Of(TypeId::kText)));
    }
    outputs.push_back({t.alias.empty() ? DefaultColumnName(*t.expr) : t.alias, b->type});
    exprs.push_back(std::move(b));
  }
  const size_t visible = exprs.size();

  // HAVING
  BoundExprPtr having;
  if (select.having) {
    target_binder.set_window_context(nullptr);  // no window functions in HAVING
    CAIRN_ASSIGN_OR_RETURN(having, target_binder.BindCondition(*select.having, "HAVING"));
    target_binder.set_window_context(&window_ctx);
  }

  // DISTINCT ON: its expressions as columns (found in the select list, or
  // appended hidden like ORDER BY's).
  std::vector<int> distinct_on;
  for (const auto& d : select.distinct_on) {
    int index = -1;
    if (d->kind == ast::ExprKind::kConstant &&
        d->As<ast::ConstantExpr>().constant_kind == ast::ConstantKind::kInteger) {
      int64_t n = d->As<ast::ConstantExpr>().int_value;
      if (n < 1 || n > static_cast<int64_t>(visible)) {
        return MakeError(ErrorCode::kInvalidColumnReference,
                         absl::StrFormat("DISTINCT ON position %d is not in select list", n),
                         d->position);
      }
      index = static_cast<int>(n - 1);
    } else {
      CAIRN_ASSIGN_OR_RETURN(auto b, target_binder.Bind(*d));
      std::string text = b->ToString();
      for (size_t i = 0; i < exprs.size() && index < 0; ++i) {
        if (exprs[i]->ToString() == text) index = static_cast<int>(i);
      }
      if (index < 0) {
        index = static_cast<int>(exprs.size());
        outputs.push_back({"?distinct?", b->type});
        exprs.push_back(std::move(b));
      }
    }
    distinct_on.push_back(index);
  }

  // ORDER BY: positions, output names, or expressions (appended as hidden
  // columns and projected away at the end).
  std::vector<SortKey> sort_keys;
  for (const auto& item : mods.order_by) {
    SortKey key = SortKeyOrder(item);
    int index = -1;
    const ast::Expr& e = *item.expr;
    if (e.kind == ast::ExprKind::kConstant &&
        e.As<ast::ConstantExpr>().constant_kind == ast::ConstantKind::kInteger) {
      int64_t n = e.As<ast::ConstantExpr>().int_value;
      if (n < 1 || n > static_cast<int64_t>(visible)) {
        return MakeError(ErrorCode::kInvalidColumnReference,
                         absl::StrFormat("ORDER BY position %d is not in select list", n),
                         e.position);
      }
      index = static_cast<int>(n - 1);
    } else if (e.kind == ast::ExprKind::kColumnRef &&
               e.As<ast::ColumnRefExpr>().names.size() == 1) {
      for (size_t i = 0; i < visible; ++i) {
        if (outputs[i].name == e.As<ast::ColumnRefExpr>().column()) {
          index = static_cast<int>(i);
          break;
        }
      }
    }
    if (index < 0) {
      CAIRN_ASSIGN_OR_RETURN(auto b, target_binder.Bind(e));
      std::string text = b->ToString();
      for (size_t i = 0; i < exprs.size(); ++i) {
        if (exprs[i]->ToString() == text) index = static_cast<int>(i);
      }
      if (index < 0) {
        if (select.distinct == ast::DistinctKind::kDistinct) {
          return MakeError(ErrorCode::kInvalidColumnReference,
                           "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                           e.position);
        }
        index = static_cast<int>(exprs.size());
        outputs.push_back({"?sort?", b->type});
        exprs.push_back(std::move(b));
      }
    }
    key.expr = BoundExpr::Column(index, outputs[index].type, outputs[index].name);
    sort_keys.push_back(std::move(key));
  }

  // Assemble: aggregate, having, project, distinct, sort, limit, strip.
  if (aggregating) {
    for (const auto& a : aggregates) agg_node->output.push_back({a.function, a.type});
    agg_node->aggregates = std::move(aggregates);
    agg_node->children.push_back(std::move(plan));
    plan = std::move(agg_node);
    if (having) {
      auto filter = std::make_unique<PlanNode>(PlanKind::kFilter);
      filter->predicate = std::move(having);
      filter->output = plan->output;
      filter->children.push_back(std::move(plan));
      plan = std::move(filter);
    }
  }
  if (!window_calls.empty()) {
    // The window node: its input's columns, then each call's result; the
    // references to results move to their place.
    auto window = std::make_unique<PlanNode>(PlanKind::kWindow);
    window->output = plan->output;
    const int width = static_cast<int>(plan->output.size());
    for (const WindowCall& call : window_calls) {
      window->output.push_back({call.function, call.type});
    }
    window->windows = std::move(window_calls);
    window->children.push_back(std::move(plan));
    plan = std::move(window);
    std::vector<BoundExpr*> stack;
    for (auto& e : exprs) stack.push_back(e.get());
    while (!stack.empty()) {
      BoundExpr* e = stack.back();
      stack.pop_back();
      if (e->kind == BoundExprKind::kColumn &&
          e->column_index >= ExpressionBinder::kWindowColumnBase) {
        e->column_index = width + (e->column_index - ExpressionBinder::kWindowColumnBase);
      }
      for (auto& c : e->children) stack.push_back(c.get());
    }
  }
  plan = MakeProject(std::move(plan), std::move(exprs), outputs);
  if (select.distinct == ast::DistinctKind::kDistinctOn) {
    // The first row of each DISTINCT ON group in ORDER BY order: the
    // ORDER BY must start with the DISTINCT ON expressions (in any order),
    // and sorting by them is enough when there is none.
    const size_t n = distinct_on.size();
    for (size_t i = 0; i < sort_keys.size() && i < n; ++i) {
      const int key = sort_keys[i].expr->column_index;
      if (std::find(distinct_on.begin(), distinct_on.end(), key) == distinct_on.end()) {
        return MakeError(ErrorCode::kInvalidColumnReference,
                         "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                         mods.order_by[i].expr->position);
      }
    }
    // DISTINCT ON keys the ORDER BY leaves out sort after the ones it has.
    for (int key : distinct_on) {
      bool sorted = false;
      for (const SortKey& k : sort_keys) sorted |= k.expr->column_index == key;
      if (sorted) continue;
      SortKey k;
      k.expr = BoundExpr::Column(key, outputs[key].type, outputs[key].name);
      sort_keys.push_back(std::move(k));
    }
    auto sort = std::make_unique<PlanNode>(PlanKind::kSort);
    sort->sort_keys = std::move(sort_keys);
    sort->output = plan->output;
    sort->children.push_back(std::move(plan));
    auto d = std::make_unique<PlanNode>(PlanKind::kDistinct);
    d->distinct_on = std::move(distinct_on);
    d->output = sort->output;
    d->children.push_back(std::move(sort));
    plan = std::move(d);
    sort_keys.clear();  // done
  }
  if (select.distinct == ast::DistinctKind::kDistinct) {
    auto d = std::make_unique<PlanNode>(PlanKind::kDistinct);
    d->output = plan->output;
    d->children.push_back(std::move(plan));
    plan = std::move(d);
  }
  CAIRN_ASSIGN_OR_RETURN(plan, AddSortAndLimit(std::move(plan), std::move(sort_keys), mods));
  if (outputs.size() > visible) {
    std::vector<BoundExprPtr> strip;
    std::vector<OutputColumn> kept(outputs.begin(), outputs.begin() + visible);
    for (size_t i = 0; i < visible; ++i) {
      strip.push_back(BoundExpr::Column(static_cast<int>(i), outputs[i].type, outputs[i].name));
    }
    plan = MakeProject(std::move(plan), std::move(strip), std::move(kept));
  }
  return plan;
}

}  // namespace cairn::planner
