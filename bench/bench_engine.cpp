// The recurrent engine's phases at the course shapes, one thread, operands in cache where the
// real run has them there: achieved GFLOP/s of each phase against this machine's measured
// sgemm rate on the same product (the ceiling), for every cell. Times are the thread's CPU
// time, best of the repeats.
//   ceiling    dnnl_sgemm of the step product [n, H] x [H, G*H], repeated, and a large square one
//   forward    T steps of h U + gates (RecurrentDirection::forward), table rows as input
//   backward   T steps of d(pre) U^T + gates, then dU over all T n rows (::backward)
//   table      the token table E[touched] W + b (forward) and its two gradient products
// Usage: OMP_NUM_THREADS=1 build/bin/bench_engine [n=64] [T=500] [K=4500] [repeats=5]
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/cell.hpp"
#include "core/cpu_isa.hpp"
#include "core/gemm.hpp"
#include "core/input_projection.hpp"
#include "core/recurrent_direction.hpp"
#include "core/token_set.hpp"

namespace {

// The calling thread's CPU time: on a shared machine another process on the core does not
// count (its cache traffic still does).
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

template <typename F>
double best_seconds(int repeats, F&& f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = thread_seconds();
    f();
    best = std::min(best, thread_seconds() - t0);
  }
  return best;
}

std::vector<float> random_floats(std::size_t n, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rnnsent;
  const int n = argc > 1 ? std::atoi(argv[1]) : 64, T = argc > 2 ? std::atoi(argv[2]) : 500;
  const int K = argc > 3 ? std::atoi(argv[3]) : 4500, repeats = argc > 4 ? std::atoi(argv[4]) : 5;
  const int E = 128, H = 64, V = 30000;
  std::printf("instruction set: %s (CPU %s); threads %d; n %d, T %d, K %d, E %d, H %d\n",
              cpu_isa_name(usable_cpu_isa()), cpu_isa_name(hardware_cpu_isa()),
              omp_get_max_threads(), n, T, K, E, H);
  {
    const int M = 2048, S = 256;
    auto a = random_floats(std::size_t(M) * S, 1, 1), b = random_floats(std::size_t(S) * S, 1, 2);
    std::vector<float> c(std::size_t(M) * S);
    const double s = best_seconds(repeats, [&] {
      sgemm('N', 'N', M, S, S, a.data(), S, b.data(), S, 0.0f, c.data(), S);
    });
    std::printf("ceiling  sgemm %dx%dx%d: %.1f GFLOP/s\n", M, S, S, 2.0 * M * S * S / s * 1e-9);
  }
  // Token ids of a batch chunk: K distinct among T n, as in an IMDB chunk.
  std::vector<std::int32_t> ids(std::size_t(n) * T);
  std::mt19937 rng(3);
  for (auto& id : ids) id = std::int32_t(3 + rng() % unsigned(K));
  const auto embedding = random_floats(std::size_t(V) * E, 0.05f, 4);
  TokenSet tokens;
  tokens.build(ids.data(), n, T, V, embedding.data(), E, Dropout{}, 0);
  tokens.demb.assign(std::size_t(tokens.K()) * E, 0.0f);
  for (CellKind kind : {CellKind::simple_rnn, CellKind::lstm, CellKind::gru}) {
    const Cell& cell = cell_for(kind);
    const int GH = cell.gates() * H;
    const auto W = random_floats(std::size_t(E) * GH, 0.1f, 5);
    const auto U = random_floats(std::size_t(H) * GH, 0.1f, 6);
    const auto b = random_floats(std::size_t(2) * GH, 0.1f, 7);
    const float* rb = cell.recurrent_bias() ? b.data() + GH : nullptr;
    auto h = random_floats(std::size_t(n) * H, 1, 8);
    std::vector<float> hu(std::size_t(n) * GH), dU(std::size_t(H) * GH), dW(std::size_t(E) * GH),
        db(std::size_t(2) * GH);
    const int calls = 2000;
    const double step = best_seconds(repeats, [&] {
      for (int i = 0; i < calls; ++i)
        sgemm('N', 'N', n, GH, H, h.data(), H, U.data(), GH, 0.0f, hu.data(), GH);
    }) / calls;
    const double step_flop = 2.0 * n * H * GH;
    TableProjection table;
    const double table_fwd = best_seconds(repeats, [&] {
      table.forward(tokens, W.data(), b.data(), GH, nullptr);
    });
    RecurrentDirection dir(cell, H);
    const double fwd = best_seconds(repeats, [&] {
      dir.forward(T, n, table.rows(), U.data(), rb, nullptr, nullptr, true);
    });
    const auto dstates = random_floats(std::size_t(T) * n * H, 0.01f, 9);
    const bool own = cell.input_grad_is_recurrent_grad();
    const double bwd = best_seconds(repeats, [&] {
      dir.backward(nullptr, dstates.data(), own ? nullptr : table.grad_rows(), dU.data(),
                   rb ? db.data() + GH : nullptr);
    });
    const double table_bwd = best_seconds(repeats, [&] {
      table.backward(tokens, own ? dir.dpre() : table.grad_buffer(), W.data(), dW.data(),
                     db.data());
    });
    const double ceiling = step_flop / step * 1e-9;
    const double fwd_rate = step_flop * T / fwd * 1e-9, bwd_rate = 2 * step_flop * T / bwd * 1e-9;
    const double table_flop = 2.0 * tokens.K() * E * GH;
    std::printf("%-10s step sgemm %dx%dx%d: %.2f us, %.1f GFLOP/s (ceiling)\n",
                std::string(cell_name(kind)).c_str(), n, H, GH, step * 1e6, ceiling);
    std::printf("%-10s forward  %.2f ms  %.1f GFLOP/s  %.0f%% of ceiling\n", "", fwd * 1e3,
                fwd_rate, 100 * fwd_rate / ceiling);
    std::printf("%-10s backward %.2f ms  %.1f GFLOP/s  %.0f%% of ceiling\n", "", bwd * 1e3,
                bwd_rate, 100 * bwd_rate / ceiling);
    std::printf("%-10s table    forward %.2f ms (%.1f GFLOP/s), backward %.2f ms (%.1f GFLOP/s)\n",
                "", table_fwd * 1e3, table_flop / table_fwd * 1e-9, table_bwd * 1e3,
                2 * table_flop / table_bwd * 1e-9);
  }
  return 0;
}
