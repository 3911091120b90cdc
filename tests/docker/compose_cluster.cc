#include "compose_cluster.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cairn_process.h"
#include "clients.h"

namespace cairn::docker {
namespace {

using ::cairn::e2e::RunCommand;

// Bounds a `docker info` against an engine that accepts the connection but
// does not answer.
constexpr int kDockerInfoTimeoutSeconds = 20;
// How many times Up() picks ports again when one was taken meanwhile.
constexpr int kUpAttempts = 3;
// Bounds on every docker and Compose command but the image build, so that
// an engine that stops answering fails the test instead of hanging it
// (`docker stop -t 30` is the slowest command the tests run).
constexpr int kDockerTimeoutSeconds = 120;
constexpr int kComposeTimeoutSeconds = 300;

std::string Trimmed(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

// The first line of `text`, for one-line reports.
std::string FirstLine(const std::string& text) {
  const std::string trimmed = Trimmed(text);
  return trimmed.substr(0, trimmed.find('\n'));
}

// The last line of `text`, for one-line reports.
std::string LastLine(const std::string& text) {
  const std::string trimmed = Trimmed(text);
  return trimmed.substr(trimmed.rfind('\n') + 1);
}

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    lines.emplace_back(absl::StripAsciiWhitespace(line));
  }
  return lines;
}

// Whether `out`, what a failed `up` printed, says a published port was taken.
bool PortTaken(const std::string& out) {
  return absl::StrContains(out, "port is already allocated") ||
         absl::StrContains(out, "address already in use");
}

}  // namespace

std::string WhyNoDocker(std::string* compose) {
  std::string out;
  const int info = RunCommand(absl::StrCat("timeout ", kDockerInfoTimeoutSeconds,
                                           " docker info --format '{{.ServerVersion}}'"),
                              &out);
  if (info != 0) {
    return absl::StrCat("no Docker daemon answers `docker info` (exit ", info, ": ", FirstLine(out),
                        ")");
  }
  if (RunCommand("docker-compose version --short", &out) == 0) {
    *compose = "docker-compose";
    return "";
  }
  if (RunCommand("docker compose version --short", &out) == 0) {
    *compose = "docker compose";
    return "";
  }
  return "a Docker daemon answers, but neither docker-compose nor `docker compose` is installed";
}

::testing::AssertionResult BuildImage(const std::string& source_dir, const std::string& binary,
                                      const std::string& tag) {
  std::string out;
  const std::string command =
      absl::StrCat("CAIRN_IMAGE=", tag, " ", source_dir, "/docker/build-image ", binary);
  int status = RunCommand(command, &out);
  if (status != 0) {
    // The engine's build cache is shared: whoever prunes it (docker image
    // prune) while a build is using it fails that build ("unknown parent
    // image ID"). Once more.
    std::printf("[docker] docker/build-image failed (exit %d: %s); once more\n", status,
                LastLine(out).c_str());
    status = RunCommand(command, &out);
  }
  if (status != 0) {
    return ::testing::AssertionFailure()
           << "docker/build-image " << binary << " (CAIRN_IMAGE=" << tag << ") exited " << status
           << ":\n"
           << out;
  }
  // Its own report is the line that starts with "build-image:"; the rest is
  // the engine's chatter (the legacy builder's deprecation notice).
  for (const std::string& line : Lines(out)) {
    if (absl::StartsWith(line, "build-image:")) return ::testing::AssertionSuccess() << line;
  }
  return ::testing::AssertionSuccess() << FirstLine(out);
}

::testing::AssertionResult RemoveImage(const std::string& tag) {
  std::string out;
  if (RunCommand(absl::StrCat("timeout ", kDockerTimeoutSeconds, " docker rmi ", tag), &out) != 0) {
    return ::testing::AssertionFailure() << "docker rmi " << tag << ": " << out;
  }
  return ::testing::AssertionSuccess();
}

std::string RunTag(int64_t started_s) { return absl::StrCat(started_s, "x", getpid()); }

namespace {

// The start time in a name made with RunTag after `prefix`, or -1.
int64_t StartedS(absl::string_view name, absl::string_view prefix) {
  int64_t started_s = -1;
  if (!absl::ConsumePrefix(&name, prefix)) return -1;
  const size_t x = name.find('x');
  if (x == absl::string_view::npos || !absl::SimpleAtoi(name.substr(0, x), &started_s)) return -1;
  return started_s;
}

}  // namespace

std::vector<std::string> RemoveStaleRuns(const std::string& compose,
                                         const std::string& compose_file, int64_t now_s,
                                         int64_t age_s) {
  std::vector<std::string> removed;
  std::set<std::string> projects;
  for (const char* kind : {"ps -a", "volume ls", "network ls"}) {
    std::string out;
    if (RunCommand(absl::StrCat("timeout ", kDockerTimeoutSeconds, " docker ", kind,
                                " --filter label=com.docker.compose.project --format "
                                "'{{.Label \"com.docker.compose.project\"}}'"),
                   &out) != 0) {
      continue;
    }
    for (const std::string& project : Lines(out)) {
      const int64_t started_s = StartedS(project, kProjectPrefix);
      if (started_s >= 0 && started_s + age_s < now_s) projects.insert(project);
    }
  }
  for (const std::string& project : projects) {
    std::string out;
    const int status =
        RunCommand(absl::StrCat("timeout ", kComposeTimeoutSeconds, " ", compose, " -p ", project,
                                " -f ", compose_file, " down -v --remove-orphans"),
                   &out);
    removed.push_back(absl::StrCat("project ", project, status == 0 ? "" : " (down -v failed)"));
  }
  std::string out;
  if (RunCommand(absl::StrCat("timeout ", kDockerTimeoutSeconds, " docker images ",
                              kImageRepository, " --format '{{.Tag}}'"),
                 &out) == 0) {
    for (const std::string& tag : Lines(out)) {
      const int64_t started_s = StartedS(tag, "");
      if (started_s >= 0 && started_s + age_s < now_s &&
          RemoveImage(absl::StrCat(kImageRepository, ":", tag))) {
        removed.push_back(absl::StrCat("image ", kImageRepository, ":", tag));
      }
    }
  }
  return removed;
}

ComposeCluster::ComposeCluster(std::string compose, std::string compose_file, std::string project,
                               std::string image)
    : compose_(std::move(compose)),
      compose_file_(std::move(compose_file)),
      project_(std::move(project)),
      image_(std::move(image)) {}

std::string ComposeCluster::ComposeCommand(const std::string& args) const {
  std::string env = absl::StrCat("CAIRN_IMAGE=", image_);
  for (int n = 1; n <= kServices; ++n) {
    absl::StrAppend(&env, " CAIRN_SQL_PORT_", n, "=", sql_port(n), " CAIRN_HTTP_PORT_", n, "=",
                    http_port(n));
  }
  return absl::StrCat(env, " timeout ", kComposeTimeoutSeconds, " ", compose_, " -p ", project_,
                      " -f ", compose_file_, " ", args);
}

::testing::AssertionResult ComposeCluster::Up() {
  std::string out;
  for (int attempt = 1;; ++attempt) {
    const std::vector<uint16_t> ports = ::cairn::testing::FreeLoopbackPorts(2 * kServices);
    std::copy(ports.begin(), ports.end(), ports_.begin());
    const int status = RunCommand(ComposeCommand("up -d"), &out);
    if (status == 0) break;
    if (attempt < kUpAttempts && PortTaken(out)) {
      std::printf("[docker] up: a published port was taken meanwhile; down -v, new ports\n");
      if (::testing::AssertionResult down = Down(); !down) return down;
      continue;
    }
    return ::testing::AssertionFailure() << "up -d exited " << status << ":\n" << out;
  }
  containers_.clear();
  for (int n = 1; n <= kServices; ++n) {
    const int status = RunCommand(ComposeCommand(absl::StrCat("ps -q node", n)), &out);
    const std::vector<std::string> lines = Lines(out);
    if (status != 0 || lines.empty()) {
      return ::testing::AssertionFailure()
             << "ps -q node" << n << " exited " << status << ": " << out;
    }
    // The id is the last line; Compose may warn before it.
    containers_.push_back(lines.back());
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult ComposeCluster::Down() {
  std::string out;
  const int status = RunCommand(ComposeCommand("down -v --remove-orphans"), &out);
  if (status != 0) {
    return ::testing::AssertionFailure() << "down -v exited " << status << ":\n" << out;
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> ComposeCluster::Leftovers() {
  std::vector<std::string> left;
  // What lists nothing of this project's; the name filters match substrings,
  // hence the prefix checks.
  const std::string prefix = project_ + "_";
  const std::pair<std::string, std::string> listings[] = {
      {"container", absl::StrCat("docker ps -a --filter label=com.docker.compose.project=",
                                 project_, " --format '{{.Names}}'")},
      {"container", absl::StrCat("docker ps -a --filter name=", prefix, " --format '{{.Names}}'")},
      {"volume",
       absl::StrCat("docker volume ls -q --filter label=com.docker.compose.project=", project_)},
      {"volume", absl::StrCat("docker volume ls -q --filter name=", prefix)},
      {"network", absl::StrCat("docker network ls --filter label=com.docker.compose.project=",
                               project_, " --format '{{.Name}}'")},
      {"network",
       absl::StrCat("docker network ls --filter name=", prefix, " --format '{{.Name}}'")},
  };
  for (const auto& [kind, command] : listings) {
    std::string out;
    if (RunCommand(command, &out) != 0) {
      left.push_back(absl::StrCat("(", command, " failed: ", FirstLine(out), ")"));
      continue;
    }
    for (const std::string& name : Lines(out)) {
      const std::string entry = absl::StrCat(kind, " ", name);
      const bool ours = absl::StartsWith(name, prefix) || !absl::StrContains(command, "name=");
      if (ours && std::find(left.begin(), left.end(), entry) == left.end()) left.push_back(entry);
    }
  }
  return left;
}

std::string ComposeCluster::Logs(int tail) {
  std::string out;
  RunCommand(ComposeCommand(absl::StrCat("logs --no-color --tail=", tail)), &out);
  return out;
}

std::string ComposeCluster::Dsn(int n, int connect_timeout_seconds) const {
  return absl::StrCat("host=127.0.0.1 port=", sql_port(n),
                      " dbname=postgres user=root connect_timeout=", connect_timeout_seconds);
}

::testing::AssertionResult ComposeCluster::Docker(const std::string& args, std::string* output) {
  std::string out;
  const int status =
      RunCommand(absl::StrCat("timeout ", kDockerTimeoutSeconds, " docker ", args), &out);
  if (output != nullptr) *output = out;
  if (status != 0) {
    return ::testing::AssertionFailure()
           << "docker " << args << " exited " << status << ": " << Trimmed(out);
  }
  return ::testing::AssertionSuccess();
}

std::string ComposeCluster::Inspect(int n, const std::string& format) {
  std::string out;
  if (RunCommand(absl::StrCat("timeout ", kDockerTimeoutSeconds, " docker inspect -f '", format,
                              "' ", container(n)),
                 &out) != 0) {
    return "";
  }
  return Trimmed(out);
}

}  // namespace cairn::docker
