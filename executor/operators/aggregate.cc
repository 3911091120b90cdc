#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

// The running state of one aggregate call in one group.
class Accumulator {
 public:
  explicit Accumulator(const planner::AggregateCall& call) : call_(call) {}

  // string_agg: a value with its delimiter and its ORDER BY keys.
  void AddOrdered(const Value& v, const Value& delimiter, std::vector<Value> keys) {
    if (v.is_null()) return;
    items_.push_back({std::move(keys), v.str_value(),
                      delimiter.is_null() ? std::optional<std::string>()
                                          : std::optional<std::string>(delimiter.str_value())});
  }

  absl::Status Add(const Value& v) {
    if (call_.arg != nullptr && v.is_null()) return absl::OkStatus();  // NULLs are skipped
    if (call_.distinct) {
      if (!distinct_.insert(v).second) return absl::OkStatus();
    }
    ++count_;
    const std::string& f = call_.function;
    if (f == "count") return absl::OkStatus();
    if (f == "bool_and" || f == "every") {
      bool_ = (count_ == 1 || bool_) && v.bool_value();
      return absl::OkStatus();
    }
    if (f == "bool_or") {
      bool_ = (count_ > 1 && bool_) || v.bool_value();
      return absl::OkStatus();
    }
    if (f == "min" || f == "max") {
      if (best_.is_null() || (f == "min" ? CompareValues(v, best_) < 0 : CompareValues(v, best_) > 0)) {
        best_ = v;
      }
      return absl::OkStatus();
    }
    // sum and avg
    if (IsIntegerType(v.type()) && call_.type.id == TypeId::kInt64) {
      if (__builtin_add_overflow(int_sum_, v.int_value(), &int_sum_)) {
        return MakeError(ErrorCode::kNumericValueOutOfRange, "bigint out of range");
      }
    } else if (v.type() == TypeId::kFloat32 || v.type() == TypeId::kFloat64) {
      float_sum_ += v.float_value();
    } else {
      Numeric n = v.type() == TypeId::kNumeric ? v.numeric_value() : Numeric::FromInt(v.int_value());
      CAIRN_ASSIGN_OR_RETURN(numeric_sum_, numeric_sum_.Add(n));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Value> Result() const {
    const std::string& f = call_.function;
    if (f == "string_agg") return StringAggResult();
    if (f == "count") return Value::Int64(count_);
    if (count_ == 0) return Value::Null(call_.type.id);
    if (f == "bool_and" || f == "every" || f == "bool_or") return Value::Bool(bool_);
    if (f == "min" || f == "max") return best_;
    TypeId t = call_.type.id;
    if (f == "sum") {
      if (t == TypeId::kInt64) return Value::Int64(int_sum_);
      if (t == TypeId::kFloat32 || t == TypeId::kFloat64) return Value::Float(t, float_sum_);
      return Value::Num(numeric_sum_);
    }
    // avg
    if (t == TypeId::kFloat64) return Value::Float64(float_sum_ / static_cast<double>(count_));
    CAIRN_ASSIGN_OR_RETURN(Numeric avg, numeric_sum_.Div(Numeric::FromInt(count_)));
    return Value::Num(avg);
  }

 private:
  const planner::AggregateCall& call_;
  Value StringAggResult() const {
    if (items_.empty()) return Value::Null(TypeId::kText);
    std::vector<const Item*> order;
    for (const Item& item : items_) order.push_back(&item);
    std::stable_sort(order.begin(), order.end(), [&](const Item* pa, const Item* pb) {
      const Item& a = *pa;
      const Item& b = *pb;
      for (size_t k = 0; k < call_.order_by.size(); ++k) {
        const int c = CompareForSort(a.keys[k], b.keys[k], call_.order_by[k]);
        if (c != 0) return c < 0;
      }
      return false;
    });
    // Each value after the first is preceded by its own row's delimiter.
    std::string out = order[0]->value;
    for (size_t i = 1; i < order.size(); ++i) {
      if (order[i]->delimiter) out += *order[i]->delimiter;
      out += order[i]->value;
    }
    return Value::Text(std::move(out));
  }

  struct Item {
    std::vector<Value> keys;
    std::string value;
    std::optional<std::string> delimiter;
  };
  std::vector<Item> items_;  // string_agg
  bool bool_ = false;        // bool_and, bool_or
  int64_t count_ = 0;
  int64_t int_sum_ = 0;
  double float_sum_ = 0;
  Numeric numeric_sum_;
  Value best_;
  absl::flat_hash_set<Value, decltype([](const Value& v) { return HashValue(v); }),
                      decltype([](const Value& a, const Value& b) { return ValuesEqual(a, b); })>
      distinct_;
};

// Hash aggregation: groups its input by the GROUP BY values and emits one
// row per group, the group values followed by the aggregate results. With
// no GROUP BY, emits exactly one row even for empty input.
class AggregateOperator : public Operator {
 public:
  AggregateOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (!done_) {
      CAIRN_RETURN_IF_ERROR(Consume());
      done_ = true;
    }
    batch->clear();
    while (next_ < results_.size() && batch->size() < kBatchSize) {
      batch->push_back(std::move(results_[next_++]));
    }
    return !batch->empty();
  }

 private:
  using Accumulators = std::vector<std::unique_ptr<Accumulator>>;

  Accumulators NewAccumulators() {
    Accumulators accs;
    for (const auto& call : plan_.aggregates) accs.push_back(std::make_unique<Accumulator>(call));
    return accs;
  }

  absl::Status Consume() {
    absl::flat_hash_map<Row, size_t, RowHash, RowEq> index;
    std::vector<std::pair<Row, Accumulators>> groups;
    if (plan_.group_by.empty()) groups.emplace_back(Row{}, NewAccumulators());
    RowBatch input;
    while (true) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
      if (!more) break;
      for (const Row& row : input) {
        size_t g = 0;
        if (!plan_.group_by.empty()) {
          Row key;
          for (const auto& e : plan_.group_by) {
            CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, row, ctx_));
            key.push_back(std::move(v));
          }
          auto [it, inserted] = index.try_emplace(key, groups.size());
          if (inserted) groups.emplace_back(std::move(key), NewAccumulators());
          g = it->second;
        }
        for (size_t i = 0; i < plan_.aggregates.size(); ++i) {
          const auto& call = plan_.aggregates[i];
          Value v = Value::Int64(1);
          if (call.arg) {
            CAIRN_ASSIGN_OR_RETURN(v, Evaluate(*call.arg, row, ctx_));
          }
          if (call.delimiter != nullptr) {
            CAIRN_ASSIGN_OR_RETURN(Value delimiter, Evaluate(*call.delimiter, row, ctx_));
            std::vector<Value> keys;
            for (const auto& key : call.order_by) {
              CAIRN_ASSIGN_OR_RETURN(Value k, Evaluate(*key.expr, row, ctx_));
              keys.push_back(std::move(k));
            }
            groups[g].second[i]->AddOrdered(v, delimiter, std::move(keys));
            continue;
          }
          CAIRN_RETURN_IF_ERROR(groups[g].second[i]->Add(v));
        }
      }
    }
    for (auto& [key, accs] : groups) {
      Row out = key;
      for (const auto& acc : accs) {
        CAIRN_ASSIGN_OR_RETURN(Value v, acc->Result());
        out.push_back(std::move(v));
      }
      results_.push_back(std::move(out));
    }
    return absl::OkStatus();
  }

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  bool done_ = false;
  std::vector<Row> results_;
  size_t next_ = 0;
};

}  // namespace

OperatorPtr MakeAggregateOperator(const planner::PlanNode& plan, OperatorPtr child,
                                  ExecContext* ctx) {
  return std::make_unique<AggregateOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
