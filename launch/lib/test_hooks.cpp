// FaultInjection; see test_hooks.hpp.
#include "launch/lib/test_hooks.hpp"

#include <unistd.h>

#include <csignal>
#include <stdexcept>

#include "launch/lib/stop_signals.hpp"

namespace rnnsent {

void FaultInjection::on_epoch_begin(Run& run) {
  // One rank fails while the others go on into the step's allreduce (tests/cli).
  if (hooks_.fail_rank == run.session.rank())
    throw std::runtime_error("cannot read the training shard (injected by RNNSENT_TEST_FAIL_RANK)");
}

void FaultInjection::on_batch_begin(Run& run) {
  if (!run.root) return;
  const std::int64_t next = run.position.global_step + 1;
  if (next == hooks_.nan_at_step && run.stepper) run.stepper->poison_next_gradient();
  if (next == hooks_.signal_at_step) request_stop(SIGUSR1);
  if (next == hooks_.hang_at_step) ::pause();
}

void FaultInjection::on_test_begin(Run& run) {
  if (run.root && hooks_.slow_validation_seconds > 0)
    ::sleep(unsigned(hooks_.slow_validation_seconds));
}

}  // namespace rnnsent
