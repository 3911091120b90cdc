#include "catalog/row_codec.h"

#include "absl/strings/str_cat.h"
#include "catalog/catalog_keys.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/value_text.h"

namespace cairn::catalog {
namespace {

// Value-encoding tags.
// kArray holds the array's text form, which reads back exactly (floats in
// shortest round-trip form), parsed with the column's element type.
// kInterval holds the interval's 16-byte binary form (common/interval.h).
enum class Tag : uint8_t {
  kBool = 1,
  kInt = 2,
  kFloat = 3,
  kNumeric = 4,
  kBytes = 5,
  kArray = 6,
  kInterval = 7,
};

absl::Status Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kDataCorrupted, absl::StrCat("corrupt row: ", std::string(what)));
}

// Numeric keys: the double orders them; the exact text after it keeps
// distinct values distinct.
void AppendNumericKey(std::string* out, const Numeric& n) {
  key_codec::AppendDouble(out, n.ToDouble());
  key_codec::AppendBytes(out, n.Normalize().ToString());
}

// Interval keys: the span orders them (so '1 day' sorts with '24 hours');
// the fields after it keep what was written.
void AppendIntervalKey(std::string* out, const Interval& v) {
  const __int128 span = IntervalSpan(v);
  key_codec::AppendInt64(out, static_cast<int64_t>(span >> 64));
  key_codec::AppendUint64(out, static_cast<uint64_t>(span));
  key_codec::AppendInt32(out, v.months);
  key_codec::AppendInt32(out, v.days);
  key_codec::AppendInt64(out, v.micros);
}

absl::StatusOr<Interval> DecodeIntervalKey(std::string_view* in) {
  CAIRN_RETURN_IF_ERROR(key_codec::DecodeInt64(in).status());
  CAIRN_RETURN_IF_ERROR(key_codec::DecodeUint64(in).status());
  Interval v;
  CAIRN_ASSIGN_OR_RETURN(v.months, key_codec::DecodeInt32(in));
  CAIRN_ASSIGN_OR_RETURN(v.days, key_codec::DecodeInt32(in));
  CAIRN_ASSIGN_OR_RETURN(v.micros, key_codec::DecodeInt64(in));
  return v;
}

// One column of a value encoding: its id, a tag, the value.
void AppendColumnValue(std::string* out, uint32_t column_id, const Value& value) {
  key_codec::AppendUint32(out, column_id);
  switch (value.type()) {
    case TypeId::kBool:
      out->push_back(static_cast<char>(Tag::kBool));
      out->push_back(value.bool_value() ? 1 : 0);
      break;
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      out->push_back(static_cast<char>(Tag::kInt));
      key_codec::AppendUint64(out, static_cast<uint64_t>(value.int_value()));
      break;
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      out->push_back(static_cast<char>(Tag::kFloat));
      key_codec::AppendDouble(out, value.float_value());
      break;
    case TypeId::kNumeric: {
      out->push_back(static_cast<char>(Tag::kNumeric));
      std::string text = value.numeric_value().ToString();
      key_codec::AppendUint32(out, static_cast<uint32_t>(text.size()));
      out->append(text);
      break;
    }
    case TypeId::kInterval:
      out->push_back(static_cast<char>(Tag::kInterval));
      out->append(EncodeIntervalBinary(value.interval_value()));
      break;
    case TypeId::kArray: {
      out->push_back(static_cast<char>(Tag::kArray));
      const std::string text = FormatValue(value);
      key_codec::AppendUint32(out, static_cast<uint32_t>(text.size()));
      out->append(text);
      break;
    }
    default:
      out->push_back(static_cast<char>(Tag::kBytes));
      key_codec::AppendUint32(out, static_cast<uint32_t>(value.str_value().size()));
      out->append(value.str_value());
      break;
  }
}

// Decodes a value encoding's columns into `row` (table column order);
// columns dropped since are skipped.
absl::Status DecodeColumnValues(const TableInfo& table, std::string_view value, Row* row) {
  const auto& columns = table.columns();
  while (!value.empty()) {
    CAIRN_ASSIGN_OR_RETURN(uint32_t column_id, key_codec::DecodeUint32(&value));
    if (value.empty()) return Corrupt("tag");
    Tag tag = static_cast<Tag>(value[0]);
    value.remove_prefix(1);
    Value v;
    switch (tag) {
      case Tag::kBool:
        if (value.empty()) return Corrupt("bool");
        v = Value::Bool(value[0] != 0);
        value.remove_prefix(1);
        break;
      case Tag::kInt: {
        CAIRN_ASSIGN_OR_RETURN(uint64_t u, key_codec::DecodeUint64(&value));
        v = Value::Int64(static_cast<int64_t>(u));
        break;
      }
      case Tag::kFloat: {
        CAIRN_ASSIGN_OR_RETURN(double d, key_codec::DecodeDouble(&value));
        v = Value::Float64(d);
        break;
      }
      case Tag::kInterval: {
        if (value.size() < 16) return Corrupt("interval");
        CAIRN_ASSIGN_OR_RETURN(Interval i, DecodeIntervalBinary(value.substr(0, 16)));
        value.remove_prefix(16);
        v = Value::FromInterval(i);
        break;
      }
      case Tag::kNumeric:
      case Tag::kArray:
      case Tag::kBytes: {
        CAIRN_ASSIGN_OR_RETURN(uint32_t n, key_codec::DecodeUint32(&value));
        if (value.size() < n) return Corrupt("string");
        std::string s(value.substr(0, n));
        value.remove_prefix(n);
        if (tag == Tag::kNumeric) {
          CAIRN_ASSIGN_OR_RETURN(Numeric num, Numeric::Parse(s));
          v = Value::Num(num);
        } else if (tag == Tag::kArray) {
          auto pos = table.ColumnPosition(column_id);
          if (!pos) continue;  // a dropped column
          CAIRN_ASSIGN_OR_RETURN((*row)[*pos], ParseValue(s, columns[*pos].type));
          continue;
        } else {
          v = Value::Text(std::move(s));
        }
        break;
      }
      default:
        return Corrupt("unknown tag");
    }
    auto pos = table.ColumnPosition(column_id);
    if (!pos) continue;  // a dropped column
    // Relabel with the column's declared type (same representation).
    (*row)[*pos] = v.WithType(columns[*pos].type.id);
  }
  return absl::OkStatus();
}

}  // namespace

void AppendKeyValue(std::string* out, const Value& value, bool descending) {
  size_t from = out->size();
  if (value.is_null()) {
    out->push_back(key_codec::kNullMarker);
  } else {
    out->push_back(key_codec::kNotNullMarker);
    switch (value.type()) {
      case TypeId::kBool: out->push_back(value.bool_value() ? 1 : 0); break;
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64:
      case TypeId::kDate:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz: key_codec::AppendInt64(out, value.int_value()); break;
      case TypeId::kFloat32:
      case TypeId::kFloat64: key_codec::AppendDouble(out, value.float_value()); break;
      case TypeId::kNumeric: AppendNumericKey(out, value.numeric_value()); break;
      case TypeId::kInterval: AppendIntervalKey(out, value.interval_value()); break;
      default: key_codec::AppendBytes(out, value.str_value()); break;
    }
  }
  if (descending) key_codec::InvertFrom(out, from);
}

absl::StatusOr<Value> DecodeKeyValue(std::string_view* in, const SqlType& type, bool descending) {
  std::string inverted;
  if (descending) {
    // Inverting the rest of the key is simplest; only this value is consumed.
    inverted.assign(in->data(), in->size());
    key_codec::InvertFrom(&inverted, 0);
  }
  std::string_view view = descending ? std::string_view(inverted) : *in;
  size_t before = view.size();
  if (view.empty()) return Corrupt("key value");
  char marker = view[0];
  view.remove_prefix(1);
  Value out = Value::Null(type.id);
  if (marker != key_codec::kNullMarker) {
    switch (type.id) {
      case TypeId::kBool:
        if (view.empty()) return Corrupt("bool");
        out = Value::Bool(view[0] != 0);
        view.remove_prefix(1);
        break;
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64:
      case TypeId::kDate:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz: {
        CAIRN_ASSIGN_OR_RETURN(int64_t v, key_codec::DecodeInt64(&view));
        out = Value::Int(type.id, v);
        break;
      }
      case TypeId::kFloat32:
      case TypeId::kFloat64: {
        CAIRN_ASSIGN_OR_RETURN(double v, key_codec::DecodeDouble(&view));
        out = Value::Float(type.id, v);
        break;
      }
      case TypeId::kNumeric: {
        CAIRN_RETURN_IF_ERROR(key_codec::DecodeDouble(&view).status());
        CAIRN_ASSIGN_OR_RETURN(std::string text, key_codec::DecodeBytes(&view));
        CAIRN_ASSIGN_OR_RETURN(Numeric n, Numeric::Parse(text));
        out = Value::Num(n);
        break;
      }
      case TypeId::kInterval: {
        CAIRN_ASSIGN_OR_RETURN(Interval v, DecodeIntervalKey(&view));
        out = Value::FromInterval(v);
        break;
      }
      default: {
        CAIRN_ASSIGN_OR_RETURN(std::string s, key_codec::DecodeBytes(&view));
        out = Value::String(type.id, std::move(s));
        break;
      }
    }
  }
  in->remove_prefix(before - view.size());
  return out;
}

std::string EncodePrimaryKeyPrefix(const TableInfo& table, const std::vector<Value>& values) {
  std::string key = catalog_keys::IndexPrefix(table.id(), table.primary_index_id());
  for (size_t i = 0; i < values.size(); ++i) {
    AppendKeyValue(&key, values[i], table.primary_key_descending()[i]);
  }
  return key;
}

IndexEntry EncodeIndexEntry(const TableInfo& table, const IndexInfo& index, const Row& row) {
  IndexEntry entry;
  entry.key = catalog_keys::IndexPrefix(table.id(), index.id);
  bool has_null = false;
  for (size_t i = 0; i < index.columns.size(); ++i) {
    const Value& v = row[index.columns[i]];
    has_null |= v.is_null();
    AppendKeyValue(&entry.key, v, index.descending[i]);
  }
  for (size_t k = 0; k < table.primary_key().size(); ++k) {
    AppendKeyValue(&entry.primary_key, row[table.primary_key()[k]],
                   table.primary_key_descending()[k]);
  }
  entry.checks_uniqueness = index.unique && !has_null;
  if (entry.checks_uniqueness) {
    entry.value = entry.primary_key;
  } else {
    entry.key += entry.primary_key;
  }
  if (index.stores_values) {
    for (int pos : index.storing) {
      if (!row[pos].is_null()) AppendColumnValue(&entry.value, table.columns()[pos].id, row[pos]);
    }
  }
  return entry;
}

absl::StatusOr<DecodedIndexEntry> DecodeIndexEntry(const TableInfo& table, const IndexInfo& index,
                                                   std::string_view key, std::string_view value) {
  const auto& columns = table.columns();
  DecodedIndexEntry out;
  out.row.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) out.row[i] = Value::NullOf(columns[i].type);
  const std::string prefix = catalog_keys::IndexPrefix(table.id(), index.id);
  if (key.substr(0, prefix.size()) != prefix) return Corrupt("index entry prefix");
  key.remove_prefix(prefix.size());
  for (size_t k = 0; k < index.columns.size(); ++k) {
    const int pos = index.columns[k];
    CAIRN_ASSIGN_OR_RETURN(out.row[pos],
                           DecodeKeyValue(&key, columns[pos].type, index.descending[k]));
  }
  // The primary key follows the indexed values in the key, or else (a
  // unique entry) leads the value.
  std::string_view* pk_source = key.empty() ? &value : &key;
  const std::string_view pk_start = *pk_source;
  for (size_t k = 0; k < table.primary_key().size(); ++k) {
    const int pos = table.primary_key()[k];
    CAIRN_ASSIGN_OR_RETURN(out.row[pos], DecodeKeyValue(pk_source, columns[pos].type,
                                                        table.primary_key_descending()[k]));
  }
  out.primary_key.assign(pk_start.data(), pk_start.size() - pk_source->size());
  if (!key.empty()) return Corrupt("index entry key");
  CAIRN_RETURN_IF_ERROR(DecodeColumnValues(table, value, &out.row));
  return out;
}

std::string EncodePrimaryKey(const TableInfo& table, const Row& row) {
  std::vector<Value> values;
  values.reserve(table.primary_key().size());
  for (int pos : table.primary_key()) values.push_back(row[pos]);
  return EncodePrimaryKeyPrefix(table, values);
}

std::string EncodeRowValue(const TableInfo& table, const Row& row) {
  std::string out;
  const auto& columns = table.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    const Value& v = row[i];
    if (v.is_null() || table.IsPrimaryKeyColumn(static_cast<int>(i))) continue;
    AppendColumnValue(&out, columns[i].id, v);
  }
  return out;
}

absl::StatusOr<Row> DecodeRow(const TableInfo& table, std::string_view key,
                              std::string_view value) {
  const auto& columns = table.columns();
  Row row(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) row[i] = Value::NullOf(columns[i].type);

  std::string prefix = catalog_keys::IndexPrefix(table.id(), table.primary_index_id());
  if (key.substr(0, prefix.size()) != prefix) return Corrupt("key prefix");
  key.remove_prefix(prefix.size());
  for (size_t k = 0; k < table.primary_key().size(); ++k) {
    int pos = table.primary_key()[k];
    CAIRN_ASSIGN_OR_RETURN(row[pos], DecodeKeyValue(&key, columns[pos].type,
                                                    table.primary_key_descending()[k]));
  }

  CAIRN_RETURN_IF_ERROR(DecodeColumnValues(table, value, &row));
  return row;
}

}  // namespace cairn::catalog
