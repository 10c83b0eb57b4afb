// load_model's checks of a negation model (launch/lib/model_io.cpp): a scope out of range, a
// scope without buckets, or another negator rule is refused naming the file; a good one loads
// with the negators of its own words.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/param_layout.hpp"
#include "io/model_file.hpp"
#include "io/vocabulary.hpp"
#include "launch/lib/model_io.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

ModelFile negation_model() {
  ModelShape shape;
  shape.num_words = 12;
  shape.embedding_dim = 2;
  shape.units = 2;
  shape.bigram_buckets = 5;
  shape.negation_scope = 3;
  const std::vector<float> params(make_layout(shape).total(), 0.25f);
  const Vocabulary vocab({"the", "not", "film", "never", "good"}, {9, 8, 7, 6, 5});
  TrainConfig config;
  config.maxlen = 20;
  return pack_model(shape, params.data(), vocab, {"ascii_alnum_apostrophe_v1", ""}, config,
                    {1, 0.5, 0.5});
}

std::string load_error(const ModelFile& m, const std::string& name) {
  const std::string path = (testing_support::fresh_dir("model_io") / name).string();
  write_model(path, m);
  try {
    load_model(path);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    return what;
  }
  return "";
}

TEST(ModelIoTest, NegationModelLoadsWithItsOwnNegators) {
  const ModelFile m = negation_model();
  EXPECT_EQ(m.negator_rule, "negators_v1");
  const std::string path = (testing_support::fresh_dir("model_io") / "good.h5").string();
  write_model(path, m);
  const LoadedModel loaded = load_model(path);
  EXPECT_EQ(loaded.shape.negation_scope, 3);
  EXPECT_EQ(loaded.shape.negators, (std::vector<std::int32_t>{5, 7}));  // not, never
}

TEST(ModelIoTest, ImplausibleNegationIsRefusedNamingTheFile) {
  ModelFile m = negation_model();
  m.negation_scope = 11;
  EXPECT_NE(load_error(m, "scope.h5").find("negation_scope 11"), std::string::npos);
  m = negation_model();
  m.bigram_buckets = 0;
  EXPECT_NE(load_error(m, "buckets.h5").find("only with bigram_buckets > 0"), std::string::npos);
  m = negation_model();
  m.negator_rule = "negators_v9";
  EXPECT_NE(load_error(m, "rule.h5").find("negator_rule 'negators_v9'"), std::string::npos);
}

}  // namespace
}  // namespace rnnsent
