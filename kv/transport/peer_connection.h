#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "kv/transport/raft_transport.h"

namespace grpc {
class ClientContext;
}

// The outgoing half of Raft traffic to one peer node: a queue and the one
// thread that drains it into a gRPC bidirectional stream, batching the
// messages of all groups that piled up while the previous batch was on the
// wire. The thread (re)connects with exponential back-off; while the peer
// is unreachable, queued messages are dropped and reported, so a dead peer
// costs the store nothing but those reports. A slow peer only ever blocks
// this thread; once its queue is full, new messages for it are dropped.
//
// Snapshots are streamed in chunks of Options::snapshot_chunk_bytes after
// their message header, and reported as sent or failed.
//
// Thread safety: Enqueue and Stop may be called from any thread.
namespace cairn::kv {

struct PeerConnectionOptions {
  size_t max_queued_messages = 10000;
  // A batch is cut before it would outgrow this (one larger message goes
  // alone). Batches and snapshot chunks must stay below the receiving
  // server's gRPC message limit, 4 MiB unless its owner raised it.
  size_t max_batch_bytes = 2 << 20;
  size_t snapshot_chunk_bytes = 1 << 20;
  int64_t min_backoff_ms = 20;
  int64_t max_backoff_ms = 1000;
};

class PeerConnection {
 public:
  PeerConnection(uint64_t self_node, uint64_t peer_node, std::string address,
                 RaftMessageHandler* handler, const PeerConnectionOptions& options);
  ~PeerConnection();
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  void Enqueue(std::vector<RaftEnvelope> messages);
  // Ends the stream and joins the thread; queued messages are dropped.
  void Stop();

 private:
  class Stream;

  void Run();
  // Streams queued messages until the stream breaks or Stop().
  void Pump(Stream& stream);
  // Reports `messages` as undeliverable to the handler.
  void Drop(std::vector<RaftEnvelope> messages);
  // Waits up to `ms` or until Stop(); returns false when stopping.
  bool SleepUnlessStopping(int64_t ms);

  // Constant after construction.
  const uint64_t self_node_;
  const uint64_t peer_node_;
  const std::string address_;
  RaftMessageHandler* const handler_;
  const PeerConnectionOptions options_;

  absl::Mutex mu_;
  std::deque<RaftEnvelope> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The live stream's context, to cancel a Write blocked on a stuck peer.
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::CondVar cv_;

  std::thread thread_;
};

}  // namespace cairn::kv
