#include "kv/zero_filled_wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cairn::kv {
namespace {

// How far a log is filled ahead of its data. One chunk costs a few
// milliseconds to write and sync on a virtual disk; a busy store's log
// crosses a few per second.
constexpr uint64_t kFillChunkBytes = 4 << 20;

rocksdb::IOStatus PosixError(const std::string& what, const std::string& path, int err) {
  return rocksdb::IOStatus::IOError(absl::StrCat(what, " ", path), std::strerror(err));
}

class ZeroFilledLogFile final : public rocksdb::FSWritableFile {
 public:
  ZeroFilledLogFile(std::string path, int fd, const rocksdb::FileOptions& options)
      : rocksdb::FSWritableFile(options), path_(std::move(path)), fd_(fd) {}
  ~ZeroFilledLogFile() override {
    if (fd_ >= 0) (void)Close(rocksdb::IOOptions(), nullptr);
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
    if (size_ + data.size() > filled_end_) {
      rocksdb::IOStatus s = FillAhead(size_ + data.size());
      if (!s.ok()) return s;
    }
    rocksdb::IOStatus s = WriteAt(data.data(), data.size(), size_);
    if (s.ok()) size_ += data.size();
    return s;
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo&,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }

  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return PosixError("truncate", path_, errno);
    }
    size_ = size;
    filled_end_ = size;
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    if (fd_ < 0) return rocksdb::IOStatus::OK();
    // Cut the unused zeros off: a closed log ends where its data does.
    rocksdb::IOStatus s = rocksdb::IOStatus::OK();
    if (filled_end_ > size_ && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      s = PosixError("truncate", path_, errno);
    }
    if (::close(fd_) != 0 && s.ok()) s = PosixError("close", path_, errno);
    fd_ = -1;
    return s;
  }

  // Writes go straight to the kernel: nothing is buffered here.
  rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    if (::fsync(fd_) != 0) return PosixError("fsync", path_, errno);
    return rocksdb::IOStatus::OK();
  }

  bool IsSyncThreadSafe() const override { return true; }

  uint64_t GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return size_;
  }

 private:
  rocksdb::IOStatus WriteAt(const char* data, size_t n, uint64_t offset) {
    while (n > 0) {
      ssize_t done = ::pwrite(fd_, data, n, static_cast<off_t>(offset));
      if (done < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      data += done;
      n -= static_cast<size_t>(done);
      offset += static_cast<uint64_t>(done);
    }
    return rocksdb::IOStatus::OK();
  }

  // Zero-fills the file up to past `needed` and syncs it, so that the
  // file's size and extents are durable before any data lands there.
  rocksdb::IOStatus FillAhead(uint64_t needed) {
    static const std::string* const kZeros = new std::string(1 << 20, '\0');
    const uint64_t end = (needed / kFillChunkBytes + 1) * kFillChunkBytes;
    for (uint64_t offset = filled_end_; offset < end;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kZeros->size(), end - offset));
      rocksdb::IOStatus s = WriteAt(kZeros->data(), n, offset);
      if (!s.ok()) return s;
      offset += n;
    }
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    filled_end_ = end;
    return rocksdb::IOStatus::OK();
  }

  const std::string path_;
  int fd_;
  uint64_t size_ = 0;        // bytes of data appended
  uint64_t filled_end_ = 0;  // the file's size: data, then zeros
};

class ZeroFilledWalFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit ZeroFilledWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
      : rocksdb::FileSystemWrapper(std::move(base)) {}

  const char* Name() const override { return "CairnZeroFilledWal"; }

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (!absl::EndsWith(path, ".log") || options.use_direct_writes || options.use_mmap_writes) {
      return target()->NewWritableFile(path, options, result, dbg);
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open", path, errno);
    *result = std::make_unique<ZeroFilledLogFile>(path, fd, options);
    return rocksdb::IOStatus::OK();
  }
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewZeroFilledWalFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base) {
  return std::make_shared<ZeroFilledWalFileSystem>(std::move(base));
}

}  // namespace cairn::kv
