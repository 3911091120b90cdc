#include "executor/array_functions.h"

#include <algorithm>
#include <string>

#include "common/error_code.h"
#include "common/value_text.h"
#include "executor/builtin_functions.h"

namespace cairn::executor {
namespace {

const std::vector<Value>& Elements(const Value& array) { return array.array_value().elements; }

Value Int4OrNull(bool present, int64_t v) {
  return present ? Value::Int32(v) : Value::Null(TypeId::kInt32);
}

// NULL elements match each other here, as IS NOT DISTINCT FROM.
bool SameElement(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  return CompareValues(a, b) == 0;
}

}  // namespace

absl::StatusOr<std::optional<Value>> EvalArrayFunction(const planner::BoundExpr& e,
                                                       const std::vector<Value>& args) {
  const std::string& name = e.name;
  const SqlType& type = e.type;
  auto null_at = [&](size_t i) { return args[i].is_null(); };
  if (name == "cairn_array_subscript") {
    if (null_at(0) || null_at(1)) return Value::NullOf(type);
    const auto& elements = Elements(args[0]);
    const int64_t i = args[1].int_value();
    if (i < 1 || i > static_cast<int64_t>(elements.size())) return Value::NullOf(type);
    return elements[static_cast<size_t>(i - 1)];
  }
  if (name == "array_to_string") {
    if (null_at(0) || null_at(1)) return Value::Null(TypeId::kText);
    const std::string separator = TextOf(args[1]);
    const bool replace_nulls = args.size() == 3 && !null_at(2);
    std::string out;
    bool first = true;
    for (const Value& v : Elements(args[0])) {
      if (v.is_null() && !replace_nulls) continue;
      if (!first) out += separator;
      first = false;
      out += v.is_null() ? TextOf(args[2]) : TextOf(v);
    }
    return Value::Text(std::move(out));
  }
  if (name == "array_length" || name == "array_upper" || name == "array_lower") {
    if (null_at(0) || null_at(1)) return Value::Null(TypeId::kInt32);
    const int64_t count = static_cast<int64_t>(Elements(args[0]).size());
    const bool present = args[1].int_value() == 1 && count > 0;
    return Int4OrNull(present, name == "array_lower" ? 1 : count);
  }
  if (name == "cardinality") {
    if (null_at(0)) return Value::Null(TypeId::kInt32);
    return Value::Int32(static_cast<int64_t>(Elements(args[0]).size()));
  }
  if (name == "array_append" || name == "array_prepend") {
    const bool append = name == "array_append";
    const Value& array = append ? args[0] : args[1];
    const Value& element = append ? args[1] : args[0];
    std::vector<Value> out = array.is_null() ? std::vector<Value>{} : Elements(array);
    if (append) {
      out.push_back(element);
    } else {
      out.insert(out.begin(), element);
    }
    return Value::Array(type.element, std::move(out));
  }
  if (name == "array_cat") {
    if (null_at(0)) return args[1];
    if (null_at(1)) return args[0];
    std::vector<Value> out = Elements(args[0]);
    out.insert(out.end(), Elements(args[1]).begin(), Elements(args[1]).end());
    return Value::Array(type.element, std::move(out));
  }
  if (name == "array_position") {
    if (null_at(0)) return Value::Null(TypeId::kInt32);
    const auto& elements = Elements(args[0]);
    // array_position(a, x, start): the search begins at 1-based `start`.
    int64_t start = 1;
    if (args.size() == 3) {
      if (null_at(2)) {
        return MakeError(ErrorCode::kNullValueNotAllowed, "initial position must not be null");
      }
      start = std::max<int64_t>(args[2].int_value(), 1);
    }
    for (size_t i = static_cast<size_t>(start - 1); i < elements.size(); ++i) {
      if (SameElement(elements[i], args[1])) return Value::Int32(static_cast<int64_t>(i) + 1);
    }
    return Value::Null(TypeId::kInt32);
  }
  if (name == "array_remove") {
    if (null_at(0)) return Value::NullOf(type);
    std::vector<Value> out;
    for (const Value& v : Elements(args[0])) {
      if (!SameElement(v, args[1])) out.push_back(v);
    }
    return Value::Array(type.element, std::move(out));
  }
  if (name == "string_to_array") {
    if (null_at(0)) return Value::NullOf(type);
    const std::string s = TextOf(args[0]);
    std::vector<Value> out;
    auto add = [&](std::string part) {
      if (args.size() == 3 && !null_at(2) && part == TextOf(args[2])) {
        out.push_back(Value::Null(TypeId::kText));
      } else {
        out.push_back(Value::Text(std::move(part)));
      }
    };
    if (s.empty()) return Value::Array(TypeId::kText, {});
    if (null_at(1)) {
      // A NULL delimiter splits into characters.
      for (size_t i = 0; i < s.size();) {
        size_t n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
        add(s.substr(i, n));
        i += n;
      }
    } else {
      const std::string delimiter = TextOf(args[1]);
      if (delimiter.empty()) {
        add(s);
      } else {
        size_t pos = 0;
        for (size_t at; (at = s.find(delimiter, pos)) != std::string::npos;
             pos = at + delimiter.size()) {
          add(s.substr(pos, at - pos));
        }
        add(s.substr(pos));
      }
    }
    return Value::Array(TypeId::kText, std::move(out));
  }
  return std::nullopt;
}

}  // namespace cairn::executor
