#pragma once

#include <cstdint>
#include <string>

namespace cairn {

// A hybrid timestamp as handed out by the timestamp oracle: physical
// milliseconds since the Unix epoch in the high 46 bits, a logical counter in
// the low 18. Plain uint64 comparison orders timestamps.
using Timestamp = uint64_t;

inline constexpr int kLogicalBits = 18;
inline constexpr Timestamp kMaxTimestamp = ~Timestamp{0};
inline constexpr Timestamp kZeroTimestamp = 0;

constexpr Timestamp ComposeTimestamp(uint64_t physical_ms, uint64_t logical) {
  return (physical_ms << kLogicalBits) | (logical & ((1u << kLogicalBits) - 1));
}
constexpr uint64_t PhysicalMs(Timestamp ts) { return ts >> kLogicalBits; }
constexpr uint64_t LogicalPart(Timestamp ts) { return ts & ((1u << kLogicalBits) - 1); }

std::string TimestampToString(Timestamp ts);

}  // namespace cairn
