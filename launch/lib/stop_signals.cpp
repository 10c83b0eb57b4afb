// Async-signal-safe flag setting; see stop_signals.hpp.
#include "launch/lib/stop_signals.hpp"

#include <csignal>
#include <initializer_list>

namespace rnnsent {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void on_stop_signal(int signal) { received = signal; }

}  // namespace

void install_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : {SIGUSR1, SIGTERM, SIGINT}) sigaction(s, &action, nullptr);
}

int stop_signal() { return received; }

void request_stop(int signal) { received = signal; }

}  // namespace rnnsent
