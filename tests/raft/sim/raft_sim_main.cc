// raft_sim: the deterministic Raft simulator (see sim_workload.h).
//
//   raft_sim --seeds N --start S      runs seeds S .. S+N-1
//   raft_sim --seed-file PATH         runs the seeds listed in PATH (one per
//                                     line, '#' starts a comment)
//   raft_sim --seeds 1 --start S --verbose[=2]
//                                     replays seed S with a trace
//   --max-failures K                  stop after K failing seeds (default 10)
//
// Exits 0 when every seed passed; otherwise prints each failing seed, what
// it violated and the command that replays it, and exits 1. A run is a
// pure function of its seed, so the command replays it exactly.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sim_workload.h"

namespace {

// The seed being run, for the abort handler (raft's Fatal aborts).
volatile uint64_t g_current_seed = 0;

void OnAbort(int) {
  char buf[160];
  const int n = std::snprintf(
      buf, sizeof(buf),
      "\nraft_sim: aborted in seed %llu\nreplay: raft_sim --seeds 1 "
      "--start %llu --verbose\n",
      static_cast<unsigned long long>(g_current_seed),
      static_cast<unsigned long long>(g_current_seed));
  if (n > 0) (void)!write(STDERR_FILENO, buf, static_cast<size_t>(n));
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

int Usage(const char* why) {
  std::fprintf(stderr,
               "raft_sim: %s\nusage: raft_sim [--seeds N] [--start S] "
               "[--seed-file PATH] [--verbose[=LEVEL]] [--max-failures K]\n",
               why);
  return 2;
}

bool ReadSeedFile(const std::string& path, std::vector<uint64_t>* seeds) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    const auto begin = line.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;
    line = line.substr(begin, line.find_first_of(" \t", begin) - begin);
    uint64_t seed;
    if (!absl::SimpleAtoi(line, &seed)) return false;
    seeds->push_back(seed);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = 1;
  uint64_t start = 1;
  int verbosity = 0;
  int max_failures = 10;
  std::string seed_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* flag, std::string* out) {
      const std::string f = flag;
      if (arg == f && i + 1 < argc) {
        *out = argv[++i];
        return true;
      }
      if (arg.rfind(f + "=", 0) == 0) {
        *out = arg.substr(f.size() + 1);
        return true;
      }
      return false;
    };
    std::string v;
    if (value("--seeds", &v)) {
      if (!absl::SimpleAtoi(v, &count)) return Usage("bad --seeds");
    } else if (value("--start", &v)) {
      if (!absl::SimpleAtoi(v, &start)) return Usage("bad --start");
    } else if (value("--seed-file", &v)) {
      seed_file = v;
    } else if (value("--max-failures", &v)) {
      if (!absl::SimpleAtoi(v, &max_failures)) {
        return Usage("bad --max-failures");
      }
    } else if (arg == "--verbose") {
      verbosity = 1;
    } else if (arg.rfind("--verbose=", 0) == 0) {
      if (!absl::SimpleAtoi(arg.substr(10), &verbosity)) {
        return Usage("bad --verbose");
      }
    } else {
      return Usage(("unknown argument " + arg).c_str());
    }
  }

  std::vector<uint64_t> seeds;
  if (!seed_file.empty()) {
    if (!ReadSeedFile(seed_file, &seeds)) {
      return Usage(("cannot read seed file " + seed_file).c_str());
    }
  } else {
    for (uint64_t s = start; s < start + count; ++s) seeds.push_back(s);
  }

  std::signal(SIGABRT, OnAbort);
  const absl::Time began = absl::Now();
  int failures = 0;
  int64_t ticks = 0;
  for (uint64_t seed : seeds) {
    g_current_seed = seed;
    const cairn::raft::sim::SimResult r =
        cairn::raft::sim::RunSimulation(seed, verbosity);
    ticks += r.ticks;
    if (verbosity > 0 || seeds.size() == 1) {
      std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed),
                  r.summary.c_str());
    }
    if (r.ok) continue;
    ++failures;
    std::printf(
        "FAIL seed %llu: %s\nreplay: raft_sim --seeds 1 --start %llu "
        "--verbose\n",
        static_cast<unsigned long long>(seed), r.violation.c_str(),
        static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    if (failures >= max_failures) break;
  }
  std::printf("raft_sim: %zu seeds, %d failed, %lld simulated ticks, %.1f s\n",
              seeds.size(), failures, static_cast<long long>(ticks),
              absl::ToDoubleSeconds(absl::Now() - began));
  return failures == 0 ? 0 : 1;
}
