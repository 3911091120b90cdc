#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "catalog/table_info.h"
#include "kv/kv_client.h"
#include "proto/catalog.pb.h"
#include "txn/lock_resolver.h"
#include "txn/txn.h"

namespace cairn::catalog {

// The superuser a new cluster has (DESIGN.md), with PostgreSQL's oid for
// its bootstrap superuser. Descriptors written before roles existed have
// no owner: theirs is this one.
inline constexpr std::string_view kBootstrapSuperuser = "root";
inline constexpr uint32_t kBootstrapSuperuserId = 10;

// Databases and tables as descriptors stored in KV (DESIGN.md "SQL"). Reads
// and DDL go through the caller's transaction, so a CREATE TABLE inside
// BEGIN ... ROLLBACK leaves nothing behind and concurrent DDL on the same
// names conflicts like any other write. Sequences (SERIAL) are the exception:
// like PostgreSQL's they are not transactional, and they draw blocks of
// values in transactions of their own. Thread-safe.
class Catalog {
 public:
  Catalog(kv::KvClient* client, txn::LockResolver* resolver)
      : client_(client), resolver_(resolver) {}

  // Creates what every new cluster has if it is missing: the superuser
  // root and the databases postgres and defaultdb (owned by root).
  absl::Status EnsureBootstrapped();

  absl::StatusOr<std::optional<proto::DatabaseDescriptor>> GetDatabase(txn::Txn* txn,
                                                                       std::string_view name);
  absl::StatusOr<std::vector<proto::DatabaseDescriptor>> ListDatabases(txn::Txn* txn);
  // Fails with 42P04 when it exists.
  absl::Status CreateDatabase(txn::Txn* txn, std::string_view name, std::string_view owner);
  // Replaces the descriptor of database `db.name()` (its privileges).
  absl::Status UpdateDatabase(txn::Txn* txn, const proto::DatabaseDescriptor& db);
  // Drops the database, its tables and their rows. 3D000 when absent.
  absl::Status DropDatabase(txn::Txn* txn, std::string_view name);

  absl::StatusOr<std::optional<TableInfo>> GetTable(txn::Txn* txn, uint32_t database_id,
                                                    std::string_view name);
  absl::StatusOr<std::vector<TableInfo>> ListTables(txn::Txn* txn, uint32_t database_id);
  // Stores a new table, assigning it an id unless it has one
  // (AllocateDescriptorId); fails with 42P07 when the name is taken.
  absl::StatusOr<TableInfo> CreateTable(txn::Txn* txn, proto::TableDescriptor descriptor);
  // A new, unused descriptor id.
  absl::StatusOr<uint32_t> AllocateDescriptorId(txn::Txn* txn);
  // Replaces the descriptor of table `old_name` (ALTER TABLE): under its new
  // name if that changed (42P07 when taken), one version newer.
  absl::Status UpdateTable(txn::Txn* txn, std::string_view old_name,
                           proto::TableDescriptor descriptor);
  // Removes the descriptor and every row of the table.
  absl::Status DropTable(txn::Txn* txn, const TableInfo& table);

  // Roles (catalog/roles.cc), PostgreSQL's pg_authid.
  absl::StatusOr<std::optional<proto::RoleDescriptor>> GetRole(txn::Txn* txn,
                                                               std::string_view name);
  absl::StatusOr<std::vector<proto::RoleDescriptor>> ListRoles(txn::Txn* txn);
  // Assigns the role its id; 42710 when the name is taken.
  absl::StatusOr<proto::RoleDescriptor> CreateRole(txn::Txn* txn, proto::RoleDescriptor role);
  // Replaces role `old_name`: under its new name if that changed (42710
  // when taken).
  absl::Status UpdateRole(txn::Txn* txn, std::string_view old_name,
                          const proto::RoleDescriptor& role);
  absl::Status DropRole(txn::Txn* txn, std::string_view name);

  // The next value of a SERIAL column's sequence.
  absl::StatusOr<int64_t> NextSequenceValue(uint32_t table_id, uint32_t column_id);

 private:
  absl::Status EnsureBootstrapRole(txn::Txn* txn);
  absl::Status DeleteSpan(txn::Txn* txn, const std::string& start, const std::string& end);

  // Values a sequence hands out before it reserves the next block.
  static constexpr int64_t kSequenceCacheSize = 32;
  struct SequenceCache {
    int64_t next = 0;
    int64_t limit = 0;  // exclusive
  };

  kv::KvClient* const client_;
  txn::LockResolver* const resolver_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, SequenceCache> sequences_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::catalog
