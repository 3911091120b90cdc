#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "kv/engine.h"
#include "kv/kv_client.h"
#include "proto/metadata.pb.h"

namespace cairn::kv {

// Cluster membership (DESIGN.md "Ranges, replication, placement"): one
// NodeRecord per node in the meta range, node ids from an allocator there,
// and liveness from heartbeats. Each node rewrites its own record every
// heartbeat interval with its addresses and its store's range and lease
// counts; a node whose last heartbeat is older than the dead-node timeout
// is dead. Records are written by one-phase commits (node keys all live in
// the meta range), so a crash never leaves one locked.
//
// Thread-safe. Start() runs the heartbeat thread; Stop() ends it.
class NodeRegistry {
 public:
  struct Options {
    uint64_t heartbeat_interval_ms = 1000;
    uint64_t dead_node_timeout_ms = 30000;
  };
  // A member as of the last read of the records.
  struct Member {
    proto::NodeRecord record;
    bool live = false;
    // Live and not being decommissioned: may receive replicas and leases.
    bool placeable() const { return live && !record.decommissioning(); }
    // Whether the node may hold leases: placeable and not draining.
    bool can_lead() const { return placeable() && !record.draining(); }
  };
  // What this node reports of its store with each heartbeat.
  using StoreCounts = std::function<std::pair<uint64_t, uint64_t>()>;  // ranges, leases

  NodeRegistry(KvClient* client, Clock* clock, Options options);
  ~NodeRegistry();

  // The node records in `engine`'s own copy of the meta range, however
  // stale, without asking the cluster: where a restarted node finds its
  // peers before it can read anything through them.
  static absl::StatusOr<std::vector<proto::NodeRecord>> ReadLocalRecords(KvEngine* engine);
  // Takes `records` as the members known until the first heartbeat.
  void SeedMembers(const std::vector<proto::NodeRecord>& records);

  // Gives a new node its id and writes its first record (the Join RPC of
  // the node that admits it).
  absl::StatusOr<uint64_t> Admit(const proto::NodeRecord& addresses);
  // Writes this node's record (a restart may bring new addresses) and makes
  // sure the allocator never hands out `self.node_id()` again (the node
  // that bootstrapped the cluster takes id 1 without asking).
  absl::Status Register(const proto::NodeRecord& self);

  // Heartbeats `self` (as registered) every interval, with `counts`.
  void Start(StoreCounts counts);

  // What each heartbeat reports as the start of the node's oldest open
  // transaction (nullopt: none). REQUIRES: set before Start.
  void set_oldest_active(std::function<std::optional<Timestamp>()> oldest_active) {
    oldest_active_ = std::move(oldest_active);
  }
  // The start of the oldest transaction open on any live member, as of
  // their last heartbeats.
  std::optional<Timestamp> OldestActiveInCluster() const;

  // Marks this node as being decommissioned, in its record from the next
  // heartbeat on (and across restarts: Register keeps the mark).
  void SetDecommissioning();
  // Marks this node as draining, in its record from the next heartbeat on
  // (until the node restarts).
  void SetDraining();
  void Stop();

  // Every member, in node id order, read now.
  absl::StatusOr<std::vector<Member>> ListMembers();
  // From the members seen by the last heartbeat (no read): the RPC address
  // of `node_id` ("" if unknown), and the addresses of the live ones.
  std::string AddressOf(uint64_t node_id) const;
  std::vector<std::string> LiveAddresses() const;
  // When this node's record was last written (Register or a heartbeat), by
  // its clock; 0 before. A node that cannot write it is cut off from the
  // cluster's quorum of the meta range.
  int64_t last_heartbeat_ok_ms() const { return last_heartbeat_ok_ms_.load(); }
  // Members and live members as of the last heartbeat.
  std::pair<size_t, size_t> Counts() const;
  // The members as of the last heartbeat (empty before the first).
  std::vector<Member> Members() const;
  // Called after each heartbeat with the members it read (the node points
  // its Raft transport at their addresses). REQUIRES: set before Start().
  void set_members_observer(std::function<void(const std::vector<Member>&)> observer) {
    members_observer_ = std::move(observer);
  }

 private:
  std::atomic<int64_t> last_heartbeat_ok_ms_{0};
  // Reads the key at a fresh timestamp; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> Read(const std::string& key);
  // Writes `puts` (key, value) in one one-phase commit. Fails with
  // kSerializationFailure when a key changed after `start_ts`.
  absl::Status Write(Timestamp start_ts,
                     const std::vector<std::pair<std::string, std::string>>& puts);
  // Retries `attempt` on write conflicts and locks.
  absl::Status WithConflictRetries(const std::function<absl::Status()>& attempt);
  void HeartbeatLoop(StoreCounts counts);
  absl::Status Heartbeat(const StoreCounts& counts);

  KvClient* const client_;
  Clock* const clock_;
  const Options options_;
  std::function<void(const std::vector<Member>&)> members_observer_;
  Gauge* nodes_gauge_;
  Gauge* live_nodes_gauge_;

  mutable absl::Mutex mu_;
  proto::NodeRecord self_ ABSL_GUARDED_BY(mu_);
  std::function<std::optional<Timestamp>()> oldest_active_;
  std::vector<Member> members_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar stop_cv_;
  std::thread thread_;
};

}  // namespace cairn::kv
