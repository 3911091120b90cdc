// Bound expressions as shipped in plan fragments (executor/expression_codec.h):
// they round-trip and evaluate alike; parameters travel as their values;
// what a leaseholder cannot evaluate alone is refused.

#include "fragment_test_support.h"

namespace cairn::executor {
namespace {

using namespace fragment_test;  // NOLINT: the shared helpers of these tests

// Shipped expressions: a filter with arithmetic, a function and LIKE; a
// CASE; coalesce in an IN list; NOT with IS NULL; a cast and a
// concatenation; a comparison with ANY of an array; numeric abs.
std::vector<BoundExprPtr> SampleExpressions() {
  using planner::ArithOp;
  using planner::CompareOp;
  std::vector<BoundExprPtr> out;

  BoundExprPtr like = Node(BoundExprKind::kLike, kBool,
                           Children(Function("lower", kText, Children(Col(1))), TextConst("ab%")));
  like->position = 17;
  out.push_back(Node(
      BoundExprKind::kAnd, kBool,
      Children(Compare(CompareOp::kGt,
                       Arith(ArithOp::kAdd, Arith(ArithOp::kMul, Col(0), IntConst(2)), IntConst(1)),
                       IntConst(10)),
               std::move(like))));

  BoundExprPtr is_null = Node(BoundExprKind::kIsNull, kBool, Children(Col(0)));
  BoundExprPtr kase =
      Node(BoundExprKind::kCase, kText,
           Children(std::move(is_null), TextConst("none"),
                    Compare(CompareOp::kEq, Arith(ArithOp::kMod, Col(0), IntConst(2)), IntConst(0)),
                    TextConst("even"), TextConst("odd")));
  kase->has_else = true;
  out.push_back(std::move(kase));

  BoundExprPtr in = Node(BoundExprKind::kInList, kBool,
                         Children(Function("coalesce", kInt, Children(Col(0), IntConst(-1))),
                                  IntConst(1), IntConst(-1), IntConst(7)));
  in->negated = true;
  out.push_back(std::move(in));

  BoundExprPtr not_null = Node(BoundExprKind::kIsNull, kBool, Children(Col(3)));
  not_null->negated = true;
  out.push_back(
      Node(BoundExprKind::kOr, kBool,
           Children(Node(BoundExprKind::kNot, kBool, Children(Col(3))), std::move(not_null))));

  BoundExprPtr cast = Node(BoundExprKind::kCast, kText, Children(Col(0)));
  cast->explicit_cast = true;
  out.push_back(Node(BoundExprKind::kConcat, kText, Children(std::move(cast), TextConst("-x"))));

  BoundExprPtr any = Node(
      BoundExprKind::kArrayCompare, kBool,
      Children(Col(0), Node(BoundExprKind::kArray, SqlType::ArrayOf(TypeId::kInt32),
                            Children(IntConst(3),
                                     BoundExpr::Constant(Value::Null(TypeId::kInt32), kInt)))));
  any->compare_op = CompareOp::kLe;
  out.push_back(std::move(any));

  out.push_back(Function("abs", kNumeric,
                         Children(Arith(ArithOp::kSub, Col(2),
                                        BoundExpr::Constant(Num("100.25"), kNumeric), kNumeric))));
  return out;
}

std::vector<Row> SampleRows() {
  return {
      Row{Value::Int32(5), Value::Text("ABcd"), Num("3.5"), Value::Bool(true)},
      Row{Value::Int32(2), Value::Text("xyz"), Num("-200"), Value::Bool(false)},
      Row{Value::Null(TypeId::kInt32), Value::Null(TypeId::kText), Value::Null(TypeId::kNumeric),
          Value::Null(TypeId::kBool)},
      Row{Value::Int32(7), Value::Text("ab"), Num("100.25"), Value::Bool(false)},
      Row{Value::Int32(-1), Value::Text("AB"), Num("0.001"), Value::Null(TypeId::kBool)},
  };
}

// What an evaluation gives: its value or its error code.

TEST(ExpressionCodecTest, ExpressionsRoundTripAndEvaluateAlike) {
  ExecContext ctx;
  for (const BoundExprPtr& e : SampleExpressions()) {
    SCOPED_TRACE(e->ToString());
    absl::StatusOr<proto::ExprProto> p = ExprToProto(*e, &ctx);
    ASSERT_TRUE(p.ok()) << p.status();
    // Through bytes, as the fragment travels.
    proto::ExprProto wire;
    ASSERT_TRUE(wire.ParseFromString(p->SerializeAsString()));
    absl::StatusOr<BoundExprPtr> back = ExprFromProto(wire);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ((*back)->ToString(), e->ToString());
    EXPECT_EQ((*back)->type, e->type);
    EXPECT_EQ((*back)->position, e->position);
    for (const Row& row : SampleRows()) {
      ExecContext a, b;
      EXPECT_EQ(Outcome(Evaluate(**back, row, &a)), Outcome(Evaluate(*e, row, &b))) << RowText(row);
    }
  }
}

// An error raised in a shipped expression keeps its code (22012 at the
// pgwire edge).
TEST(ExpressionCodecTest, ShippedDivisionByZeroKeepsItsCode) {
  BoundExprPtr div = Arith(planner::ArithOp::kDiv, Col(0), IntConst(0));
  ExecContext ctx;
  absl::StatusOr<proto::ExprProto> p = ExprToProto(*div, &ctx);
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<BoundExprPtr> back = ExprFromProto(*p);
  ASSERT_TRUE(back.ok()) << back.status();
  absl::StatusOr<Value> v = Evaluate(**back, SampleRows()[0], &ctx);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(GetErrorCode(v.status()), ErrorCode::kDivisionByZero) << v.status();
}

// Parameters travel as their values: the leaseholder has no parameters.
TEST(ExpressionCodecTest, ParametersAreSentAsTheirValues) {
  auto param = [](int index, SqlType type) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExprKind::kParameter;
    e->parameter_index = index;
    e->type = type;
    return e;
  };
  BoundExprPtr e =
      Node(BoundExprKind::kAnd, kBool,
           Children(Compare(planner::CompareOp::kGe, Col(0), param(0, kInt)),
                    Node(BoundExprKind::kLike, kBool, Children(Col(1), param(1, kText)))));
  ExecContext ctx;
  ctx.params = {Value::Int32(3), Value::Text("a%")};
  absl::StatusOr<proto::ExprProto> p = ExprToProto(*e, &ctx);
  ASSERT_TRUE(p.ok()) << p.status();
  const proto::ExprProto& ge = p->children(0);
  EXPECT_EQ(ge.children(1).kind(), static_cast<uint32_t>(BoundExprKind::kConstant));
  EXPECT_EQ(p->children(1).children(1).kind(), static_cast<uint32_t>(BoundExprKind::kConstant));

  absl::StatusOr<BoundExprPtr> back = ExprFromProto(*p);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->ToString(), "((a >= 3) AND (b LIKE 'a%'))");
  const BoundExpr& three = *(*back)->children[0]->children[1];
  EXPECT_EQ(three.kind, BoundExprKind::kConstant);
  EXPECT_EQ(Difference(three.value, Value::Int32(3)), "");
  // Evaluated without the parameters, as at a leaseholder.
  ExecContext leaseholder;
  for (const Row& row : SampleRows()) {
    EXPECT_EQ(Outcome(Evaluate(**back, row, &leaseholder)), Outcome(Evaluate(*e, row, &ctx)))
        << RowText(row);
  }

  // A NULL parameter is a NULL constant.
  ctx.params = {Value::Null(TypeId::kInt32), Value::Text("a%")};
  p = ExprToProto(*e, &ctx);
  ASSERT_TRUE(p.ok()) << p.status();
  back = ExprFromProto(*p);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE((*back)->children[0]->children[1]->value.is_null());
  EXPECT_EQ(Outcome(Evaluate(**back, SampleRows()[3], &leaseholder)), "NULL");  // 7, 'ab'
  EXPECT_EQ(Outcome(Evaluate(**back, SampleRows()[0], &leaseholder)), "f");     // 5, 'ABcd'
  for (const Row& row : SampleRows()) {
    EXPECT_EQ(Outcome(Evaluate(**back, row, &leaseholder)), Outcome(Evaluate(*e, row, &ctx)))
        << RowText(row);
  }

  // A parameter without a value is an error, not a constant made up.
  ExecContext no_params;
  EXPECT_FALSE(ExprToProto(*e, &no_params).ok());
}

TEST(ExpressionCodecTest, SubqueriesAndOuterColumnsAreRefused) {
  ExecContext ctx;
  auto subquery = std::make_unique<BoundExpr>();
  subquery->kind = BoundExprKind::kSubquery;
  subquery->subquery_kind = planner::SubqueryKind::kExists;
  subquery->type = kBool;
  EXPECT_FALSE(ExprToProto(*subquery, &ctx).ok());
  // Deep inside another expression too.
  BoundExprPtr nested =
      Node(BoundExprKind::kAnd, kBool,
           Children(Compare(planner::CompareOp::kEq, Col(0), IntConst(1)), std::move(subquery)));
  absl::StatusOr<proto::ExprProto> p = ExprToProto(*nested, &ctx);
  EXPECT_FALSE(p.ok());

  auto outer = std::make_unique<BoundExpr>();
  outer->kind = BoundExprKind::kOuterColumn;
  outer->outer_depth = 1;
  outer->column_index = 0;
  outer->type = kInt;
  EXPECT_FALSE(ExprToProto(*outer, &ctx).ok());

  // Nor does a leaseholder accept them (or parameters, or unknown kinds).
  for (BoundExprKind kind :
       {BoundExprKind::kSubquery, BoundExprKind::kOuterColumn, BoundExprKind::kParameter}) {
    proto::ExprProto bad;
    bad.set_kind(static_cast<uint32_t>(kind));
    EXPECT_FALSE(ExprFromProto(bad).ok()) << static_cast<int>(kind);
  }
  proto::ExprProto unknown;
  unknown.set_kind(200);
  EXPECT_FALSE(ExprFromProto(unknown).ok());
}

}  // namespace
}  // namespace cairn::executor
