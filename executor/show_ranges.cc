#include "executor/show_ranges.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/catalog_keys.h"
#include "common/error_code.h"
#include "common/key_codec.h"

namespace cairn::executor {

std::vector<ResultColumn> ShowRangesColumns() {
  return {
      {"range_id", SqlType::Of(TypeId::kInt64)},     {"start_key", SqlType::Of(TypeId::kText)},
      {"end_key", SqlType::Of(TypeId::kText)},       {"replicas", SqlType::Of(TypeId::kText)},
      {"lease_holder", SqlType::Of(TypeId::kInt64)}, {"range_size", SqlType::Of(TypeId::kInt64)},
      {"learners", SqlType::Of(TypeId::kText)}};
}

absl::StatusOr<StatementResult> ShowRanges(kv::RangeDirectory* directory, catalog::Catalog* catalog,
                                           txn::Txn* txn, uint32_t database_id,
                                           const std::optional<ast::ObjectName>& table) {
  if (directory == nullptr) {
    return MakeError(ErrorCode::kFeatureNotSupported, "SHOW RANGES needs a node's range routing");
  }
  std::string start;
  std::string end;
  if (table) {
    CAIRN_ASSIGN_OR_RETURN(auto descriptor, catalog->GetTable(txn, database_id, table->name));
    if (!descriptor) {
      return MakeError(ErrorCode::kUndefinedTable,
                       absl::StrFormat("relation \"%s\" does not exist", table->name),
                       table->position);
    }
    start = catalog::catalog_keys::TablePrefix(descriptor->id());
    end = key_codec::PrefixEnd(start);
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<kv::RangeInfo> ranges, directory->RangesIn(start, end));
  StatementResult r;
  r.returns_rows = true;
  r.command_tag = "SHOW";
  r.columns = ShowRangesColumns();
  for (const kv::RangeInfo& info : ranges) {
    std::vector<uint64_t> voters;
    std::vector<uint64_t> learners;
    for (const auto& replica : info.range.replicas()) {
      (replica.learner() ? learners : voters).push_back(replica.node_id());
    }
    r.rows.push_back(
        {Value::Int64(static_cast<int64_t>(info.range.range_id())),
         Value::Text(key_codec::PrettyKey(info.range.start_key())),
         info.range.end_key().empty() ? Value::Null()
                                      : Value::Text(key_codec::PrettyKey(info.range.end_key())),
         Value::Text(absl::StrCat("{", absl::StrJoin(voters, ","), "}")),
         Value::Int64(static_cast<int64_t>(info.leaseholder_node_id)),
         info.approximate_bytes ? Value::Int64(static_cast<int64_t>(*info.approximate_bytes))
                                : Value::Null(),
         Value::Text(absl::StrCat("{", absl::StrJoin(learners, ","), "}"))});
  }
  return r;
}

}  // namespace cairn::executor
