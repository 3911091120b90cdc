#include "replica_node_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

namespace cairn::test {

std::vector<uint16_t> PickFreePorts(int n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("PickFreePorts");
      std::abort();
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) close(fd);
  return ports;
}

ReplicaNodeProcess::ReplicaNodeProcess(std::string binary, uint64_t node_id, std::string data_dir,
                                       uint16_t port, std::string peers,
                                       std::vector<std::string> extra_flags)
    : binary_(std::move(binary)),
      node_id_(node_id),
      data_dir_(std::move(data_dir)),
      port_(port),
      peers_(std::move(peers)),
      extra_flags_(std::move(extra_flags)) {
  mkdir(data_dir_.c_str(), 0755);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  stub_ = ReplicaControl::NewStub(
      grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args));
}

ReplicaNodeProcess::~ReplicaNodeProcess() {
  if (running()) Kill();
}

std::string ReplicaNodeProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string ReplicaNodeProcess::Start(std::chrono::milliseconds deadline) {
  std::vector<std::string> args = {binary_,
                                   absl::StrCat("--node_id=", node_id_),
                                   absl::StrCat("--data_dir=", data_dir_, "/store"),
                                   absl::StrCat("--addr=", address()),
                                   absl::StrCat("--peers=", peers_)};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  const std::string log = data_dir_ + "/node.log";
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  pid_ = pid;
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::StrCat("replica_node ", node_id_, " exited at start-up:\n", LogTail());
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    context.set_wait_for_ready(true);
    StatusRequest req;
    StatusResponse resp;
    if (stub_->Status(&context, req, &resp).ok()) return "";
  }
  return absl::StrCat("replica_node ", node_id_, " did not answer in time:\n", LogTail());
}

void ReplicaNodeProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int wstatus = 0;
  waitpid(pid_, &wstatus, 0);
  pid_ = -1;
}

std::string ReplicaNodeProcess::LogTail(size_t bytes) const {
  std::ifstream in(data_dir_ + "/node.log");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

ReplicaNodeProcess* FindLeader(const std::vector<ReplicaNodeProcess*>& nodes,
                               std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    for (ReplicaNodeProcess* n : nodes) {
      if (!n->running()) continue;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
      StatusRequest req;
      StatusResponse resp;
      if (n->stub()->Status(&context, req, &resp).ok() && resp.leader()) return n;
    }
    // Each Status call above waited on the network; ask again.
  }
  return nullptr;
}

}  // namespace cairn::test
