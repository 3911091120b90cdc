#include "parser/ast/dml.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string Targets(const std::vector<ResultTarget>& targets) {
  return absl::StrJoin(targets, ", ", [](std::string* o, const ResultTarget& t) {
    o->append(t.ToString());
  });
}

std::string Returning(const std::vector<ResultTarget>& targets) {
  return targets.empty() ? "" : " RETURNING " + Targets(targets);
}

std::string SetClauses(const std::vector<SetClause>& set) {
  return absl::StrJoin(set, ", ", [](std::string* o, const SetClause& c) {
    o->append(c.ToString());
  });
}

std::string Names(const std::vector<Identifier>& names) {
  return absl::StrJoin(names, ", ", [](std::string* o, const Identifier& id) {
    o->append(id.ToString());
  });
}

std::string With(const std::unique_ptr<WithClause>& with) {
  return with == nullptr ? "" : with->ToString() + " ";
}

std::string Alias(const std::string& alias) {
  return alias.empty() ? "" : " AS " + QuoteIdentifier(alias);
}

}  // namespace

std::string SetClause::ToString() const {
  return absl::StrCat(column.ToString(), " = ", value->ToString());
}

std::string OnConflictClause::ToString() const {
  std::string out = " ON CONFLICT";
  if (!target_columns.empty()) absl::StrAppend(&out, " (", Names(target_columns), ")");
  if (!constraint.empty()) absl::StrAppend(&out, " ON CONSTRAINT ", QuoteIdentifier(constraint));
  if (action == OnConflictAction::kNothing) return out + " DO NOTHING";
  absl::StrAppend(&out, " DO UPDATE SET ", SetClauses(set));
  if (where != nullptr) absl::StrAppend(&out, " WHERE ", where->ToString());
  return out;
}

std::string SelectStatement::ToString() const {
  if (as_of_system_time == nullptr) return query->ToString();
  return absl::StrCat(query->ToString(), " AS OF SYSTEM TIME ", as_of_system_time->ToString());
}

std::string InsertStatement::ToString() const {
  std::string out = absl::StrCat(With(with), "INSERT INTO ", table.ToString(), Alias(alias));
  if (!columns.empty()) absl::StrAppend(&out, " (", Names(columns), ")");
  absl::StrAppend(&out, source == nullptr ? " DEFAULT VALUES" : " " + source->ToString());
  if (on_conflict != nullptr) out += on_conflict->ToString();
  return out + Returning(returning);
}

std::string UpdateStatement::ToString() const {
  std::string out = absl::StrCat(With(with), "UPDATE ", table.ToString(), Alias(alias), " SET ",
                                 SetClauses(set));
  if (!from.empty()) {
    absl::StrAppend(&out, " FROM ",
                    absl::StrJoin(from, ", ", [](std::string* o, const TableRefPtr& t) {
                      o->append(t->ToString());
                    }));
  }
  if (where != nullptr) absl::StrAppend(&out, " WHERE ", where->ToString());
  return out + Returning(returning);
}

std::string DeleteStatement::ToString() const {
  std::string out = absl::StrCat(With(with), "DELETE FROM ", table.ToString(), Alias(alias));
  if (!using_tables.empty()) {
    absl::StrAppend(&out, " USING ",
                    absl::StrJoin(using_tables, ", ", [](std::string* o, const TableRefPtr& t) {
                      o->append(t->ToString());
                    }));
  }
  if (where != nullptr) absl::StrAppend(&out, " WHERE ", where->ToString());
  return out + Returning(returning);
}

std::string CopyStatement::ToString() const {
  std::string out = "COPY ";
  if (query != nullptr) {
    absl::StrAppend(&out, "(", query->ToString(), ")");
  } else {
    out += table.ToString();
    if (!columns.empty()) absl::StrAppend(&out, " (", Names(columns), ")");
  }
  absl::StrAppend(&out, is_from ? " FROM " : " TO ",
                  filename.empty() ? (is_from ? "STDIN" : "STDOUT") : QuoteString(filename));
  if (!options.empty()) {
    absl::StrAppend(&out, " WITH (",
                    absl::StrJoin(options, ", ", [](std::string* o, const Option& option) {
                      o->append(OptionName(option.name));
                      if (!option.value.empty()) absl::StrAppend(o, " ", QuoteString(option.value));
                    }),
                    ")");
  }
  return out;
}

}  // namespace cairn::ast
