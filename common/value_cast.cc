#include "common/value_cast.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/value_text.h"

namespace cairn {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

absl::Status OutOfRange(TypeId to) {
  const char* name = to == TypeId::kInt16 ? "smallint" : to == TypeId::kInt32 ? "integer" : "bigint";
  return MakeError(ErrorCode::kNumericValueOutOfRange, absl::StrFormat("%s out of range", name));
}

absl::StatusOr<Value> CheckIntRange(int64_t v, TypeId to) {
  if ((to == TypeId::kInt16 && (v < INT16_MIN || v > INT16_MAX)) ||
      (to == TypeId::kInt32 && (v < INT32_MIN || v > INT32_MAX))) {
    return OutOfRange(to);
  }
  return Value::Int(to, v);
}

bool IsFloat(TypeId t) { return t == TypeId::kFloat32 || t == TypeId::kFloat64; }

}  // namespace

bool CanCast(TypeId from, TypeId to, CastContext context) {
  if (from == to || from == TypeId::kUnknown) return true;
  if (IsNumericType(from) && IsNumericType(to)) {
    if (context != CastContext::kImplicit) return true;
    // Implicit: widening only (int2 < int4 < int8 < numeric < float4 < float8).
    auto rank = [](TypeId t) {
      switch (t) {
        case TypeId::kInt16: return 1;
        case TypeId::kInt32: return 2;
        case TypeId::kInt64: return 3;
        case TypeId::kNumeric: return 4;
        case TypeId::kFloat32: return 5;
        default: return 6;
      }
    };
    return rank(from) <= rank(to);
  }
  if (IsStringType(from) && IsStringType(to)) return true;
  if (IsStringType(to)) return context != CastContext::kImplicit;
  if (IsTimeType(from) && IsTimeType(to)) return true;
  if (IsJsonType(from) && IsJsonType(to)) return context != CastContext::kImplicit;
  if (context == CastContext::kExplicit) {
    if (IsStringType(from)) return true;  // text -> anything through its input function
    if ((from == TypeId::kBool && (to == TypeId::kInt32 || to == TypeId::kInt64)) ||
        ((from == TypeId::kInt32 || from == TypeId::kInt64) && to == TypeId::kBool)) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<Value> CastValue(const Value& v, const SqlType& to, CastContext context) {
  if (v.is_null()) return to.id == TypeId::kArray ? Value::NullArray(to.element) : Value::Null(to.id);
  const TypeId from = v.type();
  if (from == TypeId::kArray && to.id == TypeId::kArray) {
    const ArrayValue& array = v.array_value();
    if (array.element_type == to.element) return v;
    std::vector<Value> elements;
    elements.reserve(array.elements.size());
    for (const Value& e : array.elements) {
      CAIRN_ASSIGN_OR_RETURN(Value c, CastValue(e, SqlType::Of(to.element), context));
      elements.push_back(std::move(c));
    }
    return Value::Array(to.element, std::move(elements));
  }
  if (!IsStringType(to.id) && (from == TypeId::kUnknown || IsStringType(from))) {
    return ParseValue(v.str_value(), to);
  }
  if (from == to.id && (from == TypeId::kUuid || IsJsonType(from))) return v;
  if (IsJsonType(from) && IsJsonType(to.id)) return ParseValue(v.str_value(), to);
  if (IsStringType(to.id)) {
    std::string text;
    if (IsStringType(from) || from == TypeId::kUnknown) {
      text = v.str_value();
    } else if (from == TypeId::kBool) {
      text = v.bool_value() ? "true" : "false";  // boolean's cast to text, unlike its output
    } else {
      text = FormatValue(v);
    }
    if (from == TypeId::kChar && to.id != TypeId::kChar) {
      // bpchar drops its padding when it becomes text.
      while (!text.empty() && text.back() == ' ') text.pop_back();
    }
    if (to.precision >= 0 && context == CastContext::kExplicit &&
        Utf8Length(text) > to.precision) {
      text.resize(Utf8Prefix(text, to.precision));
    }
    return ParseValue(text, to);
  }
  switch (to.id) {
    case TypeId::kBool:
      if (from == TypeId::kBool) return v;
      if (IsIntegerType(from)) return Value::Bool(v.int_value() != 0);
      break;
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      if (IsIntegerType(from)) return CheckIntRange(v.int_value(), to.id);
      if (from == TypeId::kBool) return Value::Int(to.id, v.bool_value() ? 1 : 0);
      if (IsFloat(from)) {
        double d = std::nearbyint(v.float_value());  // round half to even, as PostgreSQL
        if (std::isnan(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) {
          return OutOfRange(to.id);
        }
        return CheckIntRange(static_cast<int64_t>(d), to.id);
      }
      if (from == TypeId::kNumeric) {
        auto i = v.numeric_value().ToInt64();
        if (!i.ok()) return OutOfRange(to.id);
        return CheckIntRange(*i, to.id);
      }
      break;
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      double d;
      if (IsIntegerType(from)) {
        d = static_cast<double>(v.int_value());
      } else if (IsFloat(from)) {
        d = v.float_value();
      } else if (from == TypeId::kNumeric) {
        d = v.numeric_value().ToDouble();
      } else {
        break;
      }
      if (to.id == TypeId::kFloat32) {
        if (std::isfinite(d) && std::isinf(static_cast<float>(d))) {
          return MakeError(ErrorCode::kNumericValueOutOfRange, "value out of range: overflow");
        }
        d = static_cast<float>(d);
      }
      return Value::Float(to.id, d);
    }
    case TypeId::kNumeric: {
      Numeric n;
      if (IsIntegerType(from)) {
        n = Numeric::FromInt(v.int_value());
      } else if (IsFloat(from)) {
        CAIRN_ASSIGN_OR_RETURN(n, Numeric::FromDouble(v.float_value()));
      } else if (from == TypeId::kNumeric) {
        n = v.numeric_value();
      } else {
        break;
      }
      CAIRN_ASSIGN_OR_RETURN(n, n.Coerce(to.precision, to.scale));
      return Value::Num(n);
    }
    case TypeId::kDate:
      if (from == TypeId::kDate) return v;
      if (from == TypeId::kTimestamp || from == TypeId::kTimestampTz) {
        int64_t m = v.micros_value();
        int64_t days = m / kMicrosPerDay - (m % kMicrosPerDay < 0 ? 1 : 0);
        return Value::Date(static_cast<int32_t>(days));
      }
      break;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (from == TypeId::kDate) return Value::Timestamp(to.id, int64_t{v.date_value()} * kMicrosPerDay);
      if (from == TypeId::kTimestamp || from == TypeId::kTimestampTz) {
        return Value::Timestamp(to.id, v.micros_value());  // the session time zone is UTC
      }
      break;
    case TypeId::kBytea:
      if (from == TypeId::kBytea) return v;
      break;
    case TypeId::kInterval:
      if (from == TypeId::kInterval) {
        // INTERVAL HOUR, INTERVAL(0) and the like narrow the value.
        const Interval narrowed = TruncateToFields(
            v.interval_value(), static_cast<IntervalFields>(to.precision < 0 ? -1 : to.precision));
        return Value::FromInterval(RoundIntervalSeconds(narrowed, to.scale));
      }
      break;
    default:
      break;
  }
  return MakeError(ErrorCode::kDatatypeMismatch,
                   absl::StrFormat("cannot cast type %s to %s", TypeName(SqlType::Of(from)),
                                   TypeName(to)));
}

}  // namespace cairn
