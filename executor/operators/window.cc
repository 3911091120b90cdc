// kWindow: reads all of its input, then computes each window call for every
// row from the rows of the row's partition, in the partition's ORDER BY
// order: ranking (row_number, rank, dense_rank, percent_rank, cume_dist,
// ntile), offsets (lag, lead, first_value, last_value, nth_value) and
// aggregates over the frame. Rows come out in input order with the results
// appended; a later Sort orders them.
#include <algorithm>
#include <numeric>

#include "common/error_code.h"
#include "common/interval.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/accumulator.h"

namespace cairn::executor {
namespace {

using planner::WindowCall;

class WindowOperator : public Operator {
 public:
  WindowOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (!computed_) CAIRN_RETURN_IF_ERROR(Compute());
    while (next_ < rows_.size() && batch->size() < kBatchSize) {
      batch->push_back(std::move(rows_[next_++]));
    }
    return !batch->empty();
  }

 private:
  absl::Status Compute() {
    computed_ = true;
    RowBatch input;
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
      if (!more) break;
      for (Row& r : input) rows_.push_back(std::move(r));
      CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
    }
    const size_t width = rows_.empty() ? 0 : rows_[0].size();
    std::vector<std::vector<Value>> results(plan_.windows.size(), std::vector<Value>(rows_.size()));
    for (size_t w = 0; w < plan_.windows.size(); ++w) {
      CAIRN_RETURN_IF_ERROR(ComputeCall(plan_.windows[w], &results[w]));
    }
    for (size_t r = 0; r < rows_.size(); ++r) {
      rows_[r].resize(width);
      for (auto& result : results) rows_[r].push_back(std::move(result[r]));
    }
    return absl::OkStatus();
  }

  absl::Status ComputeCall(const WindowCall& call, std::vector<Value>* out) {
    // Each row's partition and order keys, then the rows sorted by them.
    const size_t n = rows_.size();
    std::vector<std::vector<Value>> partition(n), order(n), args(n);
    for (size_t r = 0; r < n; ++r) {
      for (const auto& e : call.partition_by) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, rows_[r], ctx_));
        partition[r].push_back(std::move(v));
      }
      for (const auto& k : call.order_by) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*k.expr, rows_[r], ctx_));
        order[r].push_back(std::move(v));
      }
      for (const auto& a : call.args) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*a, rows_[r], ctx_));
        args[r].push_back(std::move(v));
      }
    }
    auto compare_partition = [&](size_t a, size_t b) {
      for (size_t k = 0; k < call.partition_by.size(); ++k) {
        const int c = CompareValues(partition[a][k], partition[b][k]);
        if (c != 0) return c;
      }
      return 0;
    };
    auto compare_order = [&](size_t a, size_t b) {
      for (size_t k = 0; k < call.order_by.size(); ++k) {
        const int c = CompareForSort(order[a][k], order[b][k], call.order_by[k]);
        if (c != 0) return c;
      }
      return 0;
    };
    std::vector<size_t> sorted(n);
    std::iota(sorted.begin(), sorted.end(), 0);
    std::stable_sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
      const int p = compare_partition(a, b);
      return p != 0 ? p < 0 : compare_order(a, b) < 0;
    });
    for (size_t begin = 0; begin < n;) {
      size_t end = begin + 1;
      while (end < n && compare_partition(sorted[begin], sorted[end]) == 0) ++end;
      std::vector<size_t> part(sorted.begin() + begin, sorted.begin() + end);
      CAIRN_RETURN_IF_ERROR(ComputePartition(call, part, compare_order, args, order, out));
      begin = end;
    }
    return absl::OkStatus();
  }

  template <typename CompareOrder>
  absl::Status ComputePartition(const WindowCall& call, const std::vector<size_t>& part,
                                const CompareOrder& compare_order,
                                const std::vector<std::vector<Value>>& args,
                                const std::vector<std::vector<Value>>& order,
                                std::vector<Value>* out) {
    const std::string& f = call.function;
    const int64_t n = static_cast<int64_t>(part.size());
    // peers_end[i]: one past the last row ordered equal to row i.
    std::vector<int64_t> peers_begin(n), peers_end(n);
    for (int64_t i = 0; i < n;) {
      int64_t j = i + 1;
      while (j < n && compare_order(part[i], part[j]) == 0) ++j;
      for (int64_t k = i; k < j; ++k) peers_begin[k] = i, peers_end[k] = j;
      i = j;
    }
    auto result = [&](int64_t i) -> Value& { return (*out)[part[i]]; };
    if (f == "row_number") {
      for (int64_t i = 0; i < n; ++i) result(i) = Value::Int64(i + 1);
      return absl::OkStatus();
    }
    if (f == "rank" || f == "dense_rank" || f == "percent_rank" || f == "cume_dist") {
      int64_t dense = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (peers_begin[i] == i) ++dense;
        const int64_t rank = peers_begin[i] + 1;
        if (f == "rank") result(i) = Value::Int64(rank);
        if (f == "dense_rank") result(i) = Value::Int64(dense);
        if (f == "percent_rank") {
          result(i) = Value::Float64(n > 1 ? static_cast<double>(rank - 1) / (n - 1) : 0.0);
        }
        if (f == "cume_dist") {
          result(i) = Value::Float64(static_cast<double>(peers_end[i]) / static_cast<double>(n));
        }
      }
      return absl::OkStatus();
    }
    if (f == "ntile") {
      for (int64_t i = 0; i < n; ++i) {
        const Value& buckets_value = args[part[i]][0];
        if (buckets_value.is_null()) {
          result(i) = Value::Null(TypeId::kInt32);
          continue;
        }
        const int64_t buckets = buckets_value.int_value();
        if (buckets <= 0) {
          return MakeError(ErrorCode::kInvalidArgumentForNtile,
                           "argument of ntile must be greater than zero");
        }
        // The first n % buckets buckets get one row more.
        const int64_t base = n / buckets, extra = n % buckets;
        const int64_t big = extra * (base + 1);
        const int64_t bucket = i < big ? i / (base + 1) : extra + (i - big) / std::max<int64_t>(base, 1);
        result(i) = Value::Int32(bucket + 1);
      }
      return absl::OkStatus();
    }
    if (f == "lag" || f == "lead") {
      for (int64_t i = 0; i < n; ++i) {
        const auto& a = args[part[i]];
        int64_t offset = 1;
        if (a.size() >= 2) {
          if (a[1].is_null()) {
            result(i) = Value::NullOf(call.type);
            continue;
          }
          offset = a[1].int_value();
        }
        const int64_t j = f == "lag" ? i - offset : i + offset;
        if (j >= 0 && j < n) {
          result(i) = args[part[j]][0];
        } else {
          result(i) = a.size() == 3 ? a[2] : Value::NullOf(call.type);
        }
      }
      return absl::OkStatus();
    }
    // The rest read the frame of each row: [frame_begin, frame_end).
    for (int64_t i = 0; i < n; ++i) {
      int64_t begin = 0, end = call.order_by.empty() ? n : peers_end[i];
      if (call.has_frame) {
        if (!call.rows && (call.start_offset || call.end_offset)) {
          CAIRN_ASSIGN_OR_RETURN(begin, RangeEdge(call, call.start, call.start_offset.get(), true,
                                                  i, part, order, peers_begin, peers_end));
          CAIRN_ASSIGN_OR_RETURN(end, RangeEdge(call, call.end, call.end_offset.get(), false, i,
                                                part, order, peers_begin, peers_end));
        } else {
          CAIRN_ASSIGN_OR_RETURN(begin, FrameEdge(call.start, call.start_offset.get(), true, i, n,
                                                  peers_begin, peers_end, call.rows));
          CAIRN_ASSIGN_OR_RETURN(end, FrameEdge(call.end, call.end_offset.get(), false, i, n,
                                                peers_begin, peers_end, call.rows));
        }
        end = std::max(begin, end);
      }
      if (f == "first_value" || f == "last_value" || f == "nth_value") {
        int64_t at = f == "first_value" ? begin : end - 1;
        if (f == "nth_value") {
          const Value& nth = args[part[i]][1];
          if (nth.is_null()) {
            result(i) = Value::NullOf(call.type);
            continue;
          }
          if (nth.int_value() <= 0) {
            return MakeError(ErrorCode::kInvalidArgumentForNthValue,
                             "argument of nth_value must be greater than zero");
          }
          at = begin + nth.int_value() - 1;
        }
        result(i) = at >= begin && at < end ? args[part[at]][0] : Value::NullOf(call.type);
        continue;
      }
      // An aggregate over the frame.
      planner::AggregateCall agg;
      agg.function = f;
      agg.type = call.type;
      if (!call.args.empty()) agg.arg = call.args[0]->Clone();
      Accumulator acc(agg);
      for (int64_t j = begin; j < end; ++j) {
        CAIRN_RETURN_IF_ERROR(acc.Add(call.args.empty() ? Value::Int64(1) : args[part[j]][0]));
      }
      CAIRN_ASSIGN_OR_RETURN(result(i), acc.Result());
      if (i % 1024 == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
    }
    return absl::OkStatus();
  }

  // `v` moved by `distance` (added, or taken away): a number by a number of
  // its type, a date or timestamp by an interval (a date becomes its
  // midnight), an interval by an interval.
  static absl::StatusOr<Value> Shift(const Value& v, const Value& distance, bool add) {
    switch (v.type()) {
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64: {
        int64_t r;
        if (add ? __builtin_add_overflow(v.int_value(), distance.int_value(), &r)
                : __builtin_sub_overflow(v.int_value(), distance.int_value(), &r)) {
          r = (add == (distance.int_value() >= 0)) ? INT64_MAX : INT64_MIN;  // past every key
        }
        return Value::Int64(r);
      }
      case TypeId::kFloat32:
      case TypeId::kFloat64:
        return Value::Float64(add ? v.float_value() + distance.float_value()
                                  : v.float_value() - distance.float_value());
      case TypeId::kNumeric: {
        CAIRN_ASSIGN_OR_RETURN(Numeric r, add ? v.numeric_value().Add(distance.numeric_value())
                                              : v.numeric_value().Sub(distance.numeric_value()));
        return Value::Num(r);
      }
      case TypeId::kInterval: {
        Interval d = distance.interval_value();
        if (!add) {
          CAIRN_ASSIGN_OR_RETURN(d, NegateInterval(d));
        }
        CAIRN_ASSIGN_OR_RETURN(Interval r, AddIntervals(v.interval_value(), d));
        return Value::FromInterval(r);
      }
      default: {
        const int64_t micros = v.type() == TypeId::kDate
                                   ? int64_t{v.date_value()} * 86400000000LL
                                   : v.micros_value();
        Interval d = distance.interval_value();
        if (!add) {
          CAIRN_ASSIGN_OR_RETURN(d, NegateInterval(d));
        }
        absl::StatusOr<int64_t> r = AddIntervalToTimestamp(micros, d);
        // Past the end of time: beyond every key.
        const int64_t bound = r.ok() ? *r : ((add == (CompareIntervals(distance.interval_value(), Interval{}) >= 0)) ? INT64_MAX : INT64_MIN);
        return Value::Timestamp(v.type() == TypeId::kTimestampTz ? TypeId::kTimestampTz
                                                                 : TypeId::kTimestamp,
                                bound);
      }
    }
  }

  // A RANGE frame bound with an offset: the rows whose ORDER BY value lies
  // within `offset` of row i's (before it for PRECEDING, in the sort's
  // direction). A NULL value's frame is its NULL peers.
  absl::StatusOr<int64_t> RangeEdge(const WindowCall& call, WindowCall::Bound bound,
                                    const planner::BoundExpr* offset, bool start, int64_t i,
                                    const std::vector<size_t>& part,
                                    const std::vector<std::vector<Value>>& order,
                                    const std::vector<int64_t>& peers_begin,
                                    const std::vector<int64_t>& peers_end) {
    const int64_t n = static_cast<int64_t>(part.size());
    if (bound != WindowCall::Bound::kPreceding && bound != WindowCall::Bound::kFollowing) {
      return FrameEdge(bound, offset, start, i, n, peers_begin, peers_end, /*rows=*/false);
    }
    const Value& v = order[part[i]][0];
    if (v.is_null()) return start ? peers_begin[i] : peers_end[i];
    static const Row kNoRow;
    CAIRN_ASSIGN_OR_RETURN(Value distance, Evaluate(*offset, kNoRow, ctx_));
    const bool negative =
        distance.is_null() ||
        (distance.type() == TypeId::kInterval ? CompareIntervals(distance.interval_value(), Interval{}) < 0
                                              : CompareValues(distance, Value::Int64(0)) < 0);
    if (negative) {
      return MakeError(ErrorCode::kInvalidPrecedingOrFollowingSize,
                       "invalid preceding or following size in window function");
    }
    const bool descending = call.order_by[0].descending;
    // PRECEDING moves against the sort's direction, FOLLOWING with it.
    const bool add = (bound == WindowCall::Bound::kFollowing) != descending;
    CAIRN_ASSIGN_OR_RETURN(Value edge, Shift(v, distance, add));
    // How `key` sorts against the edge, in the partition's order.
    auto sorted_compare = [&](const Value& key) {
      const int c = CompareValues(key, edge);
      return descending ? -c : c;
    };
    // The non-NULL values are contiguous, in order: search them.
    int64_t lo = 0, hi = n;
    while (lo < n && order[part[lo]][0].is_null()) ++lo;
    while (hi > lo && order[part[hi - 1]][0].is_null()) --hi;
    if (start) {
      // The first row at or past the edge.
      int64_t a = lo, b = hi;
      while (a < b) {
        const int64_t m = (a + b) / 2;
        if (sorted_compare(order[part[m]][0]) < 0) {
          a = m + 1;
        } else {
          b = m;
        }
      }
      return a;
    }
    // One past the last row at or before the edge.
    int64_t a = lo, b = hi;
    while (a < b) {
      const int64_t m = (a + b) / 2;
      if (sorted_compare(order[part[m]][0]) <= 0) {
        a = m + 1;
      } else {
        b = m;
      }
    }
    return a;
  }

  // Where a frame bound puts the frame's start (`start`) or end (one past
  // the last row) for row `i`.
  absl::StatusOr<int64_t> FrameEdge(WindowCall::Bound bound, const planner::BoundExpr* offset,
                                    bool start, int64_t i, int64_t n,
                                    const std::vector<int64_t>& peers_begin,
                                    const std::vector<int64_t>& peers_end, bool rows) {
    switch (bound) {
      case WindowCall::Bound::kUnboundedPreceding: return 0;
      case WindowCall::Bound::kUnboundedFollowing: return n;
      case WindowCall::Bound::kCurrentRow:
        if (rows) return start ? i : i + 1;
        return start ? peers_begin[i] : peers_end[i];
      case WindowCall::Bound::kPreceding:
      case WindowCall::Bound::kFollowing: {
        static const Row kNoRow;
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*offset, kNoRow, ctx_));
        if (v.is_null() || v.int_value() < 0) {
          return MakeError(ErrorCode::kInvalidPrecedingOrFollowingSize,
                           "frame starting offset must not be negative");
        }
        const int64_t k = bound == WindowCall::Bound::kPreceding ? -v.int_value() : v.int_value();
        return std::clamp<int64_t>(i + k + (start ? 0 : 1), 0, n);
      }
    }
    return 0;
  }

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  bool computed_ = false;
  std::vector<Row> rows_;
  size_t next_ = 0;
};

}  // namespace

OperatorPtr MakeWindowOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx) {
  return std::make_unique<WindowOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
