// A training run's checks and claims before its first step; see run_setup.hpp.
#include "launch/lib/run_setup.hpp"

#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "io/config_keys.hpp"
#include "io/tokenizer.hpp"
#include "launch/lib/memory_check.hpp"
#include "launch/lib/same_job.hpp"
#include "launch/lib/train_options.hpp"

namespace rnnsent {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The job every rank must run, as text: data and threads may differ per node (a node-local
// copy, another core count); the dataset itself must not.
std::string job_description(const TrainConfig& config, const DatasetReader& reader) {
  std::string job;
  std::istringstream lines(to_ini(config));
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("data = ", 0) != 0 && line.rfind("threads = ", 0) != 0) job += line + "\n";
  return job + "dataset fingerprint = " + reader.fingerprint() + "\nresume = " + config.resume +
         "\noverwrite = " + (config.overwrite ? "true" : "false") + "\n";
}

// The checkpoint --resume names, or with "auto" the newest one that verifies (damaged ones
// are reported and skipped). Returns false when there is none to resume.
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

void set_thread_count(const TrainConfig& config) {
  if (config.threads > 0) {
    omp_set_num_threads(config.threads);
  } else if (!std::getenv("OMP_NUM_THREADS")) {
    // Share the node's cores among the ranks on it, so `mpirun -np 8` on an 8-core node runs
    // 8 x 1 threads rather than 8 x 8.
    const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (!local) local = std::getenv("SLURM_NTASKS_PER_NODE");
    const int ranks_here = local ? std::max(1, std::atoi(local)) : 1;
    omp_set_num_threads(std::max(1, omp_get_num_procs() / ranks_here));
  }
}

void check_inputs(TrainConfig& config, const TrainConfig& given, const DatasetReader& reader,
                  const dist::Session& session) {
  // The model stores the dataset's tokenizer; prediction can only tokenize with this build's.
  try {
    tokenizer_from_name(reader.tokenizer());
  } catch (const std::exception& e) {
    throw std::runtime_error(config.data + ": prepared with " + e.what() +
                             "; prepare the data again with this build's rnnsent_prepare");
  }
  config.num_words = resolve_num_words(given.num_words, reader.vocabulary_size());
  if (session.is_root() && given.num_words != 0 && config.num_words != given.num_words)
    std::printf(
        "rnnsent: num_words %d is more than the %zu-word vocabulary of %s needs; using %d\n",
        given.num_words, reader.vocabulary_size(), config.data.c_str(), config.num_words);
  // Before the first collective: every rank must run this very job (same_job.hpp).
  check_same_job(job_description(config, reader), session);
  // Known alike on every rank now (same config): one line from rank 0, no abort.
  if (session.size() > config.batch_size)
    throw JobError("batch_size " + std::to_string(config.batch_size) +
                   " is smaller than the number of ranks " + std::to_string(session.size()) +
                   ": every rank needs a review");
  const std::size_t ranks = std::size_t(session.size());
  const std::size_t train_n = reader.size("train");
  const std::size_t held = session.is_root() ? train_n + reader.size("test") : train_n / ranks + 1;
  const std::size_t batch_rows =
      std::min(train_n, (std::size_t(config.batch_size) + ranks - 1) / ranks);
  check_memory(model_shape(config), config, held, batch_rows);
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

// num_words are both resolved (a checkpoint stores the resolved number).
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

namespace {

// The claim's checks, once output_dir exists and is locked.
void check_claim(const TrainConfig& config, const DatasetReader& reader, OutputClaim& claim) {
  claim.resuming = find_resume_state(config, claim.state, claim.resumed_from);
  const TrainState& state = claim.state;
  if (claim.resuming) {
    check_resumable(config, claim.resumed_from, state.config_ini);
    if (!state.dataset_fingerprint.empty() && state.dataset_fingerprint != reader.fingerprint())
      throw std::runtime_error(claim.resumed_from + ": written from a dataset with fingerprint " +
                               state.dataset_fingerprint + ", but " + config.data + " has " +
                               reader.fingerprint() +
                               "; resume with the dataset the run started on");
  }
  // models/epoch_001.h5: the first epoch model of an average_last_epochs run.
  for (const char* name :
       {"/best_model.h5", "/final_model.h5", "/averaged_model.h5", "/models/epoch_001.h5"}) {
    const std::string model = config.output_dir + name;
    if (!claim.resuming && exists(model) && !config.overwrite)
      throw std::runtime_error(model +
                               ": already exists; pass --overwrite to replace it, "
                               "--resume auto to continue its run, or choose another output_dir");
  }
  // Another run's checkpoints would be pruned against ours and resumed instead of ours.
  claim.foreign = foreign_checkpoints(config.output_dir, claim.resumed_from, state.global_step);
  if (!claim.resuming && !claim.foreign.empty() && config.resume.empty() && !config.overwrite)
    throw std::runtime_error(checkpoint_dir(config.output_dir) + ": holds " +
                             std::to_string(claim.foreign.size()) +
                             " checkpoint(s) of an earlier run; pass --resume auto to continue "
                             "it, --overwrite to start a new run (they are moved aside), or "
                             "choose another output_dir");
}

}  // namespace

OutputClaim claim_output_dir(const TrainConfig& config, const DatasetReader& reader) {
  OutputClaim claim;
  const bool existed = exists(config.output_dir);
  make_dirs(config.output_dir);
  claim.lock = std::make_unique<RunLock>(config.output_dir);
  try {
    check_claim(config, reader, claim);
  } catch (...) {
    // A refused run leaves nothing behind: the directory it made holds only its lock.
    claim.lock.reset();
    if (!existed) {
      std::remove((config.output_dir + "/.rnnsent.lock").c_str());
      ::rmdir(config.output_dir.c_str());  // fails, harmlessly, if anything else is in it
    }
    throw;
  }
  return claim;
}

}  // namespace rnnsent
