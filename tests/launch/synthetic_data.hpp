// A small learnable dataset made in the test: positive reviews mostly use "good" words,
// negative ones "bad" words, among neutral filler. Written as a real prepared-dataset file so
// the trainer is exercised exactly as on IMDB, in a second.
#pragma once

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "io/config.hpp"
#include "io/dataset_file.hpp"

namespace rnnsent::testing_support {

inline EncodedSplit synthetic_split(std::size_t n, std::uint64_t seed, int vocab_ids) {
  std::mt19937_64 rng(seed);
  EncodedSplit s;
  s.offsets.push_back(0);
  for (std::size_t i = 0; i < n; ++i) {
    const bool positive = i % 2 == 0;
    const int length = 8 + int(rng() % 20);
    s.tokens.push_back(kStartId);
    for (int t = 0; t < length; ++t) {
      const int r = int(rng() % 10);
      int id;
      if (r < 2)
        id = positive ? 4 : 5;  // the sentiment-bearing words
      else
        id = 6 + int(rng() % std::uint64_t(vocab_ids - 6));
      s.tokens.push_back(id);
    }
    s.offsets.push_back(std::int64_t(s.tokens.size()));
    s.labels.push_back(positive ? 1 : 0);
    s.ratings.push_back(positive ? 9 : 2);
    s.review_ids.push_back(std::int32_t(i));
  }
  return s;
}

// The words are "w1".."w36" (ids 4..39), but for the ranks renamed: {rank, word}.
inline void write_synthetic_dataset(const std::string& path, std::size_t n_train,
                                    std::size_t n_test,
                                    const std::vector<std::pair<int, std::string>>& renamed = {}) {
  const int vocab_ids = 40;
  std::vector<std::string> words;
  std::vector<std::int64_t> counts;
  for (int r = 1; r <= vocab_ids - kIndexFrom - 1; ++r) {
    words.push_back("w" + std::to_string(r));
    counts.push_back(1000 - r);
  }
  for (const auto& [rank, word] : renamed) words[std::size_t(rank - 1)] = word;
  PreparedDataset d;
  d.vocabulary = Vocabulary(words, counts);
  d.tokenizer = "ascii_alnum_apostrophe_v1";
  d.train = synthetic_split(n_train, 11, vocab_ids);
  d.test = synthetic_split(n_test, 12, vocab_ids);
  write_dataset(path, d);
}

// A tiny model on the synthetic dataset at dir/data.h5, writing to dir/run: one thread, a
// learning rate that makes progress in a few 16-review steps, epochs and patience as given.
inline TrainConfig small_train_config(const std::string& dir, int epochs) {
  TrainConfig c;
  c.data = dir + "/data.h5";
  c.output_dir = dir + "/run";
  c.num_words = 40;
  c.maxlen = 24;
  c.embedding_dim = 8;
  c.units = 6;
  c.batch_size = 16;
  c.epochs = epochs;
  c.patience = epochs;
  c.learning_rate = 0.01;
  c.threads = 1;
  return c;
}

}  // namespace rnnsent::testing_support
