// Keras LSTM, gates in Keras's order i, f, c~ (g), o:
//   i, f, o = sigmoid(a_i, a_f, a_o); g = tanh(a_g); c = f c_{t-1} + i g; h = o tanh(c).
// The tape keeps i, f, g, o and tanh(c) so backward computes no transcendental function.
// Keras's unit_forget_bias: the forget block of the bias starts at 1.
#include <algorithm>
#include <cstddef>

#include "core/cell.hpp"
#include "core/fast_math.hpp"
#include "core/isa_clones.hpp"

namespace rnnsent {
namespace {

__attribute__((always_inline)) inline void forward_body(const CellForward& s) {
  const int H = s.H;
  for (int r = 0; r < s.n; ++r) {
    const float* __restrict x = s.x[r];
    const float* __restrict hu = s.hu + std::size_t(r) * 4 * H;
    const float* __restrict cp = s.c_prev + std::size_t(r) * H;
    float* __restrict c = s.c + std::size_t(r) * H;
    float* __restrict h = s.h + std::size_t(r) * H;
    float* __restrict tape = s.tape + std::size_t(r) * 5 * H;
    #pragma omp simd
    for (int j = 0; j < H; ++j) {
      const float i = fast::sigmoid(x[j] + hu[j]);
      const float f = fast::sigmoid(x[H + j] + hu[H + j]);
      const float g = fast::tanh(x[2 * H + j] + hu[2 * H + j]);
      const float o = fast::sigmoid(x[3 * H + j] + hu[3 * H + j]);
      const float cj = f * cp[j] + i * g;
      const float tc = fast::tanh(cj);
      c[j] = cj;
      h[j] = o * tc;
      tape[j] = i;
      tape[H + j] = f;
      tape[2 * H + j] = g;
      tape[3 * H + j] = o;
      tape[4 * H + j] = tc;
    }
  }
}

__attribute__((always_inline)) inline void backward_body(const CellBackward& s) {
  const int H = s.H;
  for (int r = 0; r < s.n; ++r) {
    const float* __restrict tape = s.tape + std::size_t(r) * 5 * H;
    const float* __restrict cp = s.c_prev + std::size_t(r) * H;
    const float* __restrict dh = s.dh + std::size_t(r) * H;
    float* __restrict dc = s.dc + std::size_t(r) * H;
    float* __restrict d = s.dhu + std::size_t(r) * 4 * H;
    #pragma omp simd
    for (int j = 0; j < H; ++j) {
      const float i = tape[j], f = tape[H + j], g = tape[2 * H + j], o = tape[3 * H + j];
      const float tc = tape[4 * H + j];
      const float dct = dc[j] + dh[j] * o * (1.0f - tc * tc);
      d[j] = dct * g * i * (1.0f - i);
      d[H + j] = dct * cp[j] * f * (1.0f - f);
      d[2 * H + j] = dct * i * (1.0f - g * g);
      d[3 * H + j] = dh[j] * tc * o * (1.0f - o);
      dc[j] = dct * f;
    }
    if (s.dx) std::copy(d, d + 4 * H, s.dx[r]);
  }
}

RNNSENT_ISA_CLONES(forward_rows, forward_body, CellForward)
RNNSENT_ISA_CLONES(backward_rows, backward_body, CellBackward)

class LstmCell final : public Cell {
 public:
  int gates() const override { return 4; }
  bool has_cell_state() const override { return true; }
  int tape_width(int H) const override { return 5 * H; }
  void init_bias(int H, float* bias) const override {
    std::fill(bias, bias + 4 * H, 0.0f);
    std::fill(bias + H, bias + 2 * H, 1.0f);
  }
  void forward(const CellForward& s) const override { forward_rows(s); }
  void backward(const CellBackward& s) const override { backward_rows(s); }
};

}  // namespace

const Cell& lstm_cell() {
  static const LstmCell cell;
  return cell;
}

}  // namespace rnnsent
