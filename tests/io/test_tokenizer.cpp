// Tokenizer rules (docs/DATA.md) as executable examples: case, "<br />", apostrophes, digits,
// punctuation, UTF-8 and invalid bytes, empty input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/tokenizer.hpp"

namespace rnnsent {
namespace {

using Tokens = std::vector<std::string>;

Tokens tok(std::string_view text) {
  Tokens out;
  tokenize(text, out);
  return out;
}

TEST(Tokenizer, LowercasesAsciiLetters) {
  EXPECT_EQ(tok("The MOVIE was GrEaT"), (Tokens{"the", "movie", "was", "great"}));
}

TEST(Tokenizer, BreakTagBecomesSpace) {
  EXPECT_EQ(tok("end.<br /><br />Start"), (Tokens{"end", "start"}));
  EXPECT_EQ(tok("word<br />word"), (Tokens{"word", "word"}));
  // Case-insensitive, as the PyTorch peer lowercases before replacing.
  EXPECT_EQ(tok("a<BR />b<Br />c"), (Tokens{"a", "b", "c"}));
}

TEST(Tokenizer, OtherTagsAreNotSpecial) {
  // Only the exact "<br />" is removed; "<br>" and "<b>" keep their letters as tokens.
  EXPECT_EQ(tok("a<br>b"), (Tokens{"a", "br", "b"}));
  EXPECT_EQ(tok("<b>bold</b>"), (Tokens{"b", "bold", "b"}));
  EXPECT_EQ(tok("x<br /"), (Tokens{"x", "br"}));  // truncated tag at the end
}

TEST(Tokenizer, KeepsApostrophesInsideAndAroundTokens) {
  EXPECT_EQ(tok("Don't stop 'til it's"), (Tokens{"don't", "stop", "'til", "it's"}));
  EXPECT_EQ(tok("''"), (Tokens{"''"}));
}

TEST(Tokenizer, DigitsAreTokenCharacters) {
  EXPECT_EQ(tok("10/10, 2nd time in 1999!"), (Tokens{"10", "10", "2nd", "time", "in", "1999"}));
}

TEST(Tokenizer, PunctuationAndWhitespaceSeparate) {
  EXPECT_EQ(tok("well-made;\tfun\n(really)...\"yes\""),
            (Tokens{"well", "made", "fun", "really", "yes"}));
}

TEST(Tokenizer, NonAsciiBytesSeparate) {
  // "café" and "naïve" in UTF-8: the multi-byte letters split the word.
  EXPECT_EQ(tok("caf\xc3\xa9 na\xc3\xafve"), (Tokens{"caf", "na", "ve"}));
  // Invalid UTF-8 (lone continuation, truncated sequence, 0xff) is just more separators.
  EXPECT_EQ(tok("a\x80\xff"
                "b\xe2\x82"),
            (Tokens{"a", "b"}));
  // NUL bytes inside the view separate too.
  EXPECT_EQ(tok(std::string_view("x\0y", 3)), (Tokens{"x", "y"}));
}

TEST(Tokenizer, EmptyAndSeparatorOnlyInputs) {
  EXPECT_TRUE(tok("").empty());
  EXPECT_TRUE(tok("  ...  <br /> !?").empty());
}

TEST(Tokenizer, LongUppercaseTokenUsesHeapBuffer) {
  const std::string upper(200, 'A');
  EXPECT_EQ(tok(upper + " x"), (Tokens{std::string(200, 'a'), "x"}));
}

TEST(Tokenizer, AppendsWithoutClearing) {
  Tokens out{"kept"};
  tokenize("New", out);
  EXPECT_EQ(out, (Tokens{"kept", "new"}));
}

TEST(Tokenizer, ForEachTokenMatchesTokenize) {
  const std::string text = "It's A <br />Mixed-CASE review, 10/10\xe2\x80\x94would WATCH again";
  Tokens seen;
  for_each_token(text, [&](std::string_view t) { seen.emplace_back(t); });
  EXPECT_EQ(seen, tok(text));
  EXPECT_EQ(seen.size(), 10u);
}

}  // namespace
}  // namespace rnnsent
