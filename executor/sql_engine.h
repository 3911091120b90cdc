#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "catalog/catalog.h"
#include "executor/sql_session.h"
#include "executor/statistics.h"
#include "kv/cluster_settings.h"
#include "kv/kv_client.h"
#include "kv/node_registry.h"
#include "kv/range_directory.h"
#include "txn/active_transactions.h"
#include "txn/lock_resolver.h"
#include "txn/secondary_committer.h"
#include "txn/txn.h"
#include "txn/txn_heartbeater.h"

namespace cairn::executor {

// A node's SQL layer: creates a Session per client connection over the
// node's KV client, lock resolver and catalog. Thread-safe.
class SqlEngine : public SessionFactory {
 public:
  SqlEngine(kv::KvClient* client, txn::LockResolver* resolver, catalog::Catalog* catalog,
            uint64_t node_id)
      : client_(client),
        resolver_(resolver),
        catalog_(catalog),
        node_id_(node_id),
        auto_analyzer_(client, resolver, catalog),
        heartbeater_(client, txn::Txn::Options().base_lock_ttl_ms, kHeartbeatInterval),
        secondaries_(client) {
    heartbeater_.Start();
    secondaries_.Start();
  }

  absl::StatusOr<std::unique_ptr<SqlSession>> NewSession(std::string_view user,
                                                         std::string_view database) override;
  absl::StatusOr<std::optional<LoginRole>> LookupLogin(std::string_view user) override;
  // The node's cluster membership, for SHOW CLUSTER NODES. REQUIRES: set
  // before the first session.
  void set_cluster(kv::NodeRegistry* cluster) { cluster_ = cluster; }
  // Where the ranges are, for SHOW RANGES. REQUIRES: as set_cluster.
  void set_ranges(kv::RangeDirectory* ranges) { ranges_ = ranges; }
  // The cluster's settings, for SET/SHOW CLUSTER SETTING. REQUIRES: as set_cluster.
  void set_cluster_settings(kv::ClusterSettings* settings) { cluster_settings_ = settings; }
  // The start of this node's oldest open transaction, if any (MVCC GC).
  std::optional<Timestamp> OldestActiveTransaction() const { return active_.Oldest(); }
  // Ends background work (automatic ANALYZE) before the store stops.
  void Stop() {
    auto_analyzer_.Stop();
    secondaries_.Stop();
    heartbeater_.Stop();
  }

 private:
  kv::KvClient* const client_;
  txn::LockResolver* const resolver_;
  catalog::Catalog* const catalog_;
  const uint64_t node_id_;
  kv::NodeRegistry* cluster_ = nullptr;
  kv::RangeDirectory* ranges_ = nullptr;
  kv::ClusterSettings* cluster_settings_ = nullptr;
  std::atomic<int32_t> next_pid_{1000};
  // A third of the base lock TTL: two heartbeats may be lost in a row.
  static constexpr absl::Duration kHeartbeatInterval = absl::Seconds(1);
  txn::ActiveTransactions active_;
  AutoAnalyzer auto_analyzer_;
  txn::TxnHeartbeater heartbeater_;
  txn::SecondaryCommitter secondaries_;
};

}  // namespace cairn::executor
