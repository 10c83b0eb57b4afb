// The training loop; see trainer.hpp. What happens around the steps (progress, history,
// early stopping, the learning rate, checkpoints, models, logs, the watchdog) is in the
// callbacks (callbacks.hpp), what happens before the first step in run_setup.cpp. Files are
// written only by rank 0, each atomically (temporary file then rename), and an existing model
// is never replaced without --overwrite.
#include "launch/lib/trainer.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/init.hpp"
#include "core/sentiment_model.hpp"
#include "core/weight_average.hpp"
#include "io/atomic_file.hpp"
#include "io/config_keys.hpp"
#include "io/dataset_file.hpp"
#include "io/model_average.hpp"
#include "io/model_file.hpp"
#include "io/negators.hpp"
#include "launch/lib/callbacks.hpp"
#include "launch/lib/crop.hpp"
#include "launch/lib/data_split.hpp"
#include "launch/lib/epoch_monitor.hpp"
#include "launch/lib/evaluate.hpp"
#include "launch/lib/init_from.hpp"
#include "launch/lib/json_out.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/model_summary.hpp"
#include "launch/lib/padded_set.hpp"
#include "launch/lib/run_setup.hpp"
#include "launch/lib/same_job.hpp"
#include "launch/lib/shuffle.hpp"
#include "launch/lib/step_deadline.hpp"
#include "launch/lib/stop_signals.hpp"
#include "launch/lib/train_options.hpp"

namespace rnnsent {
namespace {

using Clock = std::chrono::steady_clock;

std::string number_text(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string summary_json(const TrainSummary& s, const TrainConfig& c, int ranks) {
  Json j;
  j["test_loss"] = s.tested ? Json(s.test_loss) : Json(nullptr);  // null: no test reviews
  j["test_acc"] = s.tested ? Json(s.test_acc) : Json(nullptr);
  j["best_epoch"] = s.best_epoch;
  j["epochs_run"] = s.epochs_run;
  j["train_samples_per_s"] = s.train_samples_per_s;
  j["wall_seconds"] = s.wall_seconds;
  j["seed"] = c.seed;
  j["ranks"] = ranks;
  j["threads"] = omp_get_max_threads();
  j["skipped_steps"] = s.skipped_steps;
  j["resumed"] = s.resumed;
  if (s.averaged_epochs > 0) {
    j["averaged_epochs"] = s.averaged_epochs;
    j["averaged_test_loss"] = s.tested ? Json(s.averaged_test_loss) : Json(nullptr);
    j["averaged_test_acc"] = s.tested ? Json(s.averaged_test_acc) : Json(nullptr);
  }
  return json_text(j, 2) + "\n";
}

// Rows of this rank for a whole epoch, in step order: the training reviews (dataset indices)
// of its share of every global batch, and where each step's rows start.
struct EpochShard {
  std::vector<std::uint32_t> reviews;
  std::vector<std::size_t> step_begin;  // steps + 1 entries
};

EpochShard epoch_shard(const std::vector<std::uint32_t>& train_rows,
                       const std::vector<std::uint32_t>& order, std::size_t global_batch, int rank,
                       int ranks) {
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

// 64-bit counters travel as their bytes.
void broadcast_int64(const dist::Session& session, std::int64_t* values, std::size_t n) {
  session.broadcast(reinterpret_cast<char*>(values), n * sizeof *values);
}

class Trainer {
 public:
  Trainer(const TrainConfig& given, const dist::Session& session, const TestHooks& hooks);
  TrainSummary run();

 private:
  TrainConfig config_;  // num_words resolved (check_inputs)
  const dist::Session& session_;
  const TestHooks& hooks_;
  const bool root_;
  const Clock::time_point wall_start_ = Clock::now();
  const DatasetReader reader_;
  ModelShape shape_;
  StepOptions options_;
  DataSplit split_;
  PaddedSet val_set_, test_set_;  // rank 0
  OutputClaim claim_;             // rank 0 (resuming: every rank)
  std::vector<float> init_params_;
  std::optional<RunLog> log_;  // rank 0's files; closed on the other ranks
  std::unique_ptr<SentimentModel> model_;
  std::unique_ptr<Run> run_;
  std::unique_ptr<DataParallelStep> stepper_;
  StepDeadline deadline_;
  CallbackList callbacks_;
  bool config_written_ = false;

  PaddedSet pad(const EncodedSplit& reviews) const {
    return make_padded_set(reviews, iota(reviews.size()), config_.maxlen,
                           parse_padding(config_.padding), config_.num_words);
  }
  void open_run();
  void start_state();
  void initialize_state();
  void restore_state();
  void report_resume();
  void share_state();
  void add_callbacks();
  void train_epoch();
  void train_step(const PaddedSet& local, const EpochShard& shard);
  void account_step(const StepStats& st, std::size_t global_n);
  void end_epoch();
  EpochLogs epoch_logs(double train_seconds);
  void save_model(const std::string& path, const std::vector<float>& weights, int epoch);
  void write_config_once();
  std::string epoch_model_path(int epoch) const;
  void write_averaged_model(int last_epoch, TrainSummary& summary);
  TrainSummary finish();
};

Trainer::Trainer(const TrainConfig& given, const dist::Session& session, const TestHooks& hooks)
    : config_(given),
      session_(session),
      hooks_(hooks),
      root_(session.is_root()),
      reader_(given.data),  // every rank opens it read-only and reads only what it needs
      deadline_(given.watchdog_seconds) {
  set_thread_count(config_);
  install_stop_signals();
  check_inputs(config_, given, reader_, session_);
  shape_ = model_shape(config_);
  if (shape_.negation_scope > 0)  // the negators of the words this run's model keeps
    shape_.negators = negator_ids(reader_.vocabulary().words(), shape_.num_words);
  options_ = step_options(config_);
  open_run();
}

// Everything that can be wrong with the input is found before any output is touched.
void Trainer::open_run() {
  int resuming = 0;
  if (root_) {
    claim_ = claim_output_dir(config_, reader_);
    resuming = claim_.resuming ? 1 : 0;
    // Read and checked now, before any output changes; a resume continues its own weights.
    if (!resuming && !config_.init_from.empty())
      init_params_ = init_weights_from(config_.init_from, shape_, reader_.vocabulary());
  }
  session_.broadcast(&resuming, 1);
  claim_.resuming = resuming != 0;
  split_ = split_data(reader_.size("train"), reader_.size("test"), config_);
  if (!root_) {
    log_.emplace();
    return;
  }
  // Every review is read and checked (ids in range, start ids) before an output changes; the
  // other ranks read only their shards, all among these.
  val_set_ = pad(reader_.read("train", split_.val));
  test_set_ = pad(reader_.read("test", split_.test));
  reader_.read("train", split_.train);
  make_dirs(checkpoint_dir(config_.output_dir));
  if (config_.average_last_epochs > 0) make_dirs(config_.output_dir + "/models");
  log_.emplace(config_.output_dir, claim_.resuming, claim_.state.global_step);
  if (!claim_.foreign.empty())
    log_->print("rnnsent: moved %zu checkpoint(s) of another run to %s\n", claim_.foreign.size(),
                move_aside(claim_.foreign, config_.output_dir).c_str());
}

void Trainer::start_state() {
  model_ = std::make_unique<SentimentModel>(shape_);
  log_->note(std::string(claim_.resuming ? "rnnsent_train resumed" : "rnnsent_train started") +
             "; the resolved configuration:\n" + to_ini(config_) + "\n" +
             model_summary(shape_, model_->layout(), config_.maxlen) + "\n");
  run_ = std::make_unique<Run>(config_, session_, *log_);
  const std::size_t n = model_->layout().total();
  run_->params.assign(n, 0);
  run_->optimizer = make_optimizer_state(options_.optimizer.kind, n);
  if (root_) {
    if (claim_.resuming)
      restore_state();
    else
      initialize_state();
  }
  share_state();
}

void Trainer::initialize_state() {
  Run& run = *run_;
  if (init_params_.empty())
    keras_initialize(shape_, model_->layout(), config_.seed, run.params.data());
  else
    run.params = std::move(init_params_);
  TrainState& s = run.state;
  s.best_params.assign(run.params.size(), 0);
  // ema_momentum: rank 0 alone keeps the average (it alone validates and keeps models);
  // Keras starts it at the initial weights.
  if (config_.ema_momentum > 0) s.weight_average = run.params;
  s.checkpoint_best = Monitor(config_.checkpoint_monitor, "auto").worst();
  s.stopping_best = Monitor(config_.early_stopping_monitor, config_.early_stopping_mode).worst();
}

void Trainer::restore_state() {
  Run& run = *run_;
  const std::string& from = claim_.resumed_from;
  run.state = std::move(claim_.state);
  const TrainState& s = run.state;
  const std::size_t n = run.params.size();
  if (s.params.size() != n)
    throw std::runtime_error(from + ": holds " + std::to_string(s.params.size()) +
                             " parameters, this model has " + std::to_string(n));
  if (s.momentum.size() != run.optimizer.momentum.size())
    throw std::runtime_error(from +
                             ": holds no optimizer state for optimizer = " + config_.optimizer);
  if (config_.ema_momentum > 0 && s.weight_average.size() != n)
    throw std::runtime_error(from + ": holds no weight average for ema_momentum = " +
                             std::to_string(config_.ema_momentum));
  run.params = s.params;
  run.optimizer.accumulators = s.accumulators;
  run.optimizer.momentum = s.momentum;
  run.optimizer.updates = s.optimizer_updates;
  run.position = {s.epoch, s.step_in_epoch, s.global_step,
                  s.epoch > config_.epochs || s.finished != 0};
  report_resume();
}

// A finished run says why nothing is trained, or continues when it ended at its epoch limit
// and this one allows more epochs (Keras's initial_epoch); early stopping is final.
void Trainer::report_resume() {
  Run& run = *run_;
  TrainState& s = run.state;
  RunLog& log = *log_;
  const int done_epochs = s.epoch - 1;
  const int then_epochs = parse_config_text(s.config_ini, claim_.resumed_from).epochs;
  if (run.position.finished && done_epochs < then_epochs) {
    log.print(
        "rnnsent: the run stopped early after epoch %d (%s did not improve for %d epoch(s)); "
        "nothing to train\n",
        done_epochs, config_.early_stopping_monitor.c_str(), s.wait);
  } else if (run.position.finished && done_epochs < config_.epochs) {
    log.print("rnnsent: the run finished its %d epoch(s); continuing to epoch %d\n", done_epochs,
              config_.epochs);
    run.position.finished = false;
    s.finished = 0;
  } else if (run.position.finished) {
    log.print(
        "rnnsent: the run already finished its %d epoch(s); nothing to train (a larger "
        "--epochs continues it)\n",
        done_epochs);
  }
  log.print("rnnsent: resuming from %s (epoch %d, step %lld of it, global step %lld)\n",
            claim_.resumed_from.c_str(), s.epoch, static_cast<long long>(s.step_in_epoch),
            static_cast<long long>(s.global_step));
}

// Every rank takes rank 0's position, weights and optimizer state.
void Trainer::share_state() {
  Run& run = *run_;
  int small[2] = {run.position.epoch, run.position.finished ? 1 : 0};
  session_.broadcast(small, 2);
  std::int64_t counts[3] = {run.position.step_in_epoch, run.position.global_step,
                            run.optimizer.updates};
  broadcast_int64(session_, counts, 3);
  run.position = {small[0], counts[0], counts[1], small[1] != 0};
  run.optimizer.updates = counts[2];
  session_.broadcast(run.params.data(), run.params.size());
  session_.broadcast(run.optimizer.accumulators.data(), run.optimizer.accumulators.size());
  session_.broadcast(run.optimizer.momentum.data(), run.optimizer.momentum.size());
}

// Keras's order, with two of this project's: CSVLogger before BackupAndRestore (a stop
// signal's step still gets its steps.csv row), and the faults a test injects last.
void Trainer::add_callbacks() {
  Run& run = *run_;
  const std::size_t n_train = split_.train.size(), global_batch = std::size_t(config_.batch_size);
  run.steps_per_epoch = (n_train + global_batch - 1) / global_batch;
  options_.learning_rate.decay_steps = lr_decay_steps(config_, std::int64_t(run.steps_per_epoch));
  stepper_ = std::make_unique<DataParallelStep>(*model_, session_, options_);
  run.stepper = stepper_.get();
  // This rank's largest share of a batch, so the steps that follow allocate nothing.
  const auto [first, last] =
      rank_share(std::min(global_batch, n_train), session_.rank(), session_.size());
  stepper_->warm_up(run.params.data(), last - first, config_.maxlen);
  const ProgressMode mode =
      resolve_progress_mode(config_.progress, ::isatty(STDOUT_FILENO) != 0, started_by_launcher());
  const TrainConfig& c = config_;
  callbacks_.add(std::make_unique<ProgressLogger>(*log_, root_, mode, c.log_every));
  callbacks_.add(std::make_unique<HistoryRecorder>(c.output_dir + "/history.h5"));
  // No validation reviews: a val_ monitor has nothing to watch, so the run trains all its
  // epochs and best_model.h5 is the latest (check_training_config refused what cannot work).
  const bool validated = has_validation(c);
  if (validated || !is_validation_metric(c.early_stopping_monitor))
    callbacks_.add(std::make_unique<EarlyStoppingCallback>(
        EarlyStopping{Monitor(c.early_stopping_monitor, c.early_stopping_mode, c.min_delta),
                      c.patience, c.start_from_epoch},
        c.restore_best_weights));
  if (c.reduce_lr_on_plateau)
    callbacks_.add(std::make_unique<ReduceLROnPlateau>(
        Monitor(c.reduce_lr_monitor, "auto", c.reduce_lr_min_delta),
        ReduceLROnPlateau::Options{c.reduce_lr_factor, c.reduce_lr_patience, c.reduce_lr_cooldown,
                                   c.reduce_lr_min_lr}));
  callbacks_.add(std::make_unique<ModelCheckpoint>(
      Monitor(c.checkpoint_monitor, "auto"),
      [this](const std::vector<float>& w, int epoch) {
        save_model(config_.output_dir + "/best_model.h5", w, epoch);
      },
      validated || !is_validation_metric(c.checkpoint_monitor)));
  // Before BackupAndRestore: a checkpoint of epoch e means its epoch model is written.
  if (c.average_last_epochs > 0)
    callbacks_.add(std::make_unique<EpochModels>([this](const std::vector<float>& w, int epoch) {
      save_model(epoch_model_path(epoch), w, epoch);
    }));
  callbacks_.add(std::make_unique<CSVLogger>(c.log_every));
  callbacks_.add(std::make_unique<BackupAndRestore>(
      BackupAndRestore::Options{c.output_dir, c.checkpoint_every, c.keep_checkpoints,
                                reader_.fingerprint(), hooks_.before_checkpoint_publish}));
  callbacks_.add(std::make_unique<LearningRateScheduler>(
      options_.learning_rate, c.reduce_lr_on_plateau ? c.reduce_lr_min_lr : 0));
  callbacks_.add(std::make_unique<WatchdogCallback>(c.watchdog_seconds, session_.rank()));
  if (hooks_.any_step_fault()) callbacks_.add(std::make_unique<FaultInjection>(hooks_));
  if (!root_) return;
  log_->print(
      "rnnsent: %zu training, %zu validation, %zu test reviews; %zu parameters; "
      "%d rank(s) x %d thread(s)%s%s\n",
      n_train, split_.val.size(), split_.test.size(), run.params.size(), session_.size(),
      omp_get_max_threads(), session_.size() > 1 ? "; gradient exchange: " : "",
      session_.size() > 1 ? stepper_->exchange_name().c_str() : "");
  if (!validated)
    log_->print(
        "rnnsent: validation_split = 0: every epoch of %d is trained and best_model.h5 is the "
        "latest\n",
        c.epochs);
}

void Trainer::train_epoch() {
  Run& run = *run_;
  TrainState& s = run.state;
  if (run.position.step_in_epoch == 0 && root_) {
    s.epoch_loss_sum = s.epoch_correct = s.epoch_seen = s.epoch_seconds = 0;
    s.epoch_grad_norm_sum = s.epoch_updates = 0;
  }
  run.epoch_start = Clock::now();
  callbacks_.on_epoch_begin(run);
  const int epoch = run.position.epoch;
  const EpochShard shard = epoch_shard(
      split_.train, seeded_permutation(split_.train.size(), config_.seed, epoch_stream(epoch)),
      std::size_t(config_.batch_size), session_.rank(), session_.size());
  EncodedSplit reviews = reader_.read("train", shard.reviews);
  crop_reviews(
      reviews, shard.reviews, config_.seed, epoch,
      {config_.crop_fraction, config_.crop_min, config_.crop_max, config_.crop_position == "ends"});
  const PaddedSet local = pad(reviews);
  while (std::size_t(run.position.step_in_epoch) < run.steps_per_epoch) train_step(local, shard);
}

void Trainer::train_step(const PaddedSet& local, const EpochShard& shard) {
  Run& run = *run_;
  const std::size_t step = std::size_t(run.position.step_in_epoch);
  const std::size_t global_batch = std::size_t(config_.batch_size);
  const std::size_t n = std::min(global_batch, split_.train.size() - step * global_batch);
  const std::size_t row = shard.step_begin[step];
  const std::size_t rows = shard.step_begin[step + 1] - row;
  const std::int64_t next_step = run.position.global_step + 1;
  callbacks_.on_batch_begin(run);
  stepper_->set_learning_rate(run.learning_rate);
  const auto step_start = Clock::now();
  session_.begin_step(next_step, deadline_.seconds());
  const StepStats st =
      stepper_->run(local.row(row), local.labels.data() + row, rows, n, config_.maxlen, next_step,
                    run.params.data(), run.optimizer, stop_signal() != 0);
  session_.end_step();
  deadline_.record(seconds_since(step_start));
  run.position.global_step = next_step;
  ++run.position.step_in_epoch;
  account_step(st, n);
  callbacks_.on_batch_end(run, st);
}

// The weight average, the non-finite policy and the epoch's running totals.
void Trainer::account_step(const StepStats& st, std::size_t global_n) {
  Run& run = *run_;
  TrainState& s = run.state;
  const long long step = static_cast<long long>(run.position.global_step);
  const std::string where =
      std::to_string(step) + " (epoch " + std::to_string(run.position.epoch) + ")";
  if (root_ && !s.weight_average.empty() && st.finite)
    update_weight_average(s.weight_average.data(), run.params.data(), run.params.size(),
                          float(config_.ema_momentum));
  if (!st.params_finite)  // every rank sees the same parameters, so every rank stops here
    throw std::runtime_error(
        "the update of step " + where + " made the weights non-finite (learning_rate " +
        number_text(config_.learning_rate) + ", epsilon " + number_text(config_.epsilon) +
        "); it cannot be skipped: stopped, checkpoints (all from before "
        "it) kept");
  if (!st.finite) {
    if (config_.nonfinite == "stop") {
      if (root_) log_->print("\n");
      throw std::runtime_error("non-finite loss or gradient at step " + where +
                               "; stopped without applying it, checkpoints kept. Lower "
                               "learning_rate, or set nonfinite = skip");
    }
    ++s.skipped_steps;
    if (root_)
      std::fprintf(
          stderr, "rnnsent_train: warning: step %lld skipped: non-finite loss or gradient\n", step);
  } else if (root_) {
    s.epoch_loss_sum += st.loss_sum;
    s.epoch_correct += st.correct;
    s.epoch_grad_norm_sum += st.grad_norm;
    s.epoch_updates += 1;
  }
  if (root_) s.epoch_seen += double(global_n);
}

void Trainer::end_epoch() {
  Run& run = *run_;
  const double train_seconds = seconds_since(run.epoch_start);
  callbacks_.on_test_begin(run);
  EpochLogs logs;
  if (root_) logs = epoch_logs(train_seconds);
  logs.epoch = run.position.epoch;
  logs.steps = run.steps_per_epoch;
  callbacks_.on_epoch_end(run, logs);
  if (root_) write_config_once();
  run.position.finished = run.stop_training;
  ++run.position.epoch;
  run.position.step_in_epoch = 0;
}

// Rank 0: validates the epoch's weights, and closes the epoch's totals into its logs.
EpochLogs Trainer::epoch_logs(double train_seconds) {
  Run& run = *run_;
  TrainState& s = run.state;
  s.train_seconds += train_seconds;
  s.train_samples += double(split_.train.size());
  EvalResult val;  // validation_split = 0: the val_ metrics are NaN (history.h5 keeps them so)
  val.loss = val.accuracy = std::numeric_limits<double>::quiet_NaN();
  if (val_set_.rows() > 0)
    val = evaluate(*model_, run.validated().data(), val_set_, config_.eval_batch_size);
  EpochLogs logs;
  logs.loss = s.epoch_loss_sum / s.epoch_seen;
  logs.acc = s.epoch_correct / s.epoch_seen;
  logs.val_loss = val.loss;
  logs.val_acc = val.accuracy;
  logs.seconds = s.epoch_seconds + seconds_since(run.epoch_start);
  logs.samples_per_s = double(split_.train.size()) / train_seconds;
  logs.learning_rate = run.learning_rate;  // the rate of the epoch's last update
  logs.grad_norm = s.epoch_updates > 0 ? s.epoch_grad_norm_sum / s.epoch_updates
                                       : std::numeric_limits<double>::quiet_NaN();
  // The next epoch's totals start at zero (and so does a checkpoint written at its start).
  s.epoch_loss_sum = s.epoch_correct = s.epoch_seen = s.epoch_seconds = 0;
  s.epoch_grad_norm_sum = s.epoch_updates = 0;
  return logs;
}

void Trainer::save_model(const std::string& path, const std::vector<float>& weights, int epoch) {
  const History& h = run_->state.history;
  const std::size_t e = std::size_t(epoch - 1);
  write_model(path, pack_model(shape_, weights.data(), reader_.vocabulary(),
                               {reader_.tokenizer(), reader_.fingerprint()}, config_,
                               {epoch, h.val_loss[e], h.val_acc[e]}));
}

std::string Trainer::epoch_model_path(int epoch) const {
  char name[32];
  std::snprintf(name, sizeof name, "/models/epoch_%03d.h5", epoch);
  return config_.output_dir + name;
}

// averaged_model.h5: the mean of the last average_last_epochs epochs' models (fewer when the
// run had fewer epochs), read back, checked and scored on the test split like best_model.h5.
void Trainer::write_averaged_model(int last_epoch, TrainSummary& summary) {
  const int first = std::max(1, last_epoch - config_.average_last_epochs + 1);
  std::vector<ModelFile> models;
  std::vector<std::string> paths;
  for (int e = first; e <= last_epoch; ++e) {
    paths.push_back(epoch_model_path(e));
    models.push_back(read_model(paths.back()));
  }
  const std::string out = config_.output_dir + "/averaged_model.h5";
  write_model(out, average_models(models, paths));
  const LoadedModel averaged = load_model(out);
  log_->print("Averaged the models of epochs %d-%d into averaged_model.h5\n", first, last_epoch);
  summary.averaged_epochs = last_epoch - first + 1;
  if (!summary.tested) return;
  const EvalResult test =
      evaluate(*model_, averaged.params.data(), test_set_, config_.eval_batch_size);
  summary.averaged_test_loss = test.loss;
  summary.averaged_test_acc = test.accuracy;
  log_->print("Test (averaged model, epochs %d-%d): loss %.4f - acc %.4f\n", first, last_epoch,
              test.loss, test.accuracy);
}

// config.ini after the first epoch's files, so it never describes a run whose outputs are not
// there (a full disk, a kill).
void Trainer::write_config_once() {
  if (config_written_) return;
  write_text_atomically(config_.output_dir + "/config.ini", to_ini(config_));
  config_written_ = true;
}

TrainSummary Trainer::run() {
  start_state();
  add_callbacks();
  Run& run = *run_;
  callbacks_.on_train_begin(run);
  if (root_ && claim_.resuming) write_config_once();
  while (!run.position.finished && run.position.epoch <= config_.epochs) {
    train_epoch();
    end_epoch();
  }
  callbacks_.on_train_end(run);
  return finish();
}

// final_model.h5, the test evaluation of the best model and summary.json.
TrainSummary Trainer::finish() {
  const TrainState& s = run_->state;
  // A run that ends without a model must not look like a success (every step skipped as
  // non-finite, or a validation loss that was never finite).
  int have_model = root_ && s.best_epoch > 0 ? 1 : 0;
  session_.broadcast(&have_model, 1);
  if (!have_model)
    throw JobError("no epoch reached a finite val_loss, so no best_model.h5 was written (" +
                   std::to_string(s.skipped_steps) +
                   " step(s) skipped as non-finite); lower learning_rate");
  TrainSummary summary;
  summary.resumed = claim_.resuming;
  if (!root_) return summary;
  const Run& run = *run_;
  const bool restored = !run.final_params.empty();
  save_model(config_.output_dir + "/final_model.h5", restored ? run.final_params : run.validated(),
             restored ? run.final_epoch : int(s.history.epochs()));
  summary.epochs_run = int(s.history.epochs());
  summary.best_epoch = s.best_epoch;
  summary.skipped_steps = s.skipped_steps;
  summary.train_samples_per_s = s.train_seconds > 0 ? s.train_samples / s.train_seconds : 0;
  // A dataset without test reviews has no test metrics (not an accuracy of 0).
  summary.tested = test_set_.rows() > 0;
  if (summary.tested) {
    const EvalResult test =
        evaluate(*model_, s.best_params.data(), test_set_, config_.eval_batch_size);
    summary.test_loss = test.loss;
    summary.test_acc = test.accuracy;
    log_->print("Test (best model, epoch %d, %zu reviews): loss %.4f - acc %.4f\n",
                summary.best_epoch, test.count, test.loss, test.accuracy);
  } else {
    log_->print("Test: %s has no test reviews; the best model (epoch %d) is not scored\n",
                config_.data.c_str(), summary.best_epoch);
  }
  if (config_.average_last_epochs > 0) write_averaged_model(int(s.history.epochs()), summary);
  summary.wall_seconds = seconds_since(wall_start_);
  write_text_atomically(config_.output_dir + "/summary.json",
                        summary_json(summary, config_, session_.size()));
  return summary;
}

}  // namespace

TrainSummary train(const TrainConfig& config, const dist::Session& session,
                   const TestHooks& hooks) {
  return Trainer(config, session, hooks).run();
}

}  // namespace rnnsent
