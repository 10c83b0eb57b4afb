// Data-parallel step throughput of the course model under mpirun: every rank reads its share of
// real IMDB batches, then 3 warm-up and `batches` timed steps of the global batch. Rank 0 prints
// global samples/s and where a step's time goes (compute, allreduce incl. waiting, optimizer).
// Usage: mpirun -np P bench_dist_step DATA.h5 [batches=20] [global_batch=128] [maxlen=500]
#include <omp.h>

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
    if (session.is_root()) std::fprintf(stderr, "usage: bench_dist_step DATA.h5 [batches] [global_batch] [maxlen]\n");
    return 2;
  }
  try {
    const int batches = argc > 2 ? std::atoi(argv[2]) : 20;
    const std::size_t global = argc > 3 ? std::size_t(std::atoi(argv[3])) : 128;
    const int maxlen = argc > 4 ? std::atoi(argv[4]) : 500;
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
    std::vector<float> params(n), accum(n, 0.0f);
    if (session.is_root()) rnnsent::keras_initialize(shape, model.layout(), 1, params.data());
    session.broadcast(params.data(), n);
    rnnsent::DataParallelStep step(model, session, {});
    auto run = [&](int s) {
      step.run(set.row(begin[s]), set.labels.data() + begin[s], begin[s + 1] - begin[s], global,
               maxlen, params.data(), accum.data());
    };
    for (int s = 0; s < warmup; ++s) run(s);
    const auto before = step.times();
    session.barrier();
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = warmup; s < total; ++s) run(s);
    session.barrier();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& after = step.times();
    double share[3] = {after.compute - before.compute, after.allreduce - before.allreduce,
                       after.optimizer - before.optimizer};
    session.allreduce_sum(share, 3);  // mean over ranks below
    if (session.is_root()) {
      const double p = session.size();
      std::printf("RESULT rnnsent ranks=%d threads=%d T=%d global_batch=%zu samples/s = %.1f "
                  "(per step %.1f ms: compute %.1f, allreduce+wait %.1f, optimizer %.1f)\n",
                  session.size(), omp_get_max_threads(), maxlen, global, double(batches) * double(global) / dt,
                  dt / batches * 1e3, share[0] / p / batches * 1e3, share[1] / p / batches * 1e3,
                  share[2] / p / batches * 1e3);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dist_step: rank %d: error: %s\n", session.rank(), e.what());
    session.abort(1);
  }
  return 0;
}
