// The prepared dataset file (HDF5): per split the token ids as a flat array plus offsets,
// labels, star ratings and review ids; the training vocabulary with counts; the tokenizer
// settings and a format version. Written once by rnnsent_prepare; padding, truncation and
// the num_words limit are applied when training loads it, so one file serves every setting.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/imdb_reader.hpp"
#include "io/tokenizer.hpp"
#include "io/vocabulary.hpp"

namespace rnnsent {

inline constexpr int kDatasetFormatVersion = 1;

struct EncodedSplit {
  std::vector<std::int32_t> tokens;  // all reviews' ids back to back, each starting with kStartId
  std::vector<std::int64_t>
      offsets;  // size() + 1 entries; review i is tokens[offsets[i], offsets[i+1])
  std::vector<std::uint8_t> labels;   // 1 = positive
  std::vector<std::uint8_t> ratings;  // 1..10
  std::vector<std::int32_t> review_ids;
  std::size_t size() const { return labels.size(); }
  std::size_t length(std::size_t i) const { return std::size_t(offsets[i + 1] - offsets[i]); }
  const std::int32_t* review(std::size_t i) const { return tokens.data() + offsets[i]; }
};

struct PreparedDataset {
  EncodedSplit train;
  EncodedSplit test;
  Vocabulary vocabulary;
  std::string tokenizer = "";  // kTokenizerName at preparation
  int format_version = kDatasetFormatVersion;
};

// Reads DIR (official layout), tokenizes, builds the vocabulary from the training split and
// encodes both splits with unlimited vocabulary.
PreparedDataset prepare_imdb(const std::string& imdb_dir,
                             TokenizerKind tokenizer = TokenizerKind::ascii);

// The same from reviews already read (labelled_text.hpp); test may be empty.
PreparedDataset prepare_reviews(const std::vector<RawReview>& train,
                                const std::vector<RawReview>& test,
                                TokenizerKind tokenizer = TokenizerKind::ascii);

// Writes to path.tmp and renames, so an interrupted write never leaves a half file at path.
void write_dataset(const std::string& path, const PreparedDataset& data);

// Throws std::runtime_error with the path and the problem (missing, not HDF5, truncated,
// missing dataset, other format version, inconsistent offsets or ids) on bad files.
PreparedDataset read_dataset(const std::string& path);

// Random access to a prepared file for data-parallel training: opening reads and checks only
// the header and the per-review metadata (offsets, labels); read() then fetches the token ids of
// just the reviews a rank needs. Many ranks may hold the same file open read-only.
class DatasetReader {
 public:
  explicit DatasetReader(const std::string& path);
  const std::string& path() const { return path_; }
  // "train" or "test": number of reviews and their labels (1 = positive).
  std::size_t size(const std::string& split) const;
  const std::vector<std::uint8_t>& labels(const std::string& split) const;
  // The reviews at indices, in that order (tokens, offsets, labels, ratings, review ids),
  // read with one HDF5 read per run of consecutive indices; ids are checked like read_dataset.
  EncodedSplit read(const std::string& split, const std::vector<std::uint32_t>& indices) const;
  // The training vocabulary (read on first use: only the rank that writes models needs it).
  const Vocabulary& vocabulary() const;
  // Its number of words, known from opening (every rank; num_words = all resolves with it).
  std::size_t vocabulary_size() const { return std::size_t(vocab_size_); }
  // The tokenizer name the file was prepared with (the model stores it for prediction).
  const std::string& tokenizer() const { return tokenizer_; }
  // 16 hex digits over the tokenizer, vocabulary counts and every review's metadata: equal
  // for copies of one file, different for another preparation or other data. Checkpoints and
  // models store it so a resume on another dataset is refused.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  struct SplitMeta {
    std::vector<std::int64_t> offsets;
    std::vector<std::uint8_t> labels, ratings;
    std::vector<std::int32_t> review_ids;
  };
  const SplitMeta& meta(const std::string& split) const;
  std::string path_, tokenizer_, fingerprint_;
  std::int64_t vocab_size_ = 0;
  SplitMeta train_, test_;
  mutable std::unique_ptr<Vocabulary> vocabulary_;
};

}  // namespace rnnsent
