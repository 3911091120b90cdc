#include "raft/conf_change.h"

#include <gtest/gtest.h>

#include "common/error_code.h"

namespace cairn::raft {
namespace {

TEST(ConfChangeTest, RoundTrips) {
  for (auto type : {ConfChange::Type::kAddVoter, ConfChange::Type::kAddLearner,
                    ConfChange::Type::kRemoveNode}) {
    for (uint64_t id : {1ULL, 255ULL, 0x0102030405060708ULL, ~0ULL}) {
      const ConfChange cc{type, id};
      auto decoded = DecodeConfChange(EncodeConfChange(cc));
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      EXPECT_EQ(*decoded, cc);
    }
  }
}

TEST(ConfChangeTest, RejectsGarbage) {
  EXPECT_EQ(GetErrorCode(DecodeConfChange("").status()),
            ErrorCode::kDataCorrupted);
  std::string bad_type = EncodeConfChange({ConfChange::Type::kAddVoter, 1});
  bad_type[0] = 9;
  EXPECT_FALSE(DecodeConfChange(bad_type).ok());
  EXPECT_FALSE(
      DecodeConfChange(EncodeConfChange({ConfChange::Type::kAddVoter, 0}))
          .ok());
}

}  // namespace
}  // namespace cairn::raft
