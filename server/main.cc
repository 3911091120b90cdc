// The `cairn` binary: `cairn start ...` runs a node until SIGTERM or SIGINT,
// then drains and exits 0; `cairn cert ...` makes TLS certificates; `cairn
// node ...` asks a running node about its cluster (server/node_command.h).
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "common/logging.h"
#include "server/certificates.h"
#include "server/node.h"
#include "server/node_command.h"
#include "server/node_options.h"
#include "server/structured_log.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "cert") {
    return cairn::server::RunCertCommand({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "node") {
    return cairn::server::RunNodeCommand({args.begin() + 1, args.end()});
  }
  if (args.empty() || args[0] == "--help" || args[0] == "help" || args[0] != "start") {
    std::fputs(cairn::server::UsageText().c_str(), args.empty() || args[0] != "start" ? stderr : stdout);
    return args.empty() || args[0] != "start" ? 2 : 0;
  }
  auto options = cairn::server::ParseNodeOptions({args.begin() + 1, args.end()});
  if (!options.ok()) {
    std::fprintf(stderr, "cairn: %s\n%s", std::string(options.status().message()).c_str(),
                 cairn::server::UsageText().c_str());
    return 2;
  }

  cairn::server::UseStructuredLog();
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  cairn::server::Node node(*options);
  absl::Status started = node.Start();
  if (!started.ok()) {
    CAIRN_LOG_ERROR("cairn: failed to start: {}", started.ToString());
    node.Stop();
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  CAIRN_LOG_INFO("received signal {}, draining", sig);
  node.Stop();
  CAIRN_LOG_INFO("stopped");
  return 0;
}
