#pragma once

// ReplicaNodeProcess runs one replica_node (see replica_node.cc) as a child
// process for the replication tests and benchmarks: fork/exec with its
// output in <data dir>/node.log, readiness by polling its Status RPC (never
// by sleeping), kill -9 and restart on the same data dir and port.
//
// The child dies with the thread that started it (PR_SET_PDEATHSIG), and
// the destructor kills one still running.
//
// Thread safety: none; drive one from one thread. stub() may be used from
// any thread once Start() succeeded.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "replica_control.grpc.pb.h"

namespace cairn::test {

// Free TCP ports on 127.0.0.1 (bound together, then released).
std::vector<uint16_t> PickFreePorts(int n);

class ReplicaNodeProcess {
 public:
  // `binary`: the replica_node executable; `peers`: ID=HOST:PORT,...
  ReplicaNodeProcess(std::string binary, uint64_t node_id, std::string data_dir, uint16_t port,
                     std::string peers, std::vector<std::string> extra_flags = {});
  ~ReplicaNodeProcess();
  ReplicaNodeProcess(const ReplicaNodeProcess&) = delete;
  ReplicaNodeProcess& operator=(const ReplicaNodeProcess&) = delete;

  // Starts the child and waits until it answers Status. Returns an empty
  // string on success, else what went wrong (with the log's tail).
  std::string Start(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // SIGKILL and reap: a crash.
  void Kill();
  bool running() const { return pid_ > 0; }

  uint64_t node_id() const { return node_id_; }
  std::string address() const;
  const std::string& data_dir() const { return data_dir_; }
  ReplicaControl::Stub* stub() { return stub_.get(); }
  std::string LogTail(size_t bytes = 4000) const;

 private:
  const std::string binary_;
  const uint64_t node_id_;
  const std::string data_dir_;
  const uint16_t port_;
  const std::string peers_;
  const std::vector<std::string> extra_flags_;
  pid_t pid_ = -1;
  std::unique_ptr<ReplicaControl::Stub> stub_;
};

// The running node that serves the data range as leader, asking each in
// turn until `timeout`; nullptr if none did.
ReplicaNodeProcess* FindLeader(const std::vector<ReplicaNodeProcess*>& nodes,
                               std::chrono::milliseconds timeout);

}  // namespace cairn::test
