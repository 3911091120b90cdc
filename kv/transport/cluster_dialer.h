#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "proto/cluster.grpc.pb.h"

namespace cairn::kv {

// One gRPC channel per peer address for the Cluster service, made on first
// use and kept (gRPC reconnects a channel by itself). Thread-safe.
class ClusterDialer {
 public:
  std::shared_ptr<proto::Cluster::Stub> StubFor(const std::string& address);

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<proto::Cluster::Stub>> stubs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::kv
