#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "kv/keys.h"
#include "kv/kv_client.h"
#include "kv/periodic_task.h"
#include "kv/store.h"

namespace cairn::kv {

// Range descriptors in the meta range, keyed by end key (DESIGN.md
// "Ranges, replication, placement"): the cluster's directory of which nodes
// hold each range. The range holding key K is described by the first
// record whose end key is above K.
//
// Ranges never merge, so an end key, once a range's, stays one: records
// are overwritten by later generations of the range that ends there and
// never need deleting.
namespace meta_records {

// "\x01m" + "\x01" + end_key, or "\x01m\x02" for the range ending at the
// keyspace's end, which sorts after every other.
inline std::string Key(std::string_view end_key) {
  std::string suffix = end_key.empty() ? std::string("\x02") : "\x01" + std::string(end_key);
  return keys::SystemKey(keys::kMetaKind, suffix);
}
inline std::string KeysEnd() { return keys::SystemKey(keys::kMetaKind, "\x03"); }

// Where to scan (up to KeysEnd(), one record) for the range holding `key`:
// the first record with an end key above it.
inline std::string HoldingStart(std::string_view key) { return Key(key) + std::string(1, '\0'); }
// ... and for the range holding the keys just below `end` (empty: the
// last range): the first record with an end key at or above it.
inline std::string BeforeStart(std::string_view end) { return Key(end); }

}  // namespace meta_records

// Keeps the meta records of the ranges this node leads up to date: every
// interval, each led range whose descriptor (span, generation, replicas)
// differs from what this node last wrote for it is written, unless the
// record there is of a later generation (a split this replica has not
// applied). One-phase commits, retried on the next pass if they conflict.
class MetaPublisher {
 public:
  struct Options {
    uint64_t interval_ms = 500;
  };

  MetaPublisher(Store* store, KvClient* client, Options options);
  ~MetaPublisher();

  void Start();
  void Stop();

  // One pass; returns how many records were written.
  size_t RunOnce();

 private:
  // Writes `range`'s record unless a later generation's is there.
  absl::Status Publish(const proto::RangeDescriptor& range);

  Store* const store_;
  KvClient* const client_;
  const Options options_;
  Counter* const written_;

  // Loop thread only: range id -> the descriptor last written (serialized).
  absl::flat_hash_map<uint64_t, std::string> published_;

  PeriodicTask task_{absl::Milliseconds(options_.interval_ms), [this] { RunOnce(); }};
};

}  // namespace cairn::kv
