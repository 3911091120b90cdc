#include "executor/foreign_keys.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/value_cast.h"
#include "common/value_text.h"
#include "executor/expression_evaluator.h"
#include "executor/row_writer.h"
#include "planner/binder/binder.h"

namespace cairn::executor {
namespace {

// The database's tables, read once per statement.
absl::StatusOr<const std::vector<catalog::TableInfo>*> Tables(ExecContext* ctx) {
  if (!ctx->tables) {
    CAIRN_ASSIGN_OR_RETURN(auto tables, ctx->catalog->ListTables(ctx->txn, ctx->database_id));
    ctx->tables = std::move(tables);
  }
  return &*ctx->tables;
}

const catalog::TableInfo* TableById(const std::vector<catalog::TableInfo>& tables, uint32_t id) {
  for (const auto& t : tables) {
    if (t.id() == id) return &t;
  }
  return nullptr;
}

std::vector<int> Positions(const catalog::TableInfo& table,
                           const google::protobuf::RepeatedField<uint32_t>& ids) {
  std::vector<int> out;
  for (uint32_t id : ids) out.push_back(table.ColumnPosition(id).value_or(-1));
  return out;
}

std::string KeyText(const catalog::TableInfo& table, const std::vector<int>& positions,
                    const Row& row) {
  std::vector<std::string> names, values;
  for (int pos : positions) {
    names.push_back(table.columns()[pos].name);
    values.push_back(row[pos].is_null() ? "NULL" : FormatValue(row[pos]));
  }
  return absl::StrFormat("Key (%s)=(%s)", absl::StrJoin(names, ", "), absl::StrJoin(values, ", "));
}

// The parent row holding `values` in columns `theirs` (its primary key,
// or a unique index's columns): its key and value, if there is one.
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> FindParentRow(
    const catalog::TableInfo& parent, const std::vector<int>& theirs,
    const std::vector<Value>& values, ExecContext* ctx) {
  std::optional<std::string> row_key;
  if (theirs == parent.primary_key()) {
    row_key = catalog::EncodePrimaryKeyPrefix(parent, values);
  } else {
    for (const catalog::IndexInfo& index : parent.indexes()) {
      if (!index.unique || index.columns != theirs) continue;
      std::string key = catalog::catalog_keys::IndexPrefix(parent.id(), index.id);
      for (size_t i = 0; i < values.size(); ++i) {
        catalog::AppendKeyValue(&key, values[i], index.descending[i]);
      }
      CAIRN_ASSIGN_OR_RETURN(auto entry_value, ctx->txn->Get(key));
      if (entry_value) {
        CAIRN_ASSIGN_OR_RETURN(catalog::DecodedIndexEntry entry,
                               catalog::DecodeIndexEntry(parent, index, key, *entry_value));
        row_key = catalog::catalog_keys::IndexPrefix(parent.id(), parent.primary_index_id()) +
                  entry.primary_key;
      }
      break;
    }
  }
  if (!row_key) return std::nullopt;
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> value, ctx->txn->Get(*row_key));
  if (!value) return std::nullopt;
  return std::make_pair(*std::move(row_key), *std::move(value));
}

// That `row` of `child` references a parent row under `fk` (or holds a
// NULL in its key, which references nothing); 23503 otherwise.
absl::Status CheckParentExists(const catalog::TableInfo& child, const proto::ForeignKey& fk,
                               const Row& row, ExecContext* ctx) {
  CAIRN_ASSIGN_OR_RETURN(const std::vector<catalog::TableInfo>* tables, Tables(ctx));
  const std::vector<int> mine = Positions(child, fk.column_ids());
  bool has_null = false;
  for (int pos : mine) has_null |= pos < 0 || row[pos].is_null();
  if (has_null) return absl::OkStatus();  // MATCH SIMPLE: a NULL key references nothing
  const catalog::TableInfo* parent = TableById(*tables, fk.ref_table_id());
  if (parent == nullptr) return absl::OkStatus();
  const std::vector<int> theirs = Positions(*parent, fk.ref_column_ids());
  std::vector<Value> values;
  for (size_t i = 0; i < mine.size(); ++i) {
    auto v = CastValue(row[mine[i]], parent->columns()[theirs[i]].type, CastContext::kAssignment);
    if (!v.ok()) return v.status();
    values.push_back(*std::move(v));
  }
  CAIRN_ASSIGN_OR_RETURN(auto found, FindParentRow(*parent, theirs, values, ctx));
  if (!found) {
    return WithDetail(
        MakeError(ErrorCode::kForeignKeyViolation,
                  absl::StrFormat("insert or update on table \"%s\" violates foreign key "
                                  "constraint \"%s\"",
                                  child.name(), fk.name())),
        absl::StrFormat("%s is not present in table \"%s\".", KeyText(child, mine, row),
                        parent->name()));
  }
  // Written back unchanged: a concurrent delete of the parent conflicts.
  ctx->txn->Put(found->first, found->second);
  return absl::OkStatus();
}

// The rows of `child` that may hold `key` in its columns `mine`: read
// through the primary key or an index that those columns lead, when there
// is one (as there usually is for a foreign key's columns), else all rows.
// Callers compare the values themselves.
absl::StatusOr<std::vector<kv::KeyValue>> CandidateRows(const catalog::TableInfo& child,
                                                        const std::vector<int>& mine,
                                                        const std::vector<Value>& key,
                                                        ExecContext* ctx) {
  const std::string rows_prefix =
      catalog::catalog_keys::IndexPrefix(child.id(), child.primary_index_id());
  // Key encodings are equal exactly when the values are, but for floats
  // (-0 and 0) and CHAR (trailing blanks).
  std::vector<Value> values;
  bool keyed = true;
  for (size_t i = 0; i < mine.size() && keyed; ++i) {
    keyed = mine[i] >= 0;
    if (!keyed) break;
    const SqlType& type = child.columns()[mine[i]].type;
    keyed = type.id != TypeId::kFloat32 && type.id != TypeId::kFloat64 && type.id != TypeId::kChar;
    absl::StatusOr<Value> v = CastValue(key[i], type, CastContext::kAssignment);
    keyed = keyed && v.ok();
    if (keyed) values.push_back(*std::move(v));
  }
  auto led_by_mine = [&](const std::vector<int>& columns) {
    return columns.size() >= mine.size() && std::equal(mine.begin(), mine.end(), columns.begin());
  };
  if (keyed && led_by_mine(child.primary_key())) {
    const std::string prefix = catalog::EncodePrimaryKeyPrefix(child, values);
    return ctx->txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0);
  }
  for (const catalog::IndexInfo& index : child.indexes()) {
    if (!keyed || !led_by_mine(index.columns)) continue;
    std::string prefix = catalog::catalog_keys::IndexPrefix(child.id(), index.id);
    for (size_t i = 0; i < values.size(); ++i) {
      catalog::AppendKeyValue(&prefix, values[i], index.descending[i]);
    }
    CAIRN_ASSIGN_OR_RETURN(auto entries, ctx->txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
    std::vector<std::string> row_keys;
    for (const auto& kv : entries) {
      CAIRN_ASSIGN_OR_RETURN(catalog::DecodedIndexEntry entry,
                             catalog::DecodeIndexEntry(child, index, kv.key, kv.value));
      row_keys.push_back(rows_prefix + entry.primary_key);
    }
    std::vector<kv::KeyValue> rows;
    if (row_keys.empty()) return rows;
    CAIRN_ASSIGN_OR_RETURN(auto row_values, ctx->txn->BatchGet(row_keys));
    for (size_t i = 0; i < row_keys.size(); ++i) {
      if (row_values[i]) rows.push_back({std::move(row_keys[i]), *std::move(row_values[i])});
    }
    return rows;
  }
  return ctx->txn->Scan(rows_prefix, key_codec::PrefixEnd(rows_prefix), 0);
}

// Whether a row of `child` holds `key` in the columns `mine`.
absl::StatusOr<bool> StillReferenced(const catalog::TableInfo& child, const std::vector<int>& mine,
                                     const std::vector<Value>& key, ExecContext* ctx) {
  CAIRN_ASSIGN_OR_RETURN(auto rows, CandidateRows(child, mine, key, ctx));
  for (const auto& kv : rows) {
    CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(child, kv.key, kv.value));
    bool same = true;
    for (size_t i = 0; i < mine.size() && same; ++i) {
      same = !row[mine[i]].is_null() && CompareValues(row[mine[i]], key[i]) == 0;
    }
    if (same) return true;
  }
  return false;
}

// A table's constraint by name (null when it went).
const proto::ForeignKey* ForeignKeyNamed(const catalog::TableInfo& table, const std::string& name) {
  for (const proto::ForeignKey& fk : table.descriptor().foreign_keys()) {
    if (fk.name() == name) return &fk;
  }
  return nullptr;
}

// Whether `fk`'s checks wait for COMMIT in the context's transaction.
bool Deferred(const proto::ForeignKey& fk, const ExecContext& ctx) {
  if (!fk.deferrable() || ctx.deferred_checks == nullptr) return false;
  if (ctx.constraint_timing != nullptr) {
    const ConstraintTiming& timing = *ctx.constraint_timing;
    if (auto it = timing.deferred_by_name.find(fk.name()); it != timing.deferred_by_name.end()) {
      return it->second;
    }
    if (timing.all_deferred.has_value()) return *timing.all_deferred;
  }
  return fk.initially_deferred();
}

// Queues `check` of constraint `fk` for the statement's end, or for COMMIT
// when the constraint is deferred (`deferrable`: the check may be; a
// RESTRICT one may not). Checks name tables by id: those of COMMIT run in
// a context of their own, after the statement's tables are gone.
void Queue(const proto::ForeignKey& fk, bool deferrable, ConstraintCheck check, ExecContext* ctx) {
  if (deferrable && Deferred(fk, *ctx)) {
    ctx->deferred_checks->push_back({fk.name(), std::move(check)});
  } else {
    ctx->end_of_statement_checks.push_back(std::move(check));
  }
}

// Once the rows are written: the key `row` of `parent` had is, under `fk`
// of `child`, referenced by no child row, unless (NO ACTION, not RESTRICT)
// a parent row holds it again.
void CheckUnreferencedAtEnd(const catalog::TableInfo& parent, const catalog::TableInfo& child,
                            const proto::ForeignKey& fk, proto::ForeignKey::Action action,
                            const Row& row, ExecContext* ctx) {
  std::vector<Value> key;
  for (int pos : Positions(parent, fk.ref_column_ids())) key.push_back(row[pos]);
  std::string detail =
      absl::StrFormat("%s is still referenced from table \"%s\".",
                      KeyText(parent, Positions(parent, fk.ref_column_ids()), row), child.name());
  const bool restrict = action == proto::ForeignKey::RESTRICT;
  ConstraintCheck check = [parent_id = parent.id(), child_id = child.id(), name = fk.name(),
                           key = std::move(key), detail = std::move(detail),
                           restrict](ExecContext* run) -> absl::Status {
    CAIRN_ASSIGN_OR_RETURN(const std::vector<catalog::TableInfo>* tables, Tables(run));
    const catalog::TableInfo* parent = TableById(*tables, parent_id);
    const catalog::TableInfo* child = TableById(*tables, child_id);
    const proto::ForeignKey* fk = child == nullptr ? nullptr : ForeignKeyNamed(*child, name);
    if (parent == nullptr || fk == nullptr) return absl::OkStatus();
    if (!restrict) {
      CAIRN_ASSIGN_OR_RETURN(
          auto again, FindParentRow(*parent, Positions(*parent, fk->ref_column_ids()), key, run));
      if (again) return absl::OkStatus();
    }
    CAIRN_ASSIGN_OR_RETURN(bool referenced,
                           StillReferenced(*child, Positions(*child, fk->column_ids()), key, run));
    if (!referenced) return absl::OkStatus();
    return WithDetail(MakeError(ErrorCode::kForeignKeyViolation,
                                absl::StrFormat("update or delete on table \"%s\" violates foreign "
                                                "key constraint \"%s\" on table \"%s\"",
                                                parent->name(), name, child->name())),
                      detail);
  };
  Queue(fk, /*deferrable=*/!restrict, std::move(check), ctx);
}

}  // namespace

absl::Status CheckParentsExist(const catalog::TableInfo& child, const Row& row, ExecContext* ctx) {
  if (child.descriptor().foreign_keys().empty()) return absl::OkStatus();
  const std::string key = catalog::EncodePrimaryKey(child, row);
  for (const proto::ForeignKey& fk : child.descriptor().foreign_keys()) {
    // The row as it is when checked: a later write may have changed or
    // removed it again (and queued its own check).
    ConstraintCheck check = [child_id = child.id(), name = fk.name(),
                             key](ExecContext* run) -> absl::Status {
      CAIRN_ASSIGN_OR_RETURN(const std::vector<catalog::TableInfo>* tables, Tables(run));
      const catalog::TableInfo* child = TableById(*tables, child_id);
      const proto::ForeignKey* fk = child == nullptr ? nullptr : ForeignKeyNamed(*child, name);
      if (fk == nullptr) return absl::OkStatus();
      CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> value, run->txn->Get(key));
      if (!value) return absl::OkStatus();
      CAIRN_ASSIGN_OR_RETURN(Row current, catalog::DecodeRow(*child, key, *value));
      return CheckParentExists(*child, *fk, current, run);
    };
    Queue(fk, /*deferrable=*/true, std::move(check), ctx);
  }
  return absl::OkStatus();
}

absl::Status RunDeferredChecks(std::vector<DeferredCheck>* checks,
                               const std::vector<std::string>& constraints, ExecContext* ctx) {
  std::vector<DeferredCheck> due;
  std::vector<DeferredCheck> later;
  for (DeferredCheck& check : *checks) {
    const bool named = constraints.empty() || std::find(constraints.begin(), constraints.end(),
                                                        check.constraint) != constraints.end();
    (named ? due : later).push_back(std::move(check));
  }
  *checks = std::move(later);
  for (const DeferredCheck& check : due) CAIRN_RETURN_IF_ERROR(check.run(ctx));
  return absl::OkStatus();
}

absl::Status ValidateForeignKey(const catalog::TableInfo& child, const proto::ForeignKey& fk,
                                ExecContext* ctx) {
  const std::string prefix =
      catalog::catalog_keys::IndexPrefix(child.id(), child.primary_index_id());
  CAIRN_ASSIGN_OR_RETURN(auto rows, ctx->txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
  for (const auto& kv : rows) {
    CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx));
    CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(child, kv.key, kv.value));
    CAIRN_RETURN_IF_ERROR(CheckParentExists(child, fk, row, ctx));
  }
  return absl::OkStatus();
}

proto::ForeignKey::Action OnDeleteAction(const proto::ForeignKey& fk) {
  return fk.on_delete_cascade() ? proto::ForeignKey::CASCADE : fk.on_delete();
}

char ActionLetter(proto::ForeignKey::Action action) {
  switch (action) {
    case proto::ForeignKey::CASCADE: return 'c';
    case proto::ForeignKey::SET_NULL: return 'n';
    case proto::ForeignKey::RESTRICT: return 'r';
    case proto::ForeignKey::SET_DEFAULT:
      return 'd';
    default: return 'a';
  }
}

std::string ActionWords(proto::ForeignKey::Action action) {
  switch (action) {
    case proto::ForeignKey::CASCADE: return "CASCADE";
    case proto::ForeignKey::SET_NULL: return "SET NULL";
    case proto::ForeignKey::RESTRICT: return "RESTRICT";
    case proto::ForeignKey::SET_DEFAULT:
      return "SET DEFAULT";
    default: return "";
  }
}

absl::Status ApplyToChildren(const catalog::TableInfo& parent, const Row& row, const Row* new_row,
                             ExecContext* ctx) {
  const bool deleting = new_row == nullptr;
  CAIRN_ASSIGN_OR_RETURN(const std::vector<catalog::TableInfo>* tables, Tables(ctx));
  for (const catalog::TableInfo& child : *tables) {
    // The child's constraints on this parent whose referenced key the row
    // has (a NULL in it references nothing).
    std::vector<const proto::ForeignKey*> fks;
    for (const proto::ForeignKey& fk : child.descriptor().foreign_keys()) {
      if (fk.ref_table_id() != parent.id()) continue;
      bool has_null = false;
      for (int pos : Positions(parent, fk.ref_column_ids())) has_null |= row[pos].is_null();
      if (!has_null) fks.push_back(&fk);
    }
    if (fks.empty()) continue;
    std::set<const proto::ForeignKey*> deferred;  // checked once per constraint
    // The child rows that may hold one of these keys: through an index of
    // the one constraint's columns, else all of them.
    std::vector<kv::KeyValue> rows;
    if (fks.size() == 1) {
      std::vector<Value> key;
      for (int pos : Positions(parent, fks[0]->ref_column_ids())) key.push_back(row[pos]);
      CAIRN_ASSIGN_OR_RETURN(
          rows, CandidateRows(child, Positions(child, fks[0]->column_ids()), key, ctx));
    } else {
      const std::string prefix =
          catalog::catalog_keys::IndexPrefix(child.id(), child.primary_index_id());
      CAIRN_ASSIGN_OR_RETURN(rows, ctx->txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
    }
    for (const auto& kv : rows) {
      CAIRN_ASSIGN_OR_RETURN(Row child_row, catalog::DecodeRow(child, kv.key, kv.value));
      // One change per child row, whatever number of its constraints
      // reference the row: each constraint's check then sees the others'
      // new values too.
      Row changed = child_row;
      bool matched = false, remove = false;
      for (const proto::ForeignKey* fk : fks) {
        const std::vector<int> theirs = Positions(parent, fk->ref_column_ids());
        const std::vector<int> mine = Positions(child, fk->column_ids());
        bool same = true;
        for (size_t i = 0; i < mine.size() && same; ++i) {
          same = !child_row[mine[i]].is_null() &&
                 CompareValues(child_row[mine[i]], row[theirs[i]]) == 0;
        }
        if (!same) continue;
        if (!deleting) {
          // Only the constraints whose referenced columns change.
          bool moved = false;
          for (int pos : theirs) {
            moved |= (*new_row)[pos].is_null() || CompareValues((*new_row)[pos], row[pos]) != 0;
          }
          if (!moved) continue;
        }
        const proto::ForeignKey::Action action = deleting ? OnDeleteAction(*fk) : fk->on_update();
        if (action != proto::ForeignKey::CASCADE && action != proto::ForeignKey::SET_NULL &&
            action != proto::ForeignKey::SET_DEFAULT) {
          // NO ACTION, RESTRICT: the children stay; whether any still
          // references the key is the statement's end's question.
          if (deferred.insert(fk).second)
            CheckUnreferencedAtEnd(parent, child, *fk, action, row, ctx);
          continue;
        }
        matched = true;
        if (action == proto::ForeignKey::CASCADE && deleting) {
          remove = true;
          continue;
        }
        for (size_t i = 0; i < mine.size(); ++i) {
          const catalog::ColumnInfo& column = child.columns()[mine[i]];
          const bool no_default = action == proto::ForeignKey::SET_DEFAULT &&
                                  column.default_expr.empty() && !column.is_serial;
          if (action == proto::ForeignKey::SET_NULL || no_default) {
            if (!column.nullable) {
              return MakeError(ErrorCode::kNotNullViolation,
                               absl::StrFormat("null value in column \"%s\" of relation \"%s\" "
                                               "violates not-null constraint",
                                               column.name, child.name()));
            }
            changed[mine[i]] = Value::NullOf(column.type);
          } else if (action == proto::ForeignKey::SET_DEFAULT) {
            // (A serial column's default draws a new value, as in PostgreSQL.)
            // The default must itself be a parent's key (or NULL): the
            // child's check at the statement's end says so.
            CAIRN_ASSIGN_OR_RETURN(planner::BoundExprPtr def,
                                   planner::Binder::BindColumnDefault(child, mine[i]));
            static const Row kNoRow;
            CAIRN_ASSIGN_OR_RETURN(changed[mine[i]], Evaluate(*def, kNoRow, ctx));
          } else {
            CAIRN_ASSIGN_OR_RETURN(changed[mine[i]], CastValue((*new_row)[theirs[i]], column.type,
                                                               CastContext::kAssignment));
          }
        }
      }
      if (!matched) continue;
      if (remove) {
        CAIRN_RETURN_IF_ERROR(DeleteRow(child, child_row, ctx));
      } else {
        CAIRN_RETURN_IF_ERROR(UpdateRow(child, child_row, changed, ctx));
        // Its new keys must be parents' even where they did not change
        // (a default equal to the key that went).
        CAIRN_RETURN_IF_ERROR(CheckParentsExist(child, changed, ctx));
      }
    }
  }
  return absl::OkStatus();
}

bool ForeignKeyColumnsChanged(const catalog::TableInfo& child, const Row& old_row,
                              const Row& new_row) {
  for (const proto::ForeignKey& fk : child.descriptor().foreign_keys()) {
    for (int pos : Positions(child, fk.column_ids())) {
      if (pos < 0) continue;
      if (old_row[pos].is_null() != new_row[pos].is_null()) return true;
      if (!old_row[pos].is_null() && CompareValues(old_row[pos], new_row[pos]) != 0) return true;
    }
  }
  return false;
}

absl::StatusOr<bool> ReferencedColumnsChanged(const catalog::TableInfo& parent, const Row& old_row,
                                              const Row& new_row, ExecContext* ctx) {
  CAIRN_ASSIGN_OR_RETURN(const std::vector<catalog::TableInfo>* tables, Tables(ctx));
  for (const catalog::TableInfo& child : *tables) {
    for (const proto::ForeignKey& fk : child.descriptor().foreign_keys()) {
      if (fk.ref_table_id() != parent.id()) continue;
      for (int pos : Positions(parent, fk.ref_column_ids())) {
        if (old_row[pos].is_null() != new_row[pos].is_null()) return true;
        if (!old_row[pos].is_null() && CompareValues(old_row[pos], new_row[pos]) != 0) {
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace cairn::executor
