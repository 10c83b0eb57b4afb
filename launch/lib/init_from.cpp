// Starting weights from a saved model; see init_from.hpp.
#include "launch/lib/init_from.hpp"

#include <algorithm>
#include <stdexcept>

#include "launch/lib/model_io.hpp"

namespace rnnsent {
namespace {

void same(const std::string& path, const char* key, const std::string& theirs,
          const std::string& ours) {
  if (theirs != ours)
    throw std::runtime_error(path + ": --init_from needs the same " + key + ": the model has " +
                             key + " = " + theirs + ", this run " + ours);
}

std::string flag(bool b) { return b ? "true" : "false"; }

}  // namespace

std::vector<float> init_weights_from(const std::string& path, const ModelShape& shape,
                                     const Vocabulary& vocabulary) {
  const LoadedModel m = load_model(path);
  const ModelShape& t = m.shape;
  same(path, "num_words", std::to_string(t.num_words), std::to_string(shape.num_words));
  same(path, "cell", cell_name(t.cell), cell_name(shape.cell));
  same(path, "embedding_dim", std::to_string(t.embedding_dim), std::to_string(shape.embedding_dim));
  same(path, "units", std::to_string(t.units), std::to_string(shape.units));
  same(path, "bidirectional", flag(t.bidirectional), flag(shape.bidirectional));
  same(path, "layers", std::to_string(t.layers), std::to_string(shape.layers));
  same(path, "pooling", pooling_name(t.pooling), pooling_name(shape.pooling));
  same(path, "bigram_buckets", std::to_string(t.bigram_buckets),
       std::to_string(shape.bigram_buckets));
  same(path, "negation_scope", std::to_string(t.negation_scope),
       std::to_string(shape.negation_scope));
  // Every id below num_words must name the same word, or its embedding row belongs to another.
  const std::vector<std::string>& ours = vocabulary.words();
  const std::size_t kept =
      std::min<std::size_t>(ours.size(), std::size_t(shape.num_words - kIndexFrom - 1));
  if (m.words.size() != kept)
    throw std::runtime_error(path + ": --init_from needs the same vocabulary: the model keeps " +
                             std::to_string(m.words.size()) + " words, this dataset " +
                             std::to_string(kept));
  for (std::size_t r = 0; r < kept; ++r)
    if (m.words[r] != ours[r])
      throw std::runtime_error(path + ": --init_from needs the same vocabulary: id " +
                               std::to_string(r + kIndexFrom + 1) + " is '" + m.words[r] +
                               "' in the model and '" + ours[r] + "' in this dataset");
  return m.params;
}

}  // namespace rnnsent
