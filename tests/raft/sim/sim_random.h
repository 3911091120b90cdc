#pragma once

#include <cstdint>
#include <random>
#include <vector>

// The simulator's only source of randomness: one std::mt19937_64 seeded from
// the run's seed. Every random choice of a run (network latency, faults,
// timing jitter, the seeds of the RawNodes' election timers) is drawn from
// it in a fixed order, so a seed replays exactly. The helpers use plain
// modulo arithmetic rather than std::uniform_*_distribution, whose output
// is implementation-defined, so a seed means the same run on any toolchain.
//
// Thread safety: none; one simulation runs on one thread.
namespace cairn::raft::sim {

class SimRandom {
 public:
  explicit SimRandom(uint64_t seed) : rng_(Mix(seed)) {}

  SimRandom(const SimRandom&) = delete;
  SimRandom& operator=(const SimRandom&) = delete;

  uint64_t Next() { return rng_(); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return rng_() % n; }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Range(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(Uniform(span));
  }
  // True with probability p.
  bool Chance(double p) {
    return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p;
  }
  // REQUIRES: !v.empty().
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(v.size())];
  }

 private:
  // splitmix64: consecutive seeds start from unrelated generator states.
  static uint64_t Mix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::mt19937_64 rng_;
};

}  // namespace cairn::raft::sim
