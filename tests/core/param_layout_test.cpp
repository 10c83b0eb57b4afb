// The slot table: contiguous offsets, totals, lookups that fail with the name, the model's
// Keras-named layout and the cell-name round trip.
#include "core/param_layout.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/model_shape.hpp"

namespace rnnsent {
namespace {

TEST(ParamLayout, OffsetsAreContiguousAndTotalIsSum) {
  ParamLayout layout;
  EXPECT_EQ(layout.add("a", {3, 4}), 0u);
  EXPECT_EQ(layout.add("b", {5}), 12u);
  EXPECT_EQ(layout.add("c", {2, 1, 3}), 17u);
  EXPECT_EQ(layout.total(), 23u);
  ASSERT_EQ(layout.slots().size(), 3u);
  EXPECT_EQ(layout.slot("b").offset, 12u);
  EXPECT_EQ(layout.slot("c").size(), 6u);
}

TEST(ParamLayout, MissingSlotThrowsWithName) {
  ParamLayout layout;
  layout.add("dense/kernel", {4, 1});
  try {
    layout.slot("dense/bias");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dense/bias"), std::string::npos) << e.what();
  }
}

TEST(ParamLayout, DuplicateNameThrows) {
  ParamLayout layout;
  layout.add("x", {1});
  EXPECT_THROW(layout.add("x", {2}), std::runtime_error);
}

TEST(ModelShape, LayoutFollowsKerasNamesAndOrder) {
  ModelShape shape;
  shape.num_words = 11;
  shape.embedding_dim = 4;
  shape.units = 3;
  const ParamLayout layout = make_layout(shape);
  ASSERT_EQ(layout.slots().size(), 6u);
  const char* names[] = {"embedding/embeddings", "simple_rnn/kernel", "simple_rnn/recurrent_kernel",
                         "simple_rnn/bias",      "dense/kernel",      "dense/bias"};
  const std::size_t sizes[] = {44, 12, 9, 3, 3, 1};
  std::size_t offset = 0;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(layout.slots()[i].name, names[i]);
    EXPECT_EQ(layout.slots()[i].offset, offset);
    EXPECT_EQ(layout.slots()[i].size(), sizes[i]);
    offset += sizes[i];
  }
  EXPECT_EQ(layout.total(), 72u);
  EXPECT_EQ(layout.slot("simple_rnn/kernel").shape, (std::vector<std::size_t>{4, 3}));
  const ParamOffsets off = resolve_offsets(layout, shape);
  EXPECT_EQ(off.embedding, 0u);
  EXPECT_EQ(off.rnn.at(0).kernel, 44u);
  EXPECT_EQ(off.rnn.at(0).recurrent_kernel, 56u);
  EXPECT_EQ(off.rnn.at(0).bias, 65u);
  EXPECT_EQ(off.dense_kernel, 68u);
  EXPECT_EQ(off.dense_bias, 71u);
}

TEST(ModelShape, CellNamesRoundTripAndUnknownNameThrows) {
  EXPECT_EQ(cell_name(CellKind::simple_rnn), "simple_rnn");
  EXPECT_EQ(parse_cell("simple_rnn"), CellKind::simple_rnn);
  EXPECT_EQ(gate_count(CellKind::simple_rnn), 1);
  try {
    parse_cell("lstmm");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lstmm"), std::string::npos) << e.what();
  }
}

TEST(ModelShape, RejectsNonPositiveDimensions) {
  ModelShape shape;
  shape.units = 0;
  EXPECT_THROW(make_layout(shape), std::runtime_error);
}

}  // namespace
}  // namespace rnnsent
