// rnnsent_eval: loss, accuracy, precision, recall, F1 and the confusion matrix of a checkpoint
// on a split of a prepared dataset. The validation and training splits are rebuilt from the
// seed and validation_split stored in the checkpoint, so they are the ones its run used.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "core/sentiment_model.hpp"
#include "io/config.hpp"
#include "io/dataset_file.hpp"
#include "launch/lib/data_split.hpp"
#include "launch/lib/evaluate.hpp"
#include "launch/lib/json_out.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/stdout_check.hpp"

namespace po = boost::program_options;

namespace {

struct EvalOptions {
  std::string model_path, data_path, split = "test", format = "text";
  int batch = 256, limit = 0;
};

// Returns false after printing --help. Throws po::error naming the flag and value.
bool parse_options(int argc, char** argv, EvalOptions& o) {
  po::options_description opts(
      "usage: rnnsent_eval --model FILE.h5 --data PREPARED.h5 [--split test|val|train]");
  opts.add_options()("help,h", "print this help")("model", po::value(&o.model_path)->required(),
                                                  "checkpoint (best_model.h5)")(
      "data", po::value(&o.data_path)->required(), "prepared dataset the model was trained on")(
      "split", po::value(&o.split), "test (all 25,000), val or train (as in the model's run)")(
      "format", po::value(&o.format), "text | json")("batch_size", po::value(&o.batch),
                                                     "reviews per batch")(
      "max", po::value(&o.limit), "evaluate only the first N reviews of the split (0 = all)");
  po::variables_map vm;
  if (const std::string token = rnnsent::boost_placeholder_in_options(argc, argv); !token.empty())
    throw po::error("'" + token + "' is not allowed in an option or its value");
  po::store(po::parse_command_line(argc, argv, opts), vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return false;
  }
  po::notify(vm);
  if (o.split != "test" && o.split != "val" && o.split != "train")
    throw po::error("invalid value '" + o.split + "' for --split: use test, val or train");
  if (o.format != "text" && o.format != "json")
    throw po::error("invalid value '" + o.format + "' for --format: use text or json");
  if (o.batch < 1) throw po::error("--batch_size must be >= 1");
  if (o.limit < 0) throw po::error("--max must be >= 0");
  return true;
}

// The dataset indices of the split, as the model's run made it (its seed and validation_split).
std::vector<std::uint32_t> split_rows(const EvalOptions& o, const rnnsent::LoadedModel& model,
                                      const rnnsent::DatasetReader& reader) {
  // A model looks words up by rank: the dataset must rank its vocabulary the same way.
  const auto& words = reader.vocabulary().words();
  if (words.size() < model.words.size() ||
      !std::equal(model.words.begin(), model.words.end(), words.begin()))
    throw std::runtime_error(o.data_path + ": its vocabulary differs from the one " + o.model_path +
                             " was trained with (another prepared file?)");
  // val and train are rebuilt by index from the model's seed: on another dataset they would
  // be other reviews (the test split of another dataset is a fair test).
  if (o.split != "test" && !model.dataset_fingerprint.empty() &&
      model.dataset_fingerprint != reader.fingerprint())
    throw std::runtime_error(o.data_path + ": not the dataset " + o.model_path +
                             " was trained on (fingerprint " + reader.fingerprint() + ", model " +
                             model.dataset_fingerprint + "), so its " + o.split +
                             " split cannot be rebuilt; use --split test or the training data");
  rnnsent::TrainConfig all =
      rnnsent::parse_config_text(model.config_ini, o.model_path + ": /config");
  all.max_train = 0;
  all.max_test = 0;
  const rnnsent::DataSplit s = rnnsent::split_data(reader.size("train"), reader.size("test"), all);
  std::vector<std::uint32_t> rows = o.split == "val" ? s.val : s.train;
  if (o.split == "test") {
    rows.resize(reader.size("test"));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::uint32_t(i);
  }
  // Metrics of no review would print as zeros and read as a real (terrible) result.
  if (rows.empty())
    throw std::runtime_error(o.data_path + ": the " + o.split +
                             " split has no reviews to evaluate");
  return rows;
}

void print_result(const EvalOptions& o, const rnnsent::EvalResult& r, int epoch) {
  if (o.format == "json") {
    rnnsent::Json out;
    out["split"] = o.split;
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
  std::printf("%s split: %zu reviews (model of epoch %d)\n", o.split.c_str(), r.count, epoch);
  std::printf("loss %.4f  accuracy %.4f  precision %.4f  recall %.4f  F1 %.4f\n", r.loss,
              r.accuracy, r.precision(), r.recall(), r.f1());
  std::printf("confusion      predicted neg  predicted pos\n");
  std::printf("  actual neg   %13zu  %13zu\n", r.true_neg, r.false_pos);
  std::printf("  actual pos   %13zu  %13zu\n", r.false_neg, r.true_pos);
}

void evaluate_model(const EvalOptions& o) {
  const rnnsent::LoadedModel model = rnnsent::load_model(o.model_path);
  const rnnsent::DatasetReader reader(o.data_path);
  const std::vector<std::uint32_t> rows = split_rows(o, model, reader);
  const std::size_t wanted =
      o.limit > 0 ? std::min(rows.size(), std::size_t(o.limit)) : rows.size();
  // A batch beyond the split would only allocate rows that are never filled.
  const int batch = int(std::min<std::size_t>(std::size_t(o.batch), wanted));
  const rnnsent::EncodedSplit reviews = reader.read(o.split == "test" ? "test" : "train", rows);
  std::vector<std::uint32_t> order(reviews.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  const rnnsent::PaddedSet set = rnnsent::make_padded_set(
      reviews, order, model.maxlen, rnnsent::parse_padding(model.padding), model.shape.num_words);
  rnnsent::SentimentModel net(model.shape);
  const rnnsent::EvalResult r =
      rnnsent::evaluate(net, model.params.data(), set, batch, std::size_t(o.limit));
  print_result(o, r, model.metrics.epoch);
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
    evaluate_model(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnsent_eval: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
