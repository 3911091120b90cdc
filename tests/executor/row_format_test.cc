// Rows as bytes (executor/row_format.h), as spilled rows and plan fragments'
// answers carry them: every type round-trips; truncated and corrupt input is
// an error, never a crash.

#include "fragment_test_support.h"

namespace cairn::executor {
namespace {

using namespace fragment_test;  // NOLINT: the shared helpers of these tests

// ---------------------------------------------------------------------------
// row_format

// One value of every TypeId (and NULLs of each, arrays of several element
// types, NULL arrays keeping their element type).
Row EveryKindOfValue() {
  Row row;
  for (TypeId t :
       {TypeId::kUnknown, TypeId::kBool, TypeId::kInt16, TypeId::kInt32, TypeId::kInt64,
        TypeId::kFloat32, TypeId::kFloat64, TypeId::kNumeric, TypeId::kText, TypeId::kVarchar,
        TypeId::kChar, TypeId::kBytea, TypeId::kDate, TypeId::kTimestamp, TypeId::kTimestampTz,
        TypeId::kUuid, TypeId::kJson, TypeId::kJsonb, TypeId::kInterval}) {
    row.push_back(Value::Null(t));
  }
  row.push_back(Value::NullArray(TypeId::kInt32));
  row.push_back(Value::NullArray(TypeId::kText));
  row.push_back(Value::NullArray(TypeId::kNumeric));
  row.push_back(Value::Bool(true));
  row.push_back(Value::Bool(false));
  row.push_back(Value::Int(TypeId::kInt16, -32768));
  row.push_back(Value::Int(TypeId::kInt32, 2147483647));
  row.push_back(Value::Int64(INT64_MIN));
  row.push_back(Value::Int64(0));
  row.push_back(Value::Float(TypeId::kFloat32, 1.5));
  row.push_back(Value::Float64(-0.1));
  row.push_back(Value::Float64(1e308));
  row.push_back(Value::Float64(std::numeric_limits<double>::infinity()));
  row.push_back(Value::Float64(std::nan("")));
  row.push_back(Num("12345678901234567890.1234567890"));
  row.push_back(Num("-0.00100"));
  row.push_back(Num("0"));
  row.push_back(Value::Text(""));
  row.push_back(Value::Text(std::string("nul\0inside", 10)));
  row.push_back(Value::Text("snowman \xe2\x98\x83, \"quoted\" {braced}"));
  row.push_back(Value::String(TypeId::kVarchar, "varchar"));
  row.push_back(Value::String(TypeId::kChar, "c   "));
  row.push_back(Value::Bytea(std::string("\x00\xff\x01\\x", 5)));
  row.push_back(Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", SqlType::Of(TypeId::kUuid)));
  row.push_back(Parse(R"({"b": [1, 2.5, null], "a" : "x"})", SqlType::Of(TypeId::kJson)));
  row.push_back(Parse(R"({"b": [1, 2.5, null], "a" : "x"})", SqlType::Of(TypeId::kJsonb)));
  row.push_back(Value::Date(-1));
  row.push_back(Parse("2024-02-29", SqlType::Of(TypeId::kDate)));
  row.push_back(Value::Timestamp(TypeId::kTimestamp, 1700000000123456));
  row.push_back(Value::Timestamp(TypeId::kTimestampTz, -86400000001));
  row.push_back(Value::FromInterval(Interval{14, -3, 3723000004}));
  row.push_back(Value::FromInterval(Interval{}));
  row.push_back(Value::Array(TypeId::kInt32,
                             {Value::Int32(1), Value::Null(TypeId::kInt32), Value::Int32(-3)}));
  row.push_back(Value::Array(TypeId::kInt64, {}));
  row.push_back(
      Value::Array(TypeId::kText, {Value::Text("a,b"), Value::Text(""), Value::Text("NULL"),
                                   Value::Null(TypeId::kText), Value::Text("q\"uote\\ {x}")}));
  row.push_back(Value::Array(TypeId::kNumeric, {Num("1.50"), Num("-2")}));
  row.push_back(Value::Array(TypeId::kFloat64, {Value::Float64(0.25), Value::Float64(-1e-5)}));
  row.push_back(Value::Array(TypeId::kBool, {Value::Bool(true), Value::Null(TypeId::kBool)}));
  row.push_back(Value::Array(TypeId::kDate, {Value::Date(19000)}));
  row.push_back(
      Value::Array(TypeId::kTimestampTz, {Value::Timestamp(TypeId::kTimestampTz, 1234567)}));
  return row;
}

TEST(RowFormatTest, EveryTypeRoundTrips) {
  const Row row = EveryKindOfValue();
  std::string bytes;
  AppendRow(row, &bytes);
  std::string_view in = bytes;
  Row back;
  ASSERT_TRUE(ReadRow(&in, &back).ok());
  EXPECT_TRUE(in.empty()) << in.size() << " bytes left";
  ExpectSameRow(row, back);
}

// Each value alone too: a failure names the value.
TEST(RowFormatTest, EachValueRoundTripsAlone) {
  for (const Value& v : EveryKindOfValue()) {
    std::string bytes;
    AppendRow(Row{v}, &bytes);
    std::string_view in = bytes;
    Row back;
    absl::Status s = ReadRow(&in, &back);
    ASSERT_TRUE(s.ok()) << (v.is_null() ? "NULL" : FormatValue(v)) << ": " << s;
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(Difference(v, back[0]), "") << (v.is_null() ? "NULL" : FormatValue(v));
    EXPECT_TRUE(in.empty());
  }
}

TEST(RowFormatTest, ConcatenatedRowsReadBackInOrder) {
  const std::vector<Row> rows = {
      Row{},
      Row{Value::Int32(1), Value::Text("one"), Value::Null(TypeId::kNumeric)},
      EveryKindOfValue(),
      Row{Value::NullArray(TypeId::kDate)},
      Row{Value::Bool(false), Num("3.14159")},
  };
  std::string bytes;
  for (const Row& r : rows) AppendRow(r, &bytes);
  std::string_view in = bytes;
  for (const Row& expected : rows) {
    Row back{Value::Text("stale")};  // ReadRow replaces what the row held
    ASSERT_TRUE(ReadRow(&in, &back).ok());
    ExpectSameRow(expected, back);
  }
  EXPECT_TRUE(in.empty());
}

// Every proper prefix of a row is an error (kDataCorrupted), never a crash
// or a shorter row.
TEST(RowFormatTest, TruncatedRowIsAnError) {
  std::string bytes;
  AppendRow(EveryKindOfValue(), &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in(bytes.data(), n);
    Row back;
    absl::Status s = ReadRow(&in, &back);
    ASSERT_FALSE(s.ok()) << "prefix of " << n << " of " << bytes.size() << " bytes";
    EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataCorrupted) << s;
  }
}

// A row count the bytes cannot hold (a corrupted header) is an error too,
// not an attempt to make room for four billion values first.
TEST(RowFormatTest, CorruptedRowCountIsAnError) {
  std::string bytes;
  AppendRow(Row{Value::Int32(5)}, &bytes);
  bytes[0] = bytes[1] = bytes[2] = bytes[3] = '\xff';
  std::string_view in = bytes;
  Row back;
  absl::Status s;
  try {
    s = ReadRow(&in, &back);
  } catch (const std::exception& e) {
    FAIL() << "ReadRow threw " << e.what();
  }
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataCorrupted) << s;
}

// A value header naming a shape that does not exist is an error.
TEST(RowFormatTest, UnknownShapeIsAnError) {
  std::string bytes;
  AppendRow(Row{Value::Int32(5)}, &bytes);
  bytes[5] = 42;  // after the 4-byte count and the type byte: the shape
  std::string_view in = bytes;
  Row back;
  absl::Status s = ReadRow(&in, &back);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataCorrupted) << s;
}

}  // namespace
}  // namespace cairn::executor
