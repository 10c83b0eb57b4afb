// Users' own labelled reviews, in the formats their tools write: Keras's
// text_dataset_from_directory layout (DIR/<class>/*.txt, the two class names sorted, the first
// is label 0), CSV or TSV with a header row (RFC 4180 quoting: separators, quotes and newlines
// inside a quoted field), and JSON Lines (one object per line). A label is 0 or 1, or one of
// the two names given as `labels` (negative first). Every bad row ends the read with one line
// naming the file, the line and the reason.
#pragma once

#include <string>
#include <vector>

#include "io/imdb_reader.hpp"

namespace rnnsent {

enum class TextFormat { folders, csv, tsv, jsonl };

TextFormat parse_text_format(const std::string& name);  // throws naming the value
std::string text_format_name(TextFormat format);
// A directory is folders; *.csv, *.tsv / *.tab, *.jsonl / *.ndjson by their ending. Throws
// naming the path (and the option that chooses) otherwise.
TextFormat guess_text_format(const std::string& path);

struct LabelledTextOptions {
  TextFormat format = TextFormat::csv;
  std::string text_column = "text", label_column = "label";  // csv, tsv, jsonl
  std::vector<std::string> labels;  // {negative, positive}; empty: 0/1 (folders: sorted names)
  bool labelled = true;             // false: texts only (prediction), every label 0
};

// The reviews in file order (folders: class 0's files then class 1's, each sorted by name).
// RawReview::id is the row's line number (folders: its index), rating 0 (unknown).
std::vector<RawReview> read_labelled_text(const std::string& path,
                                          const LabelledTextOptions& options);

// "neg,pos" -> {"neg", "pos"}; throws unless it names two different non-empty labels.
std::vector<std::string> parse_label_names(const std::string& text);

}  // namespace rnnsent
