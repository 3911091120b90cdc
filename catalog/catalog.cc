#include "catalog/catalog.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "catalog/catalog_keys.h"
#include "common/error_code.h"
#include "common/key_codec.h"

namespace cairn::catalog {
namespace {

// Ids below this are reserved for system objects.
constexpr uint32_t kFirstDescriptorId = 100;
constexpr int kMaxSequenceRetries = 50;

std::string EncodeCounter(int64_t v) {
  std::string out;
  key_codec::AppendInt64(&out, v);
  return out;
}

absl::StatusOr<int64_t> DecodeCounter(std::string_view in) { return key_codec::DecodeInt64(&in); }

}  // namespace

absl::Status Catalog::EnsureBootstrapped() {
  for (int attempt = 0;; ++attempt) {
    CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(client_, resolver_, {}));
    absl::Status s = EnsureBootstrapRole(txn.get());
    for (const char* name : {"postgres", "defaultdb"}) {
      if (!s.ok()) break;
      auto db = GetDatabase(txn.get(), name);
      if (!db.ok()) {
        s = db.status();
        break;
      }
      if (!*db) {
        s = CreateDatabase(txn.get(), name, kBootstrapSuperuser);
        if (!s.ok()) break;
      }
    }
    if (s.ok()) s = txn->Commit();
    if (s.ok() || !IsRetryable(s) || attempt >= 10) return s;
  }
}

absl::StatusOr<std::optional<proto::DatabaseDescriptor>> Catalog::GetDatabase(
    txn::Txn* txn, std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(auto raw, txn->Get(catalog_keys::DatabaseKey(name)));
  if (!raw) return std::nullopt;
  proto::DatabaseDescriptor db;
  if (!db.ParseFromString(*raw)) return MakeError(ErrorCode::kDataCorrupted, "bad database descriptor");
  return db;
}

absl::StatusOr<std::vector<proto::DatabaseDescriptor>> Catalog::ListDatabases(txn::Txn* txn) {
  std::string prefix = catalog_keys::DatabasesPrefix();
  CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
  std::vector<proto::DatabaseDescriptor> out;
  for (const auto& kv : rows) {
    proto::DatabaseDescriptor db;
    if (!db.ParseFromString(kv.value)) {
      return MakeError(ErrorCode::kDataCorrupted, "bad database descriptor");
    }
    out.push_back(std::move(db));
  }
  return out;
}

absl::StatusOr<uint32_t> Catalog::AllocateDescriptorId(txn::Txn* txn) {
  std::string key = catalog_keys::DescriptorIdAllocatorKey();
  CAIRN_ASSIGN_OR_RETURN(auto raw, txn->Get(key));
  int64_t next = kFirstDescriptorId;
  if (raw) {
    CAIRN_ASSIGN_OR_RETURN(next, DecodeCounter(*raw));
  }
  txn->Put(key, EncodeCounter(next + 1));
  return static_cast<uint32_t>(next);
}

absl::Status Catalog::CreateDatabase(txn::Txn* txn, std::string_view name,
                                     std::string_view owner) {
  CAIRN_ASSIGN_OR_RETURN(auto existing, GetDatabase(txn, name));
  if (existing) {
    return MakeError(ErrorCode::kDuplicateDatabase,
                     absl::StrFormat("database \"%s\" already exists", name));
  }
  proto::DatabaseDescriptor db;
  CAIRN_ASSIGN_OR_RETURN(uint32_t id, AllocateDescriptorId(txn));
  db.set_id(id);
  db.set_name(std::string(name));
  db.set_owner(std::string(owner));
  txn->Put(catalog_keys::DatabaseKey(name), db.SerializeAsString());
  return absl::OkStatus();
}

absl::Status Catalog::UpdateDatabase(txn::Txn* txn, const proto::DatabaseDescriptor& db) {
  txn->Put(catalog_keys::DatabaseKey(db.name()), db.SerializeAsString());
  return absl::OkStatus();
}

absl::Status Catalog::DropDatabase(txn::Txn* txn, std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(auto db, GetDatabase(txn, name));
  if (!db) {
    return MakeError(ErrorCode::kInvalidCatalogName,
                     absl::StrFormat("database \"%s\" does not exist", name));
  }
  CAIRN_ASSIGN_OR_RETURN(auto tables, ListTables(txn, db->id()));
  for (const TableInfo& t : tables) CAIRN_RETURN_IF_ERROR(DropTable(txn, t));
  txn->Delete(catalog_keys::DatabaseKey(name));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<TableInfo>> Catalog::GetTable(txn::Txn* txn, uint32_t database_id,
                                                           std::string_view name) {
  CAIRN_ASSIGN_OR_RETURN(auto raw, txn->Get(catalog_keys::TableKey(database_id, name)));
  if (!raw) return std::nullopt;
  proto::TableDescriptor desc;
  if (!desc.ParseFromString(*raw)) return MakeError(ErrorCode::kDataCorrupted, "bad table descriptor");
  return TableInfo(std::move(desc));
}

absl::StatusOr<std::vector<TableInfo>> Catalog::ListTables(txn::Txn* txn, uint32_t database_id) {
  std::string prefix = catalog_keys::TablesPrefix(database_id);
  CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
  std::vector<TableInfo> out;
  for (const auto& kv : rows) {
    proto::TableDescriptor desc;
    if (!desc.ParseFromString(kv.value)) {
      return MakeError(ErrorCode::kDataCorrupted, "bad table descriptor");
    }
    out.emplace_back(std::move(desc));
  }
  return out;
}

absl::StatusOr<TableInfo> Catalog::CreateTable(txn::Txn* txn, proto::TableDescriptor descriptor) {
  CAIRN_ASSIGN_OR_RETURN(auto existing, GetTable(txn, descriptor.database_id(), descriptor.name()));
  if (existing) {
    return MakeError(ErrorCode::kDuplicateTable,
                     absl::StrFormat("relation \"%s\" already exists", descriptor.name()));
  }
  if (descriptor.id() == 0) {
    CAIRN_ASSIGN_OR_RETURN(uint32_t id, AllocateDescriptorId(txn));
    descriptor.set_id(id);
  }
  descriptor.set_version(1);
  txn->Put(catalog_keys::TableKey(descriptor.database_id(), descriptor.name()),
           descriptor.SerializeAsString());
  return TableInfo(std::move(descriptor));
}

absl::Status Catalog::UpdateTable(txn::Txn* txn, std::string_view old_name,
                                  proto::TableDescriptor descriptor) {
  if (descriptor.name() != old_name) {
    CAIRN_ASSIGN_OR_RETURN(auto taken, GetTable(txn, descriptor.database_id(), descriptor.name()));
    if (taken) {
      return MakeError(ErrorCode::kDuplicateTable,
                       absl::StrFormat("relation \"%s\" already exists", descriptor.name()));
    }
    txn->Delete(catalog_keys::TableKey(descriptor.database_id(), old_name));
  }
  descriptor.set_version(descriptor.version() + 1);
  txn->Put(catalog_keys::TableKey(descriptor.database_id(), descriptor.name()),
           descriptor.SerializeAsString());
  return absl::OkStatus();
}

absl::Status Catalog::DeleteSpan(txn::Txn* txn, const std::string& start, const std::string& end) {
  CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(start, end, 0));
  for (auto& kv : rows) txn->Delete(std::move(kv.key));
  return absl::OkStatus();
}

absl::Status Catalog::DropTable(txn::Txn* txn, const TableInfo& table) {
  txn->Delete(catalog_keys::TableKey(table.database_id(), table.name()));
  std::string prefix = catalog_keys::TablePrefix(table.id());
  CAIRN_RETURN_IF_ERROR(DeleteSpan(txn, prefix, key_codec::PrefixEnd(prefix)));
  for (const ColumnInfo& c : table.columns()) {
    if (c.is_serial) txn->Delete(catalog_keys::SequenceKey(table.id(), c.id));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Catalog::NextSequenceValue(uint32_t table_id, uint32_t column_id) {
  std::string key = catalog_keys::SequenceKey(table_id, column_id);
  {
    absl::MutexLock lock(&mu_);
    SequenceCache& cache = sequences_[key];
    if (cache.next < cache.limit) return cache.next++;
  }
  // Reserve a block in a transaction of its own, retried on conflict with
  // other nodes or sessions reserving at the same time.
  for (int attempt = 0; attempt < kMaxSequenceRetries; ++attempt) {
    CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(client_, resolver_, {}));
    CAIRN_ASSIGN_OR_RETURN(auto raw, txn->Get(key));
    int64_t start = 1;
    if (raw) {
      CAIRN_ASSIGN_OR_RETURN(start, DecodeCounter(*raw));
    }
    txn->Put(key, EncodeCounter(start + kSequenceCacheSize));
    absl::Status s = txn->Commit();
    if (s.ok()) {
      absl::MutexLock lock(&mu_);
      SequenceCache& cache = sequences_[key];
      if (cache.next >= cache.limit) cache = {start, start + kSequenceCacheSize};
      return cache.next++;
    }
    if (!IsRetryable(s)) return s;
  }
  return MakeError(ErrorCode::kSerializationFailure, "could not reserve sequence values");
}

}  // namespace cairn::catalog
