// Progress printing; see progress.hpp.
#include "launch/lib/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace rnnsent {

ProgressMode resolve_progress_mode(const std::string& mode, bool terminal, bool launcher) {
  if (mode == "bar") return ProgressMode::bar;
  if (mode == "lines") return ProgressMode::lines;
  if (mode == "none") return ProgressMode::none;
  if (mode == "auto") return terminal && !launcher ? ProgressMode::bar : ProgressMode::lines;
  throw std::invalid_argument("unknown progress mode '" + mode +
                              "' (expected: auto, bar, lines, none)");
}

bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_STEP_ID"})
    if (std::getenv(name)) return true;
  return false;
}

Progress::Progress(RunLog& log, bool enabled, ProgressMode mode, int log_every)
    : log_(log), enabled_(enabled), mode_(mode), log_every_(log_every) {}

void Progress::start_epoch(int epoch, int epochs, std::size_t batches) {
  batches_ = batches;
  start_ = std::chrono::steady_clock::now();
  if (enabled_) log_.print("Epoch %d/%d\n", epoch, epochs);
}

double Progress::epoch_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(std::size_t done, std::size_t samples, double loss_sum, std::size_t correct) {
  if (!enabled_ || samples == 0 || mode_ == ProgressMode::none) return;
  const bool bar = mode_ == ProgressMode::bar;
  const bool last = done == batches_;
  if (!bar && !(done % std::size_t(log_every_) == 0 || last)) return;
  const double secs = epoch_seconds();
  const double rate = secs > 0 ? double(samples) / secs : 0.0;
  const double eta = done ? secs / double(done) * double(batches_ - done) : 0.0;
  const double loss = loss_sum / double(samples), acc = double(correct) / double(samples);
  if (bar) {
    std::printf("\r%5zu/%zu - %7.1f samples/s - loss: %.4f - acc: %.4f - ETA: %4.0fs", done,
                batches_, rate, loss, acc, eta);
    std::fflush(stdout);
  } else {
    log_.print("%5zu/%zu - %7.1f samples/s - loss: %.4f - acc: %.4f - ETA: %4.0fs\n", done,
               batches_, rate, loss, acc, eta);
  }
}

void Progress::finish_epoch() {
  if (enabled_ && mode_ == ProgressMode::bar) std::printf("\n");
}

}  // namespace rnnsent
