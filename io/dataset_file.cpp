// Preparation, writing and validated reading of the dataset file (dataset_file.hpp).
// Preparation is the only heavy part: files are read in parallel, each thread counts words
// in its own open-addressing table, the tables are merged, and both splits are encoded in
// parallel. Every step's result is independent of the thread count.
#include "io/dataset_file.hpp"

#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string_view>

#include "io/atomic_file.hpp"
#include "io/checksum.hpp"
#include "io/h5_util.hpp"
#include "io/imdb_reader.hpp"
#include "io/tokenizer.hpp"

namespace rnnsent {
namespace {

constexpr const char* kKind = "rnnsent-dataset";

// word -> int64 table keyed by string_view without building a std::string per lookup (C++17's
// unordered_map has no heterogeneous find). Keys live in one arena; slots hold offsets into it.
class WordTable {
 public:
  WordTable() { slots_.resize(1 << 16); }

  // Returns the value of word, inserting 0 first if absent.
  std::int64_t& at(std::string_view word) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const std::size_t h = std::hash<std::string_view>{}(word);
    std::size_t i = h & (slots_.size() - 1);
    while (true) {
      Slot& s = slots_[i];
      if (s.length == 0) {
        s.hash = h;
        s.offset = arena_.size();
        s.length = std::uint32_t(word.size());
        arena_.append(word);
        ++used_;
        return s.value;
      }
      if (s.hash == h && key(s) == word) return s.value;
      i = (i + 1) & (slots_.size() - 1);
    }
  }

  const std::int64_t* find(std::string_view word) const {
    const std::size_t h = std::hash<std::string_view>{}(word);
    std::size_t i = h & (slots_.size() - 1);
    while (true) {
      const Slot& s = slots_[i];
      if (s.length == 0) return nullptr;
      if (s.hash == h && key(s) == word) return &s.value;
      i = (i + 1) & (slots_.size() - 1);
    }
  }

  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.length != 0) fn(key(s), s.value);
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    std::size_t offset = 0;
    std::uint32_t length = 0;  // 0 marks an empty slot (tokens are never empty)
    std::int64_t value = 0;
  };

  std::string_view key(const Slot& s) const { return {arena_.data() + s.offset, s.length}; }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.length == 0) continue;
      std::size_t i = s.hash & (slots_.size() - 1);
      while (slots_[i].length != 0) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t used_ = 0;
};

Vocabulary count_vocabulary(const std::vector<RawReview>& reviews, TokenizerKind tokenizer) {
  const std::int64_t n = std::int64_t(reviews.size());
  const std::size_t threads = std::size_t(omp_get_max_threads());
  std::vector<WordTable> local(threads);
#pragma omp parallel
  {
    WordTable& table = local[std::size_t(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 128)
    for (std::int64_t i = 0; i < n; ++i) {
      for_each_token(tokenizer, reviews[i].text, [&table](std::string_view w) { ++table.at(w); });
    }
  }
  WordTable total = std::move(local[0]);
  for (std::size_t t = 1; t < local.size(); ++t) {
    local[t].for_each([&total](std::string_view w, std::int64_t c) { total.at(w) += c; });
  }
  std::unordered_map<std::string, std::int64_t> counts;
  total.for_each([&counts](std::string_view w, std::int64_t c) { counts.emplace(w, c); });
  return Vocabulary::from_counts(counts);
}

EncodedSplit encode_split(const std::vector<RawReview>& reviews, const WordTable& ids,
                          TokenizerKind tokenizer) {
  const std::int64_t n = std::int64_t(reviews.size());
  EncodedSplit split;
  split.labels.resize(reviews.size());
  split.ratings.resize(reviews.size());
  split.review_ids.resize(reviews.size());
  std::vector<std::vector<std::int32_t>> encoded(reviews.size());
#pragma omp parallel for schedule(dynamic, 128)
  for (std::int64_t i = 0; i < n; ++i) {
    std::vector<std::int32_t>& out = encoded[i];
    out.reserve(reviews[i].text.size() / 4);
    out.push_back(kStartId);
    for_each_token(tokenizer, reviews[i].text, [&](std::string_view w) {
      const std::int64_t* id = ids.find(w);
      out.push_back(id ? std::int32_t(*id) : kOovId);
    });
    split.labels[i] = reviews[i].label;
    split.ratings[i] = reviews[i].rating;
    split.review_ids[i] = reviews[i].id;
  }
  split.offsets.resize(reviews.size() + 1);
  split.offsets[0] = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    split.offsets[i + 1] = split.offsets[i] + std::int64_t(encoded[i].size());
  }
  split.tokens.resize(std::size_t(split.offsets.back()));
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    std::copy(encoded[i].begin(), encoded[i].end(), split.tokens.begin() + split.offsets[i]);
  }
  return split;
}

void write_split(H5::H5File& file, const std::string& name, const EncodedSplit& split) {
  H5::Group g = file.createGroup(name);
  h5::write_vector(g, "tokens", split.tokens);
  h5::write_vector(g, "offsets", split.offsets);
  h5::write_vector(g, "labels", split.labels);
  h5::write_vector(g, "ratings", split.ratings);
  h5::write_vector(g, "review_ids", split.review_ids);
}

H5::Group open_group(const H5::H5File& file, const std::string& path, const std::string& name) {
  if (!h5::has(file, name)) throw std::runtime_error(path + ": missing group '/" + name + "'");
  return file.openGroup(name);
}

// Checks the per-review arrays of a split against each other and the token count.
void check_split_meta(const std::string& where, const std::vector<std::int64_t>& offsets,
                      const std::vector<std::uint8_t>& labels,
                      const std::vector<std::uint8_t>& ratings,
                      const std::vector<std::int32_t>& review_ids, std::int64_t token_count) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(where + what); };
  const std::size_t n = labels.size();
  if (ratings.size() != n || review_ids.size() != n) {
    fail("labels, ratings and review_ids have different lengths (" + std::to_string(n) + ", " +
         std::to_string(ratings.size()) + ", " + std::to_string(review_ids.size()) + ")");
  }
  if (offsets.size() != n + 1) {
    fail("offsets has " + std::to_string(offsets.size()) + " entries, expected " +
         std::to_string(n + 1) + " (reviews + 1)");
  }
  if (offsets[0] != 0) fail("offsets[0] is " + std::to_string(offsets[0]) + ", expected 0");
  for (std::size_t i = 0; i < n; ++i) {
    if (offsets[i + 1] <= offsets[i]) {
      fail("offsets not increasing at review " + std::to_string(i) + " (" +
           std::to_string(offsets[i]) + " then " + std::to_string(offsets[i + 1]) + ")");
    }
    if (labels[i] > 1)
      fail("labels[" + std::to_string(i) + "] is " + std::to_string(int(labels[i])) +
           ", expected 0 or 1");
  }
  if (offsets[n] != token_count) {
    fail("offsets end at " + std::to_string(offsets[n]) + " but tokens has " +
         std::to_string(token_count) + " entries");
  }
}

// Checks one review's ids: it starts with the start id and every id is a known one.
// first_token is its position in the split's token array, for the message.
void check_review_tokens(const std::string& where, std::size_t review, const std::int32_t* ids,
                         std::size_t length, std::int64_t first_token, std::int64_t vocab_size) {
  if (ids[0] != kStartId) {
    throw std::runtime_error(where + "review " + std::to_string(review) +
                             " does not begin with the start id " + std::to_string(kStartId));
  }
  const std::int64_t id_end = vocab_size + kIndexFrom + 1;  // largest id is rank V + 3
  for (std::size_t t = 0; t < length; ++t) {
    if (ids[t] < kStartId || ids[t] >= id_end) {
      throw std::runtime_error(where + "tokens[" + std::to_string(first_token + std::int64_t(t)) +
                               "] = " + std::to_string(ids[t]) + " outside [" +
                               std::to_string(kStartId) + ", " + std::to_string(id_end) +
                               ") for a vocabulary of " + std::to_string(vocab_size) + " words");
    }
  }
}

EncodedSplit read_split(const H5::H5File& file, const std::string& path, const std::string& name,
                        std::int64_t vocab_size) {
  const H5::Group g = open_group(file, path, name);
  EncodedSplit s;
  s.tokens = h5::read_array<std::int32_t>(g, "tokens");
  s.offsets = h5::read_array<std::int64_t>(g, "offsets");
  s.labels = h5::read_array<std::uint8_t>(g, "labels");
  s.ratings = h5::read_array<std::uint8_t>(g, "ratings");
  s.review_ids = h5::read_array<std::int32_t>(g, "review_ids");
  const std::string where = path + ": /" + name + "/";
  check_split_meta(where, s.offsets, s.labels, s.ratings, s.review_ids,
                   std::int64_t(s.tokens.size()));
  for (std::size_t i = 0; i < s.size(); ++i)
    check_review_tokens(where, i, s.review(i), s.length(i), s.offsets[i], vocab_size);
  return s;
}

// Checks kind, format version and id conventions; returns the format version.
std::int64_t check_header(const H5::H5File& file, const std::string& path) {
  if (!h5::has_attr(file, "kind")) {
    throw std::runtime_error(path + ": not an rnnsent dataset (no 'kind' attribute)");
  }
  const std::string kind = h5::get_string_attr(file, "kind");
  if (kind != kKind) {
    throw std::runtime_error(path + ": not an rnnsent dataset (kind '" + kind + "', expected '" +
                             kKind + "')");
  }
  const std::int64_t version = h5::get_int_attr(file, "format_version");
  if (version != kDatasetFormatVersion) {
    throw std::runtime_error(path + ": dataset format version " + std::to_string(version) +
                             ", this build reads " + std::to_string(kDatasetFormatVersion));
  }
  const std::pair<const char*, std::int64_t> conventions[] = {
      {"index_from", kIndexFrom}, {"start_id", kStartId}, {"oov_id", kOovId}, {"pad_id", kPadId}};
  for (const auto& [key, expected] : conventions) {
    const std::int64_t value = h5::get_int_attr(file, key);
    if (value != expected) {
      throw std::runtime_error(path + ": attribute " + key + " = " + std::to_string(value) +
                               ", this build uses " + std::to_string(expected));
    }
  }
  return version;
}

// Number of vocabulary words, from the length of /vocabulary/counts, without reading the words.
std::int64_t vocabulary_size(const H5::H5File& file, const std::string& path) {
  const H5::Group vg = open_group(file, path, "vocabulary");
  if (!h5::has(vg, "counts"))
    throw std::runtime_error(path + ": missing dataset '/vocabulary/counts'");
  hsize_t n = 0;
  H5::DataSpace space = vg.openDataSet("counts").getSpace();
  if (space.getSimpleExtentNdims() != 1)
    throw std::runtime_error(path + ": /vocabulary/counts is not 1-D");
  space.getSimpleExtentDims(&n);
  return std::int64_t(n);
}

}  // namespace

PreparedDataset prepare_imdb(const std::string& imdb_dir, TokenizerKind tokenizer) {
  return prepare_reviews(read_imdb_split(imdb_dir, "train"), read_imdb_split(imdb_dir, "test"),
                         tokenizer);
}

PreparedDataset prepare_reviews(const std::vector<RawReview>& train,
                                const std::vector<RawReview>& test, TokenizerKind tokenizer) {
  PreparedDataset data;
  data.vocabulary = count_vocabulary(train, tokenizer);
  data.tokenizer = tokenizer_name(tokenizer);
  WordTable ids;
  const auto& words = data.vocabulary.words();
  for (std::size_t r = 0; r < words.size(); ++r)
    ids.at(words[r]) = std::int64_t(r) + 1 + kIndexFrom;
  data.train = encode_split(train, ids, tokenizer);
  data.test = encode_split(test, ids, tokenizer);
  return data;
}

void write_dataset(const std::string& path, const PreparedDataset& data) {
  try {
    H5::H5File file = h5::create_in_memory(path);
    h5::set_attr(file, "kind", std::string(kKind));
    h5::set_attr(file, "format_version", std::int64_t{kDatasetFormatVersion});
    h5::set_attr(file, "tokenizer",
                 data.tokenizer.empty() ? std::string(kTokenizerName) : data.tokenizer);
    h5::set_attr(file, "index_from", std::int64_t{kIndexFrom});
    h5::set_attr(file, "start_id", std::int64_t{kStartId});
    h5::set_attr(file, "oov_id", std::int64_t{kOovId});
    h5::set_attr(file, "pad_id", std::int64_t{kPadId});
    write_split(file, "train", data.train);
    write_split(file, "test", data.test);
    H5::Group vocab = file.createGroup("vocabulary");
    h5::write_strings(vocab, "words", data.vocabulary.words());
    h5::write_vector(vocab, "counts", data.vocabulary.counts());
    vocab.close();
    h5::save_atomically(file, path);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot build dataset (" + e.getDetailMsg() + ")");
  }
}

PreparedDataset read_dataset(const std::string& path) {
  H5::H5File file = h5::open_read(path);
  try {
    const std::int64_t version = check_header(file, path);
    PreparedDataset data;
    data.format_version = int(version);
    data.tokenizer = h5::get_string_attr(file, "tokenizer");

    const H5::Group vg = open_group(file, path, "vocabulary");
    std::vector<std::string> words = h5::read_strings(vg, "words");
    std::vector<std::int64_t> counts = h5::read_array<std::int64_t>(vg, "counts");
    try {
      data.vocabulary = Vocabulary(std::move(words), std::move(counts));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(path + ": /vocabulary: " + e.what());
    }
    const std::int64_t v = std::int64_t(data.vocabulary.size());
    data.train = read_split(file, path, "train", v);
    data.test = read_split(file, path, "test", v);
    return data;
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot read dataset (" + e.getDetailMsg() +
                             "); the file may be truncated or damaged");
  }
}

DatasetReader::DatasetReader(const std::string& path) : path_(path) {
  H5::H5File file = h5::open_read(path);
  try {
    check_header(file, path);
    tokenizer_ = h5::get_string_attr(file, "tokenizer");
    vocab_size_ = rnnsent::vocabulary_size(file, path);  // the file-level helper
    if (vocab_size_ == 0)
      throw std::runtime_error(path + ": the vocabulary is empty (no word to learn from)");
    // The fingerprint: tokenizer, the vocabulary's counts and every review's length, label,
    // rating and id - what makes two files the same data without reading every token.
    Fnv1a h;
    h.mix(tokenizer_.data(), tokenizer_.size());
    const std::vector<std::int64_t> counts =
        h5::read_array<std::int64_t>(open_group(file, path, "vocabulary"), "counts");
    h.mix(counts.data(), counts.size() * sizeof(counts[0]));
    for (auto [name, meta] : {std::pair{"train", &train_}, std::pair{"test", &test_}}) {
      const H5::Group g = open_group(file, path, name);
      meta->offsets = h5::read_array<std::int64_t>(g, "offsets");
      meta->labels = h5::read_array<std::uint8_t>(g, "labels");
      meta->ratings = h5::read_array<std::uint8_t>(g, "ratings");
      meta->review_ids = h5::read_array<std::int32_t>(g, "review_ids");
      if (!h5::has(g, "tokens"))
        throw std::runtime_error(path + ": missing dataset '/" + std::string(name) + "/tokens'");
      hsize_t tokens = 0;
      h5::check_integer_dataset(g, "tokens");
      const H5::DataSet tokens_ds = g.openDataSet("tokens");
      H5::DataSpace space = tokens_ds.getSpace();
      if (space.getSimpleExtentNdims() == 1) space.getSimpleExtentDims(&tokens);
      // read() allocates for the runs of reviews it reads: the extent must be really stored.
      h5::check_extent(tokens_ds, tokens, path + ": dataset '/" + std::string(name) + "/tokens'");
      check_split_meta(path + ": /" + name + "/", meta->offsets, meta->labels, meta->ratings,
                       meta->review_ids, std::int64_t(tokens));
      h.mix(meta->offsets.data(), meta->offsets.size() * sizeof(std::int64_t));
      h.mix(meta->labels.data(), meta->labels.size());
      h.mix(meta->ratings.data(), meta->ratings.size());
      h.mix(meta->review_ids.data(), meta->review_ids.size() * sizeof(std::int32_t));
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h.value()));
    fingerprint_ = hex;
  } catch (const H5::Exception& e) {
    throw std::runtime_error(path + ": cannot read dataset (" + e.getDetailMsg() +
                             "); the file may be truncated or damaged");
  }
}

const DatasetReader::SplitMeta& DatasetReader::meta(const std::string& split) const {
  if (split == "train") return train_;
  if (split == "test") return test_;
  throw std::runtime_error(path_ + ": no split '" + split + "' (train or test)");
}

std::size_t DatasetReader::size(const std::string& split) const {
  return meta(split).labels.size();
}

const std::vector<std::uint8_t>& DatasetReader::labels(const std::string& split) const {
  return meta(split).labels;
}

EncodedSplit DatasetReader::read(const std::string& split,
                                 const std::vector<std::uint32_t>& indices) const {
  const SplitMeta& m = meta(split);
  for (std::uint32_t i : indices)
    if (i >= m.labels.size())
      throw std::runtime_error(path_ + ": /" + split + "/ has no review " + std::to_string(i));
  // Read in file order, one HDF5 read per run of consecutive reviews, into a staging buffer.
  std::vector<std::uint32_t> sorted(indices);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::int64_t> staged_at(sorted.size());
  std::vector<std::int32_t> staged;
  const std::string where = path_ + ": /" + split + "/";
  try {
    H5::H5File file = h5::open_read(path_);
    H5::DataSet ds = file.openGroup(split).openDataSet("tokens");
    H5::DataSpace file_space = ds.getSpace();
    for (std::size_t r = 0; r < sorted.size();) {
      std::size_t e = r + 1;
      while (e < sorted.size() && sorted[e] == sorted[e - 1] + 1) ++e;
      const hsize_t start = hsize_t(m.offsets[sorted[r]]);
      const hsize_t count = hsize_t(m.offsets[sorted[e - 1] + 1]) - start;
      for (std::size_t k = r; k < e; ++k)
        staged_at[k] = std::int64_t(staged.size()) + m.offsets[sorted[k]] - std::int64_t(start);
      staged.resize(staged.size() + count);
      file_space.selectHyperslab(H5S_SELECT_SET, &count, &start);
      H5::DataSpace mem_space(1, &count);
      ds.read(staged.data() + staged.size() - count, H5::PredType::NATIVE_INT32, mem_space,
              file_space);
      r = e;
    }
  } catch (const H5::Exception& e) {
    throw std::runtime_error(where + "cannot read tokens (" + e.getDetailMsg() +
                             "); the file may be truncated or damaged");
  }
  EncodedSplit out;
  out.offsets.reserve(indices.size() + 1);
  out.offsets.push_back(0);
  for (std::uint32_t i : indices) {
    const std::size_t k =
        std::size_t(std::lower_bound(sorted.begin(), sorted.end(), i) - sorted.begin());
    const std::size_t length = std::size_t(m.offsets[i + 1] - m.offsets[i]);
    const std::int32_t* ids = staged.data() + staged_at[k];
    check_review_tokens(where, i, ids, length, m.offsets[i], vocab_size_);
    out.tokens.insert(out.tokens.end(), ids, ids + length);
    out.offsets.push_back(std::int64_t(out.tokens.size()));
    out.labels.push_back(m.labels[i]);
    out.ratings.push_back(m.ratings[i]);
    out.review_ids.push_back(m.review_ids[i]);
  }
  return out;
}

const Vocabulary& DatasetReader::vocabulary() const {
  if (!vocabulary_) {
    h5::guard(path_, [&] {
      H5::H5File file = h5::open_read(path_);
      const H5::Group vg = open_group(file, path_, "vocabulary");
      try {
        vocabulary_ = std::make_unique<Vocabulary>(h5::read_strings(vg, "words"),
                                                   h5::read_array<std::int64_t>(vg, "counts"));
      } catch (const std::runtime_error& e) {
        throw std::runtime_error(path_ + ": /vocabulary: " + e.what());
      }
    });
  }
  return *vocabulary_;
}

}  // namespace rnnsent
