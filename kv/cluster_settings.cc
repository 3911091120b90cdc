#include "kv/cluster_settings.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/logging.h"
#include "kv/keys.h"

namespace cairn::kv {
namespace {

constexpr ClusterSettings::Definition kSettings[] = {
    {"kv.replication_factor", 1, 7,
     "voters per range once enough nodes are live (start flag --replication-factor)"},
    {"kv.range_max_bytes", 1024, int64_t{1} << 40,
     "a range whose data outgrows this is split (start flag --range-max-bytes)"},
    {"gc.ttl_seconds", 1, int64_t{10} * 365 * 86400,
     "how long old row versions are kept for historical reads (default 4 hours)"},
    {"kv.async_commit_max_keys", 0, 100000,
     "a transaction writing up to this many keys in several ranges commits asynchronously: "
     "answered once every key is locked (default 256; 0: never)"},
};
// A one-phase commit's lock lives no longer than its Raft round.
constexpr uint64_t kWriteTtlMs = 3000;

std::string SettingKey(std::string_view name) {
  return keys::SystemKey(keys::kSettingKind, name);
}

}  // namespace

const ClusterSettings::Definition* ClusterSettings::Find(std::string_view name) {
  for (const Definition& d : kSettings) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

ClusterSettings::ClusterSettings(KvClient* client,
                                 absl::flat_hash_map<std::string, int64_t> defaults)
    : client_(client),
      defaults_(std::move(defaults)),
      current_(defaults_),
      refresher_(absl::Seconds(1), [this] {
        absl::Status s = Refresh();
        if (!s.ok()) CAIRN_LOG_DEBUG("cluster settings not refreshed: {}", s.ToString());
      }) {}

ClusterSettings::~ClusterSettings() { Stop(); }

absl::Status ClusterSettings::Set(std::string_view name, std::optional<int64_t> value) {
  const Definition* d = Find(name);
  if (d == nullptr) {
    return MakeError(ErrorCode::kUndefinedObject,
                     absl::StrCat("unknown cluster setting \"", std::string(name), "\""));
  }
  if (value && (*value < d->min || *value > d->max)) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     absl::StrCat("cluster setting \"", std::string(name), "\" must be between ", d->min,
                                  " and ", d->max, ", not ", *value));
  }
  const std::string key = SettingKey(name);
  for (int attempt = 0;; ++attempt) {
    CAIRN_ASSIGN_OR_RETURN(Timestamp start_ts, client_->GetTimestamp());
    PrewriteRequest request;
    request.primary = key;
    request.start_ts = start_ts;
    request.ttl_ms = kWriteTtlMs;
    request.mutations.push_back(value ? PrewriteMutation{.kind = MutationKind::kPut,
                                                         .key = key,
                                                         .value = absl::StrCat(*value)}
                                      : PrewriteMutation{.kind = MutationKind::kDelete, .key = key});
    CAIRN_ASSIGN_OR_RETURN(KvClient::OnePhaseResult result, client_->TryOnePhaseCommit(request));
    if (result.applied && result.errors.empty()) break;
    if (attempt == 10) {
      return MakeError(ErrorCode::kSerializationFailure,
                       absl::StrCat("cluster setting \"", std::string(name), "\" is being changed concurrently"));
    }
  }
  absl::MutexLock lock(&mu_);
  current_[std::string(name)] = value.value_or(defaults_.at(std::string(name)));
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ClusterSettings::Get(std::string_view name) {
  if (Find(name) == nullptr) {
    return MakeError(ErrorCode::kUndefinedObject,
                     absl::StrCat("unknown cluster setting \"", std::string(name), "\""));
  }
  CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
  CAIRN_ASSIGN_OR_RETURN(KvClient::GetResult got, client_->Get(SettingKey(name), ts));
  if (got.locked) {
    return MakeError(ErrorCode::kSerializationFailure,
                     absl::StrCat("cluster setting \"", std::string(name), "\" is being changed"));
  }
  int64_t value = defaults_.at(std::string(name));
  if (got.value && !absl::SimpleAtoi(*got.value, &value)) {
    return MakeError(ErrorCode::kDataCorrupted, absl::StrCat("unparsable cluster setting ", std::string(name)));
  }
  return value;
}

int64_t ClusterSettings::Current(std::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = current_.find(std::string(name));
  return it == current_.end() ? 0 : it->second;
}

absl::Status ClusterSettings::Refresh() {
  const std::string prefix = keys::SystemKey(keys::kSettingKind, "");
  CAIRN_ASSIGN_OR_RETURN(Timestamp ts, client_->GetTimestamp());
  CAIRN_ASSIGN_OR_RETURN(KvClient::ScanResult scanned,
                         client_->Scan(prefix, key_codec::PrefixEnd(prefix), ts, 0));
  if (scanned.locked) return MakeError(ErrorCode::kUnavailable, "a cluster setting is being set");
  absl::flat_hash_map<std::string, int64_t> fresh = defaults_;
  for (const KeyValue& kv : scanned.rows) {
    const std::string name = kv.key.substr(prefix.size());
    int64_t value = 0;
    if (fresh.contains(name) && absl::SimpleAtoi(kv.value, &value)) fresh[name] = value;
  }
  absl::MutexLock lock(&mu_);
  current_ = std::move(fresh);
  return absl::OkStatus();
}

void ClusterSettings::Start() {
  absl::Status s = Refresh();
  if (!s.ok()) CAIRN_LOG_DEBUG("cluster settings not read yet: {}", s.ToString());
  refresher_.Start();
}

void ClusterSettings::Stop() { refresher_.Stop(); }

}  // namespace cairn::kv
