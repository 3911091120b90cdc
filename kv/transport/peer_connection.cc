#include "kv/transport/peer_connection.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "kv/transport/raft_message_codec.h"
#include "proto/raft_transport.grpc.pb.h"

namespace cairn::kv {
namespace {

// How long the connection thread waits for a connect before it checks
// whether it is being stopped.
constexpr std::chrono::milliseconds kConnectWaitSlice{50};

}  // namespace

// One open stream to the peer.
class PeerConnection::Stream {
 public:
  Stream(proto::RaftTransport::Stub* stub, uint64_t self_node, uint64_t peer_node)
      : self_node_(self_node), peer_node_(peer_node) {
    stream_ = stub->RaftStream(&context_);
  }
  grpc::ClientContext* context() { return &context_; }

  bool Write(proto::RaftMessageBatch& batch) {
    batch.set_from_node_id(self_node_);
    batch.set_to_node_id(peer_node_);
    bool ok = stream_->Write(batch);
    batch.Clear();
    return ok;
  }
  void Close() {
    stream_->WritesDone();
    context_.TryCancel();  // the peer never answers; do not wait for it
    (void)stream_->Finish();
  }

 private:
  const uint64_t self_node_;
  const uint64_t peer_node_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<proto::RaftMessageBatch, proto::RaftStreamResponse>>
      stream_;
};

PeerConnection::PeerConnection(uint64_t self_node, uint64_t peer_node, std::string address,
                               RaftMessageHandler* handler, const PeerConnectionOptions& options)
    : self_node_(self_node),
      peer_node_(peer_node),
      address_(std::move(address)),
      handler_(handler),
      options_(options) {
  thread_ = std::thread([this] { Run(); });
}

PeerConnection::~PeerConnection() { Stop(); }

void PeerConnection::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  std::vector<RaftEnvelope> rest;
  {
    absl::MutexLock lock(&mu_);
    rest.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
    queue_.clear();
  }
  Drop(std::move(rest));
}

void PeerConnection::Enqueue(std::vector<RaftEnvelope> messages) {
  std::vector<RaftEnvelope> overflow;
  {
    absl::MutexLock lock(&mu_);
    for (RaftEnvelope& e : messages) {
      if (stopping_ || queue_.size() >= options_.max_queued_messages) {
        overflow.push_back(std::move(e));
      } else {
        queue_.push_back(std::move(e));
      }
    }
    cv_.Signal();
  }
  Drop(std::move(overflow));
}

void PeerConnection::Drop(std::vector<RaftEnvelope> messages) {
  if (!messages.empty()) ReportUndeliverable(handler_, peer_node_, std::move(messages));
}

bool PeerConnection::SleepUnlessStopping(int64_t ms) {
  absl::MutexLock lock(&mu_);
  if (!stopping_) cv_.WaitWithTimeout(&mu_, absl::Milliseconds(ms));
  return !stopping_;
}

void PeerConnection::Run() {
  grpc::ChannelArguments args;
  // gRPC's own reconnect back-off defaults to minutes: a restarted peer
  // must be found again within our back-off instead.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(options_.min_backoff_ms));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(options_.min_backoff_ms));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(options_.max_backoff_ms));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);  // see GrpcRaftTransport::RegisterWith
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
  std::unique_ptr<proto::RaftTransport::Stub> stub = proto::RaftTransport::NewStub(channel);

  int64_t backoff_ms = options_.min_backoff_ms;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    // WaitForConnected cannot be interrupted: wait in short slices so that
    // Stop() never sits out a whole back-off against a dead peer.
    const auto deadline =
        std::chrono::system_clock::now() + std::chrono::milliseconds(backoff_ms);
    bool connected = false;
    for (;;) {
      connected = channel->WaitForConnected(
          std::min(deadline, std::chrono::system_clock::now() + kConnectWaitSlice));
      if (connected || std::chrono::system_clock::now() >= deadline) break;
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (!connected) {
      // Whatever waited for this peer is stale by now: drop and report it
      // so Raft probes instead of streaming into the void.
      std::vector<RaftEnvelope> stale;
      {
        absl::MutexLock lock(&mu_);
        stale.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
      Drop(std::move(stale));
      backoff_ms = std::min(backoff_ms * 2, options_.max_backoff_ms);
      if (!SleepUnlessStopping(0)) return;
      continue;
    }
    Stream stream(stub.get(), self_node_, peer_node_);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      context_ = stream.context();
    }
    Pump(stream);
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
    }
    stream.Close();
    if (!SleepUnlessStopping(backoff_ms)) return;
    backoff_ms = std::min(backoff_ms * 2, options_.max_backoff_ms);
  }
}

void PeerConnection::Pump(Stream& stream) {
  for (;;) {
    std::vector<RaftEnvelope> pending;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) cv_.Wait(&mu_);
      if (stopping_) return;
      pending.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
      queue_.clear();
    }
    proto::RaftMessageBatch batch;
    size_t batch_bytes = 0;
    size_t sent = 0;  // pending[0, sent) are on the wire
    size_t reported = pending.size();  // a snapshot already reported failed
    bool ok = true;
    for (size_t i = 0; i < pending.size() && ok; ++i) {
      const RaftEnvelope& e = pending[i];
      proto::RaftMessage message = RaftMessageToProto(e.range_id, e.message);
      const size_t message_bytes = message.ByteSizeLong();
      // Cut the batch before it outgrows max_batch_bytes, and before a
      // snapshot, whose first chunk joins the batch: a batch above the
      // receiver's gRPC message limit is refused and breaks the stream.
      if (batch.messages_size() > 0 &&
          (e.message.snapshot.has_value() ||
           batch_bytes + message_bytes > options_.max_batch_bytes)) {
        ok = stream.Write(batch);
        batch_bytes = 0;
        if (!ok) break;
        sent = i;
      }
      *batch.add_messages() = std::move(message);
      batch_bytes += message_bytes;
      if (e.message.snapshot.has_value()) {
        // The header, then the data in chunks; the last chunk completes it.
        const std::string& data = e.message.snapshot->data;
        size_t offset = 0;
        do {
          const size_t n = std::min(options_.snapshot_chunk_bytes, data.size() - offset);
          proto::SnapshotChunk* chunk = batch.mutable_chunk();
          chunk->set_range_id(e.range_id);
          chunk->set_snapshot_index(e.message.snapshot->metadata.index);
          chunk->set_data(data.substr(offset, n));
          offset += n;
          chunk->set_last(offset == data.size());
          ok = stream.Write(batch);
        } while (ok && offset < data.size());
        batch_bytes = 0;
        handler_->HandleSnapshotSent(peer_node_, e, ok);
        if (ok) sent = i + 1;
        else reported = i;
        continue;
      }
      if (i + 1 == pending.size()) {
        ok = stream.Write(batch);
        batch_bytes = 0;
        if (ok) sent = i + 1;
      }
    }
    if (!ok) {
      std::vector<RaftEnvelope> lost;
      for (size_t i = sent; i < pending.size(); ++i) {
        if (i != reported) lost.push_back(std::move(pending[i]));
      }
      Drop(std::move(lost));
      CAIRN_LOG_WARN("raft stream to node {} ({}) broke; reconnecting", peer_node_, address_);
      return;
    }
  }
}

}  // namespace cairn::kv
