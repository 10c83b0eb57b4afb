// rnnsent_train: trains a sentiment model from a config file and flags, on one rank (plain
// `rnnsent_train`) or many (`mpirun -np P rnnsent_train`). Exit codes: 0 done; 1 error (one
// line; under several ranks the failing rank aborts the whole job so no rank hangs); 2 bad
// config or flags; 75 stopped by SIGUSR1/SIGTERM/SIGINT after writing a resume checkpoint
// (continue with --resume auto); 70 the watchdog saw no progress; 71 a rank or its host went
// silent within a step (dist::LostPeer).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "dist/session.hpp"
#include "io/config.hpp"
#include "launch/lib/same_job.hpp"
#include "launch/lib/stop_signals.hpp"
#include "launch/lib/train_options.hpp"
#include "launch/lib/trainer.hpp"

namespace {
constexpr int kExitLostPeer = 71;
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
  rnnsent::dist::Session session(&argc, &argv);
  try {
    session.check_launch();
    rnnsent::train(config, session);
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
