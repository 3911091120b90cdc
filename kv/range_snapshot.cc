#include "kv/range_snapshot.h"

#include <utility>

#include "common/error_code.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "kv/range_span.h"
#include "proto/raft_command.pb.h"

namespace cairn::kv {
namespace {

constexpr ColumnFamily kDataFamilies[] = {ColumnFamily::kDefault, ColumnFamily::kLock,
                                          ColumnFamily::kWrite};


}  // namespace

absl::StatusOr<std::string> BuildRangeSnapshot(const EngineSnapshot& view,
                                               const RangeSnapshotState& state) {
  proto::RangeSnapshot snapshot;
  snapshot.set_tso_high_water_ms(state.tso_high_water_ms);
  snapshot.set_gc_threshold(state.gc_threshold);
  *snapshot.mutable_range() = state.range;
  auto [lower, upper] = DataSpanOf(state.range);
  for (ColumnFamily cf : kDataFamilies) {
    auto it = view.NewIterator(cf, lower, upper);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      proto::EngineMutation* m = snapshot.add_entries();
      m->set_cf(static_cast<uint32_t>(cf));
      m->set_key(std::string(it->key()));
      m->set_value(std::string(it->value()));
    }
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  return snapshot.SerializeAsString();
}

absl::StatusOr<RangeSnapshotState> StageRangeSnapshot(const EngineSnapshot& current,
                                                      std::string_view data, WriteBatch* batch) {
  proto::RangeSnapshot snapshot;
  if (!snapshot.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return MakeError(ErrorCode::kDataCorrupted, "unparsable range snapshot");
  }
  if (!snapshot.has_range()) {
    return MakeError(ErrorCode::kDataCorrupted, "range snapshot without its range");
  }
  auto [lower, upper] = DataSpanOf(snapshot.range());
  for (ColumnFamily cf : kDataFamilies) {
    auto it = current.NewIterator(cf, lower, upper);
    for (it->SeekToFirst(); it->Valid(); it->Next()) batch->Delete(cf, std::string(it->key()));
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  for (const proto::EngineMutation& m : snapshot.entries()) {
    if (m.cf() > static_cast<uint32_t>(ColumnFamily::kWrite)) {
      return MakeError(ErrorCode::kDataCorrupted, "range snapshot entry outside the data families");
    }
    batch->Put(static_cast<ColumnFamily>(m.cf()), m.key(), m.value());
  }
  return RangeSnapshotState{.tso_high_water_ms = snapshot.tso_high_water_ms(),
                            .range = snapshot.range(),
                            .gc_threshold = snapshot.gc_threshold()};
}

absl::StatusOr<proto::RangeDescriptor> PeekSnapshotRange(std::string_view data) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(data.data()),
                                            static_cast<int>(data.size()));
  constexpr int kRangeField = proto::RangeSnapshot::kRangeFieldNumber;
  while (uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == kRangeField &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      std::string bytes;
      proto::RangeDescriptor range;
      if (in.ReadVarint32(&length) && in.ReadString(&bytes, static_cast<int>(length)) &&
          range.ParseFromString(bytes)) {
        return range;
      }
      break;
    }
    if (!WireFormatLite::SkipField(&in, tag)) break;
  }
  return MakeError(ErrorCode::kDataCorrupted, "range snapshot without its range");
}

}  // namespace cairn::kv
