// SIGUSR1 (SLURM's --signal lead time), SIGTERM (preemption, the time limit) and SIGINT (Ctrl-C)
// only raise a flag: the trainer checks it at the next step boundary, where all ranks agree
// (it rides on the step's allreduce), rank 0 writes a resume checkpoint and every rank exits
// with kExitInterrupted.
#pragma once

namespace rnnsent {

// Exit code of a run stopped by a signal after writing its resume checkpoint (EX_TEMPFAIL):
// launch/slurm/train.sbatch requeues the job on it.
inline constexpr int kExitInterrupted = 75;

// Blocks the three signals in the calling thread (and so in the threads it starts later) and
// takes them in a thread of their own; until install_stop_signals, a signal still ends the
// process. Call before any thread starts (rnnsent_train: before MPI); again, it does nothing.
void take_stop_signals();
// take_stop_signals, then from now on a signal only raises the flag.
void install_stop_signals();
// The signal received so far, or 0.
int stop_signal();
// Test hook: behave as if the signal had arrived.
void request_stop(int signal);

}  // namespace rnnsent
