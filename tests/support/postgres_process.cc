#include "postgres_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace cairn::testing {
namespace {

constexpr const char* kPgCtl = "/usr/lib/postgresql/15/bin/pg_ctl";

std::string PeerScript() { return std::string(CAIRN_SOURCE_DIR) + "/bench/postgres_peer.sh"; }

// Runs `command` through the shell; its exit status and standard output.
int Run(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 512> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    if (out != nullptr) out->append(buffer.data());
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

PostgresProcess::PostgresProcess() {
  char path[] = "/tmp/cairn-pg-test.XXXXXX";
  if (mkdtemp(path) != nullptr) dir_ = path;
}

PostgresProcess::~PostgresProcess() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool PostgresProcess::Installed() { return access(kPgCtl, X_OK) == 0; }

::testing::AssertionResult PostgresProcess::Start() {
  if (dir_.empty()) return ::testing::AssertionFailure() << "no temp dir";
  // The base dir must be reachable by the unprivileged user the script
  // runs the server as when we are root.
  std::filesystem::permissions(dir_, std::filesystem::perms::all);
  std::string out;
  const std::string env = "CAIRN_PG_PEER_BASE=" + dir_ + " CAIRN_PG_PEER_STATE=" + dir_ + "/state ";
  const int code = Run(env + PeerScript() + " start 2>" + dir_ + "/start.log", &out);
  if (code != 0) {
    std::string log;
    Run("cat " + dir_ + "/start.log", &log);
    return ::testing::AssertionFailure() << "postgres_peer.sh start exited " << code << ": " << log;
  }
  // The URI is the last line.
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  const size_t nl = out.rfind('\n');
  dsn_ = nl == std::string::npos ? out : out.substr(nl + 1);
  running_ = true;
  return ::testing::AssertionSuccess();
}

void PostgresProcess::Stop() {
  if (!running_) return;
  running_ = false;
  Run("CAIRN_PG_PEER_STATE=" + dir_ + "/state " + PeerScript() + " stop >/dev/null 2>&1", nullptr);
}

}  // namespace cairn::testing
