// Faults a test injects into a training run: a NaN gradient, a stop signal, a hang, a rank
// that fails, a slow validation, a pause before a checkpoint is published. rnnsent_train
// fills them from its RNNSENT_TEST_* environment variables; the library never reads the
// environment for them, and a unit test passes its own.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "launch/lib/callback.hpp"

namespace rnnsent {

struct TestHooks {
  std::int64_t nan_at_step = 0;     // rank 0's gradient of that global step gets a NaN (0: none)
  std::int64_t signal_at_step = 0;  // rank 0 gets SIGUSR1 before that step
  std::int64_t hang_at_step = 0;    // rank 0 hangs before that step
  int fail_rank = -1;               // that rank fails to read its shard at every epoch's start
  int slow_validation_seconds = 0;  // rank 0's validation takes this much longer
  // Runs with a checkpoint's temporary file complete and not yet renamed (its final path).
  std::function<void(const std::string& path)> before_checkpoint_publish;
  bool any_step_fault() const {
    return nan_at_step || signal_at_step || hang_at_step || fail_rank >= 0 ||
           slow_validation_seconds > 0;
  }
};

// The step faults as a callback (first in the list, so the fault happens before the step).
class FaultInjection : public Callback {
 public:
  explicit FaultInjection(TestHooks hooks) : hooks_(std::move(hooks)) {}
  void on_epoch_begin(Run& run) override;
  void on_batch_begin(Run& run) override;
  void on_test_begin(Run& run) override;

 private:
  TestHooks hooks_;
};

}  // namespace rnnsent
