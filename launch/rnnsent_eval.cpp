// rnnsent_eval: loss, accuracy, precision, recall, F1 and the confusion matrix of a model, or
// of several averaged (--model given more than once), on a split of a prepared dataset or on a
// labelled file of the user's (folders, CSV, TSV, JSON Lines). The validation and training
// splits are rebuilt from the seed and validation_split stored in the model, so they are the
// ones its run used; a file is tokenized with the model's tokenizer and vocabulary.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/sentiment_model.hpp"
#include "io/atomic_file.hpp"
#include "io/config.hpp"
#include "io/dataset_file.hpp"
#include "io/labelled_text.hpp"
#include "launch/lib/data_split.hpp"
#include "launch/lib/evaluate.hpp"
#include "launch/lib/json_out.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/predictor.hpp"
#include "launch/lib/scoring.hpp"
#include "launch/lib/stdout_check.hpp"

namespace po = boost::program_options;

namespace {

struct EvalOptions {
  std::vector<std::string> models;
  std::string data_path, input_path, split = "test", format = "text", input_format, labels;
  std::string predictions;  // --predictions: a CSV of every review's probability
  rnnsent::LabelledTextOptions text;
  int batch = 256, limit = 0;
};

// The rules between the flags; throws po::error naming the flag and value.
void check_options(EvalOptions& o, const po::variables_map& vm) {
  if (o.data_path.empty() == o.input_path.empty())
    throw po::error("give either --data PREPARED.h5 or --input FILE");
  if (!o.input_path.empty() && vm.count("split"))
    throw po::error("--split applies only with --data (a file given with --input is scored whole)");
  if (o.split != "test" && o.split != "val" && o.split != "train")
    throw po::error("invalid value '" + o.split + "' for --split: use test, val or train");
  if (o.format != "text" && o.format != "json")
    throw po::error("invalid value '" + o.format + "' for --format: use text or json");
  if (o.batch < 1) throw po::error("--batch_size must be >= 1");
  if (o.limit < 0) throw po::error("--max must be >= 0");
  if (vm.count("predictions") && o.predictions.empty())
    throw po::error("--predictions needs a file name");
  try {
    if (!o.labels.empty()) o.text.labels = rnnsent::parse_label_names(o.labels);
    if (!o.input_format.empty()) o.text.format = rnnsent::parse_text_format(o.input_format);
  } catch (const std::invalid_argument& e) {
    throw po::error(e.what());
  }
}

// Returns false after printing --help.
bool parse_options(int argc, char** argv, EvalOptions& o) {
  po::options_description opts(
      "usage: rnnsent_eval --model FILE.h5 [--model ...] (--data PREPARED.h5 [--split "
      "test|val|train] | --input FILE)");
  opts.add_options()("help,h", "print this help")(
      "model", po::value(&o.models)->required(),
      "a model (best_model.h5); several are averaged (the mean of their probabilities)")(
      "data", po::value(&o.data_path), "prepared dataset the model was trained on")(
      "split", po::value(&o.split), "test (all 25,000), val or train (as in the model's run)")(
      "input", po::value(&o.input_path), "or: your labelled reviews (folders, csv, tsv, jsonl)")(
      "input-format", po::value(&o.input_format),
      "folders | csv | tsv | jsonl (default: from the path)")(
      "text-column", po::value(&o.text.text_column), "csv, tsv, jsonl: the text field (text)")(
      "label-column", po::value(&o.text.label_column), "csv, tsv, jsonl: the label field (label)")(
      "labels", po::value(&o.labels), "NEG,POS: the two label names (default 0,1)")(
      "format", po::value(&o.format), "text | json")("batch_size", po::value(&o.batch),
                                                     "reviews per batch")(
      "max", po::value(&o.limit), "evaluate only the first N reviews (0 = all)")(
      "predictions", po::value(&o.predictions),
      "also write FILE.csv: row,label,probability for every review scored (the ensemble's mean)");
  po::variables_map vm;
  if (const std::string token = rnnsent::boost_placeholder_in_options(argc, argv); !token.empty())
    throw po::error("'" + token + "' is not allowed in an option or its value");
  po::store(po::parse_command_line(argc, argv, opts), vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return false;
  }
  po::notify(vm);
  check_options(o, vm);
  return true;
}

// The dataset indices of the split, as the model's run made it (its seed and validation_split).
std::vector<std::uint32_t> split_rows(const EvalOptions& o, const std::string& model_path,
                                      const rnnsent::LoadedModel& model,
                                      const rnnsent::DatasetReader& reader) {
  // A model looks words up by rank: the dataset must rank its vocabulary the same way.
  const auto& words = reader.vocabulary().words();
  if (words.size() < model.words.size() ||
      !std::equal(model.words.begin(), model.words.end(), words.begin()))
    throw std::runtime_error(o.data_path + ": its vocabulary differs from the one " + model_path +
                             " was trained with (another prepared file?)");
  // val and train are rebuilt by index from the model's seed: on another dataset they would
  // be other reviews (the test split of another dataset is a fair test).
  if (o.split != "test" && !model.dataset_fingerprint.empty() &&
      model.dataset_fingerprint != reader.fingerprint())
    throw std::runtime_error(o.data_path + ": not the dataset " + model_path +
                             " was trained on (fingerprint " + reader.fingerprint() + ", model " +
                             model.dataset_fingerprint + "), so its " + o.split +
                             " split cannot be rebuilt; use --split test or the training data");
  rnnsent::TrainConfig all = rnnsent::parse_config_text(model.config_ini, model_path + ": /config");
  all.max_train = 0;
  all.max_test = 0;
  if (o.split == "val" && all.validation_split == 0)
    throw std::runtime_error(model_path +
                             ": trained with validation_split = 0 (on every training review), so "
                             "it has no validation split; use --split test or train");
  const rnnsent::DataSplit s = rnnsent::split_data(reader.size("train"), reader.size("test"), all);
  std::vector<std::uint32_t> rows = o.split == "val" ? s.val : s.train;
  if (o.split == "test") {
    rows.resize(reader.size("test"));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::uint32_t(i);
  }
  return rows;
}

// Each model's padded reviews of the prepared split (every model must rebuild the same one).
std::vector<rnnsent::PaddedSet> split_sets(const EvalOptions& o,
                                           const std::vector<rnnsent::LoadedModel>& models) {
  const rnnsent::DatasetReader reader(o.data_path);
  const std::vector<std::uint32_t> rows = split_rows(o, o.models[0], models[0], reader);
  for (std::size_t m = 1; m < models.size(); ++m)
    if (split_rows(o, o.models[m], models[m], reader) != rows)
      throw std::runtime_error(o.models[m] + ": its run's " + o.split + " split differs from " +
                               o.models[0] +
                               "'s (another seed or validation_split); use --split test");
  const rnnsent::EncodedSplit reviews = reader.read(o.split == "test" ? "test" : "train", rows);
  std::vector<std::uint32_t> order(reviews.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  std::vector<rnnsent::PaddedSet> sets;
  for (const rnnsent::LoadedModel& m : models)
    sets.push_back(rnnsent::make_padded_set(reviews, order, m.maxlen,
                                            rnnsent::parse_padding(m.padding), m.shape.num_words));
  return sets;
}

// Each model's padded reviews of the --input file, tokenized with its vocabulary.
std::vector<rnnsent::PaddedSet> file_sets(EvalOptions& o,
                                          const std::vector<rnnsent::LoadedModel>& models) {
  if (o.input_format.empty()) o.text.format = rnnsent::guess_text_format(o.input_path);
  std::vector<std::string> texts;
  std::vector<float> labels;
  for (rnnsent::RawReview& r : rnnsent::read_labelled_text(o.input_path, o.text)) {
    texts.push_back(std::move(r.text));
    labels.push_back(float(r.label));
  }
  std::vector<rnnsent::PaddedSet> sets(models.size());
  for (std::size_t m = 0; m < models.size(); ++m) {
    const rnnsent::Vocabulary vocab(models[m].words,
                                    std::vector<std::int64_t>(models[m].words.size(), 0));
    rnnsent::encode_texts(texts, vocab, models[m], sets[m]);
    sets[m].labels = labels;
  }
  return sets;
}

void print_result(const EvalOptions& o, const rnnsent::EvalResult& r, const std::string& what) {
  const std::string source = o.input_path.empty() ? o.split + " split" : o.input_path;
  if (o.format == "json") {
    rnnsent::Json out;
    out["split"] = o.input_path.empty() ? o.split : "input";
    if (!o.input_path.empty()) out["input"] = o.input_path;
    out["models"] = o.models.size();
    out["reviews"] = r.count;
    out["loss"] = r.loss;
    out["accuracy"] = r.accuracy;
    out["precision"] = r.precision();  // NaN (null) when nothing is predicted positive
    out["recall"] = r.recall();
    out["f1"] = r.f1();
    out["confusion"] = {{"true_negative", r.true_neg},
                        {"false_positive", r.false_pos},
                        {"false_negative", r.false_neg},
                        {"true_positive", r.true_pos}};
    std::printf("%s\n", rnnsent::json_text(out).c_str());
    return;
  }
  std::printf("%s: %zu reviews (%s)\n", source.c_str(), r.count, what.c_str());
  std::printf("loss %.4f  accuracy %.4f  precision %.4f  recall %.4f  F1 %.4f\n", r.loss,
              r.accuracy, r.precision(), r.recall(), r.f1());
  std::printf("confusion      predicted neg  predicted pos\n");
  std::printf("  actual neg   %13zu  %13zu\n", r.true_neg, r.false_pos);
  std::printf("  actual pos   %13zu  %13zu\n", r.false_neg, r.true_pos);
}

// One line per review in scoring order (the split's order: row k of the test split is the
// dataset's test review k), written to path.tmp and renamed, so a full disk leaves no half file.
// An existing file is replaced only when it is an earlier predictions file: pointing --predictions
// at a model or anything else by mistake must not destroy it.
void write_predictions(const std::string& path, const std::vector<double>& p, const float* labels) {
  const std::string header = "row,label,probability";
  if (std::ifstream existing(path); existing) {
    std::string first;
    std::getline(existing, first);
    if (first != header)
      throw std::runtime_error(path + ": exists and is not a predictions file; not replaced");
  }
  std::string text = header + "\n";
  char line[64];
  for (std::size_t k = 0; k < p.size(); ++k) {
    std::snprintf(line, sizeof line, "%zu,%d,%.6f\n", k, labels[k] > 0.5f ? 1 : 0, p[k]);
    text += line;
  }
  rnnsent::write_text_atomically(path, text);
}

void evaluate_models(EvalOptions& o) {
  std::vector<rnnsent::LoadedModel> models;
  for (const std::string& path : o.models) models.push_back(rnnsent::load_model(path));
  std::vector<const rnnsent::LoadedModel*> loaded;
  for (const rnnsent::LoadedModel& m : models) loaded.push_back(&m);
  rnnsent::check_same_tokenizer(o.models, loaded);
  const std::vector<rnnsent::PaddedSet> sets =
      o.input_path.empty() ? split_sets(o, models) : file_sets(o, models);
  const std::size_t n = sets[0].rows();
  // Metrics of no review would print as zeros and read as a real (terrible) result.
  if (n == 0)
    throw std::runtime_error(
        (o.input_path.empty() ? o.data_path + ": the " + o.split + " split" : o.input_path) +
        " has no reviews to evaluate");
  const std::size_t rows = o.limit > 0 ? std::min(n, std::size_t(o.limit)) : n;
  // A batch beyond the reviews would only allocate rows that are never filled.
  const int batch = int(std::min<std::size_t>(std::size_t(o.batch), rows));
  if (models.size() == 1 && o.predictions.empty()) {  // exactly what training's evaluation computes
    rnnsent::SentimentModel net(models[0].shape);
    print_result(o, rnnsent::evaluate(net, models[0].params.data(), sets[0], batch, rows),
                 "model of epoch " + std::to_string(models[0].metrics.epoch));
  } else {
    std::vector<std::vector<float>> logits(models.size(), std::vector<float>(rows));
    for (std::size_t m = 0; m < models.size(); ++m) {
      rnnsent::SentimentModel net(models[m].shape);
      rnnsent::score_rows(net, models[m].params.data(), sets[m], rows, batch, logits[m].data());
    }
    const std::vector<double> p = rnnsent::mean_probability(logits);
    const float* labels = sets[0].labels.data();
    if (!o.predictions.empty()) write_predictions(o.predictions, p, labels);
    const rnnsent::EvalResult r = models.size() == 1
                                      ? rnnsent::evaluate_logits(logits[0].data(), labels, rows)
                                      : rnnsent::evaluate_probabilities(p, labels);
    print_result(o, r,
                 models.size() == 1 ? "model of epoch " + std::to_string(models[0].metrics.epoch)
                                    : "ensemble of " + std::to_string(models.size()) + " models");
  }
  rnnsent::check_stdout();
}

}  // namespace

int main(int argc, char** argv) {
  EvalOptions options;
  try {
    if (!parse_options(argc, argv, options)) return 0;
  } catch (const po::error& e) {
    std::fprintf(stderr, "rnnsent_eval: error: %s\n", e.what());
    return 2;
  }
  try {
    evaluate_models(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnsent_eval: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
