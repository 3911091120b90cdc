#include "pgwire/binary_format.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/value_text.h"

namespace cairn::pgwire {
namespace {

// PostgreSQL counts dates and timestamps from 2000-01-01, CairnDB from 1970.
constexpr int32_t kPgEpochDays = 10957;
constexpr int64_t kPgEpochMicros = int64_t{kPgEpochDays} * 86400 * 1000000;

constexpr uint16_t kNumericPositive = 0x0000;
constexpr uint16_t kNumericNegative = 0x4000;
constexpr int kNumericDigitsPerGroup = 4;  // base 10000

absl::Status BadBinary(const SqlType& type, std::string_view why) {
  return MakeError(ErrorCode::kInvalidBinaryRepresentation,
                   absl::StrFormat("incorrect binary data format for type %s: %s", TypeName(type),
                                   why));
}

uint64_t LoadBigEndian(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

void AppendBigEndian(uint64_t v, int width, std::string* out) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// "-12.340" <-> PostgreSQL's NumericVar wire form. CairnDB's Numeric
// prints and parses exact decimal text, so the conversion goes through it.
void AppendNumeric(const std::string& text, std::string* out) {
  std::string_view s = text;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string int_part(s.substr(0, dot));
  std::string frac_part(dot == std::string_view::npos ? "" : s.substr(dot + 1));
  const int dscale = static_cast<int>(frac_part.size());
  int_part.erase(0, int_part.find_first_not_of('0'));
  // Pad both parts to whole base-10000 digits around the decimal point.
  int_part.insert(0, (kNumericDigitsPerGroup - int_part.size() % kNumericDigitsPerGroup) %
                         kNumericDigitsPerGroup,
                  '0');
  frac_part.append((kNumericDigitsPerGroup - frac_part.size() % kNumericDigitsPerGroup) %
                       kNumericDigitsPerGroup,
                   '0');
  std::vector<int16_t> digits;
  const std::string all = int_part + frac_part;
  for (size_t i = 0; i < all.size(); i += kNumericDigitsPerGroup) {
    digits.push_back(static_cast<int16_t>(std::stoi(all.substr(i, kNumericDigitsPerGroup))));
  }
  int weight = static_cast<int>(int_part.size() / kNumericDigitsPerGroup) - 1;
  size_t first = 0;
  while (first < digits.size() && digits[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = digits.size();
  while (last > first && digits[last - 1] == 0) --last;
  if (first == last) {  // zero
    weight = 0;
    negative = false;
  }
  AppendBigEndian(last - first, 2, out);
  AppendBigEndian(static_cast<uint16_t>(weight), 2, out);
  AppendBigEndian(negative ? kNumericNegative : kNumericPositive, 2, out);
  AppendBigEndian(static_cast<uint16_t>(dscale), 2, out);
  for (size_t i = first; i < last; ++i) AppendBigEndian(static_cast<uint16_t>(digits[i]), 2, out);
}

absl::StatusOr<std::string> NumericText(std::string_view bytes, const SqlType& type) {
  if (bytes.size() < 8) return BadBinary(type, "too short");
  const int ndigits = static_cast<int16_t>(LoadBigEndian(bytes.substr(0, 2)));
  const int weight = static_cast<int16_t>(LoadBigEndian(bytes.substr(2, 2)));
  const uint16_t sign = static_cast<uint16_t>(LoadBigEndian(bytes.substr(4, 2)));
  const int dscale = static_cast<int16_t>(LoadBigEndian(bytes.substr(6, 2)));
  if (ndigits < 0 || dscale < 0 || bytes.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
    return BadBinary(type, "invalid length");
  }
  if (sign != kNumericPositive && sign != kNumericNegative) {
    return BadBinary(type, "invalid sign (NaN and infinity are not supported)");
  }
  std::vector<int> digits(ndigits);
  for (int i = 0; i < ndigits; ++i) {
    digits[i] = static_cast<int16_t>(LoadBigEndian(bytes.substr(8 + 2 * i, 2)));
    if (digits[i] < 0 || digits[i] > 9999) return BadBinary(type, "invalid digit");
  }
  // Digit i stands for digits[i] * 10000^(weight - i).
  auto digit_at = [&](int w) { return weight - w >= 0 && weight - w < ndigits ? digits[weight - w] : 0; };
  std::string text = sign == kNumericNegative ? "-" : "";
  if (weight < 0) {
    text += "0";
  } else {
    text += absl::StrCat(digit_at(weight));
    for (int w = weight - 1; w >= 0; --w) text += absl::StrFormat("%04d", digit_at(w));
  }
  if (dscale > 0) {
    std::string frac;
    for (int w = -1; static_cast<int>(frac.size()) < dscale; --w) {
      frac += absl::StrFormat("%04d", digit_at(w));
    }
    text += "." + frac.substr(0, dscale);
  }
  return text;
}

}  // namespace

absl::StatusOr<Value> DecodeBinaryValue(std::string_view bytes, const SqlType& type) {
  auto want = [&](size_t n) -> absl::Status {
    if (bytes.size() == n) return absl::OkStatus();
    return BadBinary(type, absl::StrCat(bytes.size(), " bytes where ", n, " were expected"));
  };
  switch (type.id) {
    case TypeId::kBool:
      CAIRN_RETURN_IF_ERROR(want(1));
      return Value::Bool(bytes[0] != 0);
    case TypeId::kInt16:
      CAIRN_RETURN_IF_ERROR(want(2));
      return Value::Int(type.id, static_cast<int16_t>(LoadBigEndian(bytes)));
    case TypeId::kInt32:
      CAIRN_RETURN_IF_ERROR(want(4));
      return Value::Int(type.id, static_cast<int32_t>(LoadBigEndian(bytes)));
    case TypeId::kInt64:
      CAIRN_RETURN_IF_ERROR(want(8));
      return Value::Int(type.id, static_cast<int64_t>(LoadBigEndian(bytes)));
    case TypeId::kFloat32: {
      CAIRN_RETURN_IF_ERROR(want(4));
      const uint32_t bits = static_cast<uint32_t>(LoadBigEndian(bytes));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return Value::Float(type.id, f);
    }
    case TypeId::kFloat64: {
      CAIRN_RETURN_IF_ERROR(want(8));
      const uint64_t bits = LoadBigEndian(bytes);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return Value::Float(type.id, d);
    }
    case TypeId::kNumeric: {
      CAIRN_ASSIGN_OR_RETURN(std::string text, NumericText(bytes, type));
      return ParseValue(text, type);
    }
    case TypeId::kDate:
      CAIRN_RETURN_IF_ERROR(want(4));
      return Value::Date(static_cast<int32_t>(LoadBigEndian(bytes)) + kPgEpochDays);
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      CAIRN_RETURN_IF_ERROR(want(8));
      return Value::Timestamp(type.id, static_cast<int64_t>(LoadBigEndian(bytes)) + kPgEpochMicros);
    case TypeId::kBytea:
      return Value::Bytea(std::string(bytes));
    case TypeId::kInterval: {
      CAIRN_RETURN_IF_ERROR(want(16));
      CAIRN_ASSIGN_OR_RETURN(Interval v, DecodeIntervalBinary(bytes));
      return Value::FromInterval(v);
    }
    case TypeId::kUuid:
      CAIRN_RETURN_IF_ERROR(want(16));
      return Value::String(TypeId::kUuid, std::string(bytes));
    case TypeId::kJson:
      return ParseValue(bytes, type);
    case TypeId::kJsonb:
      // A version byte (1), then the text.
      if (bytes.empty() || bytes[0] != 1) return BadBinary(type, "unsupported jsonb version number");
      return ParseValue(bytes.substr(1), type);
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kChar:
    case TypeId::kUnknown:
      // The binary form of a string type is its text: the length and
      // padding rules of the column apply as for text input.
      return ParseValue(bytes, type.id == TypeId::kUnknown ? SqlType::Of(TypeId::kText) : type);
    case TypeId::kArray: {
      // ndim, has-nulls flag, element type, then per dimension its length
      // and lower bound, then each element as a length (-1: NULL) and bytes.
      auto take = [&](size_t n) -> absl::StatusOr<uint64_t> {
        if (bytes.size() < n) return BadBinary(type, "truncated array");
        const uint64_t v = LoadBigEndian(bytes.substr(0, n));
        bytes.remove_prefix(n);
        return v;
      };
      CAIRN_ASSIGN_OR_RETURN(uint64_t ndim, take(4));
      CAIRN_RETURN_IF_ERROR(take(4).status());  // has-nulls: the elements tell
      CAIRN_RETURN_IF_ERROR(take(4).status());  // element oid: the column's type says
      if (ndim > 1) {
        return MakeError(ErrorCode::kFeatureNotSupported, "multidimensional arrays are not supported");
      }
      uint64_t count = 0;
      if (ndim == 1) {
        CAIRN_ASSIGN_OR_RETURN(count, take(4));
        CAIRN_RETURN_IF_ERROR(take(4).status());  // lower bound
      }
      std::vector<Value> elements;
      const SqlType element = SqlType::Of(type.element);
      for (uint64_t i = 0; i < count; ++i) {
        CAIRN_ASSIGN_OR_RETURN(uint64_t length, take(4));
        if (static_cast<int32_t>(length) == -1) {
          elements.push_back(Value::Null(type.element));
          continue;
        }
        if (bytes.size() < length) return BadBinary(type, "truncated array element");
        CAIRN_ASSIGN_OR_RETURN(Value v, DecodeBinaryValue(bytes.substr(0, length), element));
        bytes.remove_prefix(length);
        elements.push_back(std::move(v));
      }
      if (!bytes.empty()) return BadBinary(type, "junk after the array");
      return Value::Array(type.element, std::move(elements));
    }
  }
  return BadBinary(type, "no binary format");
}

void AppendBinaryValue(const Value& v, std::string* out) {
  switch (v.type()) {
    case TypeId::kBool: out->push_back(v.bool_value() ? 1 : 0); return;
    case TypeId::kInt16: AppendBigEndian(static_cast<uint64_t>(v.int_value()), 2, out); return;
    case TypeId::kInt32: AppendBigEndian(static_cast<uint64_t>(v.int_value()), 4, out); return;
    case TypeId::kInt64: AppendBigEndian(static_cast<uint64_t>(v.int_value()), 8, out); return;
    case TypeId::kFloat32: {
      const float f = static_cast<float>(v.float_value());
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      AppendBigEndian(bits, 4, out);
      return;
    }
    case TypeId::kFloat64: {
      const double d = v.float_value();
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      AppendBigEndian(bits, 8, out);
      return;
    }
    case TypeId::kNumeric: AppendNumeric(FormatValue(v), out); return;
    case TypeId::kDate:
      AppendBigEndian(static_cast<uint32_t>(v.date_value() - kPgEpochDays), 4, out);
      return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      AppendBigEndian(static_cast<uint64_t>(v.micros_value() - kPgEpochMicros), 8, out);
      return;
    case TypeId::kBytea:
    case TypeId::kUuid:
    case TypeId::kJson: out->append(v.str_value()); return;
    case TypeId::kInterval: out->append(EncodeIntervalBinary(v.interval_value())); return;
    case TypeId::kJsonb:
      out->push_back(1);
      out->append(v.str_value());
      return;
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kChar:
    case TypeId::kUnknown: out->append(FormatValue(v)); return;
    case TypeId::kArray: {
      const ArrayValue& array = v.array_value();
      bool has_nulls = false;
      for (const Value& e : array.elements) has_nulls |= e.is_null();
      const bool empty = array.elements.empty();
      AppendBigEndian(empty ? 0 : 1, 4, out);  // dimensions
      AppendBigEndian(has_nulls ? 1 : 0, 4, out);
      AppendBigEndian(PgTypeOid(array.element_type == TypeId::kUnknown ? TypeId::kText
                                                                        : array.element_type),
                      4, out);
      if (empty) return;
      AppendBigEndian(array.elements.size(), 4, out);
      AppendBigEndian(1, 4, out);  // lower bound
      for (const Value& e : array.elements) {
        if (e.is_null()) {
          AppendBigEndian(0xffffffffu, 4, out);
          continue;
        }
        std::string bytes;
        AppendBinaryValue(e, &bytes);
        AppendBigEndian(bytes.size(), 4, out);
        out->append(bytes);
      }
      return;
    }
  }
}

}  // namespace cairn::pgwire
