#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/interval.h"
#include "common/numeric.h"
#include "common/sql_type.h"

namespace cairn {

class Value;
// The elements of an array value (one-dimensional, lower bound 1).
struct ArrayValue {
  TypeId element_type = TypeId::kUnknown;
  std::vector<Value> elements;
};

// One SQL value: NULL or a datum of a TypeId. Dates are days and timestamps
// microseconds since 1970-01-01 (UTC for timestamptz). Strings (text,
// varchar, char) and bytea hold their bytes in a std::string.
class Value {
 public:
  Value() = default;  // NULL of unknown type

  static Value Null(TypeId type = TypeId::kUnknown);
  // A NULL of `type` (an array's keeps its element type).
  static Value NullOf(const SqlType& type);
  static Value Bool(bool v);
  static Value Int(TypeId type, int64_t v);  // kInt16/32/64
  static Value Int64(int64_t v) { return Int(TypeId::kInt64, v); }
  static Value Int32(int64_t v) { return Int(TypeId::kInt32, v); }
  static Value Float(TypeId type, double v);  // kFloat32/64
  static Value Float64(double v) { return Float(TypeId::kFloat64, v); }
  static Value Num(Numeric v);
  static Value String(TypeId type, std::string v);  // kText/kVarchar/kChar/kUnknown
  static Value Text(std::string v) { return String(TypeId::kText, std::move(v)); }
  static Value Bytea(std::string v);
  static Value Date(int32_t days);
  static Value Timestamp(TypeId type, int64_t micros);  // kTimestamp/kTimestampTz
  static Value Array(TypeId element_type, std::vector<Value> elements);
  static Value FromInterval(const Interval& v);

  TypeId type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(datum_); }

  // REQUIRES: not null, and a type of the matching family.
  bool bool_value() const { return std::get<bool>(datum_); }
  int64_t int_value() const { return std::get<int64_t>(datum_); }
  double float_value() const { return std::get<double>(datum_); }
  const Numeric& numeric_value() const { return std::get<Numeric>(datum_); }
  const std::string& str_value() const { return std::get<std::string>(datum_); }
  int32_t date_value() const { return static_cast<int32_t>(std::get<int64_t>(datum_)); }
  int64_t micros_value() const { return std::get<int64_t>(datum_); }
  const Interval& interval_value() const { return std::get<Interval>(datum_); }
  const ArrayValue& array_value() const { return *std::get<std::shared_ptr<const ArrayValue>>(datum_); }
  // kArray (also NULL ones): the type of the elements.
  SqlType sql_type() const;

  // A copy relabelled with another type of the same representation.
  Value WithType(TypeId type) const {
    Value v = *this;
    v.type_ = type;
    return v;
  }

 private:
  TypeId type_ = TypeId::kUnknown;
  // A NULL array keeps its element type here (datum_ stays monostate).
  TypeId null_element_ = TypeId::kUnknown;
  std::variant<std::monostate, bool, int64_t, double, Numeric, std::string,
               std::shared_ptr<const ArrayValue>, Interval>
      datum_;

 public:
  // A NULL of array type.
  static Value NullArray(TypeId element_type) {
    Value v = Null(TypeId::kArray);
    v.null_element_ = element_type;
    return v;
  }
};

using Row = std::vector<Value>;

// Total order for sorting and keys: NULL first, then by value. Values of
// different numeric types compare numerically; other mixes compare by type.
int CompareValues(const Value& a, const Value& b);
bool ValuesEqual(const Value& a, const Value& b);  // NULL equals NULL here
size_t HashValue(const Value& v);

struct RowHash {
  size_t operator()(const Row& row) const;
};
struct RowEq {
  bool operator()(const Row& a, const Row& b) const;
};

}  // namespace cairn
