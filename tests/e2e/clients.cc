#include "clients.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>

#include "gtest/gtest.h"

namespace cairn::e2e {
namespace {

// libpq, psql and psycopg2 take session settings from the environment
// (PGTZ and PGDATESTYLE go into the startup packet and no connection string
// overrides them); the expected outputs assume the defaults. Cleared once,
// before any test runs, so before any thread.
class ClientEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    for (const char* name : {"PGOPTIONS", "PGTZ", "PGDATESTYLE", "PGGEQO", "PGCLIENTENCODING",
                             "PGSSLMODE", "PGREQUIRESSL", "PGGSSENCMODE", "PGSERVICE",
                             "PGTARGETSESSIONATTRS"}) {
      unsetenv(name);
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kClientEnvironment =
    ::testing::AddGlobalTestEnvironment(new ClientEnvironment);

}  // namespace

int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace cairn::e2e
