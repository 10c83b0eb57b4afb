// pad_sequence against hand-computed Keras pad_sequences rows: 'pre' keeps the last maxlen
// ids and pads at the front, 'post' keeps the first and pads at the end; ids >= num_words
// become the OOV id.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "io/sequences.hpp"
#include "io/vocabulary.hpp"

namespace rnnsent {
namespace {

using Row = std::vector<std::int32_t>;

Row pad(const Row& ids, int maxlen, Padding padding, std::int32_t num_words = 0) {
  Row out(std::size_t(maxlen > 0 ? maxlen : 0), -7);  // -7: catches unwritten cells
  pad_sequence(ids.data(), ids.size(), maxlen, padding, num_words, out.data());
  return out;
}

TEST(PadSequence, PrePadsAtTheFront) {
  EXPECT_EQ(pad({1, 5, 6}, 5, Padding::pre), (Row{0, 0, 1, 5, 6}));
}

TEST(PadSequence, PostPadsAtTheEnd) {
  EXPECT_EQ(pad({1, 5, 6}, 5, Padding::post), (Row{1, 5, 6, 0, 0}));
}

TEST(PadSequence, PreTruncationKeepsTheLastIds) {
  EXPECT_EQ(pad({1, 4, 5, 6, 7, 8}, 3, Padding::pre), (Row{6, 7, 8}));
}

TEST(PadSequence, PostTruncationKeepsTheFirstIds) {
  EXPECT_EQ(pad({1, 4, 5, 6, 7, 8}, 3, Padding::post), (Row{1, 4, 5}));
}

TEST(PadSequence, ExactLengthIsCopied) {
  EXPECT_EQ(pad({1, 4, 5}, 3, Padding::pre), (Row{1, 4, 5}));
  EXPECT_EQ(pad({1, 4, 5}, 3, Padding::post), (Row{1, 4, 5}));
}

TEST(PadSequence, EmptyInputIsAllPadding) {
  EXPECT_EQ(pad({}, 4, Padding::pre), (Row{0, 0, 0, 0}));
  EXPECT_EQ(pad({}, 4, Padding::post), (Row{0, 0, 0, 0}));
}

TEST(PadSequence, ClampsIdsAtOrAboveNumWords) {
  EXPECT_EQ(pad({1, 9, 10, 11, 4}, 6, Padding::pre, 10), (Row{0, 1, 9, kOovId, kOovId, 4}));
  EXPECT_EQ(pad({1, 9, 10, 11, 4}, 3, Padding::post, 10), (Row{1, 9, kOovId}));
  EXPECT_EQ(pad({1, 9, 10, 11, 4}, 5, Padding::post, 0), (Row{1, 9, 10, 11, 4}));
}

TEST(PadSequence, ZeroMaxlenWritesNothing) {
  const Row ids{1, 2, 3};
  std::int32_t sentinel = -7;
  pad_sequence(ids.data(), ids.size(), 0, Padding::pre, 0, &sentinel);
  EXPECT_EQ(sentinel, -7);
}

TEST(PadSequence, ParsesAndNamesPadding) {
  EXPECT_EQ(parse_padding("pre"), Padding::pre);
  EXPECT_EQ(parse_padding("post"), Padding::post);
  EXPECT_EQ(padding_name(Padding::pre), "pre");
  EXPECT_EQ(padding_name(Padding::post), "post");
}

TEST(PadSequence, ParsePaddingErrorNamesTheValue) {
  try {
    parse_padding("Pre ");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'Pre '"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rnnsent
