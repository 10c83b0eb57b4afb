// Vocabulary ranking and lookup: count order, byte-order ties, id = rank + 3, OOV, the
// num_words clamp and the start id of encode_text.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "io/vocabulary.hpp"

namespace rnnsent {
namespace {

TEST(Vocabulary, RanksByCountDescending) {
  const Vocabulary v = Vocabulary::from_counts({{"rare", 1}, {"the", 10}, {"movie", 4}});
  EXPECT_EQ(v.words(), (std::vector<std::string>{"the", "movie", "rare"}));
  EXPECT_EQ(v.counts(), (std::vector<std::int64_t>{10, 4, 1}));
}

TEST(Vocabulary, BreaksTiesByWordBytes) {
  // Same count: byte order, unsigned, so a UTF-8 lead byte (0xc3) sorts after 'z' and a
  // shorter prefix before its extensions. Insertion order must not matter.
  const Vocabulary v = Vocabulary::from_counts({{"zoo", 3},
                                                {"\xc3\xa9t\xc3\xa9", 3},
                                                {"ab", 3},
                                                {"a", 3},
                                                {"'em", 3},
                                                {"9", 3},
                                                {"top", 5}});
  EXPECT_EQ(v.words(),
            (std::vector<std::string>{"top", "'em", "9", "a", "ab", "zoo", "\xc3\xa9t\xc3\xa9"}));
}

TEST(Vocabulary, IdIsRankPlusThree) {
  const Vocabulary v({"the", "and", "film"}, {9, 8, 7});
  EXPECT_EQ(v.id_of("the"), 4);
  EXPECT_EQ(v.id_of("and"), 5);
  EXPECT_EQ(v.id_of("film"), 6);
  EXPECT_EQ(kIndexFrom, 3);
}

TEST(Vocabulary, UnknownWordIsOov) {
  const Vocabulary v({"the"}, {1});
  EXPECT_EQ(v.id_of("unseen"), kOovId);
  EXPECT_EQ(v.id_of(""), kOovId);
  EXPECT_EQ(v.id_of("The"), kOovId);  // lookups are exact; tokens arrive lowercased
}

TEST(Vocabulary, NumWordsClampsIdsAtOrAboveLimit) {
  const Vocabulary v({"the", "and", "film"}, {9, 8, 7});  // ids 4, 5, 6
  EXPECT_EQ(v.id_of("and", 6), 5);
  EXPECT_EQ(v.id_of("film", 6), kOovId);  // id 6 is not < num_words
  EXPECT_EQ(v.id_of("film", 7), 6);
  EXPECT_EQ(v.id_of("film", 0), 6);   // 0: no limit
  EXPECT_EQ(v.id_of("film", -1), 6);  // negative: no limit
}

TEST(Vocabulary, EncodeTextStartsWithStartId) {
  const Vocabulary v({"the", "movie", "great"}, {9, 8, 7});  // 4, 5, 6
  EXPECT_EQ(encode_text("The movie was GREAT!<br />", v),
            (std::vector<std::int32_t>{kStartId, 4, 5, kOovId, 6}));
  EXPECT_EQ(encode_text("The movie was GREAT", v, 6),
            (std::vector<std::int32_t>{kStartId, 4, 5, kOovId, kOovId}));
  EXPECT_EQ(encode_text("", v), (std::vector<std::int32_t>{kStartId}));
}

TEST(Vocabulary, RejectsMismatchedSizes) {
  try {
    Vocabulary({"a", "b"}, {1});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("2 words but 1 counts"), std::string::npos) << e.what();
  }
}

TEST(Vocabulary, RejectsDuplicateWords) {
  try {
    Vocabulary({"a", "b", "a"}, {3, 2, 1});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("duplicate word 'a' at rank 3"), std::string::npos)
        << e.what();
  }
}

TEST(Vocabulary, EmptyVocabularyMapsEverythingToOov) {
  const Vocabulary v;
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(encode_text("any words", v), (std::vector<std::int32_t>{kStartId, kOovId, kOovId}));
}

}  // namespace
}  // namespace rnnsent
