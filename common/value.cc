#include "common/value.h"

#include <cmath>
#include <functional>

#include "absl/hash/hash.h"
#include "common/json.h"

namespace cairn {

Value Value::Null(TypeId type) {
  Value v;
  v.type_ = type;
  return v;
}

Value Value::NullOf(const SqlType& type) {
  return type.id == TypeId::kArray ? NullArray(type.element) : Null(type.id);
}

Value Value::Bool(bool b) {
  Value v;
  v.type_ = TypeId::kBool;
  v.datum_ = b;
  return v;
}

Value Value::Int(TypeId type, int64_t i) {
  Value v;
  v.type_ = type;
  v.datum_ = i;
  return v;
}

Value Value::Float(TypeId type, double d) {
  Value v;
  v.type_ = type;
  v.datum_ = d;
  return v;
}

Value Value::Num(Numeric n) {
  Value v;
  v.type_ = TypeId::kNumeric;
  v.datum_ = n;
  return v;
}

Value Value::String(TypeId type, std::string s) {
  Value v;
  v.type_ = type;
  v.datum_ = std::move(s);
  return v;
}

Value Value::Bytea(std::string s) { return String(TypeId::kBytea, std::move(s)); }

Value Value::Date(int32_t days) { return Int(TypeId::kDate, days); }

Value Value::FromInterval(const Interval& i) {
  Value v;
  v.type_ = TypeId::kInterval;
  v.datum_ = i;
  return v;
}

Value Value::Timestamp(TypeId type, int64_t micros) { return Int(type, micros); }

Value Value::Array(TypeId element_type, std::vector<Value> elements) {
  Value v;
  v.type_ = TypeId::kArray;
  v.datum_ = std::make_shared<const ArrayValue>(ArrayValue{element_type, std::move(elements)});
  return v;
}

SqlType Value::sql_type() const {
  if (type_ != TypeId::kArray) return SqlType::Of(type_);
  return SqlType::ArrayOf(is_null() ? null_element_ : array_value().element_type);
}

namespace {

int CompareDoubles(double a, double b) {
  // PostgreSQL orders NaN above every other float.
  bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

enum class Family { kNull, kBool, kNumber, kString, kBytes, kTime, kInterval, kArray, kJsonb };

Family FamilyOf(const Value& v) {
  if (v.is_null()) return Family::kNull;
  switch (v.type()) {
    case TypeId::kBool: return Family::kBool;
    case TypeId::kBytea:
    case TypeId::kUuid: return Family::kBytes;
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return Family::kTime;
    case TypeId::kInterval: return Family::kInterval;
    case TypeId::kArray: return Family::kArray;
    case TypeId::kJsonb: return Family::kJsonb;
    default:
      return IsNumericType(v.type()) ? Family::kNumber : Family::kString;
  }
}

int CompareNumbers(const Value& a, const Value& b) {
  TypeId ta = a.type(), tb = b.type();
  if (IsIntegerType(ta) && IsIntegerType(tb)) {
    return a.int_value() < b.int_value() ? -1 : (a.int_value() > b.int_value() ? 1 : 0);
  }
  bool af = ta == TypeId::kFloat32 || ta == TypeId::kFloat64;
  bool bf = tb == TypeId::kFloat32 || tb == TypeId::kFloat64;
  auto as_double = [](const Value& v) {
    if (IsIntegerType(v.type())) return static_cast<double>(v.int_value());
    if (v.type() == TypeId::kNumeric) return v.numeric_value().ToDouble();
    return v.float_value();
  };
  if (af || bf) return CompareDoubles(as_double(a), as_double(b));
  auto as_numeric = [](const Value& v) {
    return v.type() == TypeId::kNumeric ? v.numeric_value() : Numeric::FromInt(v.int_value());
  };
  return as_numeric(a).Compare(as_numeric(b));
}

// Time values of different kinds compare on a common microsecond scale.
int64_t TimeMicros(const Value& v) {
  return v.type() == TypeId::kDate ? int64_t{v.date_value()} * 86400000000LL : v.micros_value();
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  Family fa = FamilyOf(a), fb = FamilyOf(b);
  if (fa != fb) return fa < fb ? -1 : 1;
  switch (fa) {
    case Family::kNull: return 0;
    case Family::kBool: return a.bool_value() == b.bool_value() ? 0 : (a.bool_value() ? 1 : -1);
    case Family::kNumber: return CompareNumbers(a, b);
    case Family::kString:
    case Family::kBytes: {
      int c = a.str_value().compare(b.str_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Family::kTime: {
      int64_t x = TimeMicros(a), y = TimeMicros(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case Family::kInterval: return CompareIntervals(a.interval_value(), b.interval_value());
    case Family::kJsonb: {
      // By jsonb's order: 1.0 equals 1.
      auto x = json::Parse(a.str_value());
      auto y = json::Parse(b.str_value());
      if (!x.ok() || !y.ok()) {
        const int c = a.str_value().compare(b.str_value());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
      }
      return json::Compare(*x, *y);
    }
    case Family::kArray: {
      // Element by element, then the shorter first, as PostgreSQL orders
      // one-dimensional arrays.
      const auto& x = a.array_value().elements;
      const auto& y = b.array_value().elements;
      // NULL elements sort after all others and equal one another.
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (x[i].is_null() || y[i].is_null()) {
          if (x[i].is_null() && y[i].is_null()) continue;
          return x[i].is_null() ? 1 : -1;
        }
        if (int c = CompareValues(x[i], y[i]); c != 0) return c;
      }
      return x.size() == y.size() ? 0 : (x.size() < y.size() ? -1 : 1);
    }
  }
  return 0;
}

bool ValuesEqual(const Value& a, const Value& b) { return CompareValues(a, b) == 0; }

size_t HashValue(const Value& v) {
  switch (FamilyOf(v)) {
    case Family::kNull: return 0x9e3779b9;
    case Family::kBool: return absl::HashOf(v.bool_value());
    case Family::kNumber: {
      // Equal numbers of different types must hash alike.
      if (IsIntegerType(v.type())) return absl::HashOf(static_cast<double>(v.int_value()));
      if (v.type() == TypeId::kNumeric) {
        Numeric n = v.numeric_value().Normalize();
        if (n.scale == 0 && n.unscaled >= INT64_MIN && n.unscaled <= INT64_MAX) {
          return absl::HashOf(static_cast<double>(static_cast<int64_t>(n.unscaled)));
        }
        return absl::HashOf(n.ToDouble());
      }
      return absl::HashOf(v.float_value());
    }
    case Family::kString:
    case Family::kBytes: return absl::HashOf(v.str_value());
    case Family::kTime: return absl::HashOf(TimeMicros(v));
    case Family::kInterval: {
      // Equal spans ('1 day', '24 hours') must hash alike.
      const __int128 span = IntervalSpan(v.interval_value());
      return absl::HashOf(static_cast<int64_t>(span >> 64), static_cast<uint64_t>(span));
    }
    case Family::kJsonb: {
      auto doc = json::Parse(v.str_value());
      return absl::HashOf(doc.ok() ? json::CanonicalText(*doc) : v.str_value());
    }
    case Family::kArray: {
      size_t h = 0x51ed27;
      for (const Value& e : v.array_value().elements) h = h * 31 + HashValue(e);
      return h;
    }
  }
  return 0;
}

size_t RowHash::operator()(const Row& row) const {
  size_t h = 17;
  for (const Value& v : row) h = h * 31 + HashValue(v);
  return h;
}

bool RowEq::operator()(const Row& a, const Row& b) const {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!ValuesEqual(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace cairn
