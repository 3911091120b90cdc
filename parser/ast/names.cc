#include "parser/ast/names.h"

#include "parser/ast/sql_text.h"

namespace cairn::ast {

std::string Identifier::ToString() const { return QuoteIdentifier(name); }

std::string ObjectName::ToString() const {
  std::vector<std::string> parts;
  if (!catalog.empty()) parts.push_back(catalog);
  if (!schema.empty()) parts.push_back(schema);
  parts.push_back(name);
  return QuoteQualified(parts);
}

}  // namespace cairn::ast
