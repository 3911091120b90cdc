#pragma once

#include "absl/status/statusor.h"
#include "executor/exec_context.h"
#include "planner/bound_expr.h"
#include "proto/fragment.pb.h"

// Bound expressions as they travel in plan fragments (proto/fragment.proto)
// from the gateway to the leaseholders that evaluate them.
namespace cairn::executor {

// `e` with each parameter replaced by its value in `ctx`. Fails on what a
// leaseholder cannot evaluate alone (planner::EvaluableAtLeaseholder).
absl::StatusOr<proto::ExprProto> ExprToProto(const planner::BoundExpr& e, ExecContext* ctx);
absl::StatusOr<planner::BoundExprPtr> ExprFromProto(const proto::ExprProto& p);

proto::SqlTypeProto SqlTypeToProto(const SqlType& type);
SqlType SqlTypeFromProto(const proto::SqlTypeProto& p);

}  // namespace cairn::executor
