#include "executor/statistics.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "common/clock.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"

namespace cairn::executor {
namespace {

constexpr size_t kScanBatch = 4096;
constexpr uint64_t kMinWritesBeforeAnalyze = 500;
constexpr int kMaxAnalyzeAttempts = 5;

}  // namespace

absl::Status AnalyzeTable(catalog::Catalog* catalog, txn::Txn* txn, uint32_t database_id,
                          const std::string& name) {
  CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, name));
  if (!table) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", name));
  }
  const size_t n = table->columns().size();
  // Distinct values by hash: equal values (1 and 1.0 too) hash alike; a
  // collision undercounts by one, which a planner's estimate can bear.
  std::vector<absl::flat_hash_set<size_t>> distinct(n);
  std::vector<uint64_t> nulls(n, 0);
  uint64_t rows = 0;
  const std::string prefix =
      catalog::catalog_keys::IndexPrefix(table->id(), table->primary_index_id());
  std::string start = prefix;
  const std::string end = key_codec::PrefixEnd(prefix);
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(auto kvs, txn->Scan(start, end, kScanBatch));
    for (const auto& kv : kvs) {
      CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(*table, kv.key, kv.value));
      ++rows;
      for (size_t c = 0; c < n; ++c) {
        if (row[c].is_null()) {
          ++nulls[c];
        } else {
          distinct[c].insert(HashValue(row[c]));
        }
      }
    }
    if (kvs.size() < kScanBatch) break;
    start = kvs.back().key + std::string(1, '\0');
  }
  proto::TableDescriptor descriptor = table->descriptor();
  proto::TableStatistics* stats = descriptor.mutable_statistics();
  stats->Clear();
  stats->set_row_count(rows);
  stats->set_analyzed_at_micros(static_cast<int64_t>(Clock::Real()->NowMillis()) * 1000);
  for (size_t c = 0; c < n; ++c) {
    proto::ColumnStatistics* column = stats->add_columns();
    column->set_column_id(table->columns()[c].id);
    column->set_distinct_count(distinct[c].size());
    column->set_null_fraction(rows == 0 ? 0 : static_cast<double>(nulls[c]) / rows);
  }
  return catalog->UpdateTable(txn, name, std::move(descriptor));
}

AutoAnalyzer::AutoAnalyzer(kv::KvClient* client, txn::LockResolver* resolver,
                           catalog::Catalog* catalog)
    : client_(client), resolver_(resolver), catalog_(catalog) {
  thread_ = std::thread([this] { Run(); });
}

AutoAnalyzer::~AutoAnalyzer() { Stop(); }

void AutoAnalyzer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void AutoAnalyzer::NoteWrites(uint32_t database_id, const std::string& table, uint64_t rows) {
  if (rows == 0) return;
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  Counts& c = counts_[TableKey{database_id, table}];
  c.written += rows;
  if (!c.queued && c.written >= kMinWritesBeforeAnalyze + c.last_rows / 10) {
    c.queued = true;
    queue_.push_back(TableKey{database_id, table});
    cv_.Signal();
  }
}

uint64_t AutoAnalyzer::analyzed() const {
  absl::MutexLock lock(&mu_);
  return analyzed_;
}

void AutoAnalyzer::Run() {
  for (;;) {
    TableKey next;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) cv_.Wait(&mu_);
      if (stopping_) return;
      next = queue_.front();
      queue_.pop_front();
    }
    absl::Status status = Analyze(next);
    absl::MutexLock lock(&mu_);
    Counts& c = counts_[next];
    c.queued = false;
    if (status.ok()) {
      c.written = 0;
      ++analyzed_;
    } else if (GetErrorCode(status) == ErrorCode::kUndefinedTable) {
      counts_.erase(next);  // dropped or renamed meanwhile
    } else if (!stopping_) {
      CAIRN_LOG_WARN("automatic ANALYZE of \"{}\" failed: {}", next.second, status.ToString());
    }
  }
}

absl::Status AutoAnalyzer::Analyze(const TableKey& table) {
  absl::Status status;
  for (int attempt = 0; attempt < kMaxAnalyzeAttempts; ++attempt) {
    CAIRN_ASSIGN_OR_RETURN(auto txn, txn::Txn::Begin(client_, resolver_, {}));
    status = AnalyzeTable(catalog_, txn.get(), table.first, table.second);
    if (status.ok()) status = txn->Commit();
    if (status.ok()) {
      CAIRN_ASSIGN_OR_RETURN(auto read, txn::Txn::Begin(client_, resolver_, {}));
      auto info = catalog_->GetTable(read.get(), table.first, table.second);
      read->Rollback();
      if (info.ok() && *info) {
        absl::MutexLock lock(&mu_);
        counts_[table].last_rows = (*info)->descriptor().statistics().row_count();
      }
      return absl::OkStatus();
    }
    txn->Rollback();
    if (GetErrorCode(status) != ErrorCode::kSerializationFailure) return status;
  }
  return status;
}

}  // namespace cairn::executor
