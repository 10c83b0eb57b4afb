// The model summary; see model_summary.hpp.
#include "launch/lib/model_summary.hpp"

#include <cstdio>
#include <vector>

namespace rnnsent {
namespace {

struct Row {
  std::string layer, output;
  std::size_t params = 0;
};

std::string dims(const std::vector<int>& d) {
  std::string s = "(None";
  for (int x : d) s += ", " + std::to_string(x);
  return s + ")";
}

std::string with_commas(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string model_summary(const ModelShape& shape, const ParamLayout& layout, int maxlen) {
  // Layers in the order of their slots: "embedding/embeddings" and "lstm_1/kernel" belong to
  // "embedding" and "lstm_1", "bidirectional/forward_gru/kernel" to "bidirectional".
  std::vector<Row> rows;
  for (const Slot& slot : layout.slots()) {
    const std::string layer = slot.name.substr(0, slot.name.find('/'));
    if (rows.empty() || rows.back().layer != layer) rows.push_back({layer, "", 0});
    rows.back().params += slot.size();
  }
  const int width = shape.units * (shape.bidirectional ? 2 : 1);
  const bool pooled = shape.pooling != Pooling::last;
  int recurrent_seen = 0;
  std::vector<Row> table;
  for (Row& row : rows) {
    if (row.layer == "embedding") {
      row.output = dims({maxlen, shape.embedding_dim});
    } else if (row.layer.rfind("dense", 0) == 0) {
      row.output = dims({1});
    } else {  // a recurrent layer: sequences below the top, and at the top when pooled
      const bool top = ++recurrent_seen == shape.layers;
      row.output = top && !pooled ? dims({width}) : dims({maxlen, width});
      if (top && pooled) {
        table.push_back(row);
        row = {"global_" + pooling_name(shape.pooling) + "_pooling", dims({width}), 0};
      }
    }
    table.push_back(row);
  }
  std::string text = "Layer                                Output shape          Params\n";
  std::size_t total = 0;
  char line[160];
  for (const Row& r : table) {
    std::snprintf(line, sizeof line, "%-36s %-21s %s\n", r.layer.c_str(), r.output.c_str(),
                  with_commas(r.params).c_str());
    text += line;
    total += r.params;
  }
  return text + "Total params: " + with_commas(total) + "\n";
}

}  // namespace rnnsent
