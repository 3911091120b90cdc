#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cairn {

// An exact decimal: unscaled * 10^-scale, with up to 38 significant digits.
// This covers NUMERIC(p,s) for p <= 38; arithmetic that would leave that
// range fails with numeric_value_out_of_range rather than losing digits.
struct Numeric {
  __int128 unscaled = 0;
  int16_t scale = 0;

  static absl::StatusOr<Numeric> Parse(std::string_view text);
  static Numeric FromInt(int64_t v) { return Numeric{v, 0}; }
  static absl::StatusOr<Numeric> FromDouble(double v);

  std::string ToString() const;
  double ToDouble() const;
  // Rounds half away from zero, like PostgreSQL.
  absl::StatusOr<Numeric> Rescale(int scale) const;
  // Truncation toward zero is not what casts want; this rounds.
  absl::StatusOr<int64_t> ToInt64() const;
  // Checks that the value fits NUMERIC(precision, scale) after rounding.
  absl::StatusOr<Numeric> Coerce(int precision, int scale) const;

  int Compare(const Numeric& other) const;
  absl::StatusOr<Numeric> Add(const Numeric& other) const;
  absl::StatusOr<Numeric> Sub(const Numeric& other) const;
  absl::StatusOr<Numeric> Mul(const Numeric& other) const;
  // Result scale follows PostgreSQL's rule of at least 16 significant digits.
  absl::StatusOr<Numeric> Div(const Numeric& other) const;
  absl::StatusOr<Numeric> Mod(const Numeric& other) const;
  Numeric Negate() const { return Numeric{-unscaled, scale}; }
  // Removes trailing zeros of the fraction; used for hashing and keys.
  Numeric Normalize() const;
};

}  // namespace cairn
