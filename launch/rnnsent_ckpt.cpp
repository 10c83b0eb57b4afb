// rnnsent_ckpt: checks and describes resume checkpoints.
//   rnnsent_ckpt verify FILE   exit 0 when the checksum and structure are right, else 1
//   rnnsent_ckpt info FILE     step, epoch, position, metrics so far and the run's config
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "io/checkpoint_file.hpp"
#include "launch/lib/stdout_check.hpp"

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf(
        "usage: rnnsent_ckpt verify|info CHECKPOINT.h5\n"
        "  verify  exit 0 when the checkpoint's checksum and structure are right, else 1\n"
        "  info    its step, epoch, position, metrics so far, dataset and config\n");
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  if (argc != 3 || (std::strcmp(argv[1], "verify") != 0 && std::strcmp(argv[1], "info") != 0)) {
    std::fprintf(stderr, "usage: rnnsent_ckpt verify|info CHECKPOINT.h5\n");
    return 2;
  }
  const std::string path = argv[2];
  try {
    const rnnsent::TrainState s = rnnsent::read_checkpoint(path);
    if (std::strcmp(argv[1], "verify") == 0) {
      std::printf("ok: %s (global step %lld, epoch %d)\n", path.c_str(),
                  static_cast<long long>(s.global_step), s.epoch);
      rnnsent::check_stdout();
      return 0;
    }
    std::printf("checkpoint      %s\nformat version  %d\nglobal step     %lld\n", path.c_str(),
                s.format_version, static_cast<long long>(s.global_step));
    std::printf("continues at    epoch %d, after step %lld of it%s\n", s.epoch,
                static_cast<long long>(s.step_in_epoch), s.finished ? " (run finished)" : "");
    std::printf("written by      %d rank(s)\nparameters      %zu\nskipped steps   %lld\n", s.ranks,
                s.params.size(), static_cast<long long>(s.skipped_steps));
    std::printf("optimizer       %lld updates applied%s\n",
                static_cast<long long>(s.optimizer_updates),
                s.momentum.empty() ? "" : " (with Adam's momentum)");
    if (!s.dataset_fingerprint.empty())
      std::printf("dataset         fingerprint %s\n", s.dataset_fingerprint.c_str());
    if (!s.weight_average.empty())
      std::printf("weight average  %zu values (ema_momentum)\n", s.weight_average.size());
    if (s.lr_scale != 1 || std::isfinite(s.plateau_best))
      std::printf(
          "learning rate   %.6g x the schedule's (reduce_lr_on_plateau: best %.4f, wait %d, "
          "cooldown %d)\n",
          s.lr_scale, s.plateau_best, s.plateau_wait, s.plateau_cooldown);
    if (!s.restore_params.empty())
      std::printf("restore weights epoch %d (restore_best_weights)\n", s.restore_epoch);
    if (s.train_seconds > 0)
      std::printf("trained         %.0f samples in %.1f s (%.0f samples/s)\n", s.train_samples,
                  s.train_seconds, s.train_samples / s.train_seconds);
    if (std::isfinite(s.checkpoint_best))
      std::printf(
          "best so far     epoch %d, checkpoint_monitor %.4f; early_stopping_monitor %.4f; epochs "
          "without gain %d\n",
          s.best_epoch, s.checkpoint_best, s.stopping_best, s.wait);
    std::printf(
        "history\n  epoch     loss      acc  val_loss  val_acc  seconds  learning_rate  "
        "grad_norm\n");
    for (std::size_t e = 0; e < s.history.epochs(); ++e)
      std::printf("  %5zu  %7.4f  %7.4f  %8.4f  %7.4f  %7.1f  %13.6g  %9.4f\n", e + 1,
                  s.history.loss[e], s.history.acc[e], s.history.val_loss[e], s.history.val_acc[e],
                  s.history.seconds[e], s.history.learning_rate[e], s.history.grad_norm[e]);
    std::printf("config\n");
    std::size_t start = 0;
    while (start < s.config_ini.size()) {
      const std::size_t end = s.config_ini.find('\n', start);
      std::printf("  %s\n", s.config_ini.substr(start, end - start).c_str());
      if (end == std::string::npos) break;
      start = end + 1;
    }
    rnnsent::check_stdout();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnnsent_ckpt: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
