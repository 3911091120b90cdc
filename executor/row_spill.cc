#include "executor/row_spill.h"

#include <cstring>
#include <string>

#include "common/error_code.h"
#include "common/interval.h"
#include "executor/row_format.h"

namespace cairn::executor {
namespace {

absl::Status IoError(const char* what) {
  return MakeError(ErrorCode::kIoError, std::string("temporary file for spilled rows: ") + what +
                                            ": " + std::strerror(errno));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RowSpillFile>> RowSpillFile::Create() {
  FILE* f = std::tmpfile();
  if (f == nullptr) return IoError("cannot create");
  return std::unique_ptr<RowSpillFile>(new RowSpillFile(f));
}

RowSpillFile::~RowSpillFile() { std::fclose(file_); }

// Each row: its length in bytes, then the row (executor/row_format.h).
absl::Status RowSpillFile::Write(const Row& row) {
  std::string out(sizeof(uint32_t), '\0');
  AppendRow(row, &out);
  const uint32_t len = static_cast<uint32_t>(out.size() - sizeof len);
  std::memcpy(out.data(), &len, sizeof len);
  if (std::fwrite(out.data(), 1, out.size(), file_) != out.size()) return IoError("write");
  return absl::OkStatus();
}

absl::Status RowSpillFile::Rewind() {
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) return IoError("rewind");
  return absl::OkStatus();
}

absl::StatusOr<bool> RowSpillFile::Read(Row* row) {
  uint32_t len = 0;
  const size_t got = std::fread(&len, 1, sizeof len, file_);
  if (got == 0 && std::feof(file_)) return false;
  if (got != sizeof len) return IoError("read");
  buffer_.resize(len);
  if (len > 0 && std::fread(buffer_.data(), 1, len, file_) != len) return IoError("read");
  std::string_view in = buffer_;
  CAIRN_RETURN_IF_ERROR(ReadRow(&in, row));
  return true;
}

size_t ApproximateRowBytes(const Row& row) {
  size_t bytes = sizeof(Row) + row.size() * sizeof(Value);
  for (const Value& v : row) {
    if (v.is_null()) continue;
    switch (v.type()) {
      case TypeId::kNumeric:
      case TypeId::kArray:
        bytes += 64;  // a rough guess
        break;
      case TypeId::kText:
      case TypeId::kVarchar:
      case TypeId::kChar:
      case TypeId::kBytea:
      case TypeId::kJson:
      case TypeId::kJsonb:
      case TypeId::kUuid:
        bytes += v.str_value().size();
        break;
      default:
        break;
    }
  }
  return bytes;
}

}  // namespace cairn::executor
