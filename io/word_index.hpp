// Reads a Keras word index (imdb.get_word_index()'s JSON: {"word": rank, ...}, rank 1 = most
// frequent) into rank order, so a model trained in Keras can be served with its own ids
// (id = rank + 3, as Keras's imdb.load_data assigns them).
#pragma once

#include <string>
#include <vector>

namespace rnnsent {

// words[r - 1] is the word of rank r. Ranks missing from the file get a placeholder no token can
// equal. Throws naming the file and the position on malformed JSON, a duplicate word or rank,
// a rank < 1 or > 2^21, a malformed \u escape, or ranks that leave out more than half of the
// ranks up to the largest (plus 1000).
std::vector<std::string> read_word_index(const std::string& path);

}  // namespace rnnsent
