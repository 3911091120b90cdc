#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Value types shared by every part of raft/ and by its drivers (kv/): log
// entries, persistent state, snapshots and messages. They are plain structs
// with value semantics; the driver serialises them (protobuf) at the edge.
namespace cairn::raft {

// Node id 0 means "nobody" (no leader, no vote).
inline constexpr uint64_t kNone = 0;
// Byte limits use this to mean "no limit".
inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

enum class EntryType : uint8_t { kNormal, kConfChange };

// One log entry. Each new leader appends an entry with empty `data` to commit
// the entries of earlier terms; it shows up in Ready::committed_entries and the
// driver applies it as a no-op.
struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;

  bool operator==(const Entry&) const = default;
};

// Approximate in-memory size of an entry, used for the byte limits.
inline uint64_t EntrySize(const Entry& e) { return e.data.size() + 24; }

// State that must be durable before messages of the same Ready are sent.
struct HardState {
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;

  bool operator==(const HardState&) const = default;
};

inline bool IsEmpty(const HardState& hs) { return hs == HardState{}; }

// Membership of a group. Ids are kept sorted and disjoint.
struct ConfState {
  std::vector<uint64_t> voters;
  std::vector<uint64_t> learners;

  bool operator==(const ConfState&) const = default;
};

struct SnapshotMetadata {
  uint64_t index = 0;  // last log index the snapshot covers
  uint64_t term = 0;   // term of that entry
  ConfState conf_state;  // membership as of `index`

  bool operator==(const SnapshotMetadata&) const = default;
};

// A snapshot of the driver's state machine at metadata.index. `data` is
// opaque to raft/. index == 0 means "no snapshot".
struct Snapshot {
  SnapshotMetadata metadata;
  std::string data;

  bool IsEmpty() const { return metadata.index == 0; }
  bool operator==(const Snapshot&) const = default;
};

enum class MessageType : uint8_t {
  // Sent between nodes.
  kAppend,
  kAppendResponse,
  kVote,
  kVoteResponse,
  kPreVote,
  kPreVoteResponse,
  kHeartbeat,
  kHeartbeatResponse,
  kSnapshot,
  kTimeoutNow,
  kReadIndex,
  kReadIndexResponse,
  kTransferLeader,  // local, or forwarded by a follower to its leader
  // Local only: RawNode::Step refuses them.
  kHup,             // start an election
  kBeat,            // leader: send heartbeats
  kCheckQuorum,     // leader: step down unless a quorum was recently active
  kPropose,         // append entries (leader only; never forwarded)
  kUnreachable,     // driver: the peer `from` could not be reached
  kSnapshotStatus,  // driver: snapshot to `from` done (reject = failed)
};

std::string_view MessageTypeName(MessageType type);

// True for message types that may only be created inside the node.
bool IsLocalMessage(MessageType type);

// A Raft message. Field use per type follows etcd raft: `index`/`log_term`
// are the entry preceding `entries` for kAppend, the candidate's last entry
// for kVote/kPreVote, the matched or rejected index for kAppendResponse.
// `reject_hint` (+ `log_term`) on a rejected kAppendResponse lets the leader
// skip a whole term of divergent entries at once.
struct Message {
  MessageType type = MessageType::kAppend;
  uint64_t from = kNone;
  uint64_t to = kNone;
  uint64_t term = 0;
  uint64_t log_term = 0;
  uint64_t index = 0;
  uint64_t commit = 0;
  bool reject = false;
  uint64_t reject_hint = 0;
  std::vector<Entry> entries;
  std::optional<Snapshot> snapshot;
  std::string context;
};

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

std::string_view RoleName(Role role);

// Volatile state that the driver may want to observe (not persisted).
struct SoftState {
  uint64_t lead = kNone;
  Role role = Role::kFollower;

  bool operator==(const SoftState&) const = default;
};

// The result of a ReadIndex request: once the driver has applied up to
// `index`, a read identified by `context` sees every write committed before
// the request.
struct ReadState {
  uint64_t index = 0;
  std::string context;

  bool operator==(const ReadState&) const = default;
};

}  // namespace cairn::raft
