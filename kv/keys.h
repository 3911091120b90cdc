#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/key_codec.h"

namespace cairn::kv {

// Where things live in the keyspace (DESIGN.md "Keys").
//
// MVCC user keys: the system keyspace sorts first under prefix 0x01 (meta
// records, node records, ID allocators, catalog descriptors); table data
// follows under /table_id/index_id/..., whose sign-flipped int32 table id
// starts with a byte >= 0x80.
//
// Range-local keys live in the raft column family, outside MVCC, under
// 'r' + range_id: the Raft log, hard state, applied index, descriptor and
// (meta range only) the timestamp oracle's high-water mark.
namespace keys {

inline constexpr char kSystemPrefix = '\x01';
// End of the system keyspace: the first range ends here.
inline const std::string kSystemKeyspaceEnd = "\x02";

inline std::string SystemKey(char kind, std::string_view suffix) {
  std::string key;
  key.push_back(kSystemPrefix);
  key.push_back(kind);
  key.append(suffix);
  return key;
}

// The ranges a new cluster starts with: the meta range over the system
// keyspace and one range for all table data, which splits divide; ranges
// made by splits take ids from the range-id allocator, above these.
inline constexpr uint64_t kMetaRangeId = 1;
inline constexpr uint64_t kFirstDataRangeId = 2;

// System keyspace kinds. Each owner builds its keys from its own kind.
inline constexpr char kMetaKind = 'm';       // range descriptors by end key (meta range)
inline constexpr char kNodeKind = 'n';       // node records
inline constexpr char kAllocatorKind = 'i';  // ID allocators and sequences
inline constexpr char kCatalogKind = 'c';    // catalog descriptors (catalog/)
inline constexpr char kSettingKind = 's';    // cluster settings (kv/cluster_settings.h)

// Raft column family, per range.
inline constexpr char kRangeLocalPrefix = 'r';
inline constexpr char kStoreIdentKey[] = "s-ident";

enum class RangeLocalKind : char {
  kLogEntry = 'l',
  kHardState = 'h',
  kAppliedState = 'a',
  kDescriptor = 'd',
  kConfState = 'c',
  kTsoHighWater = 't',
  // What stays of a replica removed from this store: its last Raft term,
  // so that a replica made here again for the range never votes twice in a
  // term (kv/replica_gc_queue.h).
  kTombstone = 'x',
  kGcThreshold = 'g',
};

inline std::string RangeLocalPrefix(uint64_t range_id) {
  std::string key(1, kRangeLocalPrefix);
  key_codec::AppendUint64(&key, range_id);
  return key;
}

inline std::string RangeLocalKey(uint64_t range_id, RangeLocalKind kind) {
  std::string key = RangeLocalPrefix(range_id);
  key.push_back(static_cast<char>(kind));
  return key;
}

inline std::string RaftLogKey(uint64_t range_id, uint64_t index) {
  std::string key = RangeLocalKey(range_id, RangeLocalKind::kLogEntry);
  key_codec::AppendUint64(&key, index);
  return key;
}

}  // namespace keys
}  // namespace cairn::kv
