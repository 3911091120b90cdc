#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kv/kv_client.h"
#include "kv/periodic_task.h"

namespace cairn::kv {

// Settings of the whole cluster (SET CLUSTER SETTING name = value), kept
// in the meta range under the system key "s" + name, so that every node
// acts on the same value: the replication factor its replicate queue aims
// for, the size at which its split queue splits. A setting never set has
// the value the node was started with (its flag). Nodes refresh their copy
// every second. Thread-safe.
class ClusterSettings {
 public:
  struct Definition {
    std::string_view name;
    int64_t min;
    int64_t max;
    std::string_view description;
  };
  // The settings there are, or null for an unknown name.
  static const Definition* Find(std::string_view name);

  // `defaults`: a value for each known setting, from the node's flags.
  ClusterSettings(KvClient* client, absl::flat_hash_map<std::string, int64_t> defaults);
  ~ClusterSettings();

  // Sets `name` for the whole cluster (nullopt: back to each node's
  // default). kUndefinedObject for an unknown name, kInvalidParameterValue
  // for a value out of its range.
  absl::Status Set(std::string_view name, std::optional<int64_t> value);
  // The value now, read from the meta range.
  absl::StatusOr<int64_t> Get(std::string_view name);
  // The value as of the last refresh (the default until one succeeds).
  int64_t Current(std::string_view name) const;

  void Start();
  void Stop();
  // Reads every setting into the copy Current() answers from.
  absl::Status Refresh();

 private:
  KvClient* const client_;
  const absl::flat_hash_map<std::string, int64_t> defaults_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int64_t> current_ ABSL_GUARDED_BY(mu_);
  PeriodicTask refresher_;
};

}  // namespace cairn::kv
