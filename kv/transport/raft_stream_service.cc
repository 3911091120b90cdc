#include "kv/transport/raft_stream_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "kv/transport/raft_message_codec.h"

namespace cairn::kv {

grpc::Status RaftStreamService::RaftStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<proto::RaftStreamResponse, proto::RaftMessageBatch>* stream) {
  proto::RaftMessageBatch batch;
  std::optional<proto::RaftMessage> snapshot_header;
  std::string snapshot_data;
  while (stream->Read(&batch)) {
    if (batch.to_node_id() != node_id_) {
      // A peer with a stale address book: tell it rather than deliver
      // another node's messages to our groups.
      proto::RaftStreamResponse response;
      response.set_error(absl::StrCat("this is node ", node_id_, ", not node ", batch.to_node_id()));
      stream->Write(response);
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, response.error());
    }
    std::vector<RaftEnvelope> delivered;
    for (const proto::RaftMessage& pm : batch.messages()) {
      if (pm.has_snapshot()) {
        snapshot_header = pm;
        snapshot_data.clear();
        continue;
      }
      absl::StatusOr<raft::Message> m = RaftMessageFromProto(pm, "");
      if (!m.ok()) {
        CAIRN_LOG_WARN("dropping a raft message from node {}: {}", batch.from_node_id(),
                       m.status().ToString());
        continue;
      }
      delivered.push_back({pm.range_id(), *std::move(m)});
    }
    if (batch.has_chunk() && snapshot_header.has_value() &&
        batch.chunk().range_id() == snapshot_header->range_id()) {
      snapshot_data.append(batch.chunk().data());
      if (batch.chunk().last()) {
        if (snapshot_data.size() == snapshot_header->snapshot_size()) {
          absl::StatusOr<raft::Message> m =
              RaftMessageFromProto(*snapshot_header, std::move(snapshot_data));
          if (m.ok()) delivered.push_back({snapshot_header->range_id(), *std::move(m)});
        } else {
          CAIRN_LOG_WARN("snapshot of range {} from node {}: {} bytes, expected {}",
                         snapshot_header->range_id(), batch.from_node_id(), snapshot_data.size(),
                         snapshot_header->snapshot_size());
        }
        snapshot_header.reset();
        snapshot_data.clear();
      }
    }
    if (!delivered.empty()) handler_->HandleRaftMessages(batch.from_node_id(), std::move(delivered));
  }
  return grpc::Status::OK;
}

}  // namespace cairn::kv
