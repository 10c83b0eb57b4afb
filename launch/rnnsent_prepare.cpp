// rnnsent_prepare: turns the extracted aclImdb tree, or the user's own labelled reviews
// (folders, CSV, TSV, JSON Lines: io/labelled_text.hpp), into the one HDF5 dataset file that
// training and evaluation read (token ids, labels, vocabulary; see docs/DATA.md). Run once;
// padding, truncation and num_words are applied at load time.
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "io/config.hpp"
#include "io/dataset_file.hpp"
#include "io/labelled_text.hpp"
#include "io/tokenizer.hpp"
#include "launch/lib/shuffle.hpp"

namespace po = boost::program_options;

namespace {

// Thrown for command-line mistakes so main can exit 2 rather than 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PrepareOptions {
  std::string imdb_dir;
  std::string train, test, input_format, labels, tokenizer = "ascii";
  double test_split = 0;
  std::uint64_t seed = 1;
  rnnsent::LabelledTextOptions text;
  std::string output;
  bool overwrite = false;
};

po::options_description describe(PrepareOptions& o) {
  po::options_description desc(
      "Usage: rnnsent_prepare --imdb-dir DIR --output FILE.h5 [--overwrite]\n"
      "       rnnsent_prepare --train PATH [--test PATH | --test-split F] [--input-format\n"
      "         folders|csv|tsv|jsonl] [--text-column NAME] [--label-column NAME]\n"
      "         [--labels NEG,POS] [--tokenizer ascii|unicode] --output FILE.h5\n"
      "Tokenizes the aclImdb tree DIR/{train,test}/{pos,neg}/ID_RATING.txt, or your own labelled\n"
      "reviews, builds the vocabulary from the training reviews and writes the dataset file.\n"
      "Options");
  desc.add_options()("help,h", "print this help and exit")("imdb-dir", po::value(&o.imdb_dir),
                                                           "the extracted aclImdb directory")(
      "train", po::value(&o.train), "your training reviews: a folder DIR/<class>/*.txt or a file")(
      "test", po::value(&o.test), "your test reviews, in the same format")(
      "test-split", po::value(&o.test_split),
      "without --test: this fraction of --train, drawn with --seed, becomes the test split")(
      "seed", po::value(&o.seed), "seed of --test-split (default 1)")(
      "input-format", po::value(&o.input_format),
      "folders | csv | tsv | jsonl (default: from the path)")(
      "text-column", po::value(&o.text.text_column), "csv, tsv, jsonl: the text field (text)")(
      "label-column", po::value(&o.text.label_column), "csv, tsv, jsonl: the label field (label)")(
      "tokenizer", po::value(&o.tokenizer),
      "ascii (default; IMDB's and Keras's convention) | unicode (NFKC, case folding, any script)")(
      "labels", po::value(&o.labels),
      "NEG,POS: the two label names (default 0,1; folders: the sorted class folder names)")(
      "output", po::value(&o.output)->required(), "dataset file to write (HDF5)")(
      "overwrite", po::bool_switch(&o.overwrite), "replace an existing output file");
  return desc;
}

// The rules between the flags.
void check_options(PrepareOptions& o, const po::variables_map& vm) {
  if (o.imdb_dir.empty() == o.train.empty())
    throw po::error("give either --imdb-dir DIR or --train PATH");
  try {
    rnnsent::parse_tokenizer_option(o.tokenizer);
  } catch (const std::invalid_argument& e) {
    throw po::error(e.what());
  }
  if (!o.imdb_dir.empty()) {
    for (const char* flag :
         {"test", "test-split", "input-format", "text-column", "label-column", "labels", "seed"})
      if (vm.count(flag)) throw po::error(std::string("--") + flag + " applies only with --train");
    return;
  }
  if (!o.test.empty() && vm.count("test-split"))
    throw po::error("give --test or --test-split, not both");
  if (vm.count("test-split") && !(o.test_split > 0 && o.test_split < 1))
    throw po::error("invalid value " + std::to_string(o.test_split) +
                    " for --test-split: must be in (0, 1)");
  try {
    if (!o.labels.empty()) o.text.labels = rnnsent::parse_label_names(o.labels);
    if (!o.input_format.empty()) o.text.format = rnnsent::parse_text_format(o.input_format);
  } catch (const std::invalid_argument& e) {
    throw po::error(e.what());
  }
}

// Returns false when --help was printed.
bool parse(int argc, char** argv, PrepareOptions& o) {
  po::options_description desc = describe(o);
  po::variables_map vm;
  try {
    if (const std::string token = rnnsent::boost_placeholder_in_options(argc, argv); !token.empty())
      throw po::error("'" + token + "' is not allowed in an option or its value");
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return false;
    }
    po::notify(vm);
    check_options(o, vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see --help)");
  }
  return true;
}

double mean_length(const rnnsent::EncodedSplit& s) {
  return s.size() ? double(s.tokens.size()) / double(s.size()) : 0.0;
}

std::size_t count_positive(const rnnsent::EncodedSplit& s) {
  std::size_t n = 0;
  for (std::uint8_t l : s.labels) n += l;
  return n;
}

// --train's reviews, with --test's or a seeded --test-split of them as the test split.
rnnsent::PreparedDataset prepare_own(PrepareOptions& o) {
  rnnsent::LabelledTextOptions text = o.text;
  if (o.input_format.empty()) text.format = rnnsent::guess_text_format(o.train);
  std::vector<rnnsent::RawReview> train = rnnsent::read_labelled_text(o.train, text), test;
  if (!o.test.empty()) {
    if (o.input_format.empty()) text.format = rnnsent::guess_text_format(o.test);
    test = rnnsent::read_labelled_text(o.test, text);
  } else if (o.test_split > 0) {
    const std::vector<std::uint32_t> order = rnnsent::seeded_permutation(train.size(), o.seed, 0);
    const std::size_t n_test = std::size_t(std::llround(o.test_split * double(train.size())));
    if (n_test == 0 || n_test == train.size())
      throw std::runtime_error(o.train + ": --test-split " + std::to_string(o.test_split) + " of " +
                               std::to_string(train.size()) +
                               " reviews leaves no test or no training review");
    std::vector<rnnsent::RawReview> kept;
    for (std::size_t k = 0; k < order.size(); ++k)
      (k < n_test ? test : kept).push_back(std::move(train[order[k]]));
    train = std::move(kept);
  }
  // A model can only learn to tell two classes apart from both.
  std::size_t positive = 0;
  for (const rnnsent::RawReview& r : train) positive += r.label;
  if (positive == 0 || positive == train.size())
    throw std::runtime_error(o.train + ": every training review has label " +
                             std::to_string(positive ? 1 : 0) + "; training needs both classes");
  return rnnsent::prepare_reviews(train, test, rnnsent::parse_tokenizer_option(o.tokenizer));
}

int run(int argc, char** argv) {
  PrepareOptions o;
  if (!parse(argc, argv, o)) return 0;
  std::error_code ec;
  if (std::filesystem::exists(o.output, ec) && !o.overwrite) {
    throw std::runtime_error(o.output + ": output exists; pass --overwrite to replace it");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const rnnsent::PreparedDataset data =
      o.imdb_dir.empty()
          ? prepare_own(o)
          : rnnsent::prepare_imdb(o.imdb_dir, rnnsent::parse_tokenizer_option(o.tokenizer));
  const auto t1 = std::chrono::steady_clock::now();
  rnnsent::write_dataset(o.output, data);
  const auto t2 = std::chrono::steady_clock::now();
  auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };

  std::printf("rnnsent_prepare: %s -> %s (tokenizer %s)\n",
              (o.imdb_dir.empty() ? o.train : o.imdb_dir).c_str(), o.output.c_str(),
              data.tokenizer.c_str());
  for (const auto& [name, split] :
       {std::pair<const char*, const rnnsent::EncodedSplit*>{"train", &data.train},
        {"test", &data.test}}) {
    const std::size_t pos = count_positive(*split);
    std::printf(
        "  %-5s %6zu reviews (%zu pos, %zu neg), %zu ids, mean length %.1f ids "
        "(start id included)\n",
        name, split->size(), pos, split->size() - pos, split->tokens.size(), mean_length(*split));
  }
  std::printf("  vocabulary %zu words (from train)\n", data.vocabulary.size());
  std::printf("  %.2f s (read + tokenize + encode %.2f s, write %.2f s)\n", seconds(t0, t2),
              seconds(t0, t1), seconds(t1, t2));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "rnnsent_prepare: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnsent_prepare: error: %s\n", e.what());
    return 1;
  }
}
