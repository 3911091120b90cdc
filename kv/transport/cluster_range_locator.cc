#include "kv/transport/cluster_range_locator.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "kv/keys.h"
#include "kv/meta_records.h"
#include "kv/mvcc/txn_types.h"
#include "kv/range_commands.h"
#include "kv/range_span.h"
#include "kv/transport/kv_codec.h"
#include "kv/transport/remote_range.h"

namespace cairn::kv {
namespace {

constexpr std::chrono::seconds kLookupDeadline{5};
// As the routing client's: an election and a lease move fit in it.
constexpr absl::Duration kSplitDeadline = absl::Seconds(20);
constexpr absl::Duration kRangesInDeadline = absl::Seconds(10);

// Whether `range` holds the keys just below `end` (empty: the keyspace's end).
bool HoldsKeysBefore(const proto::RangeDescriptor& range, std::string_view end) {
  const bool starts_before = end.empty() || range.start_key() < end;
  const bool ends_at_or_after = range.end_key().empty() || (!end.empty() && range.end_key() >= end);
  return starts_before && ends_at_or_after;
}

bool Holds(const proto::RangeDescriptor& range, std::string_view key, bool before) {
  return before ? HoldsKeysBefore(range, key) : KeyInSpan(range, key);
}

}  // namespace

ClusterRangeLocator::ClusterRangeLocator(Store* store, ClusterDialer* dialer,
                                         std::function<std::vector<std::string>()> lookup_addresses)
    : store_(store),
      dialer_(dialer),
      lookup_addresses_(std::move(lookup_addresses)),
      meta_lookups_(MetricRegistry::Global().GetCounter(
          "cairn_range_lookups_from_meta_total",
          "Range lookups answered by a node that the range's meta record named")) {}

absl::StatusOr<std::unique_ptr<RangeExecutor>> ClusterRangeLocator::Locate(std::string_view key) {
  return Find(key, /*before=*/false);
}

absl::StatusOr<std::unique_ptr<RangeExecutor>> ClusterRangeLocator::LocateBefore(
    std::string_view end) {
  return Find(end, /*before=*/true);
}

void ClusterRangeLocator::Redirect(uint64_t range_id, uint64_t leader_hint) {
  const std::string address =
      leader_hint == 0 || leader_hint == store_->ident().node_id() || !address_of_
          ? std::string()
          : address_of_(leader_hint);
  absl::MutexLock lock(&mu_);
  for (auto it = routes_.begin(); it != routes_.end(); ++it) {
    if (it->range.range_id() != range_id) continue;
    // The hinted leader, unless the route already led there: then the
    // range itself changed (a split) and must be looked up again.
    if (!address.empty() && it->leaseholder_node_id != leader_hint) {
      it->leaseholder_address = address;
      it->leaseholder_node_id = leader_hint;
    } else {
      routes_.erase(it);
    }
    return;
  }
}

void ClusterRangeLocator::Invalidate(uint64_t range_id) {
  absl::MutexLock lock(&mu_);
  std::erase_if(routes_, [&](const Route& r) { return r.range.range_id() == range_id; });
}

absl::StatusOr<std::string> ClusterRangeLocator::LeaseholderOf(std::string_view key) {
  Replica* local = store_->LookupReplica(key);
  if (local != nullptr && local->IsServing()) return std::string();
  {
    absl::MutexLock lock(&mu_);
    for (const Route& route : routes_) {
      if (KeyInSpan(route.range, key)) return route.leaseholder_address;
    }
  }
  CAIRN_ASSIGN_OR_RETURN(Route route, LookUp(key, /*before=*/false));
  absl::MutexLock lock(&mu_);
  routes_.push_back(route);
  return route.leaseholder_address;
}

absl::StatusOr<std::unique_ptr<RangeExecutor>> ClusterRangeLocator::Find(std::string_view key,
                                                                         bool before) {
  Replica* local = before ? store_->LookupReplicaBefore(key) : store_->LookupReplica(key);
  if (local != nullptr && local->IsServing()) return std::make_unique<RangeCommands>(local);
  {
    absl::MutexLock lock(&mu_);
    for (const Route& route : routes_) {
      if (Holds(route.range, key, before)) return Remote(route);
    }
  }
  CAIRN_ASSIGN_OR_RETURN(Route route, LookUp(key, before));
  absl::MutexLock lock(&mu_);
  // Routes the new one overlaps are older (split since) or the same range.
  std::erase_if(routes_, [&](const Route& r) {
    const bool disjoint =
        (!r.range.end_key().empty() && r.range.end_key() <= route.range.start_key()) ||
        (!route.range.end_key().empty() && route.range.end_key() <= r.range.start_key());
    return !disjoint || r.range.range_id() == route.range.range_id();
  });
  routes_.push_back(route);
  return Remote(route);
}

absl::StatusOr<proto::RangeDescriptor> ClusterRangeLocator::DescriptorFromLeaseholder(
    std::string_view key) {
  CAIRN_ASSIGN_OR_RETURN(Route route, LookUpAtLeaseholder(key));
  return route.range;
}

absl::Status ClusterRangeLocator::SplitAt(std::string_view key) {
  if (!range_ids_) return MakeError(ErrorCode::kInternal, "no range id allocator");
  const absl::Time deadline = absl::Now() + kSplitDeadline;
  for (absl::Duration backoff = absl::Milliseconds(5);; backoff = std::min(backoff * 2, absl::Milliseconds(250))) {
    absl::Status status = [&]() -> absl::Status {
      CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<RangeExecutor> range, Find(key, /*before=*/false));
      const proto::RangeDescriptor& d = range->descriptor();
      if (d.start_key() == key) return absl::OkStatus();  // ranges never merge (yet)
      if (!KeyInSpan(d, key)) {
        Invalidate(d.range_id());
        return MakeError(ErrorCode::kRangeNotHere, "stale route");
      }
      CAIRN_ASSIGN_OR_RETURN(uint64_t right_id, range_ids_());
      return range->Split(key, right_id);
    }();
    if (status.ok() || GetErrorCode(status) != ErrorCode::kRangeNotHere) return status;
    if (absl::Now() + backoff > deadline) {
      return MakeError(ErrorCode::kUnavailable,
                       absl::StrCat("cannot split at ", key_codec::PrettyKey(key), ": ",
                                    status.message()));
    }
    absl::SleepFor(backoff);
  }
}

absl::StatusOr<ClusterRangeLocator::Route> ClusterRangeLocator::Ask(
    const std::string& address, const proto::RangeLookupRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kLookupDeadline);
  proto::RangeLookupResponse response;
  grpc::Status rpc = dialer_->StubFor(address)->RangeLookup(&context, request, &response);
  if (!rpc.ok()) return MakeError(ErrorCode::kRangeNotHere, rpc.error_message());
  CAIRN_RETURN_IF_ERROR(StatusFromProto(response.error()));
  Route route{response.range(), response.leaseholder_address(), response.leaseholder_node_id()};
  if (response.has_replica()) route.approximate_bytes = response.approximate_bytes();
  route.from_leaseholder = response.answered_by_leaseholder();
  return route;
}

absl::StatusOr<ClusterRangeLocator::Route> ClusterRangeLocator::LookUp(std::string_view key,
                                                                       bool before) {
  proto::RangeLookupRequest request;
  request.set_key(std::string(key));
  request.set_before(before);
  const std::vector<std::string> named = NodesFromMeta(key, before);
  std::vector<std::string> addresses = named;
  for (std::string& address : lookup_addresses_()) {
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(std::move(address));
    }
  }
  std::string failures;
  for (size_t i = 0; i < addresses.size(); ++i) {
    absl::StatusOr<Route> route = Ask(addresses[i], request);
    if (route.ok()) {
      if (i < named.size()) meta_lookups_->Add();
      return route;
    }
    absl::StrAppend(&failures, " ", addresses[i], ": ", route.status().message(), ";");
  }
  // Retryable: a leader may be elected, a node may come back.
  return MakeError(
      ErrorCode::kRangeNotHere,
      absl::StrCat("no node knows who serves ", key_codec::PrettyKey(key), ":", failures));
}

std::vector<std::string> ClusterRangeLocator::NodesFromMeta(std::string_view key, bool before) {
  // The meta range's own lookups go to the nodes directly: its record is
  // in itself.
  const bool in_meta_range =
      before ? (!key.empty() && key <= keys::kSystemKeyspaceEnd) : key < keys::kSystemKeyspaceEnd;
  if (in_meta_range || !address_of_) return {};
  const std::string start =
      before ? meta_records::BeforeStart(key) : meta_records::HoldingStart(key);
  absl::StatusOr<std::unique_ptr<RangeExecutor>> meta = Find(start, /*before=*/false);
  if (!meta.ok()) return {};
  // The newest record: a directory may lag (a writer's lock, say); the
  // nodes asked still say where the range is, or the rest are asked.
  absl::StatusOr<KvClient::ScanResult> scanned =
      (*meta)->Scan(start, meta_records::KeysEnd(), kMaxTimestamp, 1);
  if (!scanned.ok() || scanned->locked || scanned->rows.empty()) return {};
  proto::RangeDescriptor range;
  if (!range.ParseFromString(scanned->rows.front().value) || !Holds(range, key, before)) return {};
  std::vector<std::string> addresses;
  for (const auto& replica : range.replicas()) {
    if (replica.learner()) continue;
    const std::string address = replica.node_id() == store_->ident().node_id()
                                    ? std::string()
                                    : address_of_(replica.node_id());
    if (!address.empty()) addresses.push_back(address);
  }
  return addresses;
}

absl::StatusOr<ClusterRangeLocator::Route> ClusterRangeLocator::LookUpAtLeaseholder(
    std::string_view key) {
  CAIRN_ASSIGN_OR_RETURN(Route route, LookUp(key, /*before=*/false));
  if (route.from_leaseholder) return route;
  if (route.leaseholder_address.empty()) {
    return MakeError(ErrorCode::kRangeNotHere, "the range's leaseholder is not known");
  }
  proto::RangeLookupRequest request;
  request.set_key(std::string(key));
  CAIRN_ASSIGN_OR_RETURN(Route at_leaseholder, Ask(route.leaseholder_address, request));
  if (!at_leaseholder.from_leaseholder) {
    return MakeError(ErrorCode::kRangeNotHere, "the range's leaseholder has moved");
  }
  return at_leaseholder;
}

absl::StatusOr<std::vector<RangeInfo>> ClusterRangeLocator::RangesIn(std::string_view start,
                                                                     std::string_view end) {
  std::vector<RangeInfo> out;
  std::string cursor(start);
  for (;;) {
    // Each range as its leaseholder has it: a follower's view may predate
    // a split. This node's own replica answers when it leads.
    absl::StatusOr<Route> route = absl::UnknownError("");
    Replica* local = store_->LookupReplica(cursor);
    if (local != nullptr && local->IsServing()) {
      route = Route{local->descriptor(), "", store_->ident().node_id()};
    } else {
      // A range between leaders (a split's new range, a failover) is
      // answered for again within an election; operators should not see it.
      const absl::Time deadline = absl::Now() + kRangesInDeadline;
      for (absl::Duration backoff = absl::Milliseconds(10);;
           backoff = std::min(backoff * 2, absl::Milliseconds(250))) {
        route = LookUpAtLeaseholder(cursor);
        if (route.ok() || GetErrorCode(route.status()) != ErrorCode::kRangeNotHere ||
            absl::Now() + backoff > deadline) {
          break;
        }
        absl::SleepFor(backoff);
      }
    }
    if (!route.ok()) return route.status();
    if (local != nullptr && local->range_id() == route->range.range_id()) {
      route->approximate_bytes = RangeDataBytes(*store_->engine(), route->range);
    }
    out.push_back(RangeInfo{route->range, route->leaseholder_node_id, route->approximate_bytes});
    const std::string& range_end = route->range.end_key();
    if (range_end.empty() || (!end.empty() && range_end >= end)) return out;
    cursor = range_end;
  }
}

std::unique_ptr<RangeExecutor> ClusterRangeLocator::Remote(const Route& route) {
  return std::make_unique<RemoteRange>(route.range, dialer_->StubFor(route.leaseholder_address),
                                       [this](uint64_t range_id, uint64_t leader_hint) {
                                         Redirect(range_id, leader_hint);
                                       });
}

}  // namespace cairn::kv
