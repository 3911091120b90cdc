#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql_type.h"

namespace cairn::planner {

// The functions SQL can call, with their result types. The executor
// implements each name listed here.
bool IsAggregateFunction(const std::string& name);

// Functions that return a set of rows (unnest, generate_series,
// generate_subscripts, jsonb_array_elements, ...): allowed at the top of a
// select-list item (kProjectSet) and as FROM items.
bool IsSetReturningFunction(const std::string& name);

// Window functions that are no aggregates: row_number, rank, dense_rank,
// percent_rank, cume_dist, ntile, lag, lead, first_value, last_value,
// nth_value.
bool IsWindowOnlyFunction(const std::string& name);

// The result type of aggregate `name` over `arg` (kUnknown for count(*)).
absl::StatusOr<SqlType> AggregateResultType(const std::string& name, const SqlType& arg,
                                            int position);

// The result type of scalar function `name` over `args`; 42883 when no such
// function takes these arguments.
absl::StatusOr<SqlType> ScalarResultType(const std::string& name, const std::vector<SqlType>& args,
                                         int position);

}  // namespace cairn::planner
