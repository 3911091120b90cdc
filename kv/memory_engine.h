#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "kv/engine.h"

namespace cairn::kv {

// An in-memory KvEngine for tests. Snapshots share immutable copies of the
// column families, so taking one after a write costs a copy: fine for tests,
// never for production. Thread-safe.
class MemoryEngine : public KvEngine {
 public:
  using Table = std::map<std::string, std::string, std::less<>>;
  using Tables = std::array<Table, kNumColumnFamilies>;

  MemoryEngine();

  std::unique_ptr<EngineSnapshot> NewSnapshot() const override;
  // Snapshots are cheap here: the latest view is a snapshot.
  std::unique_ptr<EngineSnapshot> NewLatestView() const override { return NewSnapshot(); }
  absl::Status Write(const WriteBatch& batch, bool sync) override;
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                 std::string_view key) const override;
  uint64_t ApproximateSize(std::string_view start, std::string_view end) const override;

 private:
  mutable absl::Mutex mu_;
  // Copy-on-write: writers replace the pointer, snapshots keep the old one.
  std::shared_ptr<Tables> tables_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
