#pragma once

// CairnProcess runs one real `cairn` node as a child process for the suites
// that test the binary (tests/e2e, tests/sql): free 127.0.0.1 ports, a fresh
// data directory, fork/exec of the binary, and readiness by polling
// GET /health (never by sleeping). It knows the node only as a binary, not
// its code.
//
// Binary: $CAIRN_BINARY (set by the cairn_test CMake helper), else
// ../../cairn relative to the test binary (build/tests/<suite>/<test> ->
// build/cairn).
//
// Ownership: the object owns the child and the data directory. The
// destructor SIGKILLs a child that is still running and removes the data
// directory, except when the run failed and CAIRN_KEEP_DATA is set. When the
// run failed, the destructor prints the tail of the server's log (stdout and
// stderr go to <data dir>/cairn.log, appended across restarts). "The run" is
// the current test; for a node destroyed outside any test (one owned by a
// global test environment), it is every test so far.
//
// Thread safety: none; drive one CairnProcess from one thread. Once Start()
// has succeeded the ports (and so Dsn()) stay fixed and may be read from
// any thread.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace cairn::testing {

class CairnProcess {
 public:
  // Picks the ports and creates the data directory; does not start the node.
  // (A first Start() that finds a port taken picks new ones.)
  CairnProcess();
  ~CairnProcess();
  CairnProcess(const CairnProcess&) = delete;
  CairnProcess& operator=(const CairnProcess&) = delete;

  // Starts the node and waits until /health answers 200, or fails (the child
  // exited, or `deadline` passed; the destructor then prints the log tail).
  // The child gets SIGKILL when the thread that started it exits (so no node
  // outlives a crashed test): start nodes from the test's own thread.
  // REQUIRES: not running.
  ::testing::AssertionResult Start(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // SIGTERM, then waits up to `deadline` for the child to exit. Returns its
  // exit code, 128+signal if a signal ended it, or -1 if it did not exit in
  // time (it is then SIGKILLed). REQUIRES: running.
  int Stop(std::chrono::milliseconds deadline = std::chrono::seconds(15));
  // SIGKILL and reap, as a crash. REQUIRES: running.
  void Kill();
  // Stop() (when running) and Start() again on the same data dir and ports;
  // fails if the stop did not exit 0.
  ::testing::AssertionResult Restart();
  // Whether the child is still running. One that has exited on its own (a
  // crash) is reaped here, its exit code kept in exit_code(); Start() can
  // then start the node again on the same data dir and ports.
  bool Alive();

  // Flags added to `cairn start` from the next Start() on (--certs-dir,
  // --loopback-auth, ...), replacing those set before.
  void set_extra_flags(std::vector<std::string> flags) { extra_flags_ = std::move(flags); }
  // Environment variables ("NAME=value") added to the node's from the next
  // Start() on (CAIRN_FAILPOINTS=...), replacing those set before.
  void set_extra_env(std::vector<std::string> env) { extra_env_ = std::move(env); }

  // Whether there is a child not yet reaped (it may have exited).
  bool running() const { return pid_ > 0; }
  // How the last child ended, as Stop() reports it; -1 while none has ended.
  int exit_code() const { return exit_code_; }
  const std::string& binary() const { return binary_; }
  pid_t pid() const { return pid_; }
  uint16_t sql_port() const { return sql_port_; }
  uint16_t http_port() const { return http_port_; }
  uint16_t rpc_port() const { return rpc_port_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string log_path() const { return data_dir_ + "/cairn.log"; }

  // A libpq connection string for `database` as user root.
  std::string Dsn(const std::string& database = "postgres") const;

  // GET `path` on the HTTP address. Returns the status code (0 when the
  // request failed) and stores the body in *body when given.
  int HttpGet(const std::string& path, std::string* body = nullptr) const;

  // The last `lines` lines of the server log.
  std::string LogTail(size_t lines = 40) const;

 private:
  void PickPorts();
  ::testing::AssertionResult StartOnce(std::chrono::milliseconds deadline);
  // Reaps the child if it has exited (setting exit_code_); true if it has.
  bool Reaped();
  static int DecodeWaitStatus(int status);

  std::string binary_;
  std::string data_dir_;
  uint16_t sql_port_ = 0;
  uint16_t rpc_port_ = 0;
  uint16_t http_port_ = 0;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool served_ = false;  // has answered /health once: its ports are fixed
  std::vector<std::string> extra_flags_;
  std::vector<std::string> extra_env_;
};

// `n` distinct TCP ports free on 127.0.0.1 now: each bound to port 0, all
// held until every one is chosen. Another process may take one before the
// caller binds it, so callers pick again when a bind fails.
std::vector<uint16_t> FreeLoopbackPorts(int n);

// GET `path` on 127.0.0.1:`port` (5 s socket timeouts). Returns the status
// code (0 when the request failed) and stores the body in *body when given.
int HttpGetLocal(uint16_t port, const std::string& path, std::string* body = nullptr);

// Opens a raw protocol-3 connection to 127.0.0.1:port with the given user and
// database and returns the SQLSTATE of the ErrorResponse the server answers
// the startup packet with, or "" if it accepted the login (ReadyForQuery)
// or nothing readable came back. libpq does not expose the SQLSTATE of a
// failed connection, hence this. A password request (md5 or SCRAM-SHA-256)
// is answered with a wrong password, to read how that fails.
std::string StartupErrorSqlstate(uint16_t port, const std::string& user,
                                 const std::string& database);

// A test with one node, started before the test body runs.
class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(node_.Start()); }

  CairnProcess node_;
};

}  // namespace cairn::testing
