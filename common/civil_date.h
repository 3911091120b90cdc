#pragma once

#include <cstdint>

// Calendar arithmetic on the proleptic Gregorian calendar, as PostgreSQL's
// dates and timestamps use it: days since 1970-01-01 <-> year, month, day.
namespace cairn {

struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// Howard Hinnant's days_from_civil / civil_from_days.
CivilDate CivilFromDays(int64_t days);
int64_t DaysFromCivil(int64_t year, int month, int day);

bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);

// Division rounding towards negative infinity: a timestamp before 1970
// still falls in the day (hour, ...) that starts before it.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace cairn
