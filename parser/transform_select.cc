// Queries: SELECT, VALUES, set operations, WITH, FROM items.
#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "parser/transformer.h"

namespace cairn::parser {
namespace {

// PostgreSQL's insertSelectOptions: clauses written outside parentheses
// attach to the parenthesised query, and may not be given twice.
void CheckNotSet(bool already, const char* clause, antlr4::ParserRuleContext* ctx) {
  if (already) {
    Transformer::SyntaxError(absl::StrCat("multiple ", clause, " clauses not allowed"),
                             ctx->getStart());
  }
}

}  // namespace

ast::QueryNodePtr Transformer::TransformSelectStmt(P::SelectStmtContext* ctx) {
  DepthGuard guard(this, 1, ctx);
  ast::QueryNodePtr query = TransformSetExpr(ctx->setExpr());
  ApplyModifiers(ctx, query.get());
  return query;
}

std::vector<ast::OrderByItem> Transformer::TransformOrderBy(P::OrderByClauseContext* ctx) {
  std::vector<ast::OrderByItem> items;
  for (auto* item : ctx->sortItem()) {
    ast::OrderByItem out;
    out.expr = TransformExpr(item->expr());
    if (item->direction != nullptr) {
      out.direction = item->direction->getType() == P::ASC ? ast::SortDirection::kAsc
                                                           : ast::SortDirection::kDesc;
    }
    if (item->nulls != nullptr) {
      out.nulls = item->nulls->getType() == P::FIRST ? ast::NullsOrder::kFirst
                                                     : ast::NullsOrder::kLast;
    }
    items.push_back(std::move(out));
  }
  return items;
}

void Transformer::ApplyModifiers(P::SelectStmtContext* ctx, ast::QueryNode* query) {
  if (auto* with = ctx->withClause()) {
    CheckNotSet(query->with != nullptr, "WITH", with);
    query->with = TransformWithClause(with);
  }
  if (auto* order = ctx->orderByClause()) {
    CheckNotSet(!query->order_by.empty(), "ORDER BY", order);
    query->order_by = TransformOrderBy(order);
  }
  if (auto* limit = ctx->limitClause()) {
    if (auto* value = limit->limitValue()) {
      CheckNotSet(query->limit != nullptr, "LIMIT", limit);
      if (value->expr() != nullptr) query->limit = TransformExpr(value->expr());
    }
    if (limit->OFFSET() != nullptr) {
      CheckNotSet(query->offset != nullptr, "OFFSET", limit);
      query->offset = TransformExpr(limit->expr());
    }
  }
  if (auto* lock = ctx->lockingClause()) {
    CheckNotSet(query->lock_strength != ast::LockStrength::kNone, "FOR UPDATE", lock);
    if (lock->NO()) {
      query->lock_strength = ast::LockStrength::kNoKeyUpdate;
    } else if (lock->KEY()) {
      query->lock_strength = ast::LockStrength::kKeyShare;
    } else if (lock->SHARE()) {
      query->lock_strength = ast::LockStrength::kShare;
    } else {
      query->lock_strength = ast::LockStrength::kUpdate;
    }
    if (lock->NOWAIT()) query->lock_wait = ast::LockWaitPolicy::kNoWait;
    if (lock->SKIP_P()) query->lock_wait = ast::LockWaitPolicy::kSkipLocked;
  }
}

std::unique_ptr<ast::WithClause> Transformer::TransformWithClause(P::WithClauseContext* ctx) {
  if (ctx == nullptr) return nullptr;
  auto with = std::make_unique<ast::WithClause>();
  with->recursive = ctx->RECURSIVE() != nullptr;
  for (auto* cte_ctx : ctx->commonTableExpr()) {
    ast::CommonTableExpr cte;
    cte.name = Ident(cte_ctx->identifier());
    cte.position = Pos(cte_ctx);
    cte.column_names = ColumnNameStrings(cte_ctx->columnNameList());
    cte.query = TransformSelectStmt(cte_ctx->selectStmt());
    with->ctes.push_back(std::move(cte));
  }
  return with;
}

// setTerm ((UNION | EXCEPT) setQuantifier? setTerm)*, left-associative.
ast::QueryNodePtr Transformer::TransformSetExpr(P::SetExprContext* ctx) {
  DepthGuard guard(this, ctx->children.size() / 2, ctx);  // one level per operator
  ast::QueryNodePtr result;
  auto node = std::make_unique<ast::SetOperationNode>();
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (auto* term = dynamic_cast<P::SetTermContext*>(child)) {
      if (result == nullptr) {
        result = TransformSetTerm(term);
        continue;
      }
      node->left = std::move(result);
      node->right = TransformSetTerm(term);
      result = std::move(node);
      node = std::make_unique<ast::SetOperationNode>();
    } else if (auto* quantifier = dynamic_cast<P::SetQuantifierContext*>(child)) {
      node->all = quantifier->ALL() != nullptr;
    } else if (auto* op = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
      node->op = op->getSymbol()->getType() == P::UNION ? ast::SetOpType::kUnion
                                                        : ast::SetOpType::kExcept;
    }
  }
  return result;
}

ast::QueryNodePtr Transformer::TransformSetTerm(P::SetTermContext* ctx) {
  DepthGuard guard(this, ctx->children.size() / 2, ctx);
  ast::QueryNodePtr result;
  auto node = std::make_unique<ast::SetOperationNode>();
  node->op = ast::SetOpType::kIntersect;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (auto* primary = dynamic_cast<P::SetPrimaryContext*>(child)) {
      if (result == nullptr) {
        result = TransformSetPrimary(primary);
        continue;
      }
      node->left = std::move(result);
      node->right = TransformSetPrimary(primary);
      result = std::move(node);
      node = std::make_unique<ast::SetOperationNode>();
      node->op = ast::SetOpType::kIntersect;
    } else if (auto* quantifier = dynamic_cast<P::SetQuantifierContext*>(child)) {
      node->all = quantifier->ALL() != nullptr;
    }
  }
  return result;
}

ast::QueryNodePtr Transformer::TransformSetPrimary(P::SetPrimaryContext* ctx) {
  if (auto* select = ctx->simpleSelect()) return TransformSimpleSelect(select);
  if (auto* values = ctx->valuesClause()) return TransformValuesClause(values);
  return TransformSelectStmt(ctx->selectStmt());
}

ast::QueryNodePtr Transformer::TransformSimpleSelect(P::SimpleSelectContext* ctx) {
  auto node = std::make_unique<ast::SelectNode>();
  if (auto* distinct = ctx->distinctClause()) {
    if (distinct->ON()) {
      node->distinct = ast::DistinctKind::kDistinctOn;
      node->distinct_on = TransformExprList(distinct->exprList());
    } else if (distinct->DISTINCT()) {
      node->distinct = ast::DistinctKind::kDistinct;
    }
  }
  if (auto* targets = ctx->targetList()) node->targets = TransformTargetList(targets);
  if (auto* from = ctx->fromClause()) {
    node->from = TransformFromItems(from->fromItem());
    if (auto* as_of = from->asOfClause()) {
      if (as_of_ != nullptr) {
        Fail(MakeError(ErrorCode::kSyntaxError, "AS OF SYSTEM TIME may be given only once",
                       Pos(as_of)));
      }
      as_of_ = TransformExpr(as_of->expr());
    }
  }
  if (auto* where = ctx->whereClause()) node->where = TransformExpr(where->expr());
  if (auto* group = ctx->groupByClause()) node->group_by = TransformExprList(group->exprList());
  if (auto* having = ctx->havingClause()) node->having = TransformExpr(having->expr());
  return node;
}

ast::QueryNodePtr Transformer::TransformValuesClause(P::ValuesClauseContext* ctx) {
  auto node = std::make_unique<ast::ValuesNode>();
  node->position = Pos(ctx);
  for (auto* row_ctx : ctx->valuesRow()) {
    ast::ExprList row;
    for (auto* item : row_ctx->exprOrDefault()) row.push_back(TransformExprOrDefault(item));
    if (!node->rows.empty() && row.size() != node->rows[0].size()) {
      Fail(MakeError(ErrorCode::kSyntaxError, "VALUES lists must all be the same length",
                     row[0]->position));
    }
    node->rows.push_back(std::move(row));
  }
  return node;
}

std::vector<ast::ResultTarget> Transformer::TransformTargetList(P::TargetListContext* ctx) {
  std::vector<ast::ResultTarget> out;
  for (auto* item : ctx->targetItem()) {
    ast::ResultTarget target;
    target.position = Pos(item);
    if (auto* star = dynamic_cast<P::QualifiedStarTargetContext*>(item)) {
      auto expr = std::make_unique<ast::StarExpr>(target.position);
      for (auto* id : star->identifier()) expr->qualifier.push_back(Ident(id));
      target.expr = std::move(expr);
    } else if (auto* expr_target = dynamic_cast<P::ExprTargetContext*>(item)) {
      target.expr = TransformExpr(expr_target->expr());
      if (auto* label = expr_target->colLabel()) {
        target.alias = ColLabel(label);
      } else if (auto* id = expr_target->identifier()) {
        target.alias = Ident(id);
      }
    } else {
      target.expr = std::make_unique<ast::StarExpr>(target.position);
    }
    out.push_back(std::move(target));
  }
  return out;
}

std::vector<ast::TableRefPtr> Transformer::TransformFromItems(
    const std::vector<P::FromItemContext*>& items) {
  std::vector<ast::TableRefPtr> out;
  for (auto* item : items) out.push_back(TransformFromItem(item));
  return out;
}

ast::TableRefPtr Transformer::TransformFromItem(P::FromItemContext* ctx) {
  DepthGuard guard(this, ctx->children.size(), ctx);  // joins nest left-deep
  ast::TableRefPtr result = TransformTablePrimary(ctx->tablePrimary());
  for (auto* part : ctx->joinPart()) {
    auto join = std::make_unique<ast::JoinRef>(Pos(part));
    join->left = std::move(result);
    P::JoinTypeContext* type = nullptr;
    if (auto* cross = dynamic_cast<P::CrossJoinContext*>(part)) {
      join->join_type = ast::JoinType::kCross;
      join->right = TransformTablePrimary(cross->tablePrimary());
    } else if (auto* natural = dynamic_cast<P::NaturalJoinContext*>(part)) {
      join->natural = true;
      type = natural->joinType();
      join->right = TransformTablePrimary(natural->tablePrimary());
    } else {
      auto* qualified = dynamic_cast<P::QualifiedJoinContext*>(part);
      type = qualified->joinType();
      join->right = TransformTablePrimary(qualified->tablePrimary());
      P::JoinConditionContext* condition = qualified->joinCondition();
      if (condition->ON()) {
        join->condition = TransformExpr(condition->expr());
      } else {
        join->using_columns = TransformColumnNameList(condition->columnNameList());
      }
    }
    if (type != nullptr) {
      if (type->LEFT()) join->join_type = ast::JoinType::kLeft;
      if (type->RIGHT()) join->join_type = ast::JoinType::kRight;
      if (type->FULL()) join->join_type = ast::JoinType::kFull;
    }
    result = std::move(join);
  }
  return result;
}

ast::TableRefPtr Transformer::TransformTablePrimary(P::TablePrimaryContext* ctx) {
  const int pos = Pos(ctx);
  if (auto* table = dynamic_cast<P::TableNameContext*>(ctx)) {
    auto ref = std::make_unique<ast::BaseTableRef>(pos);
    ref->name = TransformQualifiedName(table->qualifiedName());
    ref->position = ref->name.position;
    ref->alias = TransformAlias(table->aliasClause());
    return ref;
  }
  if (auto* sub = dynamic_cast<P::SubqueryTableContext*>(ctx)) {
    if (sub->aliasClause() == nullptr) {
      // PostgreSQL 15 insists on the alias.
      SyntaxError("subquery in FROM must have an alias", sub->getStart());
    }
    auto ref = std::make_unique<ast::SubqueryRef>(pos);
    ref->query = TransformSelectStmt(sub->selectStmt());
    ref->alias = TransformAlias(sub->aliasClause());
    return ref;
  }
  if (auto* fn = dynamic_cast<P::FunctionTableContext*>(ctx)) {
    auto ref = std::make_unique<ast::FunctionTableRef>(pos);
    ref->function = TransformFunctionCall(fn->functionName(), fn->functionArgs());
    ref->alias = TransformAlias(fn->aliasClause());
    return ref;
  }
  auto* paren = dynamic_cast<P::ParenthesizedJoinContext*>(ctx);
  ast::TableRefPtr inner = TransformFromItem(paren->fromItem());
  // As in PostgreSQL, only a join may be parenthesised: not "(t)".
  if (inner->kind != ast::TableRefKind::kJoin || !inner->alias.name.empty()) {
    SyntaxError("syntax error at or near \")\"", paren->RPAREN()->getSymbol());
  }
  inner->alias = TransformAlias(paren->aliasClause());
  return inner;
}

ast::TableAlias Transformer::TransformAlias(P::AliasClauseContext* ctx) {
  ast::TableAlias alias;
  if (ctx == nullptr) return alias;
  alias.name = Ident(ctx->identifier());
  alias.columns = ColumnNameStrings(ctx->columnNameList());
  return alias;
}

}  // namespace cairn::parser
