// The unicode tokenizer's rules (io/tokenizer.hpp) as examples: NFKC and case folding from
// utf8proc, letters, marks and digits of any script, apostrophes inside words, "<br />" and
// invalid bytes as separators; and the tokenizer names stored in files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/tokenizer.hpp"
#include "io/vocabulary.hpp"

namespace rnnsent {
namespace {

using Tokens = std::vector<std::string>;

Tokens tok(std::string_view text) {
  Tokens out;
  tokenize(text, out, TokenizerKind::unicode);
  return out;
}

TEST(UnicodeTokenizer, KeepsAccentedLettersWhereAsciiSplitsThem) {
  EXPECT_EQ(tok("Café NAÏVE"), (Tokens{"café", "naïve"}));
  Tokens ascii;
  tokenize("Café NAÏVE", ascii);
  EXPECT_EQ(ascii, (Tokens{"caf", "na", "ve"}));
}

TEST(UnicodeTokenizer, NormalisesCompatibilityFormsAndFoldsCase) {
  EXPECT_EQ(tok("\xEF\xAC\x81lm"), (Tokens{"film"}));                     // U+FB01 ligature
  EXPECT_EQ(tok("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3"), (Tokens{"abc"}));  // fullwidth ABC
  EXPECT_EQ(tok("Straße STRASSE"), (Tokens{"strasse", "strasse"}));       // ß folds to ss
  EXPECT_EQ(tok("e\xCC\x81t\xC3\xA9"), (Tokens{"été"}));                   // e + U+0301 composes
}

TEST(UnicodeTokenizer, LettersAndDigitsOfAnyScript) {
  EXPECT_EQ(tok("Привет, мир!"), (Tokens{"привет", "мир"}));
  EXPECT_EQ(tok("映画は最高"), (Tokens{"映画は最高"}));  // no spaces: one run of letters
  EXPECT_EQ(tok("route 66, \xD9\xA3 stars"), (Tokens{"route", "66", "\xD9\xA3", "stars"}));
}

TEST(UnicodeTokenizer, ApostrophesOnlyInsideWords) {
  EXPECT_EQ(tok("don't 'quoted' rock\xE2\x80\x99n\xE2\x80\x99roll it''s"),
            (Tokens{"don't", "quoted", "rock'n'roll", "it", "s"}));
}

TEST(UnicodeTokenizer, BreakTagsAndInvalidBytesSeparate) {
  EXPECT_EQ(tok("good<br />BAD<BR />ugly"), (Tokens{"good", "bad", "ugly"}));
  EXPECT_EQ(tok("ab\xFF" "cd\xC3"), (Tokens{"ab", "cd"}));
  EXPECT_TRUE(tok("").empty());
  EXPECT_TRUE(tok("... !!! ---").empty());
}

TEST(UnicodeTokenizer, EncodeTextLooksWordsUpWithTheChosenTokenizer) {
  const Vocabulary vocab({"café", "great"}, {5, 4});
  // café is rank 1 (id 4), great rank 2 (id 5); ascii splits café into caf + unknown bytes.
  EXPECT_EQ(encode_text("CAFÉ great", vocab, 0, TokenizerKind::unicode),
            (std::vector<std::int32_t>{1, 4, 5}));
  EXPECT_EQ(encode_text("CAFÉ great", vocab, 0, TokenizerKind::ascii),
            (std::vector<std::int32_t>{1, 2, 5}));
}

TEST(UnicodeTokenizer, NamesRoundTripAndUnknownOnesAreRefused) {
  for (TokenizerKind kind : {TokenizerKind::ascii, TokenizerKind::unicode})
    EXPECT_EQ(tokenizer_from_name(tokenizer_name(kind)), kind);
  EXPECT_EQ(tokenizer_name(TokenizerKind::ascii), kTokenizerName);
  EXPECT_THROW(tokenizer_from_name("bpe_v9"), std::runtime_error);
  EXPECT_EQ(parse_tokenizer_option("unicode"), TokenizerKind::unicode);
  EXPECT_THROW(parse_tokenizer_option("utf8"), std::invalid_argument);
}

}  // namespace
}  // namespace rnnsent
