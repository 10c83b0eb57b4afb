// Checkpoint averaging (io/model_average): the mean against a plain sum in double, and the
// refusals of models that cannot be averaged, each naming the file and what differs.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "io/model_average.hpp"

namespace rnnsent {
namespace {

ModelFile model_with(float base, int epoch) {
  ModelFile m;
  m.cell = "gru";
  m.num_words = 6;
  m.embedding_dim = 2;
  m.units = 3;
  m.maxlen = 5;
  m.padding = "pre";
  m.tokenizer = "tok";
  m.dataset_fingerprint = "fp";
  m.words = {"the", "film", "x"};
  m.weights = {{"embedding/embeddings", {6, 2}, std::vector<float>(12)},
               {"dense/bias", {1}, {base}}};
  for (std::size_t k = 0; k < 12; ++k) m.weights[0].values[k] = base * float(k) + 0.1f;
  m.config_ini = "seed = " + std::to_string(epoch) + "\n";
  m.epoch = epoch;
  m.val_loss = 0.3;
  m.val_acc = 0.9;
  return m;
}

std::string refusal(const std::vector<ModelFile>& models) {
  try {
    average_models(models, {"a.h5", "b.h5"});
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelAverageTest, MeanOfEveryWeightAgainstAPlainSum) {
  const std::vector<ModelFile> models = {model_with(1.0f, 5), model_with(-0.3f, 7),
                                         model_with(2.5f, 6)};
  const ModelFile mean = average_models(models, {"a.h5", "b.h5", "c.h5"});
  for (std::size_t w = 0; w < mean.weights.size(); ++w)
    for (std::size_t k = 0; k < mean.weights[w].values.size(); ++k) {
      double sum = 0;
      for (const ModelFile& m : models) sum += m.weights[w].values[k];
      EXPECT_FLOAT_EQ(mean.weights[w].values[k], float(sum / 3)) << w << " " << k;
    }
  EXPECT_EQ(mean.epoch, 7);                                            // the newest
  EXPECT_TRUE(std::isnan(mean.val_loss) && std::isnan(mean.val_acc));  // never validated
  EXPECT_EQ(mean.config_ini, models[0].config_ini);
  EXPECT_EQ(mean.words, models[0].words);
}

TEST(ModelAverageTest, OneModelIsItself) {
  const ModelFile m = model_with(0.7f, 3);
  const ModelFile mean = average_models({m}, {"a.h5"});
  EXPECT_EQ(mean.weights[0].values, m.weights[0].values);
}

TEST(ModelAverageTest, RefusesModelsThatDifferNamingTheFileAndWhat) {
  ModelFile other = model_with(1.0f, 2);
  other.units = 4;
  std::string e = refusal({model_with(1.0f, 1), other});
  EXPECT_NE(e.find("b.h5"), std::string::npos) << e;
  EXPECT_NE(e.find("units 4"), std::string::npos) << e;
  other = model_with(1.0f, 2);
  other.words[1] = "movie";
  e = refusal({model_with(1.0f, 1), other});
  EXPECT_NE(e.find("vocabulary"), std::string::npos) << e;
  other = model_with(1.0f, 2);
  other.tokenizer = "unicode";
  e = refusal({model_with(1.0f, 1), other});
  EXPECT_NE(e.find("tokenizer unicode"), std::string::npos) << e;
  other = model_with(1.0f, 2);
  other.weights[1].shape = {1, 1};
  e = refusal({model_with(1.0f, 1), other});
  EXPECT_NE(e.find("'dense/bias'"), std::string::npos) << e;
  other = model_with(1.0f, 2);
  other.dataset_fingerprint = "another";
  e = refusal({model_with(1.0f, 1), other});
  EXPECT_NE(e.find("another dataset"), std::string::npos) << e;
}

}  // namespace
}  // namespace rnnsent
