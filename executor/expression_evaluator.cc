#include "executor/expression_evaluator.h"

#include <algorithm>
#include <optional>
#include <atomic>
#include <cmath>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "common/value_text.h"
#include "executor/array_functions.h"
#include "executor/builtin_functions.h"
#include "executor/catalog_functions.h"
#include "executor/datetime_arith.h"
#include "executor/interval_functions.h"
#include "executor/json_functions.h"
#include "executor/system_views.h"
#include "planner/functions.h"
#include "executor/operator.h"

namespace cairn::executor {

using planner::ArithOp;
using planner::BoundExpr;
using planner::BoundExprKind;
using planner::CompareOp;

namespace {

absl::Status IntOutOfRange(TypeId t) {
  const char* name = t == TypeId::kInt16 ? "smallint" : t == TypeId::kInt32 ? "integer" : "bigint";
  return MakeError(ErrorCode::kNumericValueOutOfRange, absl::StrFormat("%s out of range", name));
}

absl::Status DivisionByZero() { return MakeError(ErrorCode::kDivisionByZero, "division by zero"); }

absl::StatusOr<Value> IntArith(ArithOp op, TypeId type, int64_t a, int64_t b) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case ArithOp::kAdd: overflow = __builtin_add_overflow(a, b, &r); break;
    case ArithOp::kSub: overflow = __builtin_sub_overflow(a, b, &r); break;
    case ArithOp::kMul: overflow = __builtin_mul_overflow(a, b, &r); break;
    case ArithOp::kDiv:
      if (b == 0) return DivisionByZero();
      if (a == INT64_MIN && b == -1) return IntOutOfRange(type);
      r = a / b;
      break;
    case ArithOp::kMod:
      if (b == 0) return DivisionByZero();
      r = b == -1 ? 0 : a % b;
      break;
  }
  if (overflow || (type == TypeId::kInt16 && (r < INT16_MIN || r > INT16_MAX)) ||
      (type == TypeId::kInt32 && (r < INT32_MIN || r > INT32_MAX))) {
    return IntOutOfRange(type);
  }
  return Value::Int(type, r);
}

absl::StatusOr<Value> FloatArith(ArithOp op, TypeId type, double a, double b) {
  double r = 0;
  switch (op) {
    case ArithOp::kAdd: r = a + b; break;
    case ArithOp::kSub: r = a - b; break;
    case ArithOp::kMul: r = a * b; break;
    case ArithOp::kDiv:
      if (b == 0) return DivisionByZero();
      r = a / b;
      break;
    case ArithOp::kMod:
      if (b == 0) return DivisionByZero();
      r = std::fmod(a, b);
      break;
  }
  if (std::isinf(r) && !std::isinf(a) && !std::isinf(b)) {
    return MakeError(ErrorCode::kNumericValueOutOfRange, "value out of range: overflow");
  }
  if (type == TypeId::kFloat32) r = static_cast<float>(r);
  return Value::Float(type, r);
}

absl::StatusOr<Value> NumericArith(ArithOp op, const Numeric& a, const Numeric& b) {
  absl::StatusOr<Numeric> r;
  switch (op) {
    case ArithOp::kAdd: r = a.Add(b); break;
    case ArithOp::kSub: r = a.Sub(b); break;
    case ArithOp::kMul: r = a.Mul(b); break;
    case ArithOp::kDiv: r = a.Div(b); break;
    case ArithOp::kMod: r = a.Mod(b); break;
  }
  if (!r.ok()) return r.status();
  return Value::Num(*r);
}

absl::StatusOr<Value> EvalArith(const BoundExpr& e, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value::Null(e.type.id);
  if (IsDatetimeArith(a, b)) return EvalDatetimeArith(e.arith_op, e.type.id, a, b);
  TypeId t = e.type.id;
  if (IsIntegerType(t)) return IntArith(e.arith_op, t, a.int_value(), b.int_value());
  if (t == TypeId::kFloat32 || t == TypeId::kFloat64) {
    return FloatArith(e.arith_op, t, a.float_value(), b.float_value());
  }
  return NumericArith(e.arith_op, a.numeric_value(), b.numeric_value());
}

bool CompareResult(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

// Strings compare bytewise (the C collation); CHAR ignores trailing spaces.
int CompareForSql(const Value& a, const Value& b) {
  if (a.type() == TypeId::kChar && b.type() == TypeId::kChar) {
    std::string_view x = a.str_value(), y = b.str_value();
    while (!x.empty() && x.back() == ' ') x.remove_suffix(1);
    while (!y.empty() && y.back() == ' ') y.remove_suffix(1);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return CompareValues(a, b);
}


int64_t UniqueRowId(uint64_t node_id) {
  // Milliseconds, then node, then a per-process counter: unique across nodes
  // and roughly ordered by insertion time.
  static std::atomic<uint64_t> counter{0};
  uint64_t ms = Clock::Real()->NowMillis();
  uint64_t n = counter.fetch_add(1) & 0x3ff;
  return static_cast<int64_t>(((ms << 20) | ((node_id & 0x3ff) << 10) | n) & INT64_MAX);
}

absl::StatusOr<Value> EvalFunction(const BoundExpr& e, const std::vector<Value>& args,
                                   ExecContext* ctx) {
  const std::string& name = e.name;
  auto null_arg = [&] {
    for (const auto& a : args) {
      if (a.is_null()) return true;
    }
    return false;
  };
  if (planner::IsSetReturningFunction(name)) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     absl::StrFormat("set-returning function %s is not allowed here; only at the "
                                     "top of a select-list item or in FROM",
                                     name),
                     e.position);
  }
  {
    CAIRN_ASSIGN_OR_RETURN(std::optional<Value> array_result, EvalArrayFunction(e, args));
    if (array_result.has_value()) return *std::move(array_result);
    CAIRN_ASSIGN_OR_RETURN(std::optional<Value> json_result, EvalJsonFunction(e, args));
    if (json_result.has_value()) return *std::move(json_result);
    CAIRN_ASSIGN_OR_RETURN(std::optional<Value> catalog_result, EvalCatalogFunction(e, args, ctx));
    if (catalog_result.has_value()) return *std::move(catalog_result);
  }
  if (name == "cairn_nextval") {
    CAIRN_ASSIGN_OR_RETURN(int64_t v, ctx->catalog->NextSequenceValue(
                                          static_cast<uint32_t>(args[0].int_value()),
                                          static_cast<uint32_t>(args[1].int_value())));
    return Value::Int64(v);
  }
  if (name == "unique_rowid") return Value::Int64(UniqueRowId(ctx->node_id));
  if (name == "now" || name == "current_timestamp" || name == "transaction_timestamp" ||
      name == "statement_timestamp") {
    return Value::Timestamp(TypeId::kTimestampTz, ctx->transaction_start_micros);
  }
  if (name == "clock_timestamp") {
    return Value::Timestamp(TypeId::kTimestampTz,
                            static_cast<int64_t>(Clock::Real()->NowMillis()) * 1000);
  }
  if (name == "current_date") {
    return Value::Date(static_cast<int32_t>(ctx->transaction_start_micros / 86400000000LL));
  }
  if (name == "version") {
    return Value::Text("PostgreSQL 15.0 (CairnDB 0.1) on x86_64-pc-linux-gnu, 64-bit");
  }
  if (name == "current_database") return Value::Text(ctx->database);
  if (name == "current_schema") return Value::Text("public");
  if (name == "current_user" || name == "user") return Value::Text(ctx->user);
  if (name == "session_user") {
    return Value::Text(ctx->session_user.empty() ? ctx->user : ctx->session_user);
  }
  if (name == "pg_backend_pid") return Value::Int32(ctx->backend_pid);
  if (name == "random") {
    thread_local std::mt19937_64 rng(std::random_device{}());
    return Value::Float64(std::uniform_real_distribution<double>(0, 1)(rng));
  }
  if (name == "concat" || name == "concat_ws") {
    // NULL arguments are skipped; concat_ws is NULL only for a NULL separator.
    if (name == "concat_ws" && args[0].is_null()) return Value::Null(TypeId::kText);
    std::string out;
    bool first = true;
    for (size_t i = name == "concat" ? 0 : 1; i < args.size(); ++i) {
      if (args[i].is_null()) continue;
      if (!first && name == "concat_ws") out += TextOf(args[0]);
      out += TextOf(args[i]);
      first = false;
    }
    return Value::Text(out);
  }
  if (null_arg()) return Value::Null(e.type.id);
  {
    const int64_t today = (ctx->transaction_start_micros / 86400000000LL) * 86400000000LL;
    CAIRN_ASSIGN_OR_RETURN(std::optional<Value> interval_result,
                           EvalIntervalFunction(e, args, today));
    if (interval_result.has_value()) return *std::move(interval_result);
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<Value> plain, EvalBuiltinFunction(e, args));
  if (plain.has_value()) return *std::move(plain);
  if (name == "lower") return Value::Text(absl::AsciiStrToLower(args[0].str_value()));
  if (name == "upper") return Value::Text(absl::AsciiStrToUpper(args[0].str_value()));
  if (name == "btrim" || name == "ltrim" || name == "rtrim") {
    std::string_view s = args[0].str_value();
    if (name != "rtrim") {
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    }
    if (name != "ltrim") {
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    }
    return Value::Text(std::string(s));
  }
  if (name == "length" || name == "char_length") {
    if (args[0].type() == TypeId::kBytea) {
      return Value::Int32(static_cast<int64_t>(args[0].str_value().size()));
    }
    return Value::Int32(Utf8Length(TextOf(args[0])));  // characters, not bytes
  }
  if (name == "octet_length") {
    return Value::Int32(static_cast<int64_t>(args[0].str_value().size()));
  }
  if (name == "abs") {
    const Value& v = args[0];
    if (IsIntegerType(v.type())) {
      if (v.int_value() == INT64_MIN) return IntOutOfRange(v.type());
      return Value::Int(v.type(), std::llabs(v.int_value()));
    }
    if (v.type() == TypeId::kNumeric) {
      Numeric n = v.numeric_value();
      return Value::Num(n.unscaled < 0 ? n.Negate() : n);
    }
    return Value::Float(v.type(), std::fabs(v.float_value()));
  }
  return MakeError(ErrorCode::kUndefinedFunction,
                   absl::StrFormat("function %s is not implemented", name));
}

}  // namespace

namespace {

// The byte length of the UTF-8 character starting at s[i].
size_t CharWidth(std::string_view s, size_t i) {
  size_t n = 1;
  while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, bool case_insensitive) {
  // Iterative matcher that backtracks to the last %; _ and literals match
  // whole UTF-8 characters.
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  auto same_char = [&](size_t ti, size_t pi, size_t width) {
    if (CharWidth(text, ti) != width || ti + width > text.size()) return false;
    for (size_t k = 0; k < width; ++k) {
      char a = text[ti + k], b = pattern[pi + k];
      if (case_insensitive ? absl::ascii_tolower(a) != absl::ascii_tolower(b) : a != b) return false;
    }
    return true;
  };
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '_') {
        t += CharWidth(text, t);
        ++p;
        continue;
      }
      size_t pi = p;
      if (pattern[p] == '\\' && p + 1 < pattern.size()) pi = p + 1;
      size_t width = CharWidth(pattern, pi);
      if (same_char(t, pi, width)) {
        t += width;
        p = pi + width;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    star_t += CharWidth(text, star_t);
    t = star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') p++;
  return p == pattern.size();
}

namespace {

// The first column of the rows `e.subplan` returns for `row` (one NULL per
// row for EXISTS, which looks at no column), at most `limit` rows (0: all).
// Uncorrelated subqueries run once per statement.
absl::StatusOr<const std::vector<Value>*> SubqueryRows(const BoundExpr& e, const Row& row,
                                                      ExecContext* ctx, size_t limit,
                                                      std::vector<Value>* storage) {
  if (!e.correlated) {
    auto it = ctx->subquery_results.find(&e);
    if (it != ctx->subquery_results.end()) return &it->second;
  }
  storage->clear();
  ctx->outer_rows.push_back(&row);
  absl::Status status = [&]() -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(OperatorPtr op, BuildOperator(*e.subplan, ctx));
    RowBatch batch;
    while (limit == 0 || storage->size() < limit) {
      CAIRN_ASSIGN_OR_RETURN(bool more, op->Next(&batch));
      if (!more) break;
      for (Row& r : batch) {
        storage->push_back(r.empty() ? Value::Null() : std::move(r[0]));
        if (limit != 0 && storage->size() >= limit) break;
      }
    }
    return absl::OkStatus();
  }();
  ctx->outer_rows.pop_back();
  CAIRN_RETURN_IF_ERROR(status);
  if (e.correlated) return storage;
  auto [it, inserted] = ctx->subquery_results.emplace(&e, std::move(*storage));
  return &it->second;
}

absl::StatusOr<Value> EvaluateSubquery(const BoundExpr& e, const Row& row, ExecContext* ctx) {
  std::vector<Value> storage;
  switch (e.subquery_kind) {
    case planner::SubqueryKind::kExists: {
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 1, &storage));
      return Value::Bool(!rows->empty());
    }
    case planner::SubqueryKind::kScalar: {
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 2, &storage));
      if (rows->size() > 1) {
        return MakeError(ErrorCode::kCardinalityViolation,
                         "more than one row returned by a subquery used as an expression",
                         e.position);
      }
      return rows->empty() ? Value::Null(e.type.id) : (*rows)[0];
    }
    case planner::SubqueryKind::kAny:
    case planner::SubqueryKind::kAll: {
      // Three-valued, as PostgreSQL: ANY is true on a match, else NULL if
      // a comparison was NULL, else false; ALL the other way round.
      const bool any = e.subquery_kind == planner::SubqueryKind::kAny;
      CAIRN_ASSIGN_OR_RETURN(Value operand, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 0, &storage));
      bool decided = false;
      bool saw_null = false;
      for (const Value& v : *rows) {
        if (operand.is_null() || v.is_null()) {
          saw_null = true;
          continue;
        }
        if (CompareResult(e.compare_op, CompareForSql(operand, v)) == any) {
          decided = true;
          break;
        }
      }
      Value result = decided    ? Value::Bool(any)
                     : saw_null ? Value::Null(TypeId::kBool)
                                : Value::Bool(!any);
      if (e.negated && !result.is_null()) result = Value::Bool(!result.bool_value());
      return result;
    }
    case planner::SubqueryKind::kArray: {
      CAIRN_ASSIGN_OR_RETURN(const std::vector<Value>* rows, SubqueryRows(e, row, ctx, 0, &storage));
      return Value::Array(e.type.element, *rows);
    }
  }
  return MakeError(ErrorCode::kInternal, "unknown subquery kind");
}

}  // namespace

absl::StatusOr<Value> Evaluate(const BoundExpr& e, const Row& row, ExecContext* ctx) {
  switch (e.kind) {
    case BoundExprKind::kConstant: return e.value;
    case BoundExprKind::kColumn: return row[e.column_index];
    case BoundExprKind::kParameter: {
      if (e.parameter_index < 0 || e.parameter_index >= static_cast<int>(ctx->params.size())) {
        return MakeError(ErrorCode::kUndefinedParameter,
                         absl::StrFormat("there is no parameter $%d", e.parameter_index + 1),
                         e.position);
      }
      const Value& v = ctx->params[e.parameter_index];
      if (e.type.id == TypeId::kUnknown || v.is_null()) return v;
      return CastValue(v, e.type, CastContext::kAssignment);
    }
    case BoundExprKind::kNot: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      if (v.is_null()) return Value::Null(TypeId::kBool);
      return Value::Bool(!v.bool_value());
    }
    case BoundExprKind::kNegate: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      if (v.is_null()) return v;
      if (IsIntegerType(v.type())) return IntArith(ArithOp::kSub, v.type(), 0, v.int_value());
      if (v.type() == TypeId::kNumeric) return Value::Num(v.numeric_value().Negate());
      if (v.type() == TypeId::kInterval) {
        CAIRN_ASSIGN_OR_RETURN(Interval negated, NegateInterval(v.interval_value()));
        return Value::FromInterval(negated);
      }
      return Value::Float(v.type(), -v.float_value());
    }
    case BoundExprKind::kArith: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      auto r = EvalArith(e, a, b);
      if (!r.ok()) return WithPosition(r.status(), e.position);
      return r;
    }
    case BoundExprKind::kCompare: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      if (a.is_null() || b.is_null()) return Value::Null(TypeId::kBool);
      return Value::Bool(CompareResult(e.compare_op, CompareForSql(a, b)));
    }
    case BoundExprKind::kAnd:
    case BoundExprKind::kOr: {
      // AND: any false wins; OR: any true wins; otherwise NULL beats the rest.
      const bool decisive = e.kind == BoundExprKind::kOr;
      bool saw_null = false;
      for (const auto& c : e.children) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
        if (v.is_null()) {
          saw_null = true;
        } else if (v.bool_value() == decisive) {
          return Value::Bool(decisive);
        }
      }
      if (saw_null) return Value::Null(TypeId::kBool);
      return Value::Bool(!decisive);
    }
    case BoundExprKind::kConcat: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      if (a.is_null() || b.is_null()) return Value::Null(TypeId::kText);
      // || casts its operands to text (true || 'x' is 'truex'), where
      // concat() uses their output form ('tx').
      CAIRN_ASSIGN_OR_RETURN(Value ta, CastValue(a, SqlType::Of(TypeId::kText),
                                                 CastContext::kExplicit));
      CAIRN_ASSIGN_OR_RETURN(Value tb, CastValue(b, SqlType::Of(TypeId::kText),
                                                 CastContext::kExplicit));
      return Value::Text(absl::StrCat(ta.str_value(), tb.str_value()));
    }
    case BoundExprKind::kIsNull: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      return Value::Bool(v.is_null() != e.negated);
    }
    case BoundExprKind::kIsBool: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      bool result;
      if (e.bool_test == 2) {
        result = v.is_null();
      } else {
        result = !v.is_null() && v.bool_value() == (e.bool_test == 0);
      }
      return Value::Bool(result != e.negated);
    }
    case BoundExprKind::kIsDistinct: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      bool distinct = a.is_null() != b.is_null() ||
                      (!a.is_null() && CompareForSql(a, b) != 0);
      return Value::Bool(distinct != e.negated);
    }
    case BoundExprKind::kInList: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      if (v.is_null()) return Value::Null(TypeId::kBool);
      bool saw_null = false;
      for (size_t i = 1; i < e.children.size(); ++i) {
        CAIRN_ASSIGN_OR_RETURN(Value item, Evaluate(*e.children[i], row, ctx));
        if (item.is_null()) {
          saw_null = true;
        } else if (CompareForSql(v, item) == 0) {
          return Value::Bool(!e.negated);
        }
      }
      if (saw_null) return Value::Null(TypeId::kBool);
      return Value::Bool(e.negated);
    }
    case BoundExprKind::kLike: {
      CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
      if (a.is_null() || b.is_null()) return Value::Null(TypeId::kBool);
      return Value::Bool(LikeMatch(a.str_value(), b.str_value(), e.case_insensitive) != e.negated);
    }
    case BoundExprKind::kCase: {
      size_t n = e.children.size() - (e.has_else ? 1 : 0);
      for (size_t i = 0; i + 1 < n + 1 && i < n; i += 2) {
        CAIRN_ASSIGN_OR_RETURN(Value cond, Evaluate(*e.children[i], row, ctx));
        if (!cond.is_null() && cond.bool_value()) return Evaluate(*e.children[i + 1], row, ctx);
      }
      if (e.has_else) return Evaluate(*e.children.back(), row, ctx);
      return Value::Null(e.type.id);
    }
    case BoundExprKind::kCast: {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e.children[0], row, ctx));
      auto r = CastValue(v, e.type, e.explicit_cast ? CastContext::kExplicit
                                                    : CastContext::kAssignment);
      if (!r.ok()) return WithPosition(r.status(), e.position);
      return r;
    }
    case BoundExprKind::kOuterColumn: {
      const size_t n = ctx->outer_rows.size();
      if (e.outer_depth < 1 || static_cast<size_t>(e.outer_depth) > n) {
        return MakeError(ErrorCode::kInternal, "outer column reference without an enclosing row");
      }
      return (*ctx->outer_rows[n - e.outer_depth])[e.column_index];
    }
    case BoundExprKind::kSubquery: return EvaluateSubquery(e, row, ctx);
    case BoundExprKind::kArray: {
      std::vector<Value> elements;
      elements.reserve(e.children.size());
      for (const auto& c : e.children) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
        elements.push_back(std::move(v));
      }
      return Value::Array(e.type.element, std::move(elements));
    }
    case BoundExprKind::kArrayCompare: {
      // Three-valued as ANY/ALL over a subquery: ANY is true on a match,
      // else NULL if a comparison was NULL, else false; ALL the other way.
      CAIRN_ASSIGN_OR_RETURN(Value operand, Evaluate(*e.children[0], row, ctx));
      CAIRN_ASSIGN_OR_RETURN(Value array, Evaluate(*e.children[1], row, ctx));
      if (array.is_null()) return Value::Null(TypeId::kBool);
      const bool any = !e.negated;
      bool decided = false;
      bool saw_null = false;
      for (const Value& v : array.array_value().elements) {
        if (operand.is_null() || v.is_null()) {
          saw_null = true;
          continue;
        }
        if (CompareResult(e.compare_op, CompareForSql(operand, v)) == any) {
          decided = true;
          break;
        }
      }
      return decided ? Value::Bool(any) : saw_null ? Value::Null(TypeId::kBool) : Value::Bool(!any);
    }
    case BoundExprKind::kFunction: {
      if (e.name == "coalesce") {
        // Lazy: arguments after the first non-NULL one are not evaluated.
        for (const auto& c : e.children) {
          CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
          if (!v.is_null()) return v;
        }
        return Value::Null(e.type.id);
      }
      if (e.name == "nullif") {
        CAIRN_ASSIGN_OR_RETURN(Value a, Evaluate(*e.children[0], row, ctx));
        CAIRN_ASSIGN_OR_RETURN(Value b, Evaluate(*e.children[1], row, ctx));
        if (!a.is_null() && !b.is_null() && CompareForSql(a, b) == 0) return Value::Null(e.type.id);
        return a;
      }
      if (e.name == "greatest" || e.name == "least") {
        // NULLs are ignored; the result is NULL only if every argument is.
        Value best = Value::Null(e.type.id);
        for (const auto& c : e.children) {
          CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
          if (v.is_null()) continue;
          int cmp = best.is_null() ? 0 : CompareForSql(v, best);
          if (best.is_null() || (e.name == "greatest" ? cmp > 0 : cmp < 0)) best = std::move(v);
        }
        return best;
      }
      std::vector<Value> args;
      args.reserve(e.children.size());
      for (const auto& c : e.children) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
        args.push_back(std::move(v));
      }
      return EvalFunction(e, args, ctx);
    }
  }
  return MakeError(ErrorCode::kInternal, "unknown bound expression");
}

absl::StatusOr<bool> EvaluatePredicate(const BoundExpr& expr, const Row& row, ExecContext* ctx) {
  CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(expr, row, ctx));
  return !v.is_null() && v.bool_value();
}

}  // namespace cairn::executor
