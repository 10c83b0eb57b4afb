// Keras SimpleRNN (tanh): h = tanh(x W + b + h_{t-1} U). One gate; backward needs only h.
#include <cstddef>

#include "core/cell.hpp"
#include "core/fast_math.hpp"
#include "core/isa_clones.hpp"

namespace rnnsent {
namespace {

__attribute__((always_inline)) inline void forward_body(const CellForward& s) {
  const int H = s.H;
  for (int i = 0; i < s.n; ++i) {
    const float* __restrict x = s.x[i];
    const float* __restrict hu = s.hu + std::size_t(i) * H;
    float* __restrict h = s.h + std::size_t(i) * H;
    #pragma omp simd
    for (int j = 0; j < H; ++j) h[j] = fast::tanh(x[j] + hu[j]);
  }
}

__attribute__((always_inline)) inline void backward_body(const CellBackward& s) {
  const int H = s.H;
  for (int i = 0; i < s.n; ++i) {
    const float* __restrict h = s.h + std::size_t(i) * H;
    const float* __restrict dh = s.dh + std::size_t(i) * H;
    float* __restrict d = s.dhu + std::size_t(i) * H;
    #pragma omp simd
    for (int j = 0; j < H; ++j) d[j] = dh[j] * (1.0f - h[j] * h[j]);
    if (s.dx)
      for (int j = 0; j < H; ++j) s.dx[i][j] = d[j];
  }
}

RNNSENT_ISA_CLONES(forward_rows, forward_body, CellForward)
RNNSENT_ISA_CLONES(backward_rows, backward_body, CellBackward)

class SimpleRnnCell final : public Cell {
 public:
  int gates() const override { return 1; }
  int tape_width(int) const override { return 0; }
  void forward(const CellForward& s) const override { forward_rows(s); }
  void backward(const CellBackward& s) const override { backward_rows(s); }
};

}  // namespace

const Cell& simple_rnn_cell() {
  static const SimpleRnnCell cell;
  return cell;
}

}  // namespace rnnsent
