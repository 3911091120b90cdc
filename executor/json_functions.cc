#include "executor/json_functions.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/json.h"
#include "common/password.h"
#include "common/value_text.h"
#include "executor/builtin_functions.h"

namespace cairn::executor {
namespace {

absl::StatusOr<json::Value> Document(const Value& v) { return json::Parse(v.str_value()); }

// A part of a document back as a SQL value of the document's type: json
// gives the part's text as it was written, jsonb its normal form.
Value AsSql(const json::Value& part, const Value& document) {
  if (document.type() == TypeId::kJson) {
    return Value::String(TypeId::kJson,
                         document.str_value().substr(part.begin, part.end - part.begin));
  }
  return Value::String(TypeId::kJsonb, json::JsonbText(json::Normalize(part)));
}

Value NormalJsonb(const json::Value& doc) {
  return Value::String(TypeId::kJsonb, json::JsonbText(json::Normalize(doc)));
}

// An object key as json[b]_build_object writes it: a value's text, as its
// output function gives it (true, not t).
std::string KeyText(const Value& v) {
  if (v.type() == TypeId::kBool) return v.bool_value() ? "true" : "false";
  return TextOf(v);
}

// ->> and #>>: a string's contents, NULL for JSON null, else the text (as
// written, for json).
Value AsText(const json::Value& part, const Value& document) {
  if (part.kind == json::Value::Kind::kNull) return Value::Null(TypeId::kText);
  if (part.kind == json::Value::Kind::kString) return Value::Text(part.text);
  return Value::Text(AsSql(part, document).str_value());
}

// The member `key` of an object, or the element `index` of an array
// (negative: from the end), or null.
const json::Value* Step(const json::Value& doc, const Value& selector, bool jsonb) {
  if (selector.type() == TypeId::kInt64 || IsIntegerType(selector.type())) {
    // PostgreSQL 15 reads a jsonb scalar as a one-element array here.
    if (jsonb && doc.kind != json::Value::Kind::kArray && doc.kind != json::Value::Kind::kObject) {
      const int64_t i = selector.int_value();
      return i == 0 || i == -1 ? &doc : nullptr;
    }
    if (doc.kind != json::Value::Kind::kArray) return nullptr;
    int64_t i = selector.int_value();
    const int64_t n = static_cast<int64_t>(doc.items.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return nullptr;
    return &doc.items[static_cast<size_t>(i)];
  }
  const std::string key = TextOf(selector);
  if (doc.kind == json::Value::Kind::kObject) return doc.Find(key);
  if (doc.kind == json::Value::Kind::kArray) {
    // A path step into an array is an index written as text.
    int64_t i;
    if (!absl::SimpleAtoi(key, &i)) return nullptr;
    return Step(doc, Value::Int64(i), false);
  }
  return nullptr;
}

bool HasKey(const json::Value& doc, const std::string& key) {
  if (doc.kind == json::Value::Kind::kObject) return doc.Find(key) != nullptr;
  if (doc.kind == json::Value::Kind::kArray) {
    for (const json::Value& item : doc.items) {
      if (item.kind == json::Value::Kind::kString && item.text == key) return true;
    }
    return false;
  }
  return doc.kind == json::Value::Kind::kString && doc.text == key;
}

std::string TimestampJson(int64_t micros, bool with_zone) {
  // ISO 8601 with a T, as PostgreSQL's to_json writes timestamps.
  std::string text = FormatTimestamp(micros, with_zone);
  const size_t space = text.find(' ');
  if (space != std::string::npos) text[space] = 'T';
  if (with_zone && text.size() >= 3 && (text[text.size() - 3] == '+' || text[text.size() - 3] == '-')) {
    text += ":00";
  }
  return json::Quote(text);
}

void Pretty(const json::Value& v, int depth, std::string* out) {
  const std::string indent(static_cast<size_t>(depth + 1) * 4, ' ');
  const std::string closing(static_cast<size_t>(depth) * 4, ' ');
  switch (v.kind) {
    case json::Value::Kind::kArray:
      if (v.items.empty()) {
        *out += "[\n" + closing + "]";
        return;
      }
      *out += "[\n";
      for (size_t i = 0; i < v.items.size(); ++i) {
        *out += indent;
        Pretty(v.items[i], depth + 1, out);
        *out += i + 1 < v.items.size() ? ",\n" : "\n";
      }
      *out += closing + "]";
      return;
    case json::Value::Kind::kObject:
      if (v.members.empty()) {
        *out += "{\n" + closing + "}";
        return;
      }
      *out += "{\n";
      for (size_t i = 0; i < v.members.size(); ++i) {
        *out += indent + json::Quote(v.members[i].first) + ": ";
        Pretty(v.members[i].second, depth + 1, out);
        *out += i + 1 < v.members.size() ? ",\n" : "\n";
      }
      *out += closing + "}";
      return;
    default: *out += json::JsonbText(v);
  }
}

}  // namespace

absl::StatusOr<std::string> ToJsonText(const Value& v) {
  if (v.is_null()) return std::string("null");
  switch (v.type()) {
    case TypeId::kBool: return std::string(v.bool_value() ? "true" : "false");
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kNumeric: return FormatValue(v);
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      const std::string text = FormatValue(v);
      // NaN and the infinities are no JSON numbers: strings, as in PostgreSQL.
      if (text == "NaN" || text == "Infinity" || text == "-Infinity") return json::Quote(text);
      return text;
    }
    case TypeId::kJson:
    case TypeId::kJsonb: return v.str_value();
    case TypeId::kTimestamp: return TimestampJson(v.micros_value(), false);
    case TypeId::kTimestampTz: return TimestampJson(v.micros_value(), true);
    case TypeId::kArray: {
      std::string out = "[";
      const auto& elements = v.array_value().elements;
      for (size_t i = 0; i < elements.size(); ++i) {
        CAIRN_ASSIGN_OR_RETURN(std::string item, ToJsonText(elements[i]));
        absl::StrAppend(&out, i > 0 ? "," : "", item);
      }
      return out + "]";
    }
    default: return json::Quote(TextOf(v));
  }
}

absl::StatusOr<std::optional<Value>> EvalJsonFunction(const planner::BoundExpr& e,
                                                      const std::vector<Value>& args) {
  const std::string& name = e.name;
  const TypeId type = e.type.id;
  if (name == "json_build_object" || name == "jsonb_build_object") {
    if (args.size() % 2 != 0) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "argument list must have even number of elements");
    }
    std::string out = "{";
    for (size_t i = 0; i + 1 < args.size(); i += 2) {
      if (args[i].is_null()) {
        return MakeError(ErrorCode::kInvalidParameterValue,
                         absl::StrFormat("argument %d cannot be null", i + 1));
      }
      CAIRN_ASSIGN_OR_RETURN(std::string value, ToJsonText(args[i + 1]));
      absl::StrAppend(&out, i > 0 ? ", " : "", json::Quote(KeyText(args[i])), " : ", value);
    }
    out += "}";
    if (type == TypeId::kJson) return Value::String(TypeId::kJson, std::move(out));
    CAIRN_ASSIGN_OR_RETURN(json::Value doc, json::Parse(out));
    return NormalJsonb(doc);
  }
  if (name == "json_build_array" || name == "jsonb_build_array") {
    std::string out = "[";
    for (size_t i = 0; i < args.size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(std::string value, ToJsonText(args[i]));
      absl::StrAppend(&out, i > 0 ? ", " : "", value);
    }
    out += "]";
    if (type == TypeId::kJson) return Value::String(TypeId::kJson, std::move(out));
    CAIRN_ASSIGN_OR_RETURN(json::Value doc, json::Parse(out));
    return NormalJsonb(doc);
  }
  if (name == "gen_random_uuid") {
    // Version 4 (random), variant RFC 4122.
    std::string bytes = password::RandomBytes(16);
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
    return Value::String(TypeId::kUuid, std::move(bytes));
  }
  const bool known =
      name == "to_json" || name == "to_jsonb" || name == "json_typeof" || name == "jsonb_typeof" ||
      name == "json_array_length" || name == "jsonb_array_length" || name == "jsonb_pretty" ||
      name == "cairn_json_get" || name == "cairn_json_get_text" || name == "cairn_json_path" ||
      name == "cairn_json_path_text" || name == "cairn_jsonb_contains" ||
      name == "cairn_jsonb_has_key" || name == "cairn_jsonb_has_any_key" ||
      name == "cairn_jsonb_has_all_keys" || name == "cairn_array_contains";
  if (!known) return std::nullopt;
  for (const Value& a : args) {
    if (a.is_null()) return Value::NullOf(e.type);
  }
  if (name == "to_json" || name == "to_jsonb") {
    CAIRN_ASSIGN_OR_RETURN(std::string text, ToJsonText(args[0]));
    if (type == TypeId::kJson) return Value::String(TypeId::kJson, std::move(text));
    CAIRN_ASSIGN_OR_RETURN(json::Value doc, json::Parse(text));
    return NormalJsonb(doc);
  }
  if (name == "cairn_array_contains") {
    // Every (non-NULL) element of the right array is in the left one.
    for (const Value& want : args[1].array_value().elements) {
      bool found = false;
      for (const Value& have : args[0].array_value().elements) {
        if (!want.is_null() && !have.is_null() && CompareValues(have, want) == 0) {
          found = true;
          break;
        }
      }
      if (!found) return Value::Bool(false);
    }
    return Value::Bool(true);
  }
  CAIRN_ASSIGN_OR_RETURN(json::Value doc, Document(args[0]));
  if (name == "json_typeof" || name == "jsonb_typeof") return Value::Text(json::TypeName(doc));
  if (name == "json_array_length" || name == "jsonb_array_length") {
    if (doc.kind != json::Value::Kind::kArray) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       doc.kind == json::Value::Kind::kObject
                           ? "cannot get array length of a non-array"
                           : "cannot get array length of a scalar");
    }
    return Value::Int32(static_cast<int64_t>(doc.items.size()));
  }
  if (name == "jsonb_pretty") {
    std::string out;
    Pretty(doc, 0, &out);
    return Value::Text(std::move(out));
  }
  const bool jsonb = args[0].type() == TypeId::kJsonb;
  if (name == "cairn_json_get" || name == "cairn_json_get_text") {
    const json::Value* found = Step(doc, args[1], jsonb);
    if (found == nullptr) return Value::NullOf(e.type);
    return name == "cairn_json_get" ? AsSql(*found, args[0]) : AsText(*found, args[0]);
  }
  if (name == "cairn_json_path" || name == "cairn_json_path_text") {
    const json::Value* at = &doc;
    for (const Value& key : args[1].array_value().elements) {
      if (key.is_null()) return Value::NullOf(e.type);
      at = Step(*at, Value::Text(TextOf(key)), jsonb);
      if (at == nullptr) return Value::NullOf(e.type);
    }
    return name == "cairn_json_path" ? AsSql(*at, args[0]) : AsText(*at, args[0]);
  }
  if (name == "cairn_jsonb_contains") {
    CAIRN_ASSIGN_OR_RETURN(json::Value other, Document(args[1]));
    return Value::Bool(json::Contains(doc, other));
  }
  if (name == "cairn_jsonb_has_key") return Value::Bool(HasKey(doc, TextOf(args[1])));
  // ?| and ?&: any or all of the keys.
  const bool any = name == "cairn_jsonb_has_any_key";
  for (const Value& key : args[1].array_value().elements) {
    if (key.is_null()) continue;
    const bool has = HasKey(doc, TextOf(key));
    if (any && has) return Value::Bool(true);
    if (!any && !has) return Value::Bool(false);
  }
  return Value::Bool(!any);
}

}  // namespace cairn::executor
