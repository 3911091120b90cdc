// Runs every raft interaction scenario (testdata/*.txt) as one test case.
//
//   build/tests/raft/raft_interaction_test                    # check
//   CAIRN_REWRITE=1 build/tests/raft/raft_interaction_test    # rewrite
//   ... --gtest_filter='*figure8*'                            # one file
//
// After a rewrite, review `git diff tests/raft/interaction/testdata`: every
// changed line is a change in Raft's observable behaviour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "interaction_commands.h"
#include "interaction_env.h"
#include "scenario_runner.h"

namespace cairn::raft::interaction {
namespace {

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(CAIRN_RAFT_INTERACTION_TESTDATA)) {
    if (entry.path().extension() == ".txt") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool RewriteMode() {
  const char* v = std::getenv("CAIRN_REWRITE");
  return v != nullptr && std::string(v) == "1";
}

class InteractionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InteractionTest, Scenario) {
  InteractionEnv env;
  absl::StatusOr<ScenarioResult> result = RunScenarioFile(
      GetParam(),
      [&env](const ScenarioCommand& cmd) {
        return RunInteractionCommand(env, cmd);
      },
      RewriteMode());
  ASSERT_TRUE(result.ok()) << result.status();
  if (result->rewritten) {
    std::cerr << "rewrote " << GetParam() << "\n";
    return;
  }
  // Later blocks usually fail because of the first; show a few only.
  const size_t shown = std::min<size_t>(result->mismatches.size(), 3);
  for (size_t i = 0; i < shown; ++i) {
    const ScenarioMismatch& m = result->mismatches[i];
    ADD_FAILURE_AT(GetParam().c_str(), m.line)
        << m.command << "\n--- expected\n"
        << m.expected << "\n--- actual\n"
        << m.actual << "\n(CAIRN_REWRITE=1 rewrites the file)";
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Testdata, InteractionTest,
                         ::testing::ValuesIn(ScenarioFiles()), TestName);

}  // namespace
}  // namespace cairn::raft::interaction
