// rnnsent_predict: scores new text with a trained checkpoint. Texts come from the arguments,
// from --input FILE (one review per line) or from standard input, and are scored in batches
// so a file of any length runs in bounded memory. Output: probability of positive, label, text.
#include <fcntl.h>
#include <sys/stat.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "io/config.hpp"
#include "launch/lib/json_out.hpp"
#include "launch/lib/predictor.hpp"
#include "launch/lib/stdout_check.hpp"

namespace po = boost::program_options;

namespace {

// Tabs and newlines inside a text would break a TSV row.
std::string tsv_clean(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

// The text as read, NUL bytes included (printf's %s would cut it there), and a newline.
void echo(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

struct Printer {
  std::string format;
  bool first = true;
  void print(float p, const std::string& text) {
    const char* label = p > 0.5f ? "positive" : "negative";
    if (format == "json") {
      rnnsent::Json row;
      row["probability"] = p;
      row["label"] = label;
      row["text"] = text;
      std::printf("%s%s", first ? "[\n  " : ",\n  ", rnnsent::json_text(row).c_str());
    } else if (format == "tsv") {
      if (first) std::printf("probability\tlabel\ttext\n");
      std::printf("%.6f\t%s\t", p, label);
      echo(tsv_clean(text));
    } else {
      std::printf("%.4f  %-8s  ", p, label);
      echo(text);
    }
    first = false;
  }
  void finish() {
    if (format == "json") std::printf(first ? "[]\n" : "\n]\n");
  }
};

struct PredictOptions {
  std::string model_path, input_path, format = "text", word_index, padding = "pre";
  int maxlen = 500;
  std::vector<std::string> texts;
  // Lines scored per call: enough that sorting by length makes uniform inference batches, few
  // enough that memory stays bounded (4096 x maxlen ids).
  int batch = 4096;
};

// The rules between the flags; throws po::error naming the flag and value.
void check_options(const PredictOptions& o, const po::variables_map& vm) {
  if (o.format != "text" && o.format != "tsv" && o.format != "json")
    throw po::error("invalid value '" + o.format + "' for --format: use text, tsv or json");
  if (o.batch < 1)
    throw po::error("invalid value " + std::to_string(o.batch) + " for --batch_size: must be >= 1");
  if (!o.texts.empty() && !o.input_path.empty())
    throw po::error("give TEXT arguments or --input, not both");
  // A native model stores its own maxlen and padding; silently ignoring these would score
  // with settings the user did not ask for.
  if (o.word_index.empty() && (vm.count("maxlen") || vm.count("padding")))
    throw po::error(std::string(vm.count("maxlen") ? "--maxlen" : "--padding") +
                    " applies only with --word-index (a native model stores its own)");
  if (o.maxlen < 1)
    throw po::error("invalid value " + std::to_string(o.maxlen) + " for --maxlen: must be >= 1");
  if (o.padding != "pre" && o.padding != "post")
    throw po::error("invalid value '" + o.padding + "' for --padding: use pre or post");
  // Reading a closed standard input would end at once: exit 0 and no rows.
  if (o.texts.empty() && (o.input_path.empty() || o.input_path == "-") && ::fcntl(0, F_GETFD) < 0)
    throw po::error("standard input is closed; give TEXT arguments or --input FILE");
}

// Returns false after printing --help.
bool parse_options(int argc, char** argv, PredictOptions& o) {
  po::options_description opts("usage: rnnsent_predict --model FILE.h5 [TEXT ...] [--input FILE]");
  opts.add_options()("help,h", "print this help")("model", po::value(&o.model_path)->required(),
                                                  "checkpoint (best_model.h5)")(
      "input", po::value(&o.input_path), "file with one review per line ('-' = standard input)")(
      "format", po::value(&o.format), "text | tsv | json")(
      "batch_size", po::value(&o.batch), "lines read and scored together (memory bound)")(
      "word-index", po::value(&o.word_index),
      "Keras word index JSON: --model is then a tf.keras .h5 (ids = rank + 3)")(
      "maxlen", po::value(&o.maxlen), "with --word-index: ids per review (default 500)")(
      "padding", po::value(&o.padding), "with --word-index: pre | post (default pre)")(
      "text", po::value(&o.texts), "texts to score (positional)");
  po::positional_options_description pos;
  pos.add("text", -1);
  po::variables_map vm;
  if (const std::string token = rnnsent::boost_placeholder_in_options(argc, argv); !token.empty())
    throw po::error("'" + token + "' is not allowed in an option or its value");
  po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << opts << "\nWith no TEXT and no --input, reviews are read from standard input.\n";
    return false;
  }
  po::notify(vm);
  check_options(o, vm);
  return true;
}

// Scores every line of --input (or standard input) in chunks of o.batch lines.
template <typename Score>
void score_lines(const PredictOptions& o, Score&& score) {
  std::ifstream file;
  if (!o.input_path.empty() && o.input_path != "-") {
    struct stat st {};
    if (::stat(o.input_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      throw std::runtime_error(o.input_path + ": --input names a directory, not a file");
    file.open(o.input_path);
    if (!file) throw std::runtime_error(o.input_path + ": cannot open input file");
  }
  std::istream& in = file.is_open() ? file : std::cin;
  std::vector<std::string> chunk;
  std::string line;
  // Empty lines are scored too (a review of no known word), so output rows match input lines.
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    chunk.push_back(std::move(line));
    if (chunk.size() == std::size_t(o.batch)) score(chunk);
  }
  if (in.bad())
    throw std::runtime_error((o.input_path.empty() ? std::string("stdin") : o.input_path) +
                             ": read error");
  if (!chunk.empty()) score(chunk);
}

void predict(PredictOptions& o) {
  rnnsent::Predictor predictor = o.word_index.empty()
                                     ? rnnsent::Predictor(o.model_path)
                                     : rnnsent::Predictor(rnnsent::load_keras_model(
                                           o.model_path, o.word_index, o.maxlen, o.padding));
  Printer printer{o.format};
  auto score = [&](std::vector<std::string>& chunk) {
    const std::vector<float> p = predictor.probabilities(chunk);
    for (std::size_t i = 0; i < chunk.size(); ++i) printer.print(p[i], chunk[i]);
    chunk.clear();
    rnnsent::check_stdout();  // stop at the first lost row, not after scoring the rest
  };
  if (!o.texts.empty())
    score(o.texts);
  else
    score_lines(o, score);
  printer.finish();
  rnnsent::check_stdout();
}

}  // namespace

int main(int argc, char** argv) {
  PredictOptions options;
  try {
    if (!parse_options(argc, argv, options)) return 0;
  } catch (const po::error& e) {
    std::fprintf(stderr, "rnnsent_predict: error: %s\n", e.what());
    return 2;
  }
  try {
    predict(options);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::clearerr(stdout);
    std::fprintf(stderr, "rnnsent_predict: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
