#pragma once

#include "absl/status/statusor.h"
#include "common/timestamp.h"
#include "executor/exec_context.h"
#include "parser/ast/expr.h"

namespace cairn::executor {

// The timestamp that `AS OF SYSTEM TIME expr` names (DESIGN.md "Timestamps"):
// `expr` is a constant that is a timestamp (with or without time zone) or
// an interval added to `now` ('-10s'), given as such or as a string. A time
// after `now` is refused (22023): nothing can be read from the future.
absl::StatusOr<Timestamp> AsOfSystemTime(const ast::Expr& expr, Timestamp now, ExecContext* ctx);

}  // namespace cairn::executor
