#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/table_info.h"
#include "planner/bound_expr.h"

namespace cairn::planner {

// The physical plan: a tree of operators the executor instantiates one for
// one. Plans are immutable once built (STYLE.md "Plans are immutable"); an
// execution keeps its state in the executor's operator objects.

struct OutputColumn {
  std::string name;
  SqlType type;
};

// How a scan reaches the rows of a table's primary index.
struct ScanSpec {
  enum class Access {
    kFullScan,    // every row of the table
    kPointGet,    // one row: every primary key column fixed by `key_values`
    kRangeScan,   // rows under the prefix `key_values`, optionally bounded on the next column
    kIndexScan,   // the rows whose entries in secondary index `index_id` start with
                  // `key_values` (its leading columns fixed), optionally bounded on
                  // the next index column, fetched by primary key
  };
  uint32_t index_id = 0;  // kIndexScan
  Access access = Access::kFullScan;
  // kIndexScan whose entries hold every column the plan reads of the
  // table (optimizer/covering_scans.h): rows come from the entries alone,
  // the columns the index does not hold NULL, and no row is fetched.
  bool covering = false;
  // The plan relies on this scan's primary-key order (a sort was dropped
  // for it): its access path may not change to one in another order.
  bool keeps_order = false;
  // Reads its key span from the end backwards (ORDER BY the key's columns
  // in the opposite directions).
  bool reverse = false;
  // Constant expressions for the first key_values.size() primary key columns.
  std::vector<BoundExprPtr> key_values;
  // Bounds on the key column after the prefix (kRangeScan: of the primary
  // key; kIndexScan: of the index).
  BoundExprPtr lower;
  bool lower_inclusive = true;
  BoundExprPtr upper;
  bool upper_inclusive = true;
  // One per table column: whether the plan reads it (optimizer/
  // covering_scans.h). Empty: every column.
  std::vector<bool> columns_read;
};

// What a scan asks the leaseholders of its ranges to do next to the data
// (optimizer/leaseholder_pushdown.h, kv/range_fragment.h): only the rows
// and columns the plan needs travel to the gateway.
struct ScanPushdown {
  bool enabled = false;
  // The scan's whole predicate is evaluated at the leaseholders.
  bool filter = false;
  // The table columns sent back; the others arrive NULL.
  std::vector<int> columns;
  // A LIMIT (and OFFSET) right above the scan: no range sends more than
  // limit + offset rows per answer. Null: no limit.
  BoundExprPtr limit;
  BoundExprPtr offset;
  // The scan yields its parent aggregate's partial states instead of rows
  // (PlanNode::group_by and aggregates, copied into the scan): per group,
  // its GROUP BY values, then two columns per aggregate call, the state
  // and the count of values in it. The parent merges them
  // (PlanNode::merges_partials).
  bool partial_aggregate = false;
};

enum class PlanKind : uint8_t {
  kValues,     // rows of constant expressions (also the one empty row of SELECT 1)
  kScan,       // table rows, filtered by `predicate`
  kFilter,     // predicate over the child
  kProject,    // exprs over the child
  kWindow,     // the child's columns, then one per `windows` call
  kProjectSet, // as kProject, with set-returning functions at the top of some
               // exprs: each input row gives as many rows as the longest set
  kAggregate,  // group_by + aggregates over the child; output: groups then aggregates
  kSort,
  kLimit,
  kDistinct,
  kJoin,       // children[0] x children[1] by `join_type`, matched by `predicate`
  kSetOp,      // children[0] `set_op` children[1], rows as wholes (NULLs equal)
  kSeries,     // generate_series(exprs[0], exprs[1][, exprs[2]]): one column
  kRecursiveUnion,  // WITH RECURSIVE: children[0], then children[1] run again over
                    // the rows the previous round added (work table) until none
  kWorkTable,       // those rows, inside children[1] of a kRecursiveUnion
  kInsert,     // child produces full rows in table column order
  kUpdate,     // child produces table rows; exprs compute the new full rows
  kDelete,     // child produces table rows
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross };
enum class SetOp : uint8_t { kUnion, kIntersect, kExcept };

struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;
};

struct AggregateCall {
  std::string function;  // count, sum, avg, min, max, string_agg
  BoundExprPtr arg;      // null for count(*)
  BoundExprPtr delimiter;  // string_agg's second argument
  // The order the values are aggregated in (string_agg(x, ',' ORDER BY y));
  // over the input row. Accepted, and irrelevant, for the other functions.
  std::vector<SortKey> order_by;
  bool distinct = false;
  SqlType type;          // result type
};

// A window function over the rows of a kWindow node's input: its value
// for each row, from the rows of the row's partition.
struct WindowCall {
  std::string function;             // row_number, rank, lag, sum, ...
  std::vector<BoundExprPtr> args;   // over the input row
  std::vector<BoundExprPtr> partition_by;
  std::vector<SortKey> order_by;
  // The frame aggregates see. Without one: the partition when there is no
  // ORDER BY, else from its start through the row's last peer.
  enum class Bound : uint8_t { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing,
                               kUnboundedFollowing };
  bool has_frame = false;
  bool rows = false;  // ROWS; else RANGE (peers move together)
  Bound start = Bound::kUnboundedPreceding;
  Bound end = Bound::kCurrentRow;
  BoundExprPtr start_offset;  // kPreceding/kFollowing (ROWS): constant integer
  BoundExprPtr end_offset;
  SqlType type;
};

struct PlanNode;
using PlanPtr = std::unique_ptr<PlanNode>;

struct PlanNode {
  PlanKind kind;
  std::vector<OutputColumn> output;
  std::vector<PlanPtr> children;

  // kScan, kInsert, kUpdate, kDelete
  std::shared_ptr<const catalog::TableInfo> table;
  ScanSpec scan;            // kScan
  ScanPushdown pushdown;    // kScan
  // kScan under SELECT ... FOR UPDATE (or SHARE): every row the scan yields
  // is locked for the transaction (txn::Txn::LockForUpdate), whichever
  // access path the optimizer picks.
  bool lock_rows = false;
  BoundExprPtr predicate;   // kScan (residual), kFilter, kJoin (null: every pair)
  JoinType join_type = JoinType::kInner;  // kJoin; output: left columns, then right
  // kJoin by hashing (optimizer/join_method.h): the equalities of the join
  // condition as pairs of a left key (over the left row) and a right key
  // (over the right row); what else the condition says stays in
  // `predicate`. Empty: a nested loop.
  std::vector<BoundExprPtr> left_keys;
  std::vector<BoundExprPtr> right_keys;
  // kJoin, inner or left, whose right input is a scan and whose right keys
  // are its table's whole primary key: each left row's match is read with
  // one point get instead of the right table being read (a lookup join,
  // for a left input that is known to be small). The right scan's
  // predicate still applies to the rows it finds.
  bool lookup_join = false;
  // kJoin whose inputs both come ordered by its keys (optimizer/
  // merge_join.h): the rows are paired by walking both in step.
  bool merge_join = false;
  SetOp set_op = SetOp::kUnion;           // kSetOp
  int work_table = 0;                     // kRecursiveUnion, kWorkTable
  bool set_all = false;                   // kSetOp: ALL keeps duplicates
  // kProject: one per output column. kUpdate: the new row, one per table
  // column, over the old row. kInsert: unused.
  std::vector<BoundExprPtr> exprs;
  std::vector<std::vector<BoundExprPtr>> rows;  // kValues
  std::vector<BoundExprPtr> group_by;           // kAggregate
  std::vector<AggregateCall> aggregates;        // kAggregate; kScan with partial_aggregate
  // kAggregate over a scan that yields partial states (ScanPushdown): groups
  // by its input's first group_by.size() columns and merges the states.
  bool merges_partials = false;
  std::vector<WindowCall> windows;              // kWindow
  std::vector<SortKey> sort_keys;               // kSort
  // kDistinct: DISTINCT ON keys (columns of the sorted input); a row is
  // kept when its keys differ from the previous row's. Empty: whole rows.
  std::vector<int> distinct_on;
  BoundExprPtr limit;                           // kLimit; null: no limit
  BoundExprPtr offset;                          // kLimit; null: 0
  // kUpdate/kDelete: the child's rows are the target's columns followed by
  // other FROM/USING items' (a join); a target row is written once however
  // many rows it joined, as in PostgreSQL.
  bool target_joined = false;
  // kInsert ... ON CONFLICT on a unique constraint: do nothing, or update
  // the existing row to `exprs` (one per column, over the existing row
  // followed by the proposed one, EXCLUDED) where `predicate` holds.
  enum class OnConflict : uint8_t { kError, kNothing, kUpdate };
  OnConflict on_conflict = OnConflict::kError;
  // The unique constraint a conflict is on: the primary key (0) or a
  // unique index's id; DO NOTHING without a target: any of them.
  uint32_t conflict_index_id = 0;
  bool conflict_on_any = false;
  // kInsert/kUpdate: the table's CHECK constraints over a new row (its
  // columns in table order), with their names.
  std::vector<BoundExprPtr> checks;
  std::vector<std::string> check_names;
  // kInsert/kUpdate/kDelete: RETURNING over the written (or deleted) row.
  std::vector<BoundExprPtr> returning;
  bool has_returning = false;

  explicit PlanNode(PlanKind k) : kind(k) {}
};

// Lines of EXPLAIN output for `plan`; `annotate`, when given, adds its text
// to each node's line (EXPLAIN ANALYZE's figures).
std::vector<std::string> ExplainPlan(
    const PlanNode& plan,
    const std::function<std::string(const PlanNode&)>& annotate = nullptr);

}  // namespace cairn::planner
