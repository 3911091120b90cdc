// Calls with arguments by name, f(days => 3): only functions whose
// parameters have names take them; PostgreSQL's make_interval is the one
// applications use.
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "planner/binder/expression_binder.h"
#include "planner/functions.h"

namespace cairn::planner {
namespace {

struct Parameter {
  const char* name;
  Value default_value;
};

// The named parameters of `function`, in order; empty when it has none.
std::vector<Parameter> ParametersOf(const std::string& function) {
  if (function == "make_interval") {
    return {{"years", Value::Int32(0)}, {"months", Value::Int32(0)}, {"weeks", Value::Int32(0)},
            {"days", Value::Int32(0)},  {"hours", Value::Int32(0)},  {"mins", Value::Int32(0)},
            {"secs", Value::Float64(0)}};
  }
  return {};
}

}  // namespace

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindNamedArgumentCall(const ast::FunctionExpr& f) {
  std::vector<BoundExprPtr> given;
  std::vector<std::string> written;  // "days => integer", for the error
  bool seen_named = false;
  for (size_t i = 0; i < f.args.size(); ++i) {
    if (f.arg_names[i].empty() && seen_named) {
      return MakeError(ErrorCode::kSyntaxError, "positional argument cannot follow named argument",
                       f.args[i]->position);
    }
    seen_named |= !f.arg_names[i].empty();
    CAIRN_ASSIGN_OR_RETURN(BoundExprPtr b, Bind(*f.args[i]));
    written.push_back(f.arg_names[i].empty()
                          ? TypeName(b->type)
                          : absl::StrFormat("%s => %s", f.arg_names[i], TypeName(b->type)));
    given.push_back(std::move(b));
  }
  auto no_such_function = [&] {
    return MakeError(
        ErrorCode::kUndefinedFunction,
        absl::StrFormat("function %s(%s) does not exist", f.name, absl::StrJoin(written, ", ")),
        f.position);
  };
  std::vector<Parameter> parameters = ParametersOf(f.name);
  if (f.over || IsAggregateFunction(f.name) || given.size() > parameters.size()) {
    return no_such_function();
  }
  std::vector<BoundExprPtr> args(parameters.size());
  for (size_t i = 0; i < given.size(); ++i) {
    size_t slot = i;
    if (!f.arg_names[i].empty()) {
      slot = parameters.size();
      for (size_t p = 0; p < parameters.size(); ++p) {
        if (f.arg_names[i] == parameters[p].name) slot = p;
      }
      if (slot == parameters.size()) return no_such_function();
    }
    if (args[slot] != nullptr) {
      return MakeError(
          ErrorCode::kSyntaxError,
          absl::StrFormat("argument name \"%s\" used more than once", parameters[slot].name),
          f.args[i]->position);
    }
    args[slot] = std::move(given[i]);
  }
  std::vector<SqlType> types;
  for (size_t p = 0; p < args.size(); ++p) {
    if (args[p] == nullptr) {
      args[p] = BoundExpr::Constant(parameters[p].default_value,
                                    SqlType::Of(parameters[p].default_value.type()));
    }
    types.push_back(args[p]->type);
  }
  CAIRN_ASSIGN_OR_RETURN(SqlType type, ScalarResultType(f.name, types, f.position));
  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExprKind::kFunction;
  e->type = type;
  e->position = f.position;
  e->name = f.name;
  e->children = std::move(args);
  return e;
}

}  // namespace cairn::planner
