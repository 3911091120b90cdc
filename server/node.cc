#include "server/node.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "common/logging.h"
#include "kv/rocksdb_engine.h"
#include "parser/parser.h"

namespace cairn::server {

Node::Node(NodeOptions options) : options_(std::move(options)) {}

Node::~Node() { Stop(); }

absl::Status Node::Start() {
  if (!options_.join.empty()) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "joining an existing cluster (--join) is not supported yet: this build runs "
                     "single-node clusters");
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kInternal,
                     absl::StrCat("cannot create data dir ", options_.data_dir, ": ", ec.message()));
  }
  CAIRN_ASSIGN_OR_RETURN(auto engine,
                         kv::RocksDbEngine::Open(options_.data_dir + "/store", {}));
  kv::Store::Options store_options;
  store_options.tick_interval_ms = options_.raft_tick_ms;
  store_options.seed = Clock::Real()->MonotonicMicros();
  CAIRN_ASSIGN_OR_RETURN(store_, kv::Store::Open(std::move(engine), Clock::Real(), store_options));
  store_->Start();
  CAIRN_ASSIGN_OR_RETURN(kv_client_, kv::LocalKvClient::Create(store_.get()));
  resolver_ = std::make_unique<txn::LockResolver>(kv_client_.get());
  catalog_ = std::make_unique<catalog::Catalog>(kv_client_.get(), resolver_.get());
  CAIRN_RETURN_IF_ERROR(catalog_->EnsureBootstrapped());
  sql_engine_ = std::make_unique<executor::SqlEngine>(kv_client_.get(), resolver_.get(),
                                                      catalog_.get(), store_->ident().node_id());

  // ANTLR fills its caches on first use (tens of milliseconds): pay that
  // here rather than in a client's first statement.
  (void)parser::ParseStatements("SELECT 1 FROM t WHERE a = 1");

  http_server_ = std::make_unique<HttpServer>([this] { return serving(); });
  CAIRN_RETURN_IF_ERROR(http_server_->Start(options_.http_addr));
  pgwire::PgServerOptions pg_options;
  pg_options.trust_loopback = options_.loopback_auth == "trust";
  if (!options_.certs_dir.empty()) {
    CAIRN_ASSIGN_OR_RETURN(pg_options.tls, pgwire::TlsContext::Load(options_.certs_dir));
  }
  pg_server_ = std::make_unique<pgwire::PgServer>(sql_engine_.get(), std::move(pg_options));
  CAIRN_RETURN_IF_ERROR(pg_server_->Start(options_.sql_addr.host, options_.sql_addr.port));
  serving_.store(true);
  CAIRN_LOG_INFO("node {} of cluster {} serving SQL on {}:{}, HTTP on {}:{}, data in {}",
                 store_->ident().node_id(), store_->ident().cluster_id(), options_.sql_addr.host,
                 pg_server_->port(), options_.http_addr.host, http_server_->port(),
                 options_.data_dir);
  return absl::OkStatus();
}

void Node::Stop() {
  serving_.store(false);
  // Top down: no new statements, then no new writes, then the store.
  if (pg_server_) pg_server_->Stop();
  if (http_server_) http_server_->Stop();
  if (sql_engine_) sql_engine_->Stop();
  if (store_) store_->Stop();
}

}  // namespace cairn::server
