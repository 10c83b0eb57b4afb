// The training loop; see trainer.hpp. Files are written only by rank 0, each atomically
// (temporary file then rename), and an existing best_model.h5 is never replaced without
// --overwrite.
#include "launch/lib/trainer.hpp"

#include <omp.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/init.hpp"
#include "core/sentiment_model.hpp"
#include "io/dataset_file.hpp"
#include "io/history_file.hpp"
#include "io/model_file.hpp"
#include "launch/lib/data_parallel.hpp"
#include "launch/lib/data_split.hpp"
#include "launch/lib/evaluate.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/padded_set.hpp"
#include "launch/lib/progress.hpp"
#include "launch/lib/shuffle.hpp"

namespace rnnsent {
namespace {

using Clock = std::chrono::steady_clock;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void make_dirs(const std::string& dir) {
  std::string partial;
  for (std::size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!partial.empty() && !exists(partial) && ::mkdir(partial.c_str(), 0755) != 0 &&
          !exists(partial))
        throw std::runtime_error(partial + ": cannot create output directory");
    }
    if (i < dir.size()) partial += dir[i];
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error(dir + ": output_dir is not a directory");
}

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
    if (!out) throw std::runtime_error(tmp + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot rename " + tmp + " into place");
}

std::string summary_json(const TrainSummary& s, const TrainConfig& c, int ranks) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\n  \"test_loss\": %.6f,\n  \"test_acc\": %.6f,\n  \"best_epoch\": %d,\n"
                "  \"epochs_run\": %d,\n  \"train_samples_per_s\": %.1f,\n"
                "  \"wall_seconds\": %.2f,\n  \"seed\": %llu,\n  \"ranks\": %d,\n"
                "  \"threads\": %d\n}\n",
                s.test_loss, s.test_acc, s.best_epoch, s.epochs_run, s.train_samples_per_s,
                s.wall_seconds, static_cast<unsigned long long>(c.seed), ranks,
                omp_get_max_threads());
  return buf;
}

// Rows of this rank for a whole epoch, in step order: the training reviews (dataset indices)
// of its share of every global batch, and where each step's rows start.
struct EpochShard {
  std::vector<std::uint32_t> reviews;
  std::vector<std::size_t> step_begin;  // steps + 1 entries
};

EpochShard epoch_shard(const std::vector<std::uint32_t>& train_rows,
                       const std::vector<std::uint32_t>& order, std::size_t global_batch,
                       int rank, int ranks) {
  EpochShard shard;
  const std::size_t n_train = order.size();
  for (std::size_t first = 0; first < n_train; first += global_batch) {
    const std::size_t n = std::min(global_batch, n_train - first);
    const auto [begin, end] = rank_share(n, rank, ranks);
    shard.step_begin.push_back(shard.reviews.size());
    for (std::size_t k = begin; k < end; ++k) shard.reviews.push_back(train_rows[order[first + k]]);
  }
  shard.step_begin.push_back(shard.reviews.size());
  return shard;
}

std::vector<std::uint32_t> iota(std::size_t n) {
  std::vector<std::uint32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::uint32_t(i);
  return v;
}

}  // namespace

TrainSummary train(const TrainConfig& config, const dist::Session& session) {
  const auto wall_start = Clock::now();
  const bool root = session.is_root();
  if (config.threads > 0) omp_set_num_threads(config.threads);
  if (session.size() > config.batch_size)
    throw std::runtime_error("batch_size " + std::to_string(config.batch_size) +
                             " is smaller than the number of ranks " +
                             std::to_string(session.size()) + ": every rank needs a review");

  const std::string model_path = config.output_dir + "/best_model.h5";
  const std::string history_path = config.output_dir + "/history.h5";
  // Everything that can be wrong with the input is found before any output is touched.
  if (root && exists(model_path) && !config.overwrite)
    throw std::runtime_error(model_path + ": already exists; pass --overwrite to replace it or "
                             "choose another output_dir");
  // Every rank opens the file read-only and reads only the reviews it needs.
  const DatasetReader reader(config.data);
  const Vocabulary* vocabulary = root ? &reader.vocabulary() : nullptr;
  if (root) {
    make_dirs(config.output_dir);
    write_text_atomically(config.output_dir + "/config.ini", to_ini(config));
  }

  const Padding padding = parse_padding(config.padding);
  const DataSplit split = split_data(reader.size("train"), reader.size("test"), config);
  const std::vector<std::uint32_t>& train_rows = split.train;
  const std::vector<std::uint32_t>& val_rows = split.val;
  const std::vector<std::uint32_t>& test_rows = split.test;

  const int T = config.maxlen;
  auto pad = [&](const EncodedSplit& reviews) {
    return make_padded_set(reviews, iota(reviews.size()), T, padding, config.num_words);
  };
  PaddedSet val_set, test_set;
  if (root) {
    val_set = pad(reader.read("train", val_rows));
    test_set = pad(reader.read("test", test_rows));
  }

  ModelShape shape;
  shape.num_words = config.num_words;
  shape.embedding_dim = config.embedding_dim;
  shape.units = config.units;
  shape.cell = parse_cell(config.cell);
  SentimentModel model(shape);
  const std::size_t n_params = model.layout().total();
  std::vector<float> params(n_params), accum(n_params, 0.0f), best(n_params);
  if (root) keras_initialize(shape, model.layout(), config.seed, params.data());
  session.broadcast(params.data(), n_params);
  DataParallelStep stepper(model, session,
                           {float(config.learning_rate), float(config.rho), float(config.epsilon)});

  const std::size_t n_train = train_rows.size();
  const std::size_t global_batch = std::size_t(config.batch_size);
  const std::size_t steps = (n_train + global_batch - 1) / global_batch;
  if (root)
    std::printf("rnnsent: %zu training, %zu validation, %zu test reviews; %zu parameters; "
                "%d rank(s) x %d thread(s)\n",
                n_train, val_rows.size(), test_rows.size(), n_params, session.size(),
                omp_get_max_threads());

  Progress progress(root, config.log_every);
  History history;
  TrainSummary summary;
  double best_val_loss = std::numeric_limits<double>::infinity();
  double best_val_acc = -std::numeric_limits<double>::infinity();
  int wait = 0;
  double train_seconds = 0;
  std::size_t train_samples = 0;

  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    progress.start_epoch(epoch, config.epochs, steps);
    const EpochShard shard =
        epoch_shard(train_rows, seeded_permutation(n_train, config.seed, epoch_stream(epoch)),
                    global_batch, session.rank(), session.size());
    // Test hook: one rank fails while the others wait in the allreduce (tests/cli).
    if (const char* fail = std::getenv("RNNSENT_TEST_FAIL_RANK"); fail && std::atoi(fail) == session.rank())
      throw std::runtime_error("cannot read the training shard (injected by RNNSENT_TEST_FAIL_RANK)");
    const PaddedSet local = pad(reader.read("train", shard.reviews));
    double loss_sum = 0;
    std::size_t correct = 0, seen = 0;
    for (std::size_t step = 0; step < steps; ++step) {
      const std::size_t n = std::min(global_batch, n_train - step * global_batch);
      const std::size_t row = shard.step_begin[step];
      const std::size_t rows = shard.step_begin[step + 1] - row;
      const StepStats st = stepper.run(local.row(row), local.labels.data() + row, rows, n, T,
                                       params.data(), accum.data());
      loss_sum += st.loss_sum;
      correct += std::size_t(st.correct);
      seen += n;
      progress.update(step + 1, seen, loss_sum, correct);
    }
    const double epoch_train_seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();
    train_seconds += epoch_train_seconds;
    train_samples += seen;
    progress.finish_epoch();
    if (!std::isfinite(loss_sum))
      throw std::runtime_error("training loss became non-finite in epoch " + std::to_string(epoch) +
                               "; lower learning_rate");

    int decision[1] = {0};  // stop
    if (root) {
      const EvalResult val = evaluate(model, params.data(), val_set, config.eval_batch_size);
      const double secs = progress.epoch_seconds();
      history.loss.push_back(loss_sum / double(seen));
      history.acc.push_back(double(correct) / double(seen));
      history.val_loss.push_back(val.loss);
      history.val_acc.push_back(val.accuracy);
      history.seconds.push_back(secs);
      history.learning_rate.push_back(config.learning_rate);
      const bool improved = val.loss < best_val_loss;  // ModelCheckpoint(val_loss, best only)
      if (improved) {
        best_val_loss = val.loss;
        best = params;
        summary.best_epoch = epoch;
        write_model(model_path, pack_model(shape, params.data(), *vocabulary, config,
                                           {epoch, val.loss, val.accuracy}));
      }
      write_history(history_path, history);
      std::printf("%zu/%zu - %.0fs - %.0f samples/s - loss: %.4f - acc: %.4f - val_loss: %.4f - "
                  "val_acc: %.4f%s\n",
                  steps, steps, secs, double(seen) / epoch_train_seconds, history.loss.back(),
                  history.acc.back(), val.loss, val.accuracy,
                  improved ? " - saved best_model.h5" : "");
      if (val.accuracy > best_val_acc) {  // EarlyStopping(val_acc, patience)
        best_val_acc = val.accuracy;
        wait = 0;
      } else if (++wait >= config.patience) {
        decision[0] = 1;
      }
      std::fflush(stdout);
    }
    session.broadcast(decision, 1);  // every rank leaves the loop at the same epoch
    summary.epochs_run = epoch;
    if (decision[0]) {
      if (root) std::printf("Early stopping: val_acc did not improve for %d epoch(s)\n", config.patience);
      break;
    }
  }

  summary.train_samples_per_s = train_seconds > 0 ? double(train_samples) / train_seconds : 0;
  if (root) {
    const EvalResult test = evaluate(model, best.data(), test_set, config.eval_batch_size);
    summary.test_loss = test.loss;
    summary.test_acc = test.accuracy;
    summary.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
    std::printf("Test (best model, epoch %d, %zu reviews): loss %.4f - acc %.4f\n", summary.best_epoch,
                test.count, test.loss, test.accuracy);
    write_text_atomically(config.output_dir + "/summary.json", summary_json(summary, config, session.size()));
  }
  return summary;
}

}  // namespace rnnsent
