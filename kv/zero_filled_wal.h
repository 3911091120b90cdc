#pragma once

#include <memory>

#include "rocksdb/file_system.h"

namespace cairn::kv {

// A RocksDB file system whose write-ahead-log files (*.log) grow in
// zero-filled, synced chunks ahead of the data, as PostgreSQL's WAL segments
// do. A synced append then overwrites blocks the file already has:
// fdatasync writes the data alone, not the file's new size and extents
// through the file system's journal. On this kind of disk that makes a
// Raft log write's sync about a third cheaper, and when the replicas of a
// range share a device their syncs no longer queue behind one another's
// journal commits.
//
// After a crash a log ends in zeros; RocksDB's log reader takes a zero
// record header for preallocated space and reads on to the end of the file,
// so recovery stops where the data did. A cleanly closed log is cut back to
// its data.
std::shared_ptr<rocksdb::FileSystem> NewZeroFilledWalFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base);

}  // namespace cairn::kv
