// The output directory of a training run: a lock so that one run at a time writes it, its
// resume checkpoints (listed, pruned), and what a new run does with checkpoints it did not
// write: they are moved aside, never deleted and never mixed with its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rnnsent {

std::string checkpoint_dir(const std::string& output_dir);
// output_dir/checkpoints/ckpt-<global step, 10 digits>.h5
std::string checkpoint_path(const std::string& output_dir, std::int64_t step);
// The checkpoints there, newest (highest step) first.
std::vector<std::string> list_checkpoints(const std::string& output_dir);

// An exclusive flock(2) on output_dir/.rnnsent.lock, held while the object lives. The kernel
// drops it when the process dies, so a killed run never blocks the next one. Throws, naming
// the directory and the process that holds it, when another run has it.
class RunLock {
 public:
  explicit RunLock(const std::string& output_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// The checkpoints in output_dir that are not part of the run about to start: all of them for
// a fresh run or one resumed from another directory; for one resumed from a checkpoint in
// output_dir, those of a higher step (another continuation of that run).
std::vector<std::string> foreign_checkpoints(const std::string& output_dir,
                                             const std::string& resumed_from,
                                             std::int64_t resumed_step);

// Moves files into output_dir/checkpoints.replaced-N (the first N not taken); returns it.
std::string move_aside(const std::vector<std::string>& files, const std::string& output_dir);

// Removes all but the newest keep checkpoints; just_written is never removed.
void prune_checkpoints(const std::string& output_dir, int keep, const std::string& just_written);

}  // namespace rnnsent
