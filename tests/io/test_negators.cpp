// The negator rule (io/negators.hpp) and its ids in a vocabulary.
#include <gtest/gtest.h>

#include "io/negators.hpp"
#include "io/vocabulary.hpp"

namespace rnnsent {
namespace {

TEST(Negators, RuleCoversWordsAndContractions) {
  for (const char* w :
       {"not", "never", "no", "nothing", "didn't", "isn't", "won't", "didnt", "dont"})
    EXPECT_TRUE(is_negator(w)) << w;
  for (const char* w : {"note", "known", "now", "good", "n't", "nt", "nothingness", "didn"})
    EXPECT_FALSE(is_negator(w)) << w;
}

// The ids are the vocabulary's own (rank + 3) and stop at num_words.
TEST(Negators, IdsFollowTheVocabularyAndNumWords) {
  const Vocabulary vocab({"the", "not", "good", "didn't", "film", "never"}, {9, 8, 7, 6, 5, 4});
  EXPECT_EQ(
      negator_ids(vocab.words(), 100),
      (std::vector<std::int32_t>{vocab.id_of("not"), vocab.id_of("didn't"), vocab.id_of("never")}));
  EXPECT_EQ(negator_ids(vocab.words(), vocab.id_of("never")),
            (std::vector<std::int32_t>{vocab.id_of("not"), vocab.id_of("didn't")}));
}

}  // namespace
}  // namespace rnnsent
