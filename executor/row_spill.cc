#include "executor/row_spill.h"

#include <cstring>
#include <string>

#include "common/error_code.h"
#include "common/interval.h"
#include "common/value_text.h"

namespace cairn::executor {
namespace {

// Per value: its TypeId, a NULL flag, then the datum: 8 bytes for the
// integer family (dates, timestamps) and floats, 16 for an interval, else
// a length and bytes (numeric and arrays as their text, read back with the
// same type).
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

absl::Status IoError(const char* what) {
  return MakeError(ErrorCode::kIoError, std::string("temporary file for spilled rows: ") + what +
                                            ": " + std::strerror(errno));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RowSpillFile>> RowSpillFile::Create() {
  FILE* f = std::tmpfile();
  if (f == nullptr) return IoError("cannot create");
  return std::unique_ptr<RowSpillFile>(new RowSpillFile(f));
}

RowSpillFile::~RowSpillFile() { std::fclose(file_); }

absl::Status RowSpillFile::Write(const Row& row) {
  std::string out;
  const uint32_t n = static_cast<uint32_t>(row.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  for (const Value& v : row) {
    const Shape shape = ShapeOf(v);
    out.push_back(static_cast<char>(v.type()));
    out.push_back(static_cast<char>(shape));
    // A NULL array keeps its element type.
    if (v.type() == TypeId::kArray) out.push_back(static_cast<char>(v.sql_type().element));
    switch (shape) {
      case Shape::kNull:
        break;
      case Shape::kBool:
        out.push_back(v.bool_value() ? 1 : 0);
        break;
      case Shape::kInt: {
        const int64_t x = v.int_value();
        out.append(reinterpret_cast<const char*>(&x), sizeof x);
        break;
      }
      case Shape::kFloat: {
        const double x = v.float_value();
        out.append(reinterpret_cast<const char*>(&x), sizeof x);
        break;
      }
      case Shape::kInterval:
        out.append(EncodeIntervalBinary(v.interval_value()));
        break;
      case Shape::kBytes:
      case Shape::kText: {
        const std::string text = shape == Shape::kText ? FormatValue(v) : v.str_value();
        const uint32_t len = static_cast<uint32_t>(text.size());
        out.append(reinterpret_cast<const char*>(&len), sizeof len);
        out.append(text);
        break;
      }
    }
  }
  if (std::fwrite(out.data(), 1, out.size(), file_) != out.size()) return IoError("write");
  return absl::OkStatus();
}

absl::Status RowSpillFile::Rewind() {
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) return IoError("rewind");
  return absl::OkStatus();
}

absl::StatusOr<bool> RowSpillFile::Read(Row* row) {
  auto read = [&](void* into, size_t bytes) -> absl::Status {
    if (std::fread(into, 1, bytes, file_) != bytes) return IoError("read");
    return absl::OkStatus();
  };
  uint32_t n = 0;
  const size_t got = std::fread(&n, 1, sizeof n, file_);
  if (got == 0 && std::feof(file_)) return false;
  if (got != sizeof n) return IoError("read");
  row->clear();
  row->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t header[2];
    CAIRN_RETURN_IF_ERROR(read(header, 2));
    const TypeId type = static_cast<TypeId>(header[0]);
    const Shape shape = static_cast<Shape>(header[1]);
    TypeId element = TypeId::kUnknown;
    if (type == TypeId::kArray) CAIRN_RETURN_IF_ERROR(read(&element, 1));
    switch (shape) {
      case Shape::kNull:
        row->push_back(type == TypeId::kArray ? Value::NullArray(element) : Value::Null(type));
        break;
      case Shape::kBool: {
        uint8_t b;
        CAIRN_RETURN_IF_ERROR(read(&b, 1));
        row->push_back(Value::Bool(b != 0));
        break;
      }
      case Shape::kInt: {
        int64_t x;
        CAIRN_RETURN_IF_ERROR(read(&x, sizeof x));
        row->push_back(Value::Int(type, x));
        break;
      }
      case Shape::kFloat: {
        double x;
        CAIRN_RETURN_IF_ERROR(read(&x, sizeof x));
        row->push_back(Value::Float(type, x));
        break;
      }
      case Shape::kInterval: {
        std::string bytes(16, '\0');
        CAIRN_RETURN_IF_ERROR(read(bytes.data(), bytes.size()));
        CAIRN_ASSIGN_OR_RETURN(Interval iv, DecodeIntervalBinary(bytes));
        row->push_back(Value::FromInterval(iv));
        break;
      }
      case Shape::kBytes:
      case Shape::kText: {
        uint32_t len;
        CAIRN_RETURN_IF_ERROR(read(&len, sizeof len));
        std::string text(len, '\0');
        if (len > 0) CAIRN_RETURN_IF_ERROR(read(text.data(), len));
        if (shape == Shape::kBytes) {
          row->push_back(Value::String(type, std::move(text)));
        } else {
          const SqlType sql =
              type == TypeId::kArray ? SqlType::ArrayOf(element) : SqlType::Of(type);
          CAIRN_ASSIGN_OR_RETURN(Value v, ParseValue(text, sql));
          row->push_back(std::move(v));
        }
        break;
      }
    }
  }
  return true;
}

size_t ApproximateRowBytes(const Row& row) {
  size_t bytes = sizeof(Row) + row.size() * sizeof(Value);
  for (const Value& v : row) {
    if (v.is_null()) continue;
    const Shape shape = ShapeOf(v);
    if (shape == Shape::kBytes) bytes += v.str_value().size();
    if (shape == Shape::kText) bytes += 64;  // numerics and arrays: a rough guess
  }
  return bytes;
}

}  // namespace cairn::executor
