// train.log, history.csv and steps.csv; see run_log.hpp.
#include "launch/lib/run_log.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "io/atomic_file.hpp"

namespace rnnsent {
namespace {

constexpr const char* kStepsHeader = "step,epoch,loss,acc,learning_rate,grad_norm,samples_per_s\n";

std::FILE* open_append(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw std::runtime_error(path + ": cannot open for writing");
  return f;
}

// Keeps the header and the rows of steps up to last_step (a resume trains the later ones again).
void truncate_steps(const std::string& path, std::int64_t last_step) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept, line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const bool header = line.rfind("step,", 0) == 0;
    if (header || std::strtoll(line.c_str(), nullptr, 10) <= last_step) kept += line + "\n";
  }
  write_text_atomically(path, kept);
}

// A full disk shows at the flush: the run stops with one line, like any other output it
// cannot write, rather than training on with a log that silently ends.
void flush_or_throw(std::FILE* f, const std::string& path) {
  if (std::fflush(f) != 0 || std::ferror(f))
    throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
}

}  // namespace

RunLog::RunLog(const std::string& dir, bool resuming, std::int64_t resumed_step) : dir_(dir) {
  const std::string steps_path = dir + "/steps.csv";
  // A new run in the directory (--overwrite) starts the table afresh: its step 1 is not the
  // old run's.
  truncate_steps(steps_path, resuming ? resumed_step : 0);
  log_ = open_append(dir + "/train.log");
  steps_ = open_append(steps_path);
  if (std::ftell(steps_) == 0) std::fputs(kStepsHeader, steps_);
  flush_or_throw(steps_, steps_path);
}

RunLog::~RunLog() {
  if (log_) std::fclose(log_);
  if (steps_) std::fclose(steps_);
}

void RunLog::print(const char* format, ...) {
  if (!log_) return;
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  std::vfprintf(stdout, format, args);
  std::vfprintf(log_, format, copy);
  va_end(copy);
  va_end(args);
  std::fflush(stdout);
  flush_or_throw(log_, dir_ + "/train.log");
}

void RunLog::note(const std::string& text) {
  if (!log_) return;
  std::fputs(text.c_str(), log_);
  flush_or_throw(log_, dir_ + "/train.log");
}

void RunLog::step(const StepRow& r) {
  if (!steps_) return;
  std::fprintf(steps_, "%lld,%d,%.6g,%.6g,%.6g,%.6g,%.1f\n", static_cast<long long>(r.step),
               r.epoch, r.loss, r.acc, r.learning_rate, r.grad_norm, r.samples_per_s);
  flush_or_throw(steps_, dir_ + "/steps.csv");
}

void RunLog::history(const History& h) const {
  if (!log_) return;
  write_text_atomically(dir_ + "/history.csv", history_csv(h));
}

std::string history_csv(const History& h) {
  std::ostringstream os;
  os.precision(9);
  os << "epoch,loss,acc,val_loss,val_acc,seconds,learning_rate,grad_norm\n";
  for (std::size_t e = 0; e < h.epochs(); ++e)
    os << e + 1 << ',' << h.loss[e] << ',' << h.acc[e] << ',' << h.val_loss[e] << ','
       << h.val_acc[e] << ',' << h.seconds[e] << ',' << h.learning_rate[e] << ',' << h.grad_norm[e]
       << '\n';
  return os.str();
}

}  // namespace rnnsent
