// The training loop; see trainer.hpp. Files are written only by rank 0, each atomically
// (temporary file then rename), and an existing best_model.h5 is never replaced without
// --overwrite.
#include "launch/lib/trainer.hpp"

#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "core/init.hpp"
#include "core/sentiment_model.hpp"
#include "core/weight_average.hpp"
#include "io/atomic_file.hpp"
#include "io/checkpoint_file.hpp"
#include "io/config_keys.hpp"
#include "io/dataset_file.hpp"
#include "io/history_file.hpp"
#include "io/model_file.hpp"
#include "io/tokenizer.hpp"
#include "launch/lib/data_parallel.hpp"
#include "launch/lib/data_split.hpp"
#include "launch/lib/epoch_monitor.hpp"
#include "launch/lib/evaluate.hpp"
#include "launch/lib/init_from.hpp"
#include "launch/lib/json_out.hpp"
#include "launch/lib/memory_check.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/model_summary.hpp"
#include "launch/lib/padded_set.hpp"
#include "launch/lib/progress.hpp"
#include "launch/lib/run_dir.hpp"
#include "launch/lib/run_log.hpp"
#include "launch/lib/same_job.hpp"
#include "launch/lib/shuffle.hpp"
#include "launch/lib/step_deadline.hpp"
#include "launch/lib/stop_signals.hpp"
#include "launch/lib/train_options.hpp"
#include "launch/lib/watchdog.hpp"

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

// The keys that define the run's math (config_keys.hpp): a checkpoint continues only a run that
// agrees on them. num_words are both resolved (a checkpoint stores the resolved number).
void check_resumable(const TrainConfig& now, const std::string& ckpt_path, const std::string& ini) {
  const TrainConfig then = parse_config_text(ini, ckpt_path + ": /config");
  for (const ConfigKey& key : config_keys()) {
    if (!key.math) continue;
    std::string a = value_text(key_value(key, now)), b = value_text(key_value(key, then));
    if (std::string(key.name) == "cell") {  // rnn and simple_rnn are one cell
      a = cell_name(parse_cell(a));
      b = cell_name(parse_cell(b));
    }
    if (a != b)
      throw std::runtime_error(ckpt_path + ": written with " + key.name + " = " + b +
                               ", this run has " + key.name + " = " + a +
                               "; resume with the same value");
  }
}

// Rank 0: the checkpoint --resume names, or with "auto" the newest one that verifies (damaged
// ones are reported and skipped). Returns false when there is none to resume.
bool find_resume_state(const TrainConfig& c, TrainState& state, std::string& from) {
  if (c.resume.empty()) return false;
  if (c.resume != "auto") {
    state = read_checkpoint(c.resume);
    from = c.resume;
    return true;
  }
  for (const std::string& path : list_checkpoints(c.output_dir)) {
    try {
      state = read_checkpoint(path);
      from = path;
      return true;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rnnsent_train: warning: skipping checkpoint: %s\n", e.what());
    }
  }
  return false;
}

}  // namespace

TrainSummary train(const TrainConfig& given, const dist::Session& session) {
  const auto wall_start = Clock::now();
  TrainConfig config = given;  // num_words resolved below, once the dataset is open
  const bool root = session.is_root();
  if (config.threads > 0) {
    omp_set_num_threads(config.threads);
  } else if (!std::getenv("OMP_NUM_THREADS")) {
    // threads = 0 and no OMP_NUM_THREADS: share the node's cores among the ranks on it, so
    // `mpirun -np 8` on an 8-core node runs 8 x 1 threads rather than 8 x 8.
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (!local) local = std::getenv("SLURM_NTASKS_PER_NODE");
    const int ranks_here = local ? std::max(1, std::atoi(local)) : 1;
    omp_set_num_threads(std::max(1, omp_get_num_procs() / ranks_here));
  }
  install_stop_signals();

  const std::string model_path = config.output_dir + "/best_model.h5";
  const std::string history_path = config.output_dir + "/history.h5";
  // Everything that can be wrong with the input is found before any output is touched.
  // Every rank opens the file read-only and reads only the reviews it needs.
  const DatasetReader reader(config.data);
  // The model stores the dataset's tokenizer; prediction can only tokenize with this build's.
  if (reader.tokenizer() != kTokenizerName)
    throw std::runtime_error(config.data + ": prepared with tokenizer '" + reader.tokenizer() +
                             "', this build tokenizes with '" + kTokenizerName +
                             "'; prepare the data again with this build's rnnsent_prepare");
  config.num_words = resolve_num_words(given.num_words, reader.vocabulary_size());
  if (root && given.num_words != 0 && config.num_words != given.num_words)
    std::printf(
        "rnnsent: num_words %d is more than the %zu-word vocabulary of %s needs; using %d\n",
        given.num_words, reader.vocabulary_size(), config.data.c_str(), config.num_words);
  // Before the first collective: every rank must run this very job (same_job.hpp). data and
  // threads may differ per node (a node-local copy, another core count); the dataset must not.
  {
    std::string job;
    std::istringstream lines(to_ini(config));
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("data = ", 0) != 0 && line.rfind("threads = ", 0) != 0) job += line + "\n";
    job += "dataset fingerprint = " + reader.fingerprint() + "\nresume = " + config.resume +
           "\noverwrite = " + (config.overwrite ? "true" : "false") + "\n";
    check_same_job(job, session);
  }
  // Known alike on every rank now (same config): one line from rank 0, no abort.
  if (session.size() > config.batch_size)
    throw JobError("batch_size " + std::to_string(config.batch_size) +
                   " is smaller than the number of ranks " + std::to_string(session.size()) +
                   ": every rank needs a review");
  const ModelShape shape = model_shape(config);
  StepOptions options = step_options(config);  // lr_decay_steps resolved below
  const EarlyStopping stopping{
      Monitor(config.early_stopping_monitor, config.early_stopping_mode, config.min_delta),
      config.patience, config.start_from_epoch};
  const Monitor checkpoint_monitor(config.checkpoint_monitor, "auto");
  {
    const std::size_t ranks = std::size_t(session.size());
    const std::size_t train_n = reader.size("train");
    const std::size_t held = root ? train_n + reader.size("test") : train_n / ranks + 1;
    const std::size_t batch_rows =
        std::min(train_n, (std::size_t(config.batch_size) + ranks - 1) / ranks);
    check_memory(shape, config, held, batch_rows);
  }
  TrainState state;
  std::string resumed_from;
  int resuming = 0;
  std::unique_ptr<RunLock> lock;  // rank 0 holds output_dir for the whole run
  std::vector<std::string> foreign;
  std::vector<float> init_params;  // --init_from's weights
  if (root) {
    make_dirs(config.output_dir);
    lock = std::make_unique<RunLock>(config.output_dir);
    resuming = find_resume_state(config, state, resumed_from) ? 1 : 0;
    if (resuming) {
      check_resumable(config, resumed_from, state.config_ini);
      if (!state.dataset_fingerprint.empty() && state.dataset_fingerprint != reader.fingerprint())
        throw std::runtime_error(resumed_from + ": written from a dataset with fingerprint " +
                                 state.dataset_fingerprint + ", but " + config.data + " has " +
                                 reader.fingerprint() +
                                 "; resume with the dataset the run started on");
    }
    // Read and checked now, before any output changes; a resume continues its own weights.
    if (!resuming && !config.init_from.empty())
      init_params = init_weights_from(config.init_from, shape, reader.vocabulary());
    if (!resuming && exists(model_path) && !config.overwrite)
      throw std::runtime_error(model_path +
                               ": already exists; pass --overwrite to replace it, "
                               "--resume auto to continue its run, or choose another output_dir");
    // Another run's checkpoints would be pruned against ours and resumed instead of ours.
    foreign = foreign_checkpoints(config.output_dir, resumed_from, state.global_step);
    if (!resuming && !foreign.empty() && config.resume.empty() && !config.overwrite)
      throw std::runtime_error(checkpoint_dir(config.output_dir) + ": holds " +
                               std::to_string(foreign.size()) +
                               " checkpoint(s) of an earlier run; pass --resume auto to continue "
                               "it, --overwrite to start a new run (they are moved aside), or "
                               "choose another output_dir");
  }
  session.broadcast(&resuming, 1);
  const Vocabulary* vocabulary = root ? &reader.vocabulary() : nullptr;

  const Padding padding = parse_padding(config.padding);
  const DataSplit split = split_data(reader.size("train"), reader.size("test"), config);
  const std::vector<std::uint32_t>& train_rows = split.train;
  const int T = config.maxlen;
  auto pad = [&](const EncodedSplit& reviews) {
    return make_padded_set(reviews, iota(reviews.size()), T, padding, config.num_words);
  };
  PaddedSet val_set, test_set;
  std::optional<RunLog> run_log;  // rank 0's files; closed on the other ranks
  if (root) {
    // Every review is read and checked (ids in range, start ids) before an output changes;
    // the other ranks read only their shards, all among these.
    val_set = pad(reader.read("train", split.val));
    test_set = pad(reader.read("test", split.test));
    reader.read("train", train_rows);
    make_dirs(checkpoint_dir(config.output_dir));
    run_log.emplace(config.output_dir, resuming != 0, state.global_step);
    if (!foreign.empty())
      run_log->print("rnnsent: moved %zu checkpoint(s) of another run to %s\n", foreign.size(),
                     move_aside(foreign, config.output_dir).c_str());
  } else {
    run_log.emplace();
  }
  RunLog& log = *run_log;

  SentimentModel model(shape);
  const std::size_t n_params = model.layout().total();
  log.note(std::string(resuming ? "rnnsent_train resumed" : "rnnsent_train started") +
           "; the resolved configuration:\n" + to_ini(config) + "\n" +
           model_summary(shape, model.layout(), config.maxlen) + "\n");
  std::vector<float> params(n_params), best(n_params);
  // ema_momentum: rank 0 alone keeps the moving average of the weights, since only rank 0
  // validates, keeps the best model and writes checkpoints.
  const bool averaging = config.ema_momentum > 0;
  std::vector<float> average;
  OptimizerState optimizer = make_optimizer_state(options.optimizer.kind, n_params);
  // Where the run stands: {epoch, step in epoch, global step, finished}, rank 0's view.
  int position[4] = {1, 0, 0, 0};
  int updates = 0;  // optimizer updates applied, rank 0's view
  if (root) {
    if (resuming) {
      if (state.params.size() != n_params)
        throw std::runtime_error(resumed_from + ": holds " + std::to_string(state.params.size()) +
                                 " parameters, this model has " + std::to_string(n_params));
      if (state.momentum.size() != optimizer.momentum.size())
        throw std::runtime_error(resumed_from +
                                 ": holds no optimizer state for optimizer = " + config.optimizer);
      params = state.params;
      optimizer.accumulators = state.accumulators;
      optimizer.momentum = state.momentum;
      optimizer.updates = state.optimizer_updates;
      best = state.best_params;
      if (averaging && state.weight_average.size() != n_params)
        throw std::runtime_error(resumed_from + ": holds no weight average for ema_momentum = " +
                                 std::to_string(config.ema_momentum));
      average = state.weight_average;
      position[0] = state.epoch;
      position[1] = int(state.step_in_epoch);
      position[2] = int(state.global_step);
      position[3] = state.epoch > config.epochs || state.finished ? 1 : 0;
      // A finished run says why nothing is trained, or continues when it ended at its epoch
      // limit and this one allows more epochs (early stopping is final).
      const int done_epochs = state.epoch - 1;
      const int then_epochs = parse_config_text(state.config_ini, resumed_from).epochs;
      if (position[3] && done_epochs < then_epochs) {
        log.print(
            "rnnsent: the run stopped early after epoch %d (%s did not improve for "
            "%d epoch(s)); nothing to train\n",
            done_epochs, config.early_stopping_monitor.c_str(), state.wait);
      } else if (position[3] && done_epochs < config.epochs) {
        log.print("rnnsent: the run finished its %d epoch(s); continuing to epoch %d\n",
                  done_epochs, config.epochs);
        position[3] = 0;
        state.finished = 0;
      } else if (position[3]) {
        log.print(
            "rnnsent: the run already finished its %d epoch(s); nothing to train (a "
            "larger --epochs continues it)\n",
            done_epochs);
      }
      log.print("rnnsent: resuming from %s (epoch %d, step %lld of it, global step %lld)\n",
                resumed_from.c_str(), state.epoch, static_cast<long long>(state.step_in_epoch),
                static_cast<long long>(state.global_step));
    } else {
      if (init_params.empty())
        keras_initialize(shape, model.layout(), config.seed, params.data());
      else
        params = std::move(init_params);
      if (averaging) average = params;  // Keras starts the average at the initial weights
      state.checkpoint_best = checkpoint_monitor.worst();
      state.stopping_best = stopping.monitor.worst();
    }
  }
  if (root) updates = int(optimizer.updates);
  session.broadcast(position, 4);
  session.broadcast(&updates, 1);
  optimizer.updates = updates;
  session.broadcast(params.data(), n_params);
  session.broadcast(optimizer.accumulators.data(), n_params);
  session.broadcast(optimizer.momentum.data(), optimizer.momentum.size());
  const std::size_t n_train = train_rows.size();
  const std::size_t global_batch = std::size_t(config.batch_size);
  const std::size_t steps = (n_train + global_batch - 1) / global_batch;
  options.learning_rate.decay_steps = lr_decay_steps(config, std::int64_t(steps));
  DataParallelStep stepper(model, session, options);
  if (root)
    log.print(
        "rnnsent: %zu training, %zu validation, %zu test reviews; %zu parameters; "
        "%d rank(s) x %d thread(s)\n",
        n_train, split.val.size(), split.test.size(), n_params, session.size(),
        omp_get_max_threads());

  // Rank 0 writes a resume checkpoint of the state at a step boundary (all ranks flush their
  // lazily decayed accumulators first, which changes no value), then keeps the newest K.
  auto checkpoint = [&](int epoch, std::size_t step_in_epoch) {
    stepper.flush_optimizer(optimizer);
    if (!root) return;
    state.config_ini = to_ini(config);
    state.epoch = epoch;
    state.step_in_epoch = std::int64_t(step_in_epoch);
    state.global_step = position[2];
    state.ranks = session.size();
    state.params = params;
    state.accumulators = optimizer.accumulators;
    state.momentum = optimizer.momentum;
    state.optimizer_updates = optimizer.updates;
    state.best_params = best;
    state.weight_average = average;
    state.dataset_fingerprint = reader.fingerprint();
    const std::string path = checkpoint_path(config.output_dir, position[2]);
    write_checkpoint(path, state);
    prune_checkpoints(config.output_dir, config.keep_checkpoints, path);
  };

  // best_model.h5 (when the best changed) and history.h5, from rank 0's state; config.ini
  // last, so it never describes a run whose outputs are not there (a full disk, a kill).
  bool config_written = false;
  auto write_outputs = [&](bool best_changed) {
    if (best_changed && state.best_epoch > 0)
      write_model(
          model_path,
          pack_model(shape, best.data(), *vocabulary, {reader.tokenizer(), reader.fingerprint()},
                     config,
                     {state.best_epoch, state.history.val_loss[std::size_t(state.best_epoch - 1)],
                      state.history.val_acc[std::size_t(state.best_epoch - 1)]}));
    write_history(history_path, state.history);
    log.history(state.history);
    if (!config_written) write_text_atomically(config.output_dir + "/config.ini", to_ini(config));
    config_written = true;
  };
  if (root && resuming) write_outputs(true);  // a kill may have come between checkpoint and files

  const ProgressMode progress_mode =
      resolve_progress_mode(config.progress, ::isatty(STDOUT_FILENO) != 0, started_by_launcher());
  Progress progress(log, root, progress_mode, config.log_every);
  TrainSummary summary;
  summary.resumed = resuming;
  Watchdog watchdog(config.watchdog_seconds, session.rank());
  StepDeadline deadline(config.watchdog_seconds);
  const char* nan_hook = std::getenv("RNNSENT_TEST_NAN_AT_STEP");
  const char* signal_hook = std::getenv("RNNSENT_TEST_SIGNAL_AT_STEP");
  const char* hang_hook = std::getenv("RNNSENT_TEST_HANG_AT_STEP");

  for (int epoch = position[0]; epoch <= config.epochs && !position[3]; ++epoch) {
    const bool continuing = epoch == position[0] && position[1] > 0;
    const std::size_t first_step = continuing ? std::size_t(position[1]) : 0;
    if (!continuing && root) {
      state.epoch_loss_sum = state.epoch_correct = state.epoch_seen = state.epoch_seconds = 0;
      state.epoch_grad_norm_sum = state.epoch_updates = 0;
    }
    const auto epoch_start = Clock::now();
    progress.start_epoch(epoch, config.epochs, steps);
    const EpochShard shard =
        epoch_shard(train_rows, seeded_permutation(n_train, config.seed, epoch_stream(epoch)),
                    global_batch, session.rank(), session.size());
    // Test hook: one rank fails while the others wait in the allreduce (tests/cli).
    if (const char* fail = std::getenv("RNNSENT_TEST_FAIL_RANK");
        fail && std::atoi(fail) == session.rank())
      throw std::runtime_error(
          "cannot read the training shard (injected by RNNSENT_TEST_FAIL_RANK)");
    const PaddedSet local = pad(reader.read("train", shard.reviews));
    for (std::size_t step = first_step; step < steps; ++step) {
      const std::size_t n = std::min(global_batch, n_train - step * global_batch);
      const std::size_t row = shard.step_begin[step];
      const std::size_t rows = shard.step_begin[step + 1] - row;
      const long long next_step = position[2] + 1;
      if (root && nan_hook && std::atoll(nan_hook) == next_step) stepper.poison_next_gradient();
      if (root && signal_hook && std::atoll(signal_hook) == next_step) request_stop(SIGUSR1);
      if (root && hang_hook && std::atoll(hang_hook) == next_step) ::pause();
      const auto step_start = std::chrono::steady_clock::now();
      session.begin_step(next_step, deadline.seconds());
      const StepStats st = stepper.run(local.row(row), local.labels.data() + row, rows, n, T,
                                       next_step, params.data(), optimizer, stop_signal() != 0);
      session.end_step();
      deadline.record(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count());
      ++position[2];
      if (root && averaging && st.finite)
        update_weight_average(average.data(), params.data(), n_params, float(config.ema_momentum));
      watchdog.mark();
      if (!st.params_finite)  // every rank sees the same parameters, so every rank stops here
        throw std::runtime_error(
            "the update of step " + std::to_string(position[2]) + " (epoch " +
            std::to_string(epoch) + ") made the weights non-finite (learning_rate " +
            number_text(config.learning_rate) + ", epsilon " + number_text(config.epsilon) +
            "); it cannot be skipped: stopped, checkpoints (all from before it) kept");
      if (!st.finite) {
        if (config.nonfinite == "stop") {
          if (root) log.print("\n");
          throw std::runtime_error(
              "non-finite loss or gradient at step " + std::to_string(position[2]) + " (epoch " +
              std::to_string(epoch) +
              "); stopped without applying it, "
              "checkpoints kept. Lower learning_rate, or set nonfinite = skip");
        }
        ++state.skipped_steps;
        if (root)
          std::fprintf(stderr,
                       "rnnsent_train: warning: step %d skipped: non-finite loss or gradient\n",
                       position[2]);
      } else if (root) {
        state.epoch_loss_sum += st.loss_sum;
        state.epoch_correct += st.correct;
        state.epoch_grad_norm_sum += st.grad_norm;
        state.epoch_updates += 1;
      }
      if (root) state.epoch_seen += double(n);
      progress.update(step + 1, std::size_t(state.epoch_seen), state.epoch_loss_sum,
                      std::size_t(state.epoch_correct));
      if (root && position[2] % config.log_every == 0)
        log.step({position[2], epoch, state.epoch_loss_sum / state.epoch_seen,
                  state.epoch_correct / state.epoch_seen,
                  options.learning_rate.at(std::max<std::int64_t>(optimizer.updates, 1)),
                  st.grad_norm, state.epoch_seen / progress.epoch_seconds()});
      const bool epoch_done = step + 1 == steps;
      if (st.stop) {
        progress.finish_epoch();
        if (root)
          state.epoch_seconds += std::chrono::duration<double>(Clock::now() - epoch_start).count();
        if (root)
          state.train_seconds += std::chrono::duration<double>(Clock::now() - epoch_start).count();
        checkpoint(epoch, step + 1);
        const std::string where = checkpoint_path(config.output_dir, position[2]);
        throw Interrupted("stopped by a signal at step " + std::to_string(position[2]) +
                              "; resume checkpoint " + where + "; continue with --resume auto",
                          stop_signal());
      }
      if (!epoch_done && config.checkpoint_every > 0 &&
          position[2] % config.checkpoint_every == 0) {
        if (root) {
          const double so_far = std::chrono::duration<double>(Clock::now() - epoch_start).count();
          state.epoch_seconds += so_far;  // counted once: the resumed epoch restarts its clock
          state.train_seconds += so_far;
          checkpoint(epoch, step + 1);
          state.epoch_seconds -= so_far;
          state.train_seconds -= so_far;
        } else {
          checkpoint(epoch, step + 1);
        }
      }
    }
    progress.finish_epoch();
    watchdog.pause();       // validation and the epoch's files are not steps (until resume below)
    int decision[1] = {0};  // stop
    bool improved = false;
    if (root) {
      const double epoch_train_seconds =
          std::chrono::duration<double>(Clock::now() - epoch_start).count();
      state.train_seconds += epoch_train_seconds;
      state.train_samples += double(n_train);
      // With ema_momentum the averaged weights are what is validated and kept.
      const std::vector<float>& scored = averaging ? average : params;
      // Test hook (tests/cli/test_hostile.sh): a validation that takes this many seconds.
      if (const char* slow = std::getenv("RNNSENT_TEST_SLOW_VALIDATION"))
        ::sleep(unsigned(std::atoi(slow)));
      const EvalResult val = evaluate(model, scored.data(), val_set, config.eval_batch_size);
      const double secs = state.epoch_seconds + progress.epoch_seconds();
      History& history = state.history;
      history.loss.push_back(state.epoch_loss_sum / state.epoch_seen);
      history.acc.push_back(state.epoch_correct / state.epoch_seen);
      history.val_loss.push_back(val.loss);
      history.val_acc.push_back(val.accuracy);
      history.seconds.push_back(secs);
      // The rate of the epoch's last update (warm-up changes it from update to update).
      history.learning_rate.push_back(
          options.learning_rate.at(std::max<std::int64_t>(optimizer.updates, 1)));
      history.grad_norm.push_back(state.epoch_updates > 0
                                      ? state.epoch_grad_norm_sum / state.epoch_updates
                                      : std::numeric_limits<double>::quiet_NaN());
      // ModelCheckpoint(checkpoint_monitor, save_best_only).
      const double monitored = checkpoint_monitor.latest(history);
      improved = checkpoint_monitor.improves(monitored, state.checkpoint_best);
      if (improved) {
        state.checkpoint_best = monitored;
        best = scored;
        state.best_epoch = epoch;
      }
      char norm[64] = "";  // the pre-clip norm tells whether clipnorm bites
      if (config.clipnorm > 0)
        std::snprintf(norm, sizeof norm, " - grad_norm: %.4f", history.grad_norm.back());
      log.print(
          "%zu/%zu - %.0fs - %.0f samples/s - loss: %.4f - acc: %.4f - val_loss: %.4f - "
          "val_acc: %.4f%s%s\n",
          steps, steps, secs, double(n_train) / epoch_train_seconds, history.loss.back(),
          history.acc.back(), val.loss, val.accuracy, norm,
          improved ? " - saved best_model.h5" : "");
      decision[0] = stopping.stop_after(epoch, history, state.stopping_best, state.wait) ? 1 : 0;
      state.finished = decision[0] || epoch == config.epochs;
      state.epoch_loss_sum = state.epoch_correct = state.epoch_seen = state.epoch_seconds = 0;
      state.epoch_grad_norm_sum = state.epoch_updates = 0;
      std::fflush(stdout);
    }
    session.broadcast(decision, 1);  // every rank leaves the loop at the same epoch
    // The checkpoint first: whatever a kill interrupts after it, a resume rewrites the files
    // below from the checkpoint's state, so they never disagree with it.
    checkpoint(epoch + 1, 0);
    if (root) write_outputs(improved);
    watchdog.resume();
    if (decision[0]) {
      if (root)
        log.print("Early stopping: %s did not improve for %d epoch(s)\n",
                  config.early_stopping_monitor.c_str(), config.patience);
      break;
    }
  }

  watchdog.pause();  // the test evaluation is not a step either
  // A run that ends without a model must not look like a success (every step skipped as
  // non-finite, or a validation loss that was never finite).
  int have_model = root && state.best_epoch > 0 ? 1 : 0;
  session.broadcast(&have_model, 1);
  if (!have_model)
    throw JobError("no epoch reached a finite val_loss, so no best_model.h5 was written (" +
                   std::to_string(state.skipped_steps) +
                   " step(s) skipped as non-finite); lower learning_rate");
  if (root) {
    summary.epochs_run = int(state.history.epochs());
    summary.best_epoch = state.best_epoch;
    summary.skipped_steps = state.skipped_steps;
    summary.train_samples_per_s =
        state.train_seconds > 0 ? state.train_samples / state.train_seconds : 0;
    // A dataset without test reviews has no test metrics (not an accuracy of 0).
    summary.tested = test_set.rows() > 0;
    if (summary.tested) {
      const EvalResult test = evaluate(model, best.data(), test_set, config.eval_batch_size);
      summary.test_loss = test.loss;
      summary.test_acc = test.accuracy;
      log.print("Test (best model, epoch %d, %zu reviews): loss %.4f - acc %.4f\n",
                summary.best_epoch, test.count, test.loss, test.accuracy);
    } else {
      log.print("Test: %s has no test reviews; the best model (epoch %d) is not scored\n",
                config.data.c_str(), summary.best_epoch);
    }
    summary.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
    write_text_atomically(config.output_dir + "/summary.json",
                          summary_json(summary, config, session.size()));
  }
  return summary;
}

}  // namespace rnnsent
