#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/value.h"

// Rows written to and read back from a temporary file, for operators whose
// input outgrows their memory budget (work_mem): an external sort's runs.
// The file is anonymous (tmpfile: gone when closed or when the process
// ends) and read back in the order written.
namespace cairn::executor {

class RowSpillFile {
 public:
  static absl::StatusOr<std::unique_ptr<RowSpillFile>> Create();
  ~RowSpillFile();
  RowSpillFile(const RowSpillFile&) = delete;
  RowSpillFile& operator=(const RowSpillFile&) = delete;

  absl::Status Write(const Row& row);
  // Done writing: reading starts from the first row.
  absl::Status Rewind();
  // The next row, or false after the last.
  absl::StatusOr<bool> Read(Row* row);

 private:
  explicit RowSpillFile(FILE* file) : file_(file) {}
  FILE* file_;
  std::string buffer_;  // the row being read
};

// About how many bytes `row` takes in memory, for budgets.
size_t ApproximateRowBytes(const Row& row);

}  // namespace cairn::executor
