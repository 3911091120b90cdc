#include "raft/memory_log_storage.h"

#include <gtest/gtest.h>

#include "raft/bootstrap.h"

namespace cairn::raft {
namespace {

std::vector<Entry> Ents(uint64_t first, std::vector<uint64_t> terms) {
  std::vector<Entry> out;
  for (uint64_t t : terms) {
    out.push_back({.term = t, .index = first++, .data = "d"});
  }
  return out;
}

std::vector<uint64_t> Terms(const MemoryLogStorage& s) {
  std::vector<uint64_t> out;
  for (uint64_t i = s.FirstIndex(); i <= s.LastIndex(); ++i) {
    out.push_back(*s.Term(i));
  }
  return out;
}

TEST(MemoryLogStorageTest, EmptyStorage) {
  MemoryLogStorage s;
  EXPECT_EQ(s.FirstIndex(), 1u);
  EXPECT_EQ(s.LastIndex(), 0u);
  EXPECT_EQ(*s.Term(0), 0u);
  EXPECT_TRUE(s.GetSnapshot()->IsEmpty());
  auto [hs, cs] = *s.InitialState();
  EXPECT_TRUE(IsEmpty(hs));
  EXPECT_TRUE(cs.voters.empty());
}

TEST(MemoryLogStorageTest, AppendTruncatesConflictingSuffix) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1, 2, 2})).ok());
  EXPECT_EQ(Terms(s), (std::vector<uint64_t>{1, 1, 2, 2}));
  ASSERT_TRUE(s.Append(Ents(3, {3})).ok());
  EXPECT_EQ(Terms(s), (std::vector<uint64_t>{1, 1, 3}));
  ASSERT_TRUE(s.Append(Ents(4, {3, 3})).ok());
  EXPECT_EQ(Terms(s), (std::vector<uint64_t>{1, 1, 3, 3, 3}));
  EXPECT_FALSE(s.Append(Ents(9, {3})).ok());  // gap
}

TEST(MemoryLogStorageTest, EntriesRespectsBoundsAndSize) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1, 1, 1})).ok());
  EXPECT_EQ(s.Entries(1, 5, kNoLimit)->size(), 4u);
  EXPECT_EQ(s.Entries(1, 5, 0)->size(), 1u);  // always at least one
  EXPECT_EQ(s.Entries(1, 5, 2 * EntrySize(Ents(1, {1})[0]))->size(), 2u);
  EXPECT_FALSE(s.Entries(1, 6, kNoLimit).ok());
}

TEST(MemoryLogStorageTest, CompactAndSnapshot) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1, 2, 2, 3})).ok());
  auto snap = s.CreateSnapshot(3, ConfState{.voters = {1}}, "state");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->metadata.term, 2u);
  ASSERT_TRUE(s.Compact(3).ok());
  EXPECT_EQ(s.FirstIndex(), 4u);
  EXPECT_EQ(*s.Term(3), 2u);  // the snapshot's term still answers
  EXPECT_TRUE(IsCompacted(s.Term(2).status()));
  EXPECT_TRUE(IsCompacted(s.Entries(3, 5, kNoLimit).status()));
  EXPECT_EQ(s.Entries(4, 6, kNoLimit)->size(), 2u);
  EXPECT_TRUE(IsCompacted(s.Compact(2)));
  EXPECT_FALSE(s.CreateSnapshot(2, {}, "").ok());  // older
  EXPECT_EQ(s.GetSnapshot()->data, "state");
  // Appending over compacted entries skips them.
  ASSERT_TRUE(s.Append(Ents(2, {1, 2, 2, 3, 4})).ok());
  EXPECT_EQ(Terms(s), (std::vector<uint64_t>{2, 3, 4}));
}

TEST(MemoryLogStorageTest, ApplySnapshotReplacesEverything) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1})).ok());
  Snapshot snap = MakeBootstrapSnapshot({3, 1, 2}, {4});
  snap.metadata.index = 10;
  snap.metadata.term = 5;
  ASSERT_TRUE(s.ApplySnapshot(snap).ok());
  EXPECT_EQ(s.FirstIndex(), 11u);
  EXPECT_EQ(s.LastIndex(), 10u);
  EXPECT_EQ(*s.Term(10), 5u);
  auto [hs, cs] = *s.InitialState();
  EXPECT_EQ(cs.voters, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(cs.learners, std::vector<uint64_t>{4});
  EXPECT_FALSE(s.ApplySnapshot(snap).ok());  // not newer
}

}  // namespace
}  // namespace cairn::raft
