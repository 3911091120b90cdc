// A scan fragment's run (executor/scan_fragment.h) over encoded table rows and
// index entries, read back as the gateway reads it: filters, columns, limits,
// answer sizes, covering indexes, partial aggregates, errors.

#include "fragment_test_support.h"

namespace cairn::executor {
namespace {

using namespace fragment_test;  // NOLINT: the shared helpers of these tests

// ---------------------------------------------------------------------------
// A scan fragment's run

// t (id BIGINT PRIMARY KEY, g INT, v NUMERIC, s TEXT, flag BOOL) with an
// index t_g ON t (g) INCLUDE (v) whose entries hold v.
proto::TableDescriptor TableT() {
  proto::TableDescriptor d;
  d.set_id(100);
  d.set_database_id(1);
  d.set_name("t");
  struct Column {
    const char* name;
    TypeId type;
    bool nullable;
  };
  const Column columns[] = {{"id", TypeId::kInt64, false},
                            {"g", TypeId::kInt32, true},
                            {"v", TypeId::kNumeric, true},
                            {"s", TypeId::kText, true},
                            {"flag", TypeId::kBool, true}};
  uint32_t id = 1;
  for (const Column& c : columns) {
    proto::ColumnDescriptor* col = d.add_columns();
    col->set_id(id++);
    col->set_name(c.name);
    col->set_type_id(static_cast<uint32_t>(c.type));
    col->set_precision(-1);
    col->set_scale(-1);
    col->set_nullable(c.nullable);
  }
  d.mutable_primary_index()->set_id(1);
  d.mutable_primary_index()->set_name("t_pkey");
  d.mutable_primary_index()->set_unique(true);
  d.mutable_primary_index()->add_column_ids(1);
  proto::IndexDescriptor* index = d.add_indexes();
  index->set_id(2);
  index->set_name("t_g");
  index->add_column_ids(2);
  index->add_storing_column_ids(3);
  index->set_stores_included_values(true);
  d.set_next_column_id(id);
  d.set_next_index_id(3);
  return d;
}

// Row i of t: g NULL for multiples of 7, v = i * 1.5, s NULL for multiples
// of 11, flag NULL for multiples of 13.
Row RowOfT(int64_t i) {
  return Row{Value::Int64(i), i % 7 == 0 ? Value::Null(TypeId::kInt32) : Value::Int32(i % 5),
             Num(std::to_string(i * 3 / 2) + (i % 2 == 0 ? ".0" : ".5")),
             i % 11 == 0 ? Value::Null(TypeId::kText) : Value::Text("name" + std::to_string(i)),
             i % 13 == 0 ? Value::Null(TypeId::kBool) : Value::Bool(i % 3 != 0)};
}

class ScanFragmentTest : public ::testing::Test {
 protected:
  static constexpr int64_t kRows = 300;

  ScanFragmentTest() : table_(std::make_shared<catalog::TableInfo>(TableT())) {
    for (int64_t i = 1; i <= kRows; ++i) {
      Row row = RowOfT(i);
      kvs_.push_back(
          {catalog::EncodePrimaryKey(*table_, row), catalog::EncodeRowValue(*table_, row)});
      catalog::IndexEntry entry = catalog::EncodeIndexEntry(*table_, table_->indexes()[0], row);
      index_kvs_.push_back({entry.key, entry.value});
      rows_.push_back(std::move(row));
    }
    std::sort(kvs_.begin(), kvs_.end());
    std::sort(index_kvs_.begin(), index_kvs_.end());
  }

  proto::ScanFragmentProto Fragment() const {
    proto::ScanFragmentProto p;
    *p.mutable_table() = table_->descriptor();
    return p;
  }

  // The proto of `e`, as EncodeScanFragment ships it.
  static proto::ExprProto Ship(const BoundExpr& e) {
    ExecContext ctx;
    absl::StatusOr<proto::ExprProto> p = ExprToProto(e, &ctx);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : proto::ExprProto();
  }

  // A scan plan node over t reading the fragment `p` describes.
  planner::PlanNode ScanNode(const proto::ScanFragmentProto& p) const {
    planner::PlanNode scan(planner::PlanKind::kScan);
    scan.table = table_;
    scan.pushdown.enabled = true;
    scan.pushdown.filter = p.has_filter();
    scan.pushdown.columns.assign(p.columns().begin(), p.columns().end());
    scan.pushdown.partial_aggregate = p.partial_aggregate();
    return scan;
  }

  struct RunResult {
    std::vector<Row> rows;  // as ReadScanFragmentOutput gives them
    size_t added = 0;       // rows the run took before it wanted no more
    bool stopped = false;   // Add returned false
  };

  // Runs `p` over `kvs` [from, to) (one request), as a leaseholder would.
  RunResult Run(const proto::ScanFragmentProto& p,
                const std::vector<std::pair<std::string, std::string>>& kvs, size_t from,
                size_t to) const {
    RunResult out;
    absl::StatusOr<std::shared_ptr<const ScanFragment>> fragment =
        DecodeScanFragment(p.SerializeAsString());
    EXPECT_TRUE(fragment.ok()) << fragment.status();
    if (!fragment.ok()) return out;
    std::unique_ptr<kv::FragmentRun> run = NewScanFragmentRun(*fragment);
    for (size_t i = from; i < to; ++i) {
      absl::StatusOr<bool> more = run->Add(kvs[i].first, kvs[i].second);
      EXPECT_TRUE(more.ok()) << more.status();
      ++out.added;
      if (!more.ok()) return out;
      if (!*more) {
        out.stopped = true;
        break;
      }
    }
    absl::StatusOr<std::string> output = run->Finish();
    EXPECT_TRUE(output.ok()) << output.status();
    if (!output.ok()) return out;
    absl::Status s = ReadScanFragmentOutput(*output, ScanNode(p), &out.rows);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // The filter g = 2 AND v > 30 (on t's columns).
  static BoundExprPtr Filter() {
    return Node(
        BoundExprKind::kAnd, kBool,
        Children(Compare(planner::CompareOp::kEq, BoundExpr::Column(1, kInt, "g"), IntConst(2)),
                 Compare(planner::CompareOp::kGt, BoundExpr::Column(2, kNumeric, "v"),
                         BoundExpr::Constant(Num("30"), kNumeric))));
  }

  std::shared_ptr<const catalog::TableInfo> table_;
  std::vector<Row> rows_;  // by id
  std::vector<std::pair<std::string, std::string>> kvs_;
  std::vector<std::pair<std::string, std::string>> index_kvs_;
};

// Only the rows passing the filter come back, with the columns asked for
// and the others NULL.
TEST_F(ScanFragmentTest, FilterAndColumns) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*Filter());
  p.add_columns(0);
  p.add_columns(3);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_FALSE(got.stopped);

  std::vector<Row> expected;
  ExecContext ctx;
  BoundExprPtr filter = Filter();
  for (const Row& row : rows_) {
    absl::StatusOr<bool> pass = EvaluatePredicate(*filter, row, &ctx);
    ASSERT_TRUE(pass.ok());
    if (!*pass) continue;
    expected.push_back(Row{row[0], Value::Null(TypeId::kInt32), Value::Null(TypeId::kNumeric),
                           row[3], Value::Null(TypeId::kBool)});
  }
  ASSERT_GT(expected.size(), 10u);
  ASSERT_EQ(got.rows.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) ExpectSameRow(expected[i], got.rows[i]);
}

// Without a filter every row comes back; with every column, as stored.
TEST_F(ScanFragmentTest, NoFilterEveryColumn) {
  proto::ScanFragmentProto p = Fragment();
  for (int c = 0; c < 5; ++c) p.add_columns(c);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  ASSERT_EQ(got.rows.size(), rows_.size());
  for (size_t i = 0; i < rows_.size(); ++i) ExpectSameRow(rows_[i], got.rows[i]);
}

// With a limit, Add answers false at the limit-th row kept (rows filtered
// out do not count), and the output holds exactly that many rows.
TEST_F(ScanFragmentTest, LimitStopsTheRun) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*Filter());
  p.add_columns(0);
  p.set_limit(3);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.stopped);
  ASSERT_EQ(got.rows.size(), 3u);
  // The third row kept was the last one added.
  std::vector<int64_t> kept_ids;
  for (const Row& row : rows_) {
    if (!row[1].is_null() && row[1].int_value() == 2 && !row[2].is_null() &&
        CompareValues(row[2], Num("30")) > 0) {
      kept_ids.push_back(row[0].int_value());
    }
  }
  ASSERT_GE(kept_ids.size(), 3u);
  EXPECT_EQ(got.added, static_cast<size_t>(kept_ids[2]));  // ids are 1..n in key order
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(got.rows[i][0].int_value(), kept_ids[i]);

  // Limit 1 stops at the first row kept.
  p.set_limit(1);
  got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.stopped);
  EXPECT_EQ(got.added, static_cast<size_t>(kept_ids[0]));
  EXPECT_EQ(got.rows.size(), 1u);

  // Fewer rows than the limit: the run never stops early.
  p.clear_filter();
  p.set_limit(kRows + 1);
  got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_FALSE(got.stopped);
  EXPECT_EQ(got.rows.size(), static_cast<size_t>(kRows));
}

// An answer stops once its rows take max_output_bytes.
TEST_F(ScanFragmentTest, OutputSizeStopsTheRun) {
  proto::ScanFragmentProto p = Fragment();
  for (int c = 0; c < 5; ++c) p.add_columns(c);
  p.set_max_output_bytes(500);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.stopped);
  EXPECT_GT(got.rows.size(), 1u);
  EXPECT_LT(got.rows.size(), 50u);
  EXPECT_EQ(got.rows.size(), got.added);
}

// A covering index's entries: the row holds the indexed, stored and key
// columns.
TEST_F(ScanFragmentTest, CoveringIndexEntries) {
  proto::ScanFragmentProto p = Fragment();
  p.set_index_id(2);
  *p.mutable_filter() = Ship(*Filter());
  p.add_columns(0);
  p.add_columns(1);
  p.add_columns(2);
  RunResult got = Run(p, index_kvs_, 0, index_kvs_.size());
  std::vector<Row> expected;
  for (const Row& row : rows_) {
    if (!row[1].is_null() && row[1].int_value() == 2 && CompareValues(row[2], Num("30")) > 0) {
      expected.push_back(
          Row{row[0], row[1], row[2], Value::Null(TypeId::kText), Value::Null(TypeId::kBool)});
    }
  }
  ASSERT_EQ(got.rows.size(), expected.size());  // g = 2 only: in id order within the group
  for (size_t i = 0; i < expected.size(); ++i) ExpectSameRow(expected[i], got.rows[i]);
}

// Partial aggregates: each "range" (a third of the rows) sends per group
// its values, then (state, count) per call; merging them gives what one
// aggregation over the filtered rows gives.
TEST_F(ScanFragmentTest, PartialAggregatesMergeToTheWholeAggregate) {
  // SELECT g, count(*), count(s), sum(v), avg(id), min(s), max(v), bool_and(flag),
  //        bool_or(flag) FROM t WHERE v > 30 GROUP BY g
  BoundExprPtr filter = Compare(planner::CompareOp::kGt, BoundExpr::Column(2, kNumeric, "v"),
                                BoundExpr::Constant(Num("30"), kNumeric));
  struct Agg {
    const char* function;
    int column;  // -1: *
  };
  const Agg aggs[] = {{"count", -1}, {"count", 3}, {"sum", 2},      {"avg", 0},
                      {"min", 3},    {"max", 2},   {"bool_and", 4}, {"bool_or", 4}};
  std::vector<planner::AggregateCall> calls;
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*filter);
  p.set_partial_aggregate(true);
  *p.add_group_by() = Ship(*BoundExpr::Column(1, kInt, "g"));
  for (const Agg& a : aggs) {
    planner::AggregateCall call;
    call.function = a.function;
    SqlType arg = SqlType::Of(TypeId::kInt64);
    if (a.column >= 0) {
      arg = table_->columns()[a.column].type;
      call.arg = BoundExpr::Column(a.column, arg, table_->columns()[a.column].name);
    }
    absl::StatusOr<SqlType> type = planner::AggregateResultType(a.function, arg, 0);
    ASSERT_TRUE(type.ok()) << type.status();
    call.type = *type;
    proto::AggregateProto* ap = p.add_aggregates();
    ap->set_function(call.function);
    if (call.arg) *ap->mutable_arg() = Ship(*call.arg);
    *ap->mutable_type() = SqlTypeToProto(call.type);
    calls.push_back(std::move(call));
  }

  // Three ranges' answers, merged per group as the Finalize Aggregate does.
  std::vector<Row> partial_rows;
  const size_t n = kvs_.size();
  const std::vector<std::pair<size_t, size_t>> ranges = {{0, n / 3}, {n / 3, n / 2}, {n / 2, n}};
  for (auto [from, to] : ranges) {
    RunResult got = Run(p, kvs_, from, to);
    EXPECT_FALSE(got.stopped);
    for (Row& row : got.rows) {
      ASSERT_EQ(row.size(), 1 + 2 * calls.size()) << RowText(row);
      partial_rows.push_back(std::move(row));
    }
  }
  using Accumulators = std::vector<std::unique_ptr<Accumulator>>;
  auto fresh = [&] {
    Accumulators accs;
    for (const auto& call : calls) accs.push_back(std::make_unique<Accumulator>(call));
    return accs;
  };
  absl::flat_hash_map<Row, Accumulators, RowHash, RowEq> merged, direct;
  for (const Row& row : partial_rows) {
    auto it = merged.find(Row{row[0]});
    if (it == merged.end()) it = merged.emplace(Row{row[0]}, fresh()).first;
    for (size_t i = 0; i < calls.size(); ++i) {
      ASSERT_TRUE(it->second[i]->AddPartial(row[1 + 2 * i], row[2 + 2 * i].int_value()).ok());
    }
  }
  ExecContext ctx;
  for (const Row& row : rows_) {
    absl::StatusOr<bool> pass = EvaluatePredicate(*filter, row, &ctx);
    ASSERT_TRUE(pass.ok());
    if (!*pass) continue;
    auto it = direct.find(Row{row[1]});
    if (it == direct.end()) it = direct.emplace(Row{row[1]}, fresh()).first;
    for (size_t i = 0; i < calls.size(); ++i) {
      ASSERT_TRUE(it->second[i]->Add(calls[i].arg ? row[aggs[i].column] : Value::Int64(1)).ok());
    }
  }
  ASSERT_EQ(merged.size(), direct.size());
  EXPECT_EQ(direct.size(), 6u);  // g in 0..4 and NULL
  for (const auto& [key, accs] : direct) {
    SCOPED_TRACE("group " + RowText(key));
    auto it = merged.find(key);
    ASSERT_NE(it, merged.end());
    for (size_t i = 0; i < calls.size(); ++i) {
      absl::StatusOr<Value> want = accs[i]->Result();
      absl::StatusOr<Value> have = it->second[i]->Result();
      ASSERT_TRUE(want.ok() && have.ok());
      EXPECT_EQ(Difference(*want, *have), "") << aggs[i].function;
    }
  }
}

// A partial aggregate without GROUP BY over rows none of which pass sends
// nothing: the gateway's aggregate makes the one row (count 0).
TEST_F(ScanFragmentTest, PartialAggregateOverNoRowsSendsNothing) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() =
      Ship(*Compare(planner::CompareOp::kLt,
                    BoundExpr::Column(0, SqlType::Of(TypeId::kInt64), "id"), IntConst(0)));
  p.set_partial_aggregate(true);
  p.add_aggregates()->set_function("count");
  *p.mutable_aggregates(0)->mutable_type() = SqlTypeToProto(SqlType::Of(TypeId::kInt64));
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.rows.empty());
  // Over rows that pass: one row, (NULL state, count).
  p.clear_filter();
  got = Run(p, kvs_, 0, 10);
  ASSERT_EQ(got.rows.size(), 1u);
  ASSERT_EQ(got.rows[0].size(), 2u);
  EXPECT_EQ(got.rows[0][1].int_value(), 10);
}

// A filter's error stops the run with its code (22012 at the client).
TEST_F(ScanFragmentTest, FilterErrorKeepsItsCode) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*Compare(
      planner::CompareOp::kEq,
      Arith(planner::ArithOp::kDiv, BoundExpr::Column(1, kInt, "g"), IntConst(0)), IntConst(1)));
  absl::StatusOr<std::shared_ptr<const ScanFragment>> fragment =
      DecodeScanFragment(p.SerializeAsString());
  ASSERT_TRUE(fragment.ok()) << fragment.status();
  std::unique_ptr<kv::FragmentRun> run = NewScanFragmentRun(*fragment);
  absl::StatusOr<bool> more = run->Add(kvs_[0].first, kvs_[0].second);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(GetErrorCode(more.status()), ErrorCode::kDivisionByZero) << more.status();
}

// A leaseholder refuses fragments that read what the table lacks.
TEST_F(ScanFragmentTest, MalformedFragmentsAreRefused) {
  EXPECT_FALSE(DecodeScanFragment("\xff\xff\xff not a proto").ok());
  {
    proto::ScanFragmentProto p = Fragment();
    p.add_columns(5);
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    p.add_columns(-1);
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    *p.mutable_filter() =
        Ship(*Compare(planner::CompareOp::kEq, BoundExpr::Column(9, kInt, "nine"), IntConst(1)));
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    p.set_index_id(77);
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    p.set_partial_aggregate(true);
    proto::AggregateProto* a = p.add_aggregates();
    a->set_function("sum");
    *a->mutable_arg() = Ship(*BoundExpr::Column(6, kInt, "six"));
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
}

}  // namespace
}  // namespace cairn::executor
