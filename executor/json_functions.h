#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "planner/bound_expr.h"

// The json and jsonb operators (as their binder names them: cairn_json_get
// for ->, ...), PostgreSQL's JSON functions (json[b]_build_object,
// json[b]_build_array, to_json[b], json[b]_typeof, json[b]_array_length,
// jsonb_pretty), array containment, and gen_random_uuid.
namespace cairn::executor {

// `e.name` applied to `args`, or nullopt when it is none of these. They
// handle NULL arguments themselves (json_build_object('a', NULL) is
// {"a" : null}).
absl::StatusOr<std::optional<Value>> EvalJsonFunction(const planner::BoundExpr& e,
                                                      const std::vector<Value>& args);

// A SQL value as JSON, as to_jsonb makes it.
absl::StatusOr<std::string> ToJsonText(const Value& v);

}  // namespace cairn::executor
