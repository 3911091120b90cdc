#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

// JSON documents for the json and jsonb types: a parser (RFC 8259, with
// PostgreSQL's errors) and the two output forms. json keeps its input text;
// jsonb is stored in the normal form JsonbText() writes: object keys in
// jsonb's order (shorter first, then bytewise) with the last duplicate
// winning, numbers as numeric prints them, ", " and ": " between items.
namespace cairn::json {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kNumber: its digits; kString: the decoded string
  std::vector<Value> items;                            // kArray
  std::vector<std::pair<std::string, Value>> members;  // kObject
  // Where Parse found it in its input: json's operators return that text.
  size_t begin = 0;
  size_t end = 0;

  static Value Null() { return Value{}; }
  static Value Bool(bool b);
  static Value Number(std::string digits);
  static Value String(std::string s);
  static Value Array(std::vector<Value> items);
  static Value Object(std::vector<std::pair<std::string, Value>> members);

  // kObject: the member named `key` (the last one of that name), or null.
  const Value* Find(std::string_view key) const;
};

// Parses `text`; 22P02 "invalid input syntax for type json" with a detail
// naming the problem, as PostgreSQL reports it.
absl::StatusOr<Value> Parse(std::string_view text);

// The jsonb normal form of `v` (object keys sorted and unique).
std::string JsonbText(const Value& v);
// `v` with object keys in jsonb's order and duplicates removed.
Value Normalize(Value v);
// A string as a JSON string literal, quotes included.
std::string Quote(std::string_view s);

// jsonb's order (btree): Object > Array > Boolean > Number > String >
// Null; numbers by value, strings bytewise; arrays and objects by size,
// then element by element (objects: keys, then values).
int Compare(const Value& a, const Value& b);
// Text that equal values (by Compare) share, for hashing.
std::string CanonicalText(const Value& v);

// jsonb's containment (@>): whether `container` contains `contained`.
bool Contains(const Value& container, const Value& contained);
// PostgreSQL's jsonb_typeof: "object", "array", "string", "number",
// "boolean", "null".
const char* TypeName(const Value& v);

}  // namespace cairn::json
