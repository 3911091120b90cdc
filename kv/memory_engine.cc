#include "kv/memory_engine.h"

namespace cairn::kv {
namespace {

class MemoryIterator : public EngineIterator {
 public:
  MemoryIterator(std::shared_ptr<const MemoryEngine::Tables> tables, ColumnFamily cf,
                 std::string lower, std::string upper)
      : tables_(std::move(tables)),
        table_(&(*tables_)[static_cast<int>(cf)]),
        lower_(std::move(lower)),
        upper_(std::move(upper)),
        it_(table_->end()) {}

  void Seek(std::string_view key) override {
    it_ = table_->lower_bound(key < std::string_view(lower_) ? std::string_view(lower_) : key);
  }
  void SeekToFirst() override { it_ = table_->lower_bound(lower_); }
  void SeekToLast() override {
    it_ = upper_.empty() ? table_->end() : table_->lower_bound(upper_);
    StepBack();
  }
  void SeekForPrev(std::string_view key) override {
    it_ = !upper_.empty() && key >= std::string_view(upper_) ? table_->lower_bound(upper_)
                                                             : table_->upper_bound(key);
    StepBack();
  }
  void Prev() override { StepBack(); }
  bool Valid() const override {
    return it_ != table_->end() && (upper_.empty() || it_->first < upper_) && it_->first >= lower_;
  }
  void Next() override { ++it_; }
  std::string_view key() const override { return it_->first; }
  std::string_view value() const override { return it_->second; }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  // To the entry before it_, or past the end (invalid) when there is none.
  void StepBack() {
    if (it_ == table_->begin()) {
      it_ = table_->end();
    } else {
      --it_;
    }
  }

  std::shared_ptr<const MemoryEngine::Tables> tables_;
  const MemoryEngine::Table* table_;
  std::string lower_, upper_;
  MemoryEngine::Table::const_iterator it_;
};

class MemorySnapshot : public EngineSnapshot {
 public:
  explicit MemorySnapshot(std::shared_ptr<const MemoryEngine::Tables> tables)
      : tables_(std::move(tables)) {}

  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                 std::string_view key) const override {
    const auto& table = (*tables_)[static_cast<int>(cf)];
    auto it = table.find(key);
    if (it == table.end()) return std::nullopt;
    return it->second;
  }

  std::unique_ptr<EngineIterator> NewIterator(ColumnFamily cf, std::string lower,
                                              std::string upper) const override {
    return std::make_unique<MemoryIterator>(tables_, cf, std::move(lower), std::move(upper));
  }

 private:
  std::shared_ptr<const MemoryEngine::Tables> tables_;
};

}  // namespace

MemoryEngine::MemoryEngine() : tables_(std::make_shared<Tables>()) {}

std::unique_ptr<EngineSnapshot> MemoryEngine::NewSnapshot() const {
  absl::MutexLock lock(&mu_);
  return std::make_unique<MemorySnapshot>(tables_);
}

absl::Status MemoryEngine::Write(const WriteBatch& batch, bool sync) {
  absl::MutexLock lock(&mu_);
  // Copy on write, but only while a snapshot shares the tables: a store
  // that writes far more often than it reads would copy everything per
  // write. (Snapshots are taken under mu_, so the count cannot rise here.)
  std::shared_ptr<Tables> next =
      tables_.use_count() == 1 ? tables_ : std::make_shared<Tables>(*tables_);
  for (const Mutation& m : batch.mutations()) {
    Table& table = (*next)[static_cast<int>(m.cf)];
    if (m.op == Mutation::Op::kPut) {
      table[m.key] = m.value;
    } else {
      table.erase(m.key);
    }
  }
  tables_ = std::move(next);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> MemoryEngine::Get(ColumnFamily cf,
                                                             std::string_view key) const {
  absl::MutexLock lock(&mu_);
  const Table& table = (*tables_)[static_cast<int>(cf)];
  auto it = table.find(key);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

uint64_t MemoryEngine::ApproximateSize(std::string_view start, std::string_view end) const {
  absl::MutexLock lock(&mu_);
  uint64_t size = 0;
  for (ColumnFamily cf : {ColumnFamily::kDefault, ColumnFamily::kLock, ColumnFamily::kWrite}) {
    const Table& table = (*tables_)[static_cast<int>(cf)];  // data CFs only, as documented
    for (auto it = table.lower_bound(start); it != table.end() && (end.empty() || it->first < end);
         ++it) {
      size += it->first.size() + it->second.size();
    }
  }
  return size;
}

}  // namespace cairn::kv
