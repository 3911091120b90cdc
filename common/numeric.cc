#include "common/numeric.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"

namespace cairn {
namespace {

constexpr int kMaxDigits = 38;
constexpr int kMaxScale = 30;

__int128 Pow10(int n) {
  __int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

const __int128 kLimit = Pow10(kMaxDigits);

absl::Status OutOfRange() {
  return MakeError(ErrorCode::kNumericValueOutOfRange, "value overflows numeric format");
}

absl::StatusOr<__int128> Checked(__int128 v) {
  if (v >= kLimit || v <= -kLimit) return OutOfRange();
  return v;
}

// Brings both operands to the larger scale.
absl::Status Align(const Numeric& a, const Numeric& b, __int128* x, __int128* y, int* scale) {
  *scale = std::max(a.scale, b.scale);
  __int128 fa = Pow10(*scale - a.scale), fb = Pow10(*scale - b.scale);
  if (__builtin_mul_overflow(a.unscaled, fa, x) || __builtin_mul_overflow(b.unscaled, fb, y)) {
    return OutOfRange();
  }
  return absl::OkStatus();
}

int DigitCount(__int128 v) {
  if (v < 0) v = -v;
  int n = 0;
  while (v > 0) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

absl::StatusOr<Numeric> Numeric::Parse(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  auto invalid = [&] {
    return MakeError(ErrorCode::kInvalidTextRepresentation,
                     absl::StrFormat("invalid input syntax for type numeric: \"%s\"", text));
  };
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  __int128 v = 0;
  int scale = 0, digits = 0;
  bool seen_point = false, any_digit = false;
  int exponent = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (seen_point) return invalid();
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      any_digit = true;
      if (v == 0 && c == '0' && !seen_point) continue;
      if (digits >= kMaxDigits) {
        if (seen_point) continue;  // drop excess fraction digits
        return OutOfRange();
      }
      v = v * 10 + (c - '0');
      if (v != 0) ++digits;
      if (seen_point) ++scale;
    } else if (c == 'e' || c == 'E') {
      break;
    } else {
      return invalid();
    }
  }
  if (!any_digit) return invalid();
  if (i < s.size()) {
    std::string_view exp = s.substr(i + 1);
    int sign = 1;
    if (!exp.empty() && (exp.front() == '+' || exp.front() == '-')) {
      sign = exp.front() == '-' ? -1 : 1;
      exp.remove_prefix(1);
    }
    if (exp.empty()) return invalid();
    for (char c : exp) {
      if (c < '0' || c > '9') return invalid();
      exponent = exponent * 10 + (c - '0');
      if (exponent > 1000) return OutOfRange();
    }
    exponent *= sign;
  }
  scale -= exponent;
  if (scale < 0) {
    if (DigitCount(v) - scale > kMaxDigits) return OutOfRange();
    v *= Pow10(-scale);
    scale = 0;
  }
  if (scale > kMaxScale + kMaxDigits) {
    // Every digit lies beyond the scale kept: the value rounds to zero.
    return Numeric{0, static_cast<int16_t>(kMaxScale)};
  }
  if (scale > kMaxScale) {
    Numeric n{v, static_cast<int16_t>(scale)};
    auto r = n.Rescale(kMaxScale);
    if (!r.ok()) return r.status();
    v = r->unscaled;
    scale = kMaxScale;
  }
  return Numeric{negative ? -v : v, static_cast<int16_t>(scale)};
}

absl::StatusOr<Numeric> Numeric::FromDouble(double v) {
  if (!std::isfinite(v)) {
    return MakeError(ErrorCode::kInvalidParameterValue, "cannot convert infinity or NaN to numeric");
  }
  return Parse(absl::StrFormat("%.15g", v));
}

std::string Numeric::ToString() const {
  __int128 v = unscaled < 0 ? -unscaled : unscaled;
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  std::string out = unscaled < 0 ? "-" : "";
  if (scale > 0) {
    out += digits.substr(0, digits.size() - scale);
    out += '.';
    out += digits.substr(digits.size() - scale);
  } else {
    out += digits;
  }
  return out;
}

double Numeric::ToDouble() const {
  return static_cast<double>(unscaled) / std::pow(10.0, scale);
}

absl::StatusOr<Numeric> Numeric::Rescale(int new_scale) const {
  if (new_scale == scale) return *this;
  if (new_scale > scale) {
    __int128 out;
    if (__builtin_mul_overflow(unscaled, Pow10(new_scale - scale), &out)) return OutOfRange();
    CAIRN_ASSIGN_OR_RETURN(out, Checked(out));
    return Numeric{out, static_cast<int16_t>(new_scale)};
  }
  if (scale - new_scale > kMaxDigits) return Numeric{0, static_cast<int16_t>(new_scale)};
  __int128 div = Pow10(scale - new_scale);
  __int128 q = unscaled / div, r = unscaled % div;
  if (r < 0) r = -r;
  if (r * 2 >= div) q += unscaled < 0 ? -1 : 1;
  return Numeric{q, static_cast<int16_t>(new_scale)};
}

absl::StatusOr<int64_t> Numeric::ToInt64() const {
  CAIRN_ASSIGN_OR_RETURN(Numeric r, Rescale(0));
  if (r.unscaled > INT64_MAX || r.unscaled < INT64_MIN) {
    return MakeError(ErrorCode::kNumericValueOutOfRange, "bigint out of range");
  }
  return static_cast<int64_t>(r.unscaled);
}

absl::StatusOr<Numeric> Numeric::Coerce(int precision, int new_scale) const {
  if (precision < 0) return *this;
  if (new_scale < 0) new_scale = 0;
  CAIRN_ASSIGN_OR_RETURN(Numeric r, Rescale(new_scale));
  if (DigitCount(r.unscaled) > precision) {
    return MakeError(
        ErrorCode::kNumericValueOutOfRange,
        absl::StrFormat("numeric field overflow: a field with precision %d, scale %d must round "
                        "to an absolute value less than 10^%d",
                        precision, new_scale, precision - new_scale));
  }
  return r;
}

int Numeric::Compare(const Numeric& other) const {
  __int128 x, y;
  int s;
  if (!Align(*this, other, &x, &y, &s).ok()) {
    double a = ToDouble(), b = other.ToDouble();
    return a < b ? -1 : (a > b ? 1 : 0);
  }
  return x < y ? -1 : (x > y ? 1 : 0);
}

absl::StatusOr<Numeric> Numeric::Add(const Numeric& other) const {
  __int128 x, y;
  int s;
  CAIRN_RETURN_IF_ERROR(Align(*this, other, &x, &y, &s));
  CAIRN_ASSIGN_OR_RETURN(__int128 r, Checked(x + y));
  return Numeric{r, static_cast<int16_t>(s)};
}

absl::StatusOr<Numeric> Numeric::Sub(const Numeric& other) const { return Add(other.Negate()); }

absl::StatusOr<Numeric> Numeric::Mul(const Numeric& other) const {
  __int128 r;
  if (__builtin_mul_overflow(unscaled, other.unscaled, &r)) return OutOfRange();
  Numeric out{r, static_cast<int16_t>(scale + other.scale)};
  if (out.scale > kMaxScale) return out.Rescale(kMaxScale);
  CAIRN_ASSIGN_OR_RETURN(out.unscaled, Checked(out.unscaled));
  return out;
}

// PostgreSQL's select_div_scale works on base-10000 digits: the weight of
// the leading digit group and the value of that group.
void BaseTenThousand(const Numeric& n, int* weight, int64_t* first) {
  __int128 v = n.unscaled < 0 ? -n.unscaled : n.unscaled;
  if (v == 0) {
    *weight = 0;
    *first = 0;
    return;
  }
  int p = DigitCount(v) - 1 - n.scale;  // v is in [10^p, 10^(p+1))
  *weight = p >= 0 ? p / 4 : -((-p + 3) / 4);
  int shift = n.scale + 4 * *weight;  // first = floor(v * 10^-shift)
  __int128 f = v;
  if (shift >= 0) {
    f = v / Pow10(shift);
  } else {
    f = v * Pow10(-shift);
  }
  *first = static_cast<int64_t>(f);
}

absl::StatusOr<Numeric> Numeric::Div(const Numeric& other) const {
  if (other.unscaled == 0) return MakeError(ErrorCode::kDivisionByZero, "division by zero");
  int w1, w2;
  int64_t f1, f2;
  BaseTenThousand(*this, &w1, &f1);
  BaseTenThousand(other, &w2, &f2);
  int qweight = w1 - w2 - (f1 <= f2 ? 1 : 0);
  int result_scale = std::max<int>({16 - 4 * qweight, scale, other.scale, 0});
  result_scale = std::min(result_scale, kMaxScale);
  // (a / 10^sa) / (b / 10^sb) = (a * 10^(rs + sb - sa + 1) / b) / 10^(rs+1);
  // a scale that would overflow 38 digits is reduced until it fits.
  for (;; --result_scale) {
    int shift = result_scale + other.scale - scale + 1;
    __int128 num = unscaled, den = other.unscaled;
    bool overflow = shift >= 0 ? __builtin_mul_overflow(num, Pow10(shift), &num)
                               : __builtin_mul_overflow(den, Pow10(-shift), &den);
    if (!overflow) {
      Numeric q{num / den, static_cast<int16_t>(result_scale + 1)};
      return q.Rescale(result_scale);
    }
    if (result_scale <= 0) return OutOfRange();
  }
}

absl::StatusOr<Numeric> Numeric::Mod(const Numeric& other) const {
  if (other.unscaled == 0) return MakeError(ErrorCode::kDivisionByZero, "division by zero");
  __int128 x, y;
  int s;
  CAIRN_RETURN_IF_ERROR(Align(*this, other, &x, &y, &s));
  return Numeric{x % y, static_cast<int16_t>(s)};
}

Numeric Numeric::Normalize() const {
  Numeric n = *this;
  while (n.scale > 0 && n.unscaled % 10 == 0) {
    n.unscaled /= 10;
    --n.scale;
  }
  if (n.unscaled == 0) n.scale = 0;
  return n;
}

}  // namespace cairn
