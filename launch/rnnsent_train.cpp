// rnnsent_train: trains a sentiment model from a config file and flags, on one rank (plain
// `rnnsent_train`) or many (`mpirun -np P rnnsent_train`). Exit codes: 0 done; 1 error (one
// line; under several ranks the failing rank aborts the whole job so no rank hangs); 2 bad
// config or flags; 75 stopped by SIGUSR1/SIGTERM/SIGINT after writing a resume checkpoint
// (continue with --resume auto); 70 the watchdog saw no progress; 71 a rank or its host went
// silent within a step (dist::LostPeer).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>

#include "dist/session.hpp"
#include "io/config.hpp"
#include "launch/lib/same_job.hpp"
#include "launch/lib/stop_signals.hpp"
#include "launch/lib/train_options.hpp"
#include "launch/lib/trainer.hpp"

namespace {
constexpr int kExitLostPeer = 71;

std::int64_t env_int(const char* name, std::int64_t unset) {
  const char* v = std::getenv(name);
  return v ? std::atoll(v) : unset;
}

// The faults tests inject (tests/cli, tests/slurm), from RNNSENT_TEST_* variables: read here,
// in the executable, so the library takes them only as an argument.
rnnsent::TestHooks test_hooks_from_environment() {
  rnnsent::TestHooks hooks;
  hooks.nan_at_step = env_int("RNNSENT_TEST_NAN_AT_STEP", 0);
  hooks.signal_at_step = env_int("RNNSENT_TEST_SIGNAL_AT_STEP", 0);
  hooks.hang_at_step = env_int("RNNSENT_TEST_HANG_AT_STEP", 0);
  hooks.fail_rank = int(env_int("RNNSENT_TEST_FAIL_RANK", -1));
  hooks.slow_validation_seconds = int(env_int("RNNSENT_TEST_SLOW_VALIDATION", 0));
  // Pause with a checkpoint complete but not yet published, so a test can kill the writer
  // then; RNNSENT_TEST_PAUSE_ON limits it to paths containing that text.
  if (const char* pause = std::getenv("RNNSENT_TEST_PAUSE_BEFORE_PUBLISH")) {
    const unsigned seconds = unsigned(std::atoi(pause));
    const char* on = std::getenv("RNNSENT_TEST_PAUSE_ON");
    const std::string only = on ? on : "";
    hooks.before_checkpoint_publish = [seconds, only](const std::string& path) {
      if (!only.empty() && path.find(only) == std::string::npos) return;
      std::fprintf(stderr, "rnnsent: test hook: pausing %u s before publishing a checkpoint\n",
                   seconds);
      std::fflush(stderr);
      ::sleep(seconds);
    };
  }
  return hooks;
}
constexpr int kLostPeerGrace = 30;  // seconds: after mpirun's keepalive (README) has ended the job
}  // namespace

int main(int argc, char** argv) {
  rnnsent::TrainConfig config;
  try {
    if (!rnnsent::parse_train_config(argc, argv, config)) return 0;
    rnnsent::check_training_config(config);  // the names only core/ knows (cell, optimizer, ...)
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnsent_train: error: %s\n", e.what());
    return 2;
  }
  // Before MPI starts its threads, so that they too leave the stop signals to their thread.
  rnnsent::take_stop_signals();
  rnnsent::dist::Session session(&argc, &argv);
  try {
    session.check_launch();
    rnnsent::train(config, session, test_hooks_from_environment());
  } catch (const rnnsent::Interrupted& e) {
    // Every rank agreed to stop at the same step and the checkpoint is written: a clean exit.
    if (session.is_root())
      std::fprintf(stderr, "rnnsent_train: interrupted (signal %d): %s\n", e.signal, e.what());
    return rnnsent::kExitInterrupted;
  } catch (const rnnsent::JobError& e) {
    // Every rank knows it: one line from rank 0, and every rank ends normally.
    if (session.is_root()) std::fprintf(stderr, "rnnsent_train: error: %s\n", e.what());
    return 1;
  } catch (const rnnsent::dist::LostPeer& e) {
    // No MPI_Abort: the launcher would try to reach the lost host to kill its ranks and hang.
    // mpirun (with TCP keepalive, see the README) or srun notices the host itself and ends the
    // job, killing this rank; if nothing has after kLostPeerGrace, this rank leaves on its own.
    std::fprintf(stderr, "rnnsent_train: rank %d: error: %s\n", session.rank(), e.what());
    std::fflush(stderr);
    std::this_thread::sleep_for(std::chrono::seconds(kLostPeerGrace));
    std::_Exit(kExitLostPeer);
  } catch (const std::exception& e) {
    if (session.size() > 1) {
      std::fprintf(stderr, "rnnsent_train: rank %d: error: %s\n", session.rank(), e.what());
      std::fflush(stderr);
      session.abort(1);
    }
    std::fprintf(stderr, "rnnsent_train: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
