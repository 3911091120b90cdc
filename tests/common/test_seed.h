#pragma once

// Seeds for randomized tests (STYLE.md "Determinism"). Every random test
// runs from a fixed default seed, so a run is reproducible; setting
// CAIRN_TEST_SEED=<n> in the environment overrides it to explore other
// inputs. Tests put SeedTrace(seed) in a SCOPED_TRACE so that a failure
// prints the seed that reproduces it.
//
// Shared by tests/common, tests/kv and tests/txn (their CMakeLists add this
// folder to the include path).

#include <cstdint>
#include <cstdlib>
#include <string>

namespace cairn::testing {

inline uint64_t TestSeed(uint64_t default_seed) {
  const char* env = std::getenv("CAIRN_TEST_SEED");
  if (env != nullptr && *env != '\0') return std::strtoull(env, nullptr, 10);
  return default_seed;
}

inline std::string SeedTrace(uint64_t seed) {
  return "seed " + std::to_string(seed) + " (rerun with CAIRN_TEST_SEED=" +
         std::to_string(seed) + ")";
}

}  // namespace cairn::testing
