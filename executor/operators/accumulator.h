#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/error_code.h"
#include "common/numeric.h"
#include "common/value.h"
#include "common/value_text.h"
#include "executor/json_functions.h"
#include "executor/operator.h"
#include "planner/plan.h"

namespace cairn::executor {

// The running state of one aggregate call over a group of rows (or a
// window's frame): values are added one at a time, Result() at any point.
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

  // array_agg, json_agg, jsonb_agg: every value, NULLs too, with its ORDER
  // BY keys.
  static bool Collects(const std::string& function) {
    return function == "array_agg" || function == "json_agg" || function == "jsonb_agg";
  }
  absl::Status AddCollected(const Value& v, std::vector<Value> keys) {
    if (call_.distinct && !distinct_.insert(v).second) return absl::OkStatus();
    collected_.push_back({std::move(keys), v});
    return absl::OkStatus();
  }

  absl::Status Add(const Value& v) {
    if (Collects(call_.function)) return AddCollected(v, {});
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
    } else if (v.type() == TypeId::kInterval) {
      CAIRN_ASSIGN_OR_RETURN(interval_sum_, AddIntervals(interval_sum_, v.interval_value()));
    } else {
      Numeric n = v.type() == TypeId::kNumeric ? v.numeric_value() : Numeric::FromInt(v.int_value());
      CAIRN_ASSIGN_OR_RETURN(numeric_sum_, numeric_sum_.Add(n));
    }
    return absl::OkStatus();
  }

  // Aggregation in two steps (a range's leaseholder aggregates its rows,
  // the gateway merges what the ranges sent): the state of count, sum, avg,
  // min, max and bool_and/bool_or as one value (NULL before any value; the
  // sum for sum and avg), beside count(), the number of values in it.
  int64_t count() const { return count_; }
  Value PartialState() const {
    const std::string& f = call_.function;
    const TypeId t = call_.type.id;
    if (f == "count") return Value::Null(TypeId::kInt64);
    if (count_ == 0) return Value::Null(f == "min" || f == "max" ? call_.type.id : t);
    if (f == "bool_and" || f == "every" || f == "bool_or") return Value::Bool(bool_);
    if (f == "min" || f == "max") return best_;
    if (t == TypeId::kInterval) return Value::FromInterval(interval_sum_);
    if (t == TypeId::kInt64) return Value::Int64(int_sum_);
    if (t == TypeId::kFloat32 || t == TypeId::kFloat64) return Value::Float64(float_sum_);
    return Value::Num(numeric_sum_);
  }
  // Merges another part's PartialState() and count() into this one.
  absl::Status AddPartial(const Value& state, int64_t count) {
    const bool had_values = count_ > 0;
    count_ += count;
    if (state.is_null()) return absl::OkStatus();
    const std::string& f = call_.function;
    const TypeId t = call_.type.id;
    if (f == "bool_and" || f == "every") {
      bool_ = (!had_values || bool_) && state.bool_value();
    } else if (f == "bool_or") {
      bool_ = (had_values && bool_) || state.bool_value();
    } else if (f == "min" || f == "max") {
      if (best_.is_null() ||
          (f == "min" ? CompareValues(state, best_) < 0 : CompareValues(state, best_) > 0)) {
        best_ = state;
      }
    } else if (t == TypeId::kInterval) {
      CAIRN_ASSIGN_OR_RETURN(interval_sum_, AddIntervals(interval_sum_, state.interval_value()));
    } else if (t == TypeId::kInt64) {
      if (__builtin_add_overflow(int_sum_, state.int_value(), &int_sum_)) {
        return MakeError(ErrorCode::kNumericValueOutOfRange, "bigint out of range");
      }
    } else if (t == TypeId::kFloat32 || t == TypeId::kFloat64) {
      float_sum_ += state.float_value();
    } else {
      CAIRN_ASSIGN_OR_RETURN(numeric_sum_, numeric_sum_.Add(state.numeric_value()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Value> Result() const {
    const std::string& f = call_.function;
    if (f == "string_agg") return StringAggResult();
    if (Collects(f)) return CollectedResult();
    if (f == "count") return Value::Int64(count_);
    if (count_ == 0) return Value::Null(call_.type.id);
    if (f == "bool_and" || f == "every" || f == "bool_or") return Value::Bool(bool_);
    if (f == "min" || f == "max") return best_;
    TypeId t = call_.type.id;
    if (t == TypeId::kInterval) {
      if (f == "sum") return Value::FromInterval(interval_sum_);
      CAIRN_ASSIGN_OR_RETURN(Interval avg,
                             DivideInterval(interval_sum_, static_cast<double>(count_)));
      return Value::FromInterval(avg);
    }
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

  absl::StatusOr<Value> CollectedResult() const {
    if (collected_.empty()) return Value::NullOf(call_.type);
    std::vector<const Collected*> order;
    for (const Collected& c : collected_) order.push_back(&c);
    std::stable_sort(order.begin(), order.end(), [&](const Collected* a, const Collected* b) {
      for (size_t k = 0; k < call_.order_by.size() && k < a->keys.size(); ++k) {
        const int c = CompareForSort(a->keys[k], b->keys[k], call_.order_by[k]);
        if (c != 0) return c < 0;
      }
      return false;
    });
    if (call_.function == "array_agg") {
      std::vector<Value> elements;
      for (const Collected* c : order) elements.push_back(c->value);
      return Value::Array(call_.type.element, std::move(elements));
    }
    std::string out = "[";
    for (size_t i = 0; i < order.size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(std::string item, ToJsonText(order[i]->value));
      out += (i > 0 ? ", " : "") + item;
    }
    out += "]";
    if (call_.type.id == TypeId::kJson) return Value::String(TypeId::kJson, std::move(out));
    return ParseValue(out, SqlType::Of(TypeId::kJsonb));  // jsonb's normal form
  }

  struct Collected {
    std::vector<Value> keys;
    Value value;
  };
  std::vector<Collected> collected_;  // array_agg, json[b]_agg

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
  Interval interval_sum_;
  Value best_;
  struct ValueHash {
    size_t operator()(const Value& v) const { return HashValue(v); }
  };
  struct ValueEq {
    bool operator()(const Value& a, const Value& b) const { return ValuesEqual(a, b); }
  };
  absl::flat_hash_set<Value, ValueHash, ValueEq> distinct_;
};

}  // namespace cairn::executor
