// rnnsent_prepare: turns the extracted aclImdb tree into the one HDF5 dataset file that
// training and evaluation read (token ids, labels, vocabulary; see docs/DATA.md). Run once;
// padding, truncation and num_words are applied at load time.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "io/config.hpp"
#include "io/dataset_file.hpp"
#include "io/tokenizer.hpp"

namespace po = boost::program_options;

namespace {

// Thrown for command-line mistakes so main can exit 2 rather than 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PrepareOptions {
  std::string imdb_dir;
  std::string output;
  bool overwrite = false;
};

po::options_description describe(PrepareOptions& o) {
  po::options_description desc(
      "Usage: rnnsent_prepare --imdb-dir DIR --output FILE.h5 [--overwrite]\n"
      "Tokenizes the aclImdb tree DIR/{train,test}/{pos,neg}/ID_RATING.txt, builds the\n"
      "vocabulary from the training split and writes the dataset file.\nOptions");
  desc.add_options()("help,h", "print this help and exit")(
      "imdb-dir", po::value(&o.imdb_dir)->required(), "the extracted aclImdb directory")(
      "output", po::value(&o.output)->required(), "dataset file to write (HDF5)")(
      "overwrite", po::bool_switch(&o.overwrite), "replace an existing output file");
  return desc;
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

int run(int argc, char** argv) {
  PrepareOptions o;
  if (!parse(argc, argv, o)) return 0;
  std::error_code ec;
  if (std::filesystem::exists(o.output, ec) && !o.overwrite) {
    throw std::runtime_error(o.output + ": output exists; pass --overwrite to replace it");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const rnnsent::PreparedDataset data = rnnsent::prepare_imdb(o.imdb_dir);
  const auto t1 = std::chrono::steady_clock::now();
  rnnsent::write_dataset(o.output, data);
  const auto t2 = std::chrono::steady_clock::now();
  auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };

  std::printf("rnnsent_prepare: %s -> %s (tokenizer %s)\n", o.imdb_dir.c_str(), o.output.c_str(),
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
