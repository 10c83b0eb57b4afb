// The one place that maps a cell kind to its arithmetic; everything else asks the Cell.
#include "core/cell.hpp"

#include <algorithm>
#include <stdexcept>

namespace rnnsent {

void Cell::init_bias(int H, float* bias) const {
  std::fill(bias, bias + (recurrent_bias() ? 2 : 1) * gates() * H, 0.0f);
}

const Cell& cell_for(CellKind kind) {
  switch (kind) {
    case CellKind::simple_rnn:
      return simple_rnn_cell();
    case CellKind::lstm:
      return lstm_cell();
    case CellKind::gru:
      return gru_cell();
  }
  throw std::invalid_argument("cell_for: unknown cell kind");
}

}  // namespace rnnsent
