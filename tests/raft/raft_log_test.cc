#include "raft/raft_log.h"

#include <gtest/gtest.h>

#include "raft/memory_log_storage.h"

namespace cairn::raft {
namespace {

std::vector<Entry> Ents(uint64_t first, std::vector<uint64_t> terms) {
  std::vector<Entry> out;
  for (uint64_t t : terms) out.push_back({.term = t, .index = first++});
  return out;
}

TEST(RaftLogTest, StartsAfterStorage) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1, 2})).ok());
  RaftLog log(&s, kNoLimit);
  EXPECT_EQ(log.FirstIndex(), 1u);
  EXPECT_EQ(log.LastIndex(), 3u);
  EXPECT_EQ(log.LastTerm(), 2u);
  EXPECT_EQ(log.committed(), 0u);
  EXPECT_TRUE(log.UnstableEntries().empty());
}

TEST(RaftLogTest, MaybeAppendMatchesTruncatesAndCommits) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 2, 3})).ok());
  RaftLog log(&s, kNoLimit);
  // Mismatch at the previous entry.
  EXPECT_FALSE(log.MaybeAppend(3, 2, 3, Ents(4, {4})).has_value());
  // Match; conflicting entry 3 (term 3) replaced by term 4.
  auto last = log.MaybeAppend(2, 2, 3, Ents(3, {4, 4}));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, 4u);
  EXPECT_EQ(log.committed(), 3u);
  EXPECT_EQ(*log.Term(3), 4u);
  EXPECT_EQ(log.UnstableEntries(), Ents(3, {4, 4}));
  // Commit never goes beyond the last new entry of the message.
  last = log.MaybeAppend(1, 1, 10, {});
  EXPECT_EQ(*last, 1u);
  EXPECT_EQ(log.committed(), 3u);
  // Stale duplicate: no truncation.
  ASSERT_TRUE(log.MaybeAppend(1, 1, 3, Ents(2, {2})).has_value());
  EXPECT_EQ(log.LastIndex(), 4u);
}

TEST(RaftLogTest, StableToMovesEntriesOut) {
  MemoryLogStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(Ents(1, {1, 1}));
  ASSERT_TRUE(s.Append(log.UnstableEntries()).ok());
  log.StableTo(2, 5);  // wrong term: ignored
  EXPECT_EQ(log.UnstableEntries().size(), 2u);
  log.StableTo(2, 1);
  EXPECT_TRUE(log.UnstableEntries().empty());
  EXPECT_EQ(log.LastIndex(), 2u);
}

TEST(RaftLogTest, FindConflictByTerm) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1, 3, 3, 5, 5})).ok());
  RaftLog log(&s, kNoLimit);
  EXPECT_EQ(log.FindConflictByTerm(6, 5), 6u);
  EXPECT_EQ(log.FindConflictByTerm(6, 4), 4u);
  EXPECT_EQ(log.FindConflictByTerm(6, 2), 2u);
  EXPECT_EQ(log.FindConflictByTerm(6, 0), 0u);
  EXPECT_EQ(log.FindConflictByTerm(9, 0), 9u);  // beyond the log
}

TEST(RaftLogTest, CommittedEntriesAcrossStableAndUnstable) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1})).ok());
  RaftLog log(&s, kNoLimit);
  log.Append(Ents(3, {2, 2}));
  EXPECT_FALSE(log.HasNextCommittedEntries());
  log.CommitTo(3);
  EXPECT_EQ(log.NextCommittedEntries(), Ents(1, {1, 1, 2}));
  log.AppliedTo(2);
  EXPECT_EQ(log.NextCommittedEntries(), Ents(3, {2}));
  EXPECT_TRUE(log.MaybeCommit(4, 2));
  EXPECT_FALSE(log.MaybeCommit(4, 2));
  EXPECT_EQ(log.committed(), 4u);
}

TEST(RaftLogTest, MaybeCommitRequiresTermMatch) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 2})).ok());
  RaftLog log(&s, kNoLimit);
  EXPECT_FALSE(log.MaybeCommit(2, 3));
  EXPECT_TRUE(log.MaybeCommit(2, 2));
}

TEST(RaftLogTest, RestoreSnapshot) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1})).ok());
  RaftLog log(&s, kNoLimit);
  Snapshot snap;
  snap.metadata.index = 10;
  snap.metadata.term = 3;
  log.Restore(snap);
  EXPECT_EQ(log.FirstIndex(), 11u);
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(log.LastTerm(), 3u);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_TRUE(IsCompacted(log.Term(5).status()));
  EXPECT_FALSE(log.HasNextCommittedEntries());
  log.Append(Ents(11, {3}));
  EXPECT_EQ(log.LastIndex(), 11u);
}

TEST(RaftLogTest, SliceSpansStorageAndUnstableWithSizeLimit) {
  MemoryLogStorage s;
  ASSERT_TRUE(s.Append(Ents(1, {1, 1, 1})).ok());
  RaftLog log(&s, kNoLimit);
  log.Append(Ents(4, {2, 2}));
  EXPECT_EQ(log.Slice(2, 6, kNoLimit)->size(), 4u);
  const uint64_t one = EntrySize(Entry{});
  EXPECT_EQ(log.Slice(2, 6, 3 * one)->size(), 3u);
  EXPECT_EQ(log.Slice(2, 6, 0)->size(), 1u);
  EXPECT_EQ(log.EntriesFrom(6, kNoLimit)->size(), 0u);
}

}  // namespace
}  // namespace cairn::raft
