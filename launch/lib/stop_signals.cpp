// The stop signals, taken by one thread of their own; see stop_signals.hpp.
#include "launch/lib/stop_signals.hpp"

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

namespace rnnsent {
namespace {

std::atomic<int> received{0};
std::atomic<bool> armed{false};

sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGUSR1, SIGTERM, SIGINT}) sigaddset(&set, s);
  return set;
}

// Before the trainer arms them, a signal does what it did without rnnsent: it ends the process.
[[noreturn]] void end_by(int signal) {
  std::signal(signal, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signal);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  raise(signal);
  std::_Exit(128 + signal);  // not reached: the default action ends the process
}

}  // namespace

// Blocked in the calling thread, and so in every thread it starts afterwards (MPI's, OpenMP's,
// oneDNN's), and taken by a waiting thread with sigwait: no handler runs on a compute thread.
// With a handler (it only stored the signal number), a SIGTERM in mid-step corrupted the heap
// in about 1 of 15 runs (glibc: "corrupted size vs. prev_size" freeing dnnl_sgemm's scratch);
// oneDNN's JIT code does not survive a signal frame on its stack. With the waiting thread: 0
// of 40.
void take_stop_signals() {
  static std::once_flag once;
  std::call_once(once, [] {
    const sigset_t set = stop_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      for (;;) {
        int signal = 0;
        if (sigwait(&set, &signal) != 0) continue;
        if (!armed) end_by(signal);
        received = signal;
      }
    }).detach();
  });
}

void install_stop_signals() {
  take_stop_signals();
  armed = true;
}

int stop_signal() { return received; }

void request_stop(int signal) { received = signal; }

}  // namespace rnnsent
