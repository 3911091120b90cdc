#include "kv/transport/raft_message_codec.h"

#include <utility>

#include "common/error_code.h"

namespace cairn::kv {
namespace {

constexpr uint32_t kLastMessageType = static_cast<uint32_t>(raft::MessageType::kSnapshotStatus);
constexpr uint32_t kLastEntryType = static_cast<uint32_t>(raft::EntryType::kConfChange);

}  // namespace

proto::RaftMessage RaftMessageToProto(uint64_t range_id, const raft::Message& m) {
  proto::RaftMessage p;
  p.set_range_id(range_id);
  p.set_type(static_cast<uint32_t>(m.type));
  p.set_from(m.from);
  p.set_to(m.to);
  p.set_term(m.term);
  p.set_log_term(m.log_term);
  p.set_index(m.index);
  p.set_commit(m.commit);
  p.set_reject(m.reject);
  p.set_reject_hint(m.reject_hint);
  for (const raft::Entry& e : m.entries) {
    proto::RaftEntry* pe = p.add_entries();
    pe->set_term(e.term);
    pe->set_index(e.index);
    pe->set_type(static_cast<uint32_t>(e.type));
    pe->set_data(e.data);
  }
  if (m.snapshot.has_value()) {
    const raft::SnapshotMetadata& meta = m.snapshot->metadata;
    p.set_has_snapshot(true);
    p.set_snapshot_size(m.snapshot->data.size());
    proto::RaftSnapshotMetadata* pm = p.mutable_snapshot_metadata();
    pm->set_index(meta.index);
    pm->set_term(meta.term);
    for (uint64_t v : meta.conf_state.voters) pm->mutable_conf_state()->add_voters(v);
    for (uint64_t l : meta.conf_state.learners) pm->mutable_conf_state()->add_learners(l);
  }
  p.set_context(m.context);
  return p;
}

absl::StatusOr<raft::Message> RaftMessageFromProto(const proto::RaftMessage& p,
                                                   std::string snapshot_data) {
  if (p.type() > kLastMessageType) {
    return MakeError(ErrorCode::kDataCorrupted, "unknown raft message type");
  }
  raft::Message m;
  m.type = static_cast<raft::MessageType>(p.type());
  if (raft::IsLocalMessage(m.type)) {
    return MakeError(ErrorCode::kDataCorrupted, "local raft message on the wire");
  }
  m.from = p.from();
  m.to = p.to();
  m.term = p.term();
  m.log_term = p.log_term();
  m.index = p.index();
  m.commit = p.commit();
  m.reject = p.reject();
  m.reject_hint = p.reject_hint();
  m.entries.reserve(p.entries_size());
  for (const proto::RaftEntry& pe : p.entries()) {
    if (pe.type() > kLastEntryType) {
      return MakeError(ErrorCode::kDataCorrupted, "unknown raft entry type");
    }
    m.entries.push_back(raft::Entry{.term = pe.term(),
                                    .index = pe.index(),
                                    .type = static_cast<raft::EntryType>(pe.type()),
                                    .data = pe.data()});
  }
  if (p.has_snapshot()) {
    raft::Snapshot snap;
    snap.metadata.index = p.snapshot_metadata().index();
    snap.metadata.term = p.snapshot_metadata().term();
    const auto& cs = p.snapshot_metadata().conf_state();
    snap.metadata.conf_state.voters.assign(cs.voters().begin(), cs.voters().end());
    snap.metadata.conf_state.learners.assign(cs.learners().begin(), cs.learners().end());
    snap.data = std::move(snapshot_data);
    m.snapshot = std::move(snap);
  }
  m.context = p.context();
  return m;
}

}  // namespace cairn::kv
