#pragma once

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "catalog/catalog.h"
#include "executor/sql_engine.h"
#include "kv/local_kv_client.h"
#include "kv/store.h"
#include "pgwire/pg_server.h"
#include "server/http_server.h"
#include "server/node_options.h"
#include "txn/lock_resolver.h"

namespace cairn::server {

// One CairnDB node: its store and Raft loop, the KV client and timestamp
// oracle, the SQL engine, and the pgwire and HTTP listeners, started bottom
// up and stopped top down.
class Node {
 public:
  explicit Node(NodeOptions options);
  ~Node();

  // Opens (or bootstraps) the store and starts serving.
  absl::Status Start();
  // Drains: stops taking connections, lets running statements finish,
  // then stops the store. Idempotent.
  void Stop();

  bool serving() const { return serving_.load(); }
  uint16_t sql_port() const { return pg_server_ ? pg_server_->port() : 0; }

 private:
  const NodeOptions options_;
  std::unique_ptr<kv::Store> store_;
  std::unique_ptr<kv::LocalKvClient> kv_client_;
  std::unique_ptr<txn::LockResolver> resolver_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<executor::SqlEngine> sql_engine_;
  std::unique_ptr<pgwire::PgServer> pg_server_;
  std::unique_ptr<HttpServer> http_server_;
  std::atomic<bool> serving_{false};
};

}  // namespace cairn::server
