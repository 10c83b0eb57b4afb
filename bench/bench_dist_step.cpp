// The step profile of the course model, on one rank (plain) or under mpirun: every rank reads
// its share of real IMDB batches, then 3 warm-up and `batches` timed steps of the global batch.
// Rank 0 prints global samples/s, where a step's time goes (embedding gather, RNN forward,
// dense + loss, RNN backward, scatter-add, gradient allreduce incl. waiting, optimizer; batch
// assembly is done once per epoch by the trainer, so it is not in the step) and the peak
// resident memory of each rank.
// Usage: mpirun -np P bench_dist_step DATA.h5 [batches=20] [global_batch=128] [maxlen=500]
//          [exchange=0]   (0: allreduce, every rank updates every row; 1: the sharded update over
//                          MPI; 2: the sharded update through the shared-memory window; 3: the
//                          sparse allgather of each rank's own rows, 2-4 ranks off one host)
#include <omp.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/init.hpp"
#include "core/sentiment_model.hpp"
#include "dist/session.hpp"
#include "io/dataset_file.hpp"
#include "launch/lib/data_parallel.hpp"
#include "launch/lib/padded_set.hpp"
#include "launch/lib/shuffle.hpp"

int main(int argc, char** argv) {
  rnnsent::dist::Session session(&argc, &argv);
  if (argc < 2) {
    if (session.is_root())
      std::fprintf(stderr,
                   "usage: bench_dist_step DATA.h5 [batches] [global_batch] [maxlen] [exchange]\n");
    return 2;
  }
  try {
    const int batches = argc > 2 ? std::atoi(argv[2]) : 20;
    const std::size_t global = argc > 3 ? std::size_t(std::atoi(argv[3])) : 128;
    const int maxlen = argc > 4 ? std::atoi(argv[4]) : 500;
    rnnsent::StepOptions options;
    const int exchange = argc > 5 ? std::atoi(argv[5]) : 0;
    options.shard_optimizer = exchange == 1;
    options.shared_memory_exchange = exchange == 2;
    options.sparse_exchange = exchange == 3;
    const int warmup = 3, total = warmup + batches;
    const rnnsent::DatasetReader reader(argv[1]);
    const auto order = rnnsent::seeded_permutation(reader.size("train"), 1, 0);
    // This rank's rows of each of the `total` global batches, back to back.
    std::vector<std::uint32_t> mine;
    std::vector<std::size_t> begin;
    for (int s = 0; s < total; ++s) {
      const auto [b, e] = rnnsent::rank_share(global, session.rank(), session.size());
      begin.push_back(mine.size());
      for (std::size_t k = b; k < e; ++k) mine.push_back(order[std::size_t(s) * global + k]);
    }
    begin.push_back(mine.size());
    const rnnsent::EncodedSplit shard = reader.read("train", mine);
    std::vector<std::uint32_t> rows(shard.size());
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::uint32_t(i);
    const rnnsent::PaddedSet set =
        rnnsent::make_padded_set(shard, rows, maxlen, rnnsent::Padding::pre, 30000);
    rnnsent::ModelShape shape;
    rnnsent::SentimentModel model(shape);
    const std::size_t n = model.layout().total();
    std::vector<float> params(n);
    rnnsent::OptimizerState optimizer =
        rnnsent::make_optimizer_state(rnnsent::OptimizerKind::rmsprop, n);
    if (session.is_root()) rnnsent::keras_initialize(shape, model.layout(), 1, params.data());
    session.broadcast(params.data(), n);
    rnnsent::DataParallelStep step(model, session, options);
    rnnsent::StepProfile phases;
    auto run = [&](int s) {
      step.run(set.row(begin[s]), set.labels.data() + begin[s], begin[s + 1] - begin[s], global,
               maxlen, s + 1, params.data(), optimizer);
    };
    for (int s = 0; s < warmup; ++s) run(s);
    const auto before = step.times();
    model.set_profile(&phases);
    session.barrier();
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = warmup; s < total; ++s) run(s);
    session.barrier();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& after = step.times();
    double share[9] = {after.compute - before.compute,
                       after.allreduce - before.allreduce,
                       after.optimizer - before.optimizer,
                       phases.gather,
                       phases.rnn_forward,
                       phases.dense_loss,
                       phases.rnn_backward,
                       phases.scatter_add,
                       after.sent_bytes - before.sent_bytes};
    session.allreduce_sum(share, 9);  // mean over ranks below
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    double peak_mb[1] = {double(usage.ru_maxrss) / 1024.0};  // the largest rank's, below
    std::vector<double> all(std::size_t(session.size()), 0.0);
    all[std::size_t(session.rank())] = peak_mb[0];
    session.allreduce_sum(all.data(), all.size());
    if (session.is_root()) {
      const double p = session.size();
      std::printf(
          "RESULT rnnsent ranks=%d threads=%d T=%d global_batch=%zu exchange=%d samples/s = %.1f "
          "(per step %.1f ms: compute %.1f, allreduce+wait %.1f, optimizer %.1f; sent per "
          "rank %.2f MB)\n",
          session.size(), omp_get_max_threads(), maxlen, global, exchange,
          double(batches) * double(global) / dt, dt / batches * 1e3, share[0] / p / batches * 1e3,
          share[1] / p / batches * 1e3, share[2] / p / batches * 1e3, share[8] / p / batches / 1e6);
      std::printf(
          "PROFILE ranks=%d threads=%d ms/step: gather %.2f, rnn_forward %.2f, dense_loss %.2f, "
          "rnn_backward %.2f, scatter_add %.2f, allreduce %.2f, optimizer %.2f; peak RSS per rank "
          "MB:",
          session.size(), omp_get_max_threads(), share[3] / p / batches * 1e3,
          share[4] / p / batches * 1e3, share[5] / p / batches * 1e3, share[6] / p / batches * 1e3,
          share[7] / p / batches * 1e3, share[1] / p / batches * 1e3, share[2] / p / batches * 1e3);
      for (double mb : all) std::printf(" %.0f", mb);
      std::printf("\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dist_step: rank %d: error: %s\n", session.rank(), e.what());
    session.abort(1);
  }
  return 0;
}
