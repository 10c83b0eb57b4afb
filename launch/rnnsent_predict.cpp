// rnnsent_predict: scores new text with a trained model, or with several averaged (--model
// given more than once: the mean of their probabilities). Texts come from the arguments, from
// --input FILE (one review per line, or a column of a CSV, TSV or JSON Lines file) or from
// standard input, and lines are scored in batches so a file of any length runs in bounded
// memory. Output: probability of positive, label (above --threshold: positive), text.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "io/config.hpp"
#include "io/labelled_text.hpp"
#include "launch/lib/evaluate.hpp"
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

// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or a line
// break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The text as read, NUL bytes included (printf's %s would cut it there), and a newline.
void echo(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

struct Printer {
  std::string format;
  double threshold = 0.5;
  bool first = true;
  void print(float p, const std::string& text) {
    const char* label = p > threshold ? "positive" : "negative";
    if (format == "json") {
      rnnsent::Json row;
      row["probability"] = p;
      row["label"] = label;
      row["text"] = text;
      std::printf("%s%s", first ? "[\n  " : ",\n  ", rnnsent::json_text(row).c_str());
    } else if (format == "csv") {
      if (first) std::printf("probability,label,text\n");
      std::printf("%.6f,%s,", p, label);
      echo(csv_field(text));
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
  std::vector<std::string> models;
  std::string input_path, format = "text", word_index, padding = "pre";
  std::string input_format = "lines", text_column = "text";
  double threshold = 0.5;
  int maxlen = 500;
  std::vector<std::string> texts;
  // Lines scored per call: enough that sorting by length makes uniform inference batches, few
  // enough that memory stays bounded (4096 x maxlen ids).
  int batch = 4096;
};

// The rules between the flags; throws po::error naming the flag and value.
void check_options(const PredictOptions& o, const po::variables_map& vm) {
  if (o.format != "text" && o.format != "tsv" && o.format != "csv" && o.format != "json")
    throw po::error("invalid value '" + o.format + "' for --format: use text, tsv, csv or json");
  if (o.batch < 1)
    throw po::error("invalid value " + std::to_string(o.batch) + " for --batch_size: must be >= 1");
  if (!(o.threshold >= 0 && o.threshold <= 1))
    throw po::error("invalid value " + std::to_string(o.threshold) +
                    " for --threshold: must be in [0, 1]");
  if (o.input_format != "lines" && o.input_format != "csv" && o.input_format != "tsv" &&
      o.input_format != "jsonl")
    throw po::error("invalid value '" + o.input_format +
                    "' for --input-format: use lines, csv, tsv or jsonl");
  if (o.input_format != "lines" && (o.input_path.empty() || o.input_path == "-"))
    throw po::error("--input-format " + o.input_format + " needs --input FILE");
  if (vm.count("text-column") && o.input_format == "lines")
    throw po::error("--text-column applies only with --input-format csv, tsv or jsonl");
  if (!o.word_index.empty() && o.models.size() > 1)
    throw po::error("--word-index reads one Keras model; give --model once");
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
  opts.add_options()("help,h", "print this help")(
      "model", po::value(&o.models)->required(),
      "a model (best_model.h5); several are averaged (the mean of their probabilities)")(
      "input", po::value(&o.input_path), "file with one review per line ('-' = standard input)")(
      "input-format", po::value(&o.input_format),
      "lines | csv | tsv | jsonl: --input's reviews are its lines or a column (default lines)")(
      "text-column", po::value(&o.text_column), "csv, tsv, jsonl: the text field (text)")(
      "threshold", po::value(&o.threshold),
      "a probability above this is labelled positive (default 0.5)")("format", po::value(&o.format),
                                                                     "text | tsv | csv | json")(
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

// The texts of a CSV, TSV or JSON Lines --input (its --text-column).
std::vector<std::string> column_texts(const PredictOptions& o) {
  rnnsent::LabelledTextOptions text;
  text.format = rnnsent::parse_text_format(o.input_format);
  text.text_column = o.text_column;
  text.labelled = false;
  std::vector<std::string> texts;
  for (rnnsent::RawReview& r : rnnsent::read_labelled_text(o.input_path, text))
    texts.push_back(std::move(r.text));
  return texts;
}

void predict(PredictOptions& o) {
  std::vector<std::unique_ptr<rnnsent::Predictor>> predictors;
  if (!o.word_index.empty())
    predictors.push_back(std::make_unique<rnnsent::Predictor>(
        rnnsent::load_keras_model(o.models[0], o.word_index, o.maxlen, o.padding)));
  else
    for (const std::string& path : o.models)
      predictors.push_back(std::make_unique<rnnsent::Predictor>(path));
  std::vector<const rnnsent::LoadedModel*> loaded;
  for (const auto& p : predictors) loaded.push_back(&p->model());
  rnnsent::check_same_tokenizer(o.models, loaded);
  Printer printer{o.format, o.threshold};
  auto score = [&](std::vector<std::string>& chunk) {
    std::vector<std::vector<float>> logits;
    for (auto& p : predictors) logits.push_back(p->logits(chunk));
    const std::vector<double> p = rnnsent::mean_probability(logits);
    for (std::size_t i = 0; i < chunk.size(); ++i) printer.print(float(p[i]), chunk[i]);
    chunk.clear();
    rnnsent::check_stdout();  // stop at the first lost row, not after scoring the rest
  };
  if (o.input_format != "lines") o.texts = column_texts(o);
  if (!o.texts.empty() || o.input_format != "lines") {
    for (std::size_t first = 0; first < o.texts.size(); first += std::size_t(o.batch)) {
      std::vector<std::string> chunk(
          o.texts.begin() + std::ptrdiff_t(first),
          o.texts.begin() + std::ptrdiff_t(std::min(o.texts.size(), first + std::size_t(o.batch))));
      score(chunk);
    }
  } else {
    score_lines(o, score);
  }
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
