// The Docker side of the cross-container tests: whether an engine and a
// Compose client answer, the node image built from the binary under test
// (docker/build-image), and one Compose project of docker/docker-compose.yml
// (three nodes, each on the `cluster` network as nodeN-cluster and on
// `clients` for its SQL and HTTP ports, published on 127.0.0.1) brought up on
// free ports, faults injected with the docker CLI, and brought down with its
// volumes. It knows the nodes only as containers and ports; SQL is the
// fixture's (compose_fixture.h).
//
// Every docker command goes through /bin/sh (cairn::e2e::RunCommand), its
// output captured; a failed one is reported with that output.
//
// Thread safety: none; drive a ComposeCluster from the test's thread. The
// ports and container ids stay fixed once Up() has returned and may be read
// from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace cairn::docker {

// The services of docker/docker-compose.yml: node1, node2, node3.
constexpr int kServices = 3;

// Why the cross-container tests cannot run here ("" if they can): no
// Docker engine answers `docker info`, or neither `docker-compose` (v1) nor
// `docker compose` (v2) is installed. *compose gets the Compose command.
std::string WhyNoDocker(std::string* compose);

// Builds the node image `tag` from `binary` with the repository's
// docker/build-image (creating the base image first when the engine lacks
// it). Returns what build-image printed.
::testing::AssertionResult BuildImage(const std::string& source_dir, const std::string& binary,
                                      const std::string& tag);
// docker rmi `tag`.
::testing::AssertionResult RemoveImage(const std::string& tag);

// Names of this run's projects and image: `prefix` (cairntest, cairndb-test),
// the run's start in seconds since the epoch, and the process id, so that
// what a run killed before its teardown left behind can be told by its age.
std::string RunTag(int64_t started_s);

// Removes, with `down -v` and `docker rmi`, the Compose projects named
// kProjectPrefix... and the images kImageRepository:... that runs started
// more than `age_s` seconds before `now_s` left behind (a run killed by
// ctest's TIMEOUT, or crashed, has no teardown; its containers would
// restart with the engine forever). Returns what it removed.
std::vector<std::string> RemoveStaleRuns(const std::string& compose,
                                         const std::string& compose_file, int64_t now_s,
                                         int64_t age_s);

constexpr char kProjectPrefix[] = "cairntest";
constexpr char kImageRepository[] = "cairndb-test";

// One Compose project of docker/docker-compose.yml.
class ComposeCluster {
 public:
  // `project`: a name no other project on the engine has (lower case letters
  // and digits); `image` the node image; `compose` the Compose command.
  ComposeCluster(std::string compose, std::string compose_file, std::string project,
                 std::string image);
  ComposeCluster(const ComposeCluster&) = delete;
  ComposeCluster& operator=(const ComposeCluster&) = delete;

  // `up -d` with every published port on a free loopback port (picked again,
  // after a `down -v`, when one was taken before the engine bound it); then
  // reads the containers' ids. Returns when the containers are created and
  // started, not when the nodes serve.
  ::testing::AssertionResult Up();
  // `down -v --remove-orphans`: the containers, the networks and the volumes.
  ::testing::AssertionResult Down();
  // The project's containers, volumes and networks the engine still has, as
  // "container <name>", "volume <name>", "network <name>".
  std::vector<std::string> Leftovers();
  // The last `tail` lines of every container's log (`logs --tail`).
  std::string Logs(int tail);

  const std::string& project() const { return project_; }
  // The `cluster` network's name on the engine: <project>_cluster.
  std::string cluster_network() const { return project_ + "_cluster"; }
  // Service nodeN's container id (1 <= n <= kServices), once Up() returned.
  const std::string& container(int n) const { return containers_.at(n - 1); }
  uint16_t sql_port(int n) const { return ports_.at(n - 1); }
  uint16_t http_port(int n) const { return ports_.at(kServices + n - 1); }
  // A libpq connection string for service nodeN's published SQL port.
  std::string Dsn(int n, int connect_timeout_seconds = 10) const;

  // Runs `docker <args>`; fails with the command's output if it exits
  // non-zero. *output gets its output.
  ::testing::AssertionResult Docker(const std::string& args, std::string* output = nullptr);
  // `docker inspect -f <format>` of service nodeN's container, trimmed; ""
  // if it fails.
  std::string Inspect(int n, const std::string& format);

 private:
  // `<compose> -p <project> -f <file> <args>` with the image and ports in
  // its environment.
  std::string ComposeCommand(const std::string& args) const;

  const std::string compose_;
  const std::string compose_file_;
  const std::string project_;
  const std::string image_;
  // SQL ports of node1..3, then HTTP ports of node1..3.
  std::array<uint16_t, 2 * kServices> ports_{};
  std::vector<std::string> containers_;
};

}  // namespace cairn::docker
