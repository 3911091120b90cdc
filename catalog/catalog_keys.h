#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/key_codec.h"
#include "kv/keys.h"

namespace cairn::catalog {

// Where the catalog keeps its descriptors in the system keyspace, and where
// a table's rows live in the table keyspace (DESIGN.md "Keys").
namespace catalog_keys {

inline std::string DatabaseKey(std::string_view name) {
  std::string suffix = "D";
  key_codec::AppendBytes(&suffix, name);
  return kv::keys::SystemKey(kv::keys::kCatalogKind, suffix);
}
inline std::string DatabasesPrefix() { return kv::keys::SystemKey(kv::keys::kCatalogKind, "D"); }

inline std::string RoleKey(std::string_view name) {
  std::string suffix = "R";
  key_codec::AppendBytes(&suffix, name);
  return kv::keys::SystemKey(kv::keys::kCatalogKind, suffix);
}
inline std::string RolesPrefix() { return kv::keys::SystemKey(kv::keys::kCatalogKind, "R"); }

inline std::string TablesPrefix(uint32_t database_id) {
  std::string suffix = "T";
  key_codec::AppendUint32(&suffix, database_id);
  return kv::keys::SystemKey(kv::keys::kCatalogKind, suffix);
}
inline std::string TableKey(uint32_t database_id, std::string_view name) {
  std::string key = TablesPrefix(database_id);
  key_codec::AppendBytes(&key, name);
  return key;
}

inline std::string DescriptorIdAllocatorKey() {
  return kv::keys::SystemKey(kv::keys::kAllocatorKind, "desc-id");
}
inline std::string SequenceKey(uint32_t table_id, uint32_t column_id) {
  std::string suffix = "seq/";
  key_codec::AppendUint32(&suffix, table_id);
  key_codec::AppendUint32(&suffix, column_id);
  return kv::keys::SystemKey(kv::keys::kAllocatorKind, suffix);
}

// /table_id/index_id/: ids are sign-flipped int32, so table keys start at
// 0x80 and sort after the system keyspace.
inline std::string IndexPrefix(uint32_t table_id, uint32_t index_id) {
  std::string key;
  key_codec::AppendInt32(&key, static_cast<int32_t>(table_id));
  key_codec::AppendInt32(&key, static_cast<int32_t>(index_id));
  return key;
}
inline std::string TablePrefix(uint32_t table_id) {
  std::string key;
  key_codec::AppendInt32(&key, static_cast<int32_t>(table_id));
  return key;
}

}  // namespace catalog_keys
}  // namespace cairn::catalog
