// kProjectSet: a projection whose items may be set-returning functions
// (unnest, generate_series, generate_subscripts, jsonb_array_elements,
// jsonb_object_keys, ...). Each input row gives as many rows as its longest
// set; shorter sets give NULL past their end and the other items repeat,
// as in PostgreSQL 10 and later.
#include <algorithm>
#include <deque>

#include "common/json.h"
#include "executor/operators/timestamp_series.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "planner/functions.h"

namespace cairn::executor {
namespace {

// The rows of set-returning call `e` over `row`.
absl::StatusOr<std::vector<Value>> ExpandSet(const planner::BoundExpr& e, const Row& row,
                                             ExecContext* ctx) {
  std::vector<Value> args;
  for (const auto& c : e.children) {
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*c, row, ctx));
    args.push_back(std::move(v));
  }
  std::vector<Value> out;
  for (const Value& a : args) {
    if (a.is_null()) return out;  // strict: a NULL argument gives no rows
  }
  const std::string& name = e.name;
  if (name == "unnest") return args[0].array_value().elements;
  if (name == "generate_subscripts") {
    const int64_t n = static_cast<int64_t>(args[0].array_value().elements.size());
    if (args[1].int_value() != 1) return out;
    const bool reverse = args.size() == 3 && args[2].bool_value();
    for (int64_t i = 1; i <= n; ++i) out.push_back(Value::Int32(reverse ? n - i + 1 : i));
    return out;
  }
  if (name == "generate_series" && args.size() == 3 && args[2].type() == TypeId::kInterval) {
    CAIRN_ASSIGN_OR_RETURN(TimestampSeries series,
                           TimestampSeries::Make(e.type.id, args[0].micros_value(),
                                                 args[1].micros_value(), args[2].interval_value()));
    Value v;
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(bool more, series.Next(&v));
      if (!more) break;
      out.push_back(std::move(v));
      if (out.size() % 4096 == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx));
    }
    return out;
  }
  if (name == "generate_series") {
    const int64_t step = args.size() == 3 ? args[2].int_value() : 1;
    if (step == 0) return MakeError(ErrorCode::kInvalidParameterValue, "step size cannot equal zero");
    for (int64_t i = args[0].int_value(); step > 0 ? i <= args[1].int_value()
                                                   : i >= args[1].int_value();) {
      out.push_back(Value::Int(e.type.id, i));
      if (__builtin_add_overflow(i, step, &i)) break;
      if (out.size() % 4096 == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx));
    }
    return out;
  }
  // The JSON ones.
  CAIRN_ASSIGN_OR_RETURN(json::Value doc, json::Parse(args[0].str_value()));
  const bool text = name.find("_text") != std::string::npos;
  if (name.find("object_keys") != std::string::npos) {
    if (doc.kind != json::Value::Kind::kObject) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "cannot call jsonb_object_keys on a non-object");
    }
    for (const auto& [k, v] : doc.members) out.push_back(Value::Text(k));
    return out;
  }
  if (doc.kind != json::Value::Kind::kArray) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "cannot extract elements from a scalar or an object");
  }
  for (const json::Value& item : doc.items) {
    if (!text) {
      out.push_back(Value::String(args[0].type(), json::JsonbText(item)));
    } else if (item.kind == json::Value::Kind::kNull) {
      out.push_back(Value::Null(TypeId::kText));
    } else {
      out.push_back(Value::Text(item.kind == json::Value::Kind::kString ? item.text
                                                                         : json::JsonbText(item)));
    }
  }
  return out;
}

class ProjectSetOperator : public Operator {
 public:
  ProjectSetOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    while (batch->size() < kBatchSize) {
      if (pending_.empty()) {
        if (next_input_ >= input_.size()) {
          if (done_) break;
          CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input_));
          next_input_ = 0;
          if (!more) {
            done_ = true;
            break;
          }
          continue;
        }
        CAIRN_RETURN_IF_ERROR(Expand(input_[next_input_++]));
        continue;
      }
      batch->push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    return !batch->empty();
  }

 private:
  absl::Status Expand(const Row& in) {
    CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
    const size_t n = plan_.exprs.size();
    std::vector<Value> scalars(n);
    std::vector<std::vector<Value>> sets(n);
    std::vector<bool> is_set(n, false);
    size_t rows = 0;
    for (size_t i = 0; i < n; ++i) {
      const planner::BoundExpr& e = *plan_.exprs[i];
      if (e.kind == planner::BoundExprKind::kFunction && planner::IsSetReturningFunction(e.name)) {
        is_set[i] = true;
        CAIRN_ASSIGN_OR_RETURN(sets[i], ExpandSet(e, in, ctx_));
        rows = std::max(rows, sets[i].size());
      } else {
        CAIRN_ASSIGN_OR_RETURN(scalars[i], Evaluate(e, in, ctx_));
      }
    }
    for (size_t r = 0; r < rows; ++r) {
      Row out(n);
      for (size_t i = 0; i < n; ++i) {
        if (!is_set[i]) {
          out[i] = scalars[i];
        } else if (r < sets[i].size()) {
          out[i] = sets[i][r];
        } else {
          out[i] = Value::NullOf(plan_.exprs[i]->type);
        }
      }
      pending_.push_back(std::move(out));
    }
    return absl::OkStatus();
  }

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  RowBatch input_;
  size_t next_input_ = 0;
  bool done_ = false;
  std::deque<Row> pending_;
};

}  // namespace

OperatorPtr MakeProjectSetOperator(const planner::PlanNode& plan, OperatorPtr child,
                                   ExecContext* ctx) {
  return std::make_unique<ProjectSetOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
