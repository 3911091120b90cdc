#include "executor/row_format.h"

#include <algorithm>
#include <cstring>

#include "common/error_code.h"
#include "common/interval.h"
#include "common/value_text.h"

namespace cairn::executor {
namespace {

// Per value: its TypeId, a shape, then the datum: 8 bytes for the integer
// family (dates, timestamps) and floats, 16 for an interval, else a length
// and bytes (numeric and arrays as their text, read back with the same
// type). Fixed-width fields are in host byte order: rows never outlive the
// cluster's binaries' architecture.
enum class Shape : uint8_t { kNull, kBool, kInt, kFloat, kInterval, kBytes, kText };

Shape ShapeOf(const Value& v) {
  if (v.is_null()) return Shape::kNull;
  switch (v.type()) {
    case TypeId::kBool:
      return Shape::kBool;
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return Shape::kInt;
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      return Shape::kFloat;
    case TypeId::kInterval:
      return Shape::kInterval;
    case TypeId::kNumeric:
    case TypeId::kArray:
      return Shape::kText;
    default:
      return Shape::kBytes;
  }
}

template <typename T>
void AppendFixed(std::string* out, T x) {
  out->append(reinterpret_cast<const char*>(&x), sizeof x);
}

absl::Status Truncated() { return MakeError(ErrorCode::kDataCorrupted, "truncated row"); }

// Takes `bytes` bytes from the front of `*in`.
absl::StatusOr<std::string_view> Take(std::string_view* in, size_t bytes) {
  if (in->size() < bytes) return Truncated();
  std::string_view taken = in->substr(0, bytes);
  in->remove_prefix(bytes);
  return taken;
}

template <typename T>
absl::StatusOr<T> TakeFixed(std::string_view* in) {
  CAIRN_ASSIGN_OR_RETURN(std::string_view bytes, Take(in, sizeof(T)));
  T x;
  std::memcpy(&x, bytes.data(), sizeof x);
  return x;
}

}  // namespace

void AppendRow(const Row& row, std::string* out) {
  AppendFixed(out, static_cast<uint32_t>(row.size()));
  for (const Value& v : row) {
    const Shape shape = ShapeOf(v);
    out->push_back(static_cast<char>(v.type()));
    out->push_back(static_cast<char>(shape));
    // A NULL array keeps its element type.
    if (v.type() == TypeId::kArray) out->push_back(static_cast<char>(v.sql_type().element));
    switch (shape) {
      case Shape::kNull:
        break;
      case Shape::kBool:
        out->push_back(v.bool_value() ? 1 : 0);
        break;
      case Shape::kInt:
        AppendFixed(out, v.int_value());
        break;
      case Shape::kFloat:
        AppendFixed(out, v.float_value());
        break;
      case Shape::kInterval:
        out->append(EncodeIntervalBinary(v.interval_value()));
        break;
      case Shape::kBytes:
      case Shape::kText: {
        const std::string text = shape == Shape::kText ? FormatValue(v) : v.str_value();
        AppendFixed(out, static_cast<uint32_t>(text.size()));
        out->append(text);
        break;
      }
    }
  }
}

absl::Status ReadRow(std::string_view* in, Row* row) {
  CAIRN_ASSIGN_OR_RETURN(uint32_t n, TakeFixed<uint32_t>(in));
  row->clear();
  // Each value takes two bytes at least: a corrupt count reserves no more.
  row->reserve(std::min<size_t>(n, in->size() / 2));
  for (uint32_t i = 0; i < n; ++i) {
    CAIRN_ASSIGN_OR_RETURN(std::string_view header, Take(in, 2));
    const TypeId type = static_cast<TypeId>(header[0]);
    const Shape shape = static_cast<Shape>(header[1]);
    TypeId element = TypeId::kUnknown;
    if (type == TypeId::kArray) {
      CAIRN_ASSIGN_OR_RETURN(std::string_view e, Take(in, 1));
      element = static_cast<TypeId>(e[0]);
    }
    switch (shape) {
      case Shape::kNull:
        row->push_back(type == TypeId::kArray ? Value::NullArray(element) : Value::Null(type));
        break;
      case Shape::kBool: {
        CAIRN_ASSIGN_OR_RETURN(std::string_view b, Take(in, 1));
        row->push_back(Value::Bool(b[0] != 0));
        break;
      }
      case Shape::kInt: {
        CAIRN_ASSIGN_OR_RETURN(int64_t x, TakeFixed<int64_t>(in));
        row->push_back(Value::Int(type, x));
        break;
      }
      case Shape::kFloat: {
        CAIRN_ASSIGN_OR_RETURN(double x, TakeFixed<double>(in));
        row->push_back(Value::Float(type, x));
        break;
      }
      case Shape::kInterval: {
        CAIRN_ASSIGN_OR_RETURN(std::string_view bytes, Take(in, 16));
        CAIRN_ASSIGN_OR_RETURN(Interval iv, DecodeIntervalBinary(std::string(bytes)));
        row->push_back(Value::FromInterval(iv));
        break;
      }
      case Shape::kBytes:
      case Shape::kText: {
        CAIRN_ASSIGN_OR_RETURN(uint32_t len, TakeFixed<uint32_t>(in));
        CAIRN_ASSIGN_OR_RETURN(std::string_view text, Take(in, len));
        if (shape == Shape::kBytes) {
          row->push_back(Value::String(type, std::string(text)));
        } else {
          const SqlType sql =
              type == TypeId::kArray ? SqlType::ArrayOf(element) : SqlType::Of(type);
          CAIRN_ASSIGN_OR_RETURN(Value v, ParseValue(text, sql));
          row->push_back(std::move(v));
        }
        break;
      }
      default:
        return MakeError(ErrorCode::kDataCorrupted, "row value of unknown shape");
    }
  }
  return absl::OkStatus();
}

}  // namespace cairn::executor
