#include "kv/mvcc/txn_types.h"

#include "common/error_code.h"
#include "common/key_codec.h"

namespace cairn::kv {
namespace {

// Values are encoded as: a kind byte, fixed-width fields, then
// length-prefixed strings. Little ceremony, stable, and cheap to decode.
void PutFixed64(std::string* out, uint64_t v) { key_codec::AppendUint64(out, v); }

void PutString(std::string* out, std::string_view s) {
  key_codec::AppendUint32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

absl::Status Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kDataCorrupted, std::string("corrupt ") + std::string(what));
}

absl::StatusOr<std::string> GetString(std::string_view* in) {
  CAIRN_ASSIGN_OR_RETURN(uint32_t n, key_codec::DecodeUint32(in));
  if (in->size() < n) return Corrupt("string");
  std::string s(in->substr(0, n));
  in->remove_prefix(n);
  return s;
}

}  // namespace

std::string Lock::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kind));
  PutFixed64(&out, start_ts);
  PutFixed64(&out, ttl_ms);
  PutFixed64(&out, min_commit_ts);
  PutString(&out, primary);
  out.push_back(short_value ? 1 : 0);
  if (short_value) PutString(&out, *short_value);
  // Locks written before async commit end here.
  if (use_async_commit) {
    out.push_back(1);
    key_codec::AppendUint32(&out, static_cast<uint32_t>(secondaries.size()));
    for (const std::string& key : secondaries) PutString(&out, key);
  }
  return out;
}

absl::StatusOr<Lock> Lock::Decode(std::string_view in) {
  if (in.empty()) return Corrupt("lock");
  Lock lock;
  lock.kind = static_cast<MutationKind>(in[0]);
  in.remove_prefix(1);
  CAIRN_ASSIGN_OR_RETURN(lock.start_ts, key_codec::DecodeUint64(&in));
  CAIRN_ASSIGN_OR_RETURN(lock.ttl_ms, key_codec::DecodeUint64(&in));
  CAIRN_ASSIGN_OR_RETURN(lock.min_commit_ts, key_codec::DecodeUint64(&in));
  CAIRN_ASSIGN_OR_RETURN(lock.primary, GetString(&in));
  if (in.empty()) return Corrupt("lock");
  bool has_short = in[0] != 0;
  in.remove_prefix(1);
  if (has_short) {
    CAIRN_ASSIGN_OR_RETURN(std::string v, GetString(&in));
    lock.short_value = std::move(v);
  }
  if (in.empty()) return lock;
  lock.use_async_commit = in[0] != 0;
  in.remove_prefix(1);
  CAIRN_ASSIGN_OR_RETURN(uint32_t n, key_codec::DecodeUint32(&in));
  for (uint32_t i = 0; i < n; ++i) {
    CAIRN_ASSIGN_OR_RETURN(std::string key, GetString(&in));
    lock.secondaries.push_back(std::move(key));
  }
  return lock;
}

std::string WriteRecord::Encode() const {
  std::string out;
  out.push_back(static_cast<char>(kind));
  PutFixed64(&out, start_ts);
  if (short_value) {
    out.push_back(1);
    out.append(*short_value);
  }
  return out;
}

absl::StatusOr<WriteRecord> WriteRecord::Decode(std::string_view in) {
  if (in.empty()) return Corrupt("write record");
  WriteRecord w;
  w.kind = static_cast<WriteKind>(in[0]);
  in.remove_prefix(1);
  CAIRN_ASSIGN_OR_RETURN(w.start_ts, key_codec::DecodeUint64(&in));
  if (!in.empty()) {
    in.remove_prefix(1);
    w.short_value = std::string(in);
  }
  return w;
}

namespace mvcc_keys {

std::string EncodeUserKey(std::string_view user_key) {
  std::string out;
  out.reserve(user_key.size() + 10);
  key_codec::AppendBytes(&out, user_key);
  return out;
}

std::string VersionKey(std::string_view user_key, Timestamp ts) {
  std::string out;
  out.reserve(user_key.size() + 18);
  key_codec::AppendBytes(&out, user_key);
  key_codec::AppendUint64(&out, ~ts);
  return out;
}

absl::Status DecodeVersionKey(std::string_view key, std::string* user_key, Timestamp* ts) {
  CAIRN_ASSIGN_OR_RETURN(*user_key, key_codec::DecodeBytes(&key));
  CAIRN_ASSIGN_OR_RETURN(uint64_t inverted, key_codec::DecodeUint64(&key));
  *ts = ~inverted;
  return absl::OkStatus();
}

absl::StatusOr<std::string> DecodeLockKey(std::string_view key) {
  return key_codec::DecodeBytes(&key);
}

}  // namespace mvcc_keys
}  // namespace cairn::kv
