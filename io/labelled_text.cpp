// Readers for users' labelled reviews; see labelled_text.hpp.
#include "io/labelled_text.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace rnnsent {
namespace {

namespace fs = std::filesystem;

std::runtime_error row_error(const std::string& path, std::size_t line, const std::string& why) {
  return std::runtime_error(path + ":" + std::to_string(line) + ": " + why);
}

// The byte offset of the first invalid UTF-8 sequence, or npos (overlong forms, surrogates and
// code points beyond U+10FFFF are invalid).
std::size_t invalid_utf8_at(const std::string& s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = b[i];
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > n) return i;
    unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < len; ++k) {
      if ((b[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b[i + k] & 0x3F);
    }
    const unsigned least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string::npos;
}

void check_text(const std::string& path, std::size_t line, const std::string& text) {
  const std::size_t bad = invalid_utf8_at(text);
  if (bad != std::string::npos)
    throw row_error(path, line,
                    "invalid UTF-8 in the text at byte " + std::to_string(bad) + " of the field");
}

std::uint8_t parse_label(const std::string& path, std::size_t line, const std::string& value,
                         const LabelledTextOptions& o) {
  if (o.labels.size() == 2) {
    if (value == o.labels[0]) return 0;
    if (value == o.labels[1]) return 1;
  }
  if (value == "0") return 0;
  if (value == "1") return 1;
  const std::string shown = value.size() > 40 ? value.substr(0, 40) + "..." : value;
  throw row_error(
      path, line,
      "label '" + shown + "' is not 0 or 1" +
          (o.labels.size() == 2 ? " nor " + o.labels[0] + " or " + o.labels[1] + " (--labels)"
                                : " (name the two labels with --labels NEG,POS)"));
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw std::runtime_error(path + ": a directory; give a file, or --input-format folders");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return text;
}

// One CSV/TSV record from text at pos (RFC 4180), advancing pos and line (the line count at
// the record's end). Returns false at the end of the text.
bool next_record(const std::string& path, const std::string& text, char sep, std::size_t& pos,
                 std::size_t& line, std::vector<std::string>& fields) {
  fields.clear();
  if (pos >= text.size()) return false;
  const std::size_t start_line = line;
  std::string field;
  bool quoted = false, was_quoted = false;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"' && pos < text.size() && text[pos] == '"') {
        field += '"';
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == sep) {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
      ++line;
      fields.push_back(std::move(field));
      return true;
    } else {
      if (was_quoted) throw row_error(path, line, "text after the closing quote of a quoted field");
      field += c;
    }
  }
  if (quoted)
    throw row_error(path, start_line, "a quoted field is not closed before the end of the file");
  fields.push_back(std::move(field));
  ++line;
  return true;
}

std::size_t column(const std::string& path, const std::vector<std::string>& header,
                   const std::string& name, const char* option) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end())
    throw row_error(path, 1,
                    "the header has no column '" + name + "' (choose it with " + option + ")");
  return std::size_t(it - header.begin());
}

std::vector<RawReview> read_delimited(const std::string& path, char sep,
                                      const LabelledTextOptions& o) {
  const std::string text = read_file(path);
  std::size_t pos = 0, line = 1;
  std::vector<std::string> header, fields;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // a byte-order mark (Excel's CSV)
  if (!next_record(path, text, sep, pos, line, header))
    throw std::runtime_error(path + ": empty file (expected a header row, then reviews)");
  const std::size_t text_col = column(path, header, o.text_column, "--text-column");
  const std::size_t label_col =
      o.labelled ? column(path, header, o.label_column, "--label-column") : 0;
  std::vector<RawReview> reviews;
  for (std::size_t row_line = line; next_record(path, text, sep, pos, line, fields);
       row_line = line) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (fields.size() != header.size())
      throw row_error(path, row_line,
                      std::to_string(fields.size()) + " field(s), the header has " +
                          std::to_string(header.size()));
    check_text(path, row_line, fields[text_col]);
    RawReview r;
    if (o.labelled) r.label = parse_label(path, row_line, fields[label_col], o);
    r.text = std::move(fields[text_col]);
    r.id = std::int32_t(row_line);
    reviews.push_back(std::move(r));
  }
  return reviews;
}

std::string json_label(const std::string& path, std::size_t line, const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return v.dump();
  throw row_error(path, line,
                  "the label is " + std::string(v.type_name()) + ", not a number or string");
}

// The deepest nesting of arrays and objects on a JSON line (outside strings): the parser
// recurses once per level, so a hostile line of a million '[' would overflow the stack.
std::size_t json_depth(const std::string& row) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const char c = row[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::vector<RawReview> read_jsonl(const std::string& path, const LabelledTextOptions& o) {
  const std::string text = read_file(path);
  std::istringstream in(text);
  std::vector<RawReview> reviews;
  std::size_t line = 0;
  for (std::string row; std::getline(in, row);) {
    ++line;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    if (row.find_first_not_of(" \t") == std::string::npos) continue;
    constexpr std::size_t kMaxDepth = 64;
    if (json_depth(row) > kMaxDepth)
      throw row_error(path, line,
                      "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(row);
    } catch (const nlohmann::json::exception& e) {
      // The parser's message ends with the bytes it last read, which may be the invalid ones.
      std::string why = e.what();
      why = why.substr(0, why.find("; last read"));
      throw row_error(path, line, "not valid JSON (" + why + ")");
    }
    if (!object.is_object()) throw row_error(path, line, "not a JSON object");
    const auto t = object.find(o.text_column), l = object.find(o.label_column);
    if (t == object.end() || !t->is_string())
      throw row_error(path, line, "no string field '" + o.text_column + "' (--text-column)");
    if (o.labelled && l == object.end())
      throw row_error(path, line, "no field '" + o.label_column + "' (--label-column)");
    RawReview r;
    r.text = t->get<std::string>();  // the parser has checked its UTF-8
    if (o.labelled) r.label = parse_label(path, line, json_label(path, line, *l), o);
    r.id = std::int32_t(line);
    reviews.push_back(std::move(r));
  }
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return reviews;
}

std::vector<RawReview> read_folders(const std::string& path, const LabelledTextOptions& o) {
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    throw std::runtime_error(path + ": not a directory (folders: DIR/<class>/*.txt)");
  std::vector<std::string> classes = o.labels;
  if (classes.empty()) {
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.is_directory()) classes.push_back(entry.path().filename().string());
    std::sort(classes.begin(), classes.end());
    if (classes.size() != 2)
      throw std::runtime_error(path + ": holds " + std::to_string(classes.size()) +
                               " class folder(s); folders needs two (or name them with --labels "
                               "NEG,POS)");
  }
  std::vector<RawReview> reviews;
  for (std::uint8_t label = 0; label < 2; ++label) {
    const fs::path dir = fs::path(path) / classes[label];
    if (!fs::is_directory(dir, ec))
      throw std::runtime_error(dir.string() + ": no such class folder");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".txt")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw std::runtime_error(dir.string() + ": no *.txt review in this class folder");
    for (const fs::path& file : files) {
      RawReview r;
      r.text = read_file(file.string());
      check_text(file.string(), 1, r.text);
      r.label = label;
      r.id = std::int32_t(reviews.size());
      reviews.push_back(std::move(r));
    }
  }
  return reviews;
}

bool ends_with(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

}  // namespace

TextFormat parse_text_format(const std::string& name) {
  if (name == "folders") return TextFormat::folders;
  if (name == "csv") return TextFormat::csv;
  if (name == "tsv") return TextFormat::tsv;
  if (name == "jsonl") return TextFormat::jsonl;
  throw std::invalid_argument("invalid value '" + name +
                              "' for --input-format: use folders, csv, tsv or jsonl");
}

std::string text_format_name(TextFormat format) {
  const char* names[] = {"folders", "csv", "tsv", "jsonl"};
  return names[int(format)];
}

TextFormat guess_text_format(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return TextFormat::folders;
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ends_with(lower, ".csv")) return TextFormat::csv;
  if (ends_with(lower, ".tsv") || ends_with(lower, ".tab")) return TextFormat::tsv;
  if (ends_with(lower, ".jsonl") || ends_with(lower, ".ndjson")) return TextFormat::jsonl;
  if (!fs::exists(path, ec)) throw std::runtime_error(path + ": no such file or directory");
  throw std::runtime_error(path +
                           ": cannot tell its format from the name; give --input-format "
                           "folders, csv, tsv or jsonl");
}

std::vector<RawReview> read_labelled_text(const std::string& path,
                                          const LabelledTextOptions& options) {
  std::vector<RawReview> reviews;
  switch (options.format) {
    case TextFormat::folders:
      reviews = read_folders(path, options);
      break;
    case TextFormat::csv:
      reviews = read_delimited(path, ',', options);
      break;
    case TextFormat::tsv:
      reviews = read_delimited(path, '\t', options);
      break;
    case TextFormat::jsonl:
      reviews = read_jsonl(path, options);
      break;
  }
  if (reviews.empty()) throw std::runtime_error(path + ": no reviews");
  return reviews;
}

std::vector<std::string> parse_label_names(const std::string& text) {
  const std::size_t comma = text.find(',');
  if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos)
    throw std::invalid_argument("invalid value '" + text + "' for --labels: use NEG,POS");
  std::vector<std::string> names = {text.substr(0, comma), text.substr(comma + 1)};
  if (names[0].empty() || names[1].empty() || names[0] == names[1])
    throw std::invalid_argument("invalid value '" + text +
                                "' for --labels: two different names, negative first");
  return names;
}

}  // namespace rnnsent
