#pragma once

#include <string>

#include "gtest/gtest.h"

namespace cairn::testing {

// A throwaway PostgreSQL 15 on 127.0.0.1 for tests that compare CairnDB
// with it: bench/postgres_peer.sh (a fresh data dir under its own temp
// dir, a free port, C locale, UTC, trust auth for "postgres"; as root it
// runs the server as an unprivileged user). Stopped, and its files
// removed, by Stop() or the destructor.
class PostgresProcess {
 public:
  PostgresProcess();
  ~PostgresProcess();
  PostgresProcess(const PostgresProcess&) = delete;
  PostgresProcess& operator=(const PostgresProcess&) = delete;

  // Whether PostgreSQL 15's server programs are installed (scripts/install-deps).
  static bool Installed();

  ::testing::AssertionResult Start();
  void Stop();
  // postgresql://postgres@127.0.0.1:PORT/postgres
  const std::string& Dsn() const { return dsn_; }

 private:
  std::string dir_;  // the peer's base and state files
  std::string dsn_;
  bool running_ = false;
};

}  // namespace cairn::testing
