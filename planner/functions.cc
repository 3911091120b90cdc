#include "planner/functions.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"

namespace cairn::planner {
namespace {

absl::Status NoSuchFunction(const std::string& name, const std::vector<SqlType>& args,
                            int position) {
  std::vector<std::string> names;
  for (const auto& a : args) names.push_back(TypeName(a));
  return MakeError(ErrorCode::kUndefinedFunction,
                   absl::StrFormat("function %s(%s) does not exist", name,
                                   absl::StrJoin(names, ", ")),
                   position);
}

}  // namespace

bool IsAggregateFunction(const std::string& name) {
  return name == "count" || name == "sum" || name == "avg" || name == "min" || name == "max" ||
         name == "string_agg" || name == "bool_and" || name == "bool_or" || name == "every" ||
         name == "array_agg" || name == "json_agg" || name == "jsonb_agg";
}

bool IsWindowOnlyFunction(const std::string& name) {
  return name == "row_number" || name == "rank" || name == "dense_rank" ||
         name == "percent_rank" || name == "cume_dist" || name == "ntile" || name == "lag" ||
         name == "lead" || name == "first_value" || name == "last_value" || name == "nth_value";
}

bool IsSetReturningFunction(const std::string& name) {
  return name == "unnest" || name == "generate_series" || name == "generate_subscripts" ||
         name == "jsonb_array_elements" || name == "json_array_elements" ||
         name == "jsonb_array_elements_text" || name == "json_array_elements_text" ||
         name == "jsonb_object_keys" || name == "json_object_keys";
}

absl::StatusOr<SqlType> AggregateResultType(const std::string& name, const SqlType& arg,
                                            int position) {
  if (name == "count") return SqlType::Of(TypeId::kInt64);
  if (name == "string_agg") return SqlType::Of(TypeId::kText);
  if (name == "json_agg") return SqlType::Of(TypeId::kJson);
  if (name == "jsonb_agg") return SqlType::Of(TypeId::kJsonb);
  if (name == "array_agg") {
    if (arg.id == TypeId::kArray) {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       "array_agg of arrays (multidimensional arrays) is not supported", position);
    }
    return SqlType::ArrayOf(arg.id == TypeId::kUnknown ? TypeId::kText : arg.id);
  }
  if (name == "bool_and" || name == "bool_or" || name == "every") {
    if (arg.id != TypeId::kBool && arg.id != TypeId::kUnknown) {
      return MakeError(ErrorCode::kUndefinedFunction,
                       absl::StrFormat("function %s(%s) does not exist", name, TypeName(arg)),
                       position);
    }
    return SqlType::Of(TypeId::kBool);
  }
  if (name == "min" || name == "max") {
    return arg.id == TypeId::kUnknown ? SqlType::Of(TypeId::kText) : SqlType::Of(arg.id);
  }
  if (name == "sum") {
    switch (arg.id) {
      case TypeId::kInt16:
      case TypeId::kInt32: return SqlType::Of(TypeId::kInt64);
      case TypeId::kInt64:
      case TypeId::kNumeric: return SqlType::Of(TypeId::kNumeric);
      case TypeId::kFloat32: return SqlType::Of(TypeId::kFloat32);
      case TypeId::kFloat64: return SqlType::Of(TypeId::kFloat64);
      case TypeId::kInterval: return SqlType::Of(TypeId::kInterval);
      default: break;
    }
  }
  if (name == "avg") {
    if (arg.id == TypeId::kInterval) return arg;
    if (IsIntegerType(arg.id) || arg.id == TypeId::kNumeric) return SqlType::Of(TypeId::kNumeric);
    if (arg.id == TypeId::kFloat32 || arg.id == TypeId::kFloat64) {
      return SqlType::Of(TypeId::kFloat64);
    }
  }
  return NoSuchFunction(name, {arg}, position);
}

absl::StatusOr<SqlType> ScalarResultType(const std::string& name, const std::vector<SqlType>& args,
                                         int position) {
  size_t n = args.size();
  auto arg = [&](size_t i) { return args[i].id; };
  if ((name == "lower" || name == "upper" || name == "btrim" || name == "ltrim" ||
       name == "rtrim") && n == 1 && (IsStringType(arg(0)) || arg(0) == TypeId::kUnknown)) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "length" || name == "char_length" || name == "octet_length") && n == 1) {
    return SqlType::Of(TypeId::kInt32);
  }
  if (name == "abs" && n == 1 && IsNumericType(arg(0))) return SqlType::Of(arg(0));
  auto text = [&](size_t i) { return IsStringType(arg(i)) || arg(i) == TypeId::kUnknown; };
  auto integer = [&](size_t i) { return IsIntegerType(arg(i)); };
  // Strings (characters, not bytes).
  if ((name == "substring" || name == "substr") && (n == 2 || n == 3) && text(0) && integer(1) &&
      (n == 2 || integer(2))) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "strpos" && n == 2 && text(0) && text(1)) return SqlType::Of(TypeId::kInt32);
  if (name == "replace" && n == 3 && text(0) && text(1) && text(2)) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "concat" && n >= 1) || (name == "concat_ws" && n >= 2 && text(0))) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "chr" && n == 1 && integer(0)) return SqlType::Of(TypeId::kText);
  if (name == "ascii" && n == 1 && text(0)) return SqlType::Of(TypeId::kInt32);
  if ((name == "left" || name == "right" || name == "repeat") && n == 2 && text(0) && integer(1)) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "lpad" || name == "rpad") && (n == 2 || n == 3) && text(0) && integer(1) &&
      (n == 2 || text(2))) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "split_part" && n == 3 && text(0) && text(1) && integer(2)) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "regexp_replace" && (n == 3 || n == 4) && text(0) && text(1) && text(2) &&
      (n == 3 || text(3))) {
    return SqlType::Of(TypeId::kText);
  }
  // Arrays (one-dimensional).
  auto array = [&](size_t i) { return arg(i) == TypeId::kArray; };
  if (name == "array_to_string" && (n == 2 || n == 3) && array(0) && text(1) && (n == 2 || text(2))) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "array_length" || name == "array_upper" || name == "array_lower") && n == 2 &&
      array(0) && integer(1)) {
    return SqlType::Of(TypeId::kInt32);
  }
  if (name == "cardinality" && n == 1 && array(0)) return SqlType::Of(TypeId::kInt32);
  if ((name == "array_append" || name == "array_remove") && n == 2 && array(0) && !array(1)) {
    return args[0];
  }
  if (name == "array_position" && (n == 2 || (n == 3 && integer(2))) && array(0) && !array(1)) {
    return SqlType::Of(TypeId::kInt32);
  }
  if (name == "array_prepend" && n == 2 && !array(0) && array(1)) return args[1];
  if (name == "array_cat" && n == 2 && array(0) && array(1) && args[0].element == args[1].element) {
    return args[0];
  }
  if (name == "string_to_array" && (n == 2 || n == 3) && text(0) && text(1) && (n == 2 || text(2))) {
    return SqlType::ArrayOf(TypeId::kText);
  }
  // Set-returning: the type of each of their rows.
  if (name == "unnest" && n == 1 && array(0)) return SqlType::Of(args[0].element);
  if (name == "generate_subscripts" && (n == 2 || (n == 3 && arg(2) == TypeId::kBool)) &&
      array(0) && integer(1)) {
    return SqlType::Of(TypeId::kInt32);
  }
  auto integer_or_untyped = [&](size_t i) { return integer(i) || arg(i) == TypeId::kUnknown; };
  if (name == "generate_series" && (n == 2 || n == 3) && integer_or_untyped(0) &&
      integer_or_untyped(1) && (n == 2 || integer_or_untyped(2))) {
    bool wide = false;
    for (const auto& a : args) wide |= a.id == TypeId::kInt64;
    return SqlType::Of(wide ? TypeId::kInt64 : TypeId::kInt32);
  }
  // Over timestamps (a date counts as timestamp with time zone, as
  // PostgreSQL resolves it), with an interval step.
  auto time_or_untyped = [&](size_t i) { return IsTimeType(arg(i)) || arg(i) == TypeId::kUnknown; };
  if (name == "generate_series" && n == 3 && time_or_untyped(0) && time_or_untyped(1) &&
      (arg(0) != TypeId::kUnknown || arg(1) != TypeId::kUnknown) &&
      (arg(2) == TypeId::kInterval || arg(2) == TypeId::kUnknown)) {
    const bool plain = (arg(0) == TypeId::kTimestamp || arg(0) == TypeId::kUnknown) &&
                       (arg(1) == TypeId::kTimestamp || arg(1) == TypeId::kUnknown);
    return SqlType::Of(plain ? TypeId::kTimestamp : TypeId::kTimestampTz);
  }
  // JSON.
  auto json_arg = [&](size_t i) { return IsJsonType(arg(i)); };
  if ((name == "jsonb_array_elements" || name == "json_array_elements") && n == 1 && json_arg(0)) {
    return args[0];
  }
  if ((name == "jsonb_array_elements_text" || name == "json_array_elements_text" ||
       name == "jsonb_object_keys" || name == "json_object_keys") &&
      n == 1 && json_arg(0)) {
    return SqlType::Of(TypeId::kText);
  }
  const bool b = name.find("jsonb") != std::string::npos;
  const SqlType json_type = SqlType::Of(b ? TypeId::kJsonb : TypeId::kJson);
  if (name == "json_build_object" || name == "jsonb_build_object") {
    return json_type;
  }
  if (name == "json_build_array" || name == "jsonb_build_array") return json_type;
  if ((name == "to_json" || name == "to_jsonb") && n == 1) return json_type;
  if ((name == "json_typeof" || name == "jsonb_typeof") && n == 1 && json_arg(0)) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "json_array_length" || name == "jsonb_array_length") && n == 1 && json_arg(0)) {
    return SqlType::Of(TypeId::kInt32);
  }
  if (name == "jsonb_pretty" && n == 1 && arg(0) == TypeId::kJsonb) return SqlType::Of(TypeId::kText);
  if (name == "gen_random_uuid" && n == 0) return SqlType::Of(TypeId::kUuid);
  if (name == "cairn_regex_match" && n == 3 && text(0) && text(1)) {
    return SqlType::Of(TypeId::kBool);  // s ~ pattern, s ~* pattern
  }
  if ((name == "reverse" || name == "initcap" || name == "quote_ident") && n == 1 && text(0)) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "quote_literal" && n == 1) return SqlType::Of(TypeId::kText);
  if ((name == "reverse" || name == "initcap") && n == 1 && text(0)) {
    return SqlType::Of(TypeId::kText);
  }
  // Dates, times and intervals.
  const bool timestamp = n == 2 && (arg(1) == TypeId::kTimestamp || arg(1) == TypeId::kTimestampTz ||
                                    arg(1) == TypeId::kInterval);
  if (name == "extract" && n == 2 && text(0) && (timestamp || arg(1) == TypeId::kDate)) {
    return SqlType::Of(TypeId::kNumeric);
  }
  if (name == "date_part" && n == 2 && text(0) && (timestamp || arg(1) == TypeId::kDate)) {
    return SqlType::Of(TypeId::kFloat64);
  }
  if (name == "date_trunc" && n == 2 && text(0) && timestamp) return SqlType::Of(arg(1));
  const bool interval0 = n >= 1 && arg(0) == TypeId::kInterval;
  if ((name == "justify_hours" || name == "justify_days" || name == "justify_interval") &&
      n == 1 && interval0) {
    return SqlType::Of(TypeId::kInterval);
  }
  if (name == "make_interval" && n <= 7) {
    bool ok = true;
    for (size_t i = 0; i < n; ++i) ok &= i < 6 ? integer(i) : IsNumericType(arg(i));
    if (ok) return SqlType::Of(TypeId::kInterval);
  }
  if (name == "age" && (n == 1 || n == 2)) {
    bool ok = true;
    for (size_t i = 0; i < n; ++i) ok &= IsTimeType(arg(i));
    if (ok) return SqlType::Of(TypeId::kInterval);
  }
  if (name == "to_char" && n == 2 && text(1) && (IsTimeType(arg(0)))) {
    return SqlType::Of(TypeId::kText);
  }
  // Math. Integers take the double precision variant, as in PostgreSQL
  // (float8 is the preferred numeric type); numeric stays numeric.
  if ((name == "ceil" || name == "ceiling" || name == "floor" || name == "round" ||
       name == "trunc") &&
      (n == 1 || (n == 2 && (name == "round" || name == "trunc") && arg(0) == TypeId::kNumeric &&
                  integer(1))) &&
      IsNumericType(arg(0))) {
    return SqlType::Of(arg(0) == TypeId::kNumeric ? TypeId::kNumeric : TypeId::kFloat64);
  }
  if (name == "mod" && n == 2 && IsNumericType(arg(0)) && IsNumericType(arg(1))) {
    if (integer(0) && integer(1)) {
      return SqlType::Of(arg(0) == TypeId::kInt64 || arg(1) == TypeId::kInt64 ? TypeId::kInt64
                         : arg(0) == TypeId::kInt32 || arg(1) == TypeId::kInt32
                             ? TypeId::kInt32
                             : TypeId::kInt16);
    }
    if (arg(0) != TypeId::kFloat32 && arg(0) != TypeId::kFloat64 && arg(1) != TypeId::kFloat32 &&
        arg(1) != TypeId::kFloat64) {
      return SqlType::Of(TypeId::kNumeric);
    }
  }
  if (((name == "power" || name == "pow") && n == 2 && IsNumericType(arg(0)) &&
       IsNumericType(arg(1))) ||
      ((name == "sqrt" || name == "exp" || name == "ln") && n == 1 && IsNumericType(arg(0)))) {
    // With a double precision or integer argument the double precision
    // variant applies; the numeric one (PostgreSQL's own digits) is not here.
    bool any_numeric = false, any_float = false;
    for (size_t i = 0; i < n; ++i) {
      any_numeric |= arg(i) == TypeId::kNumeric;
      any_float |= arg(i) == TypeId::kFloat32 || arg(i) == TypeId::kFloat64;
    }
    if (any_numeric && !any_float) {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrFormat("%s of numeric is not supported yet; cast the argument to "
                                       "double precision",
                                       name),
                       position);
    }
    return SqlType::Of(TypeId::kFloat64);
  }
  if (name == "sign" && n == 1 && IsNumericType(arg(0))) {
    return SqlType::Of(arg(0) == TypeId::kNumeric ? TypeId::kNumeric : TypeId::kFloat64);
  }
  if ((name == "now" || name == "current_timestamp" || name == "transaction_timestamp" ||
       name == "statement_timestamp" || name == "clock_timestamp") && n == 0) {
    return SqlType::Of(TypeId::kTimestampTz);
  }
  if (name == "current_date" && n == 0) return SqlType::Of(TypeId::kDate);
  if ((name == "version" || name == "current_database" || name == "current_schema" ||
       name == "current_user" || name == "session_user" || name == "user") && n == 0) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "pg_backend_pid" && n == 0) return SqlType::Of(TypeId::kInt32);
  if ((name == "pg_table_is_visible" || name == "pg_type_is_visible") && n == 1) {
    return SqlType::Of(TypeId::kBool);
  }
  if (name == "pg_get_userbyid" && n == 1) return SqlType::Of(TypeId::kText);
  if ((name == "pg_get_expr" && (n == 2 || n == 3)) ||
      (name == "pg_get_indexdef" && (n == 1 || n == 3)) ||
      (name == "pg_get_constraintdef" && (n == 1 || n == 2))) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "pg_get_statisticsobjdef_columns" || name == "pg_get_partkeydef" ||
       name == "pg_get_triggerdef" || name == "pg_get_ruledef" || name == "pg_get_viewdef") &&
      (n == 1 || n == 2)) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "pg_relation_is_publishable" && n == 1) return SqlType::Of(TypeId::kBool);
  if (name == "cairn_check_indexes" && n == 1 && text(0)) return SqlType::Of(TypeId::kInt64);
  if (name == "pg_get_serial_sequence" && n == 2 && text(0) && text(1)) {
    return SqlType::Of(TypeId::kText);
  }
  if ((name == "has_table_privilege" || name == "has_schema_privilege" ||
       name == "has_database_privilege") &&
      (n == 2 || n == 3)) {
    return SqlType::Of(TypeId::kBool);
  }
  if ((name == "cairn_regclass_oid" || name == "cairn_regtype_oid" ||
       name == "cairn_regnamespace_oid") && n == 1) {
    return SqlType::Of(TypeId::kInt64);
  }
  if ((name == "cairn_regclass_name" || name == "cairn_regtype_name" ||
       name == "cairn_regnamespace_name") && n == 1) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "pg_encoding_to_char" && n == 1 && integer(0)) return SqlType::Of(TypeId::kText);
  if (name == "format_type" && n == 2) return SqlType::Of(TypeId::kText);
  if ((name == "obj_description" && (n == 1 || n == 2)) ||
      (name == "col_description" && n == 2) || (name == "shobj_description" && n == 2)) {
    return SqlType::Of(TypeId::kText);
  }
  if (name == "random" && n == 0) return SqlType::Of(TypeId::kFloat64);
  if (name == "unique_rowid" && n == 0) return SqlType::Of(TypeId::kInt64);
  if (name == "cairn_nextval" && n == 2) return SqlType::Of(TypeId::kInt64);
  return NoSuchFunction(name, args, position);
}

}  // namespace cairn::planner
