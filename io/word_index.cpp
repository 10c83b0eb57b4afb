// A small parser for exactly the JSON a word index is: one object of string keys and
// non-negative integer values. Anything else is reported with its byte offset.
#include "io/word_index.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace rnnsent {
namespace {

// Ranks index a vector that missing ranks fill with placeholders: no rank above this.
constexpr long long kMaxRank = 1 << 21;

class Parser {
 public:
  Parser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  void fail(const std::string& what) const {
    throw std::runtime_error(path_ + ": not a Keras word index (" + what + " at byte " +
                             std::to_string(i_) + ")");
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  bool take(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!take(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unfinished escape");
      c = s_[i_++];
      switch (c) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u':
          out += unicode();
          break;
        default:
          out += c;  // \" \\ \/
      }
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }
  long long integer() {
    skip_space();
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    if (i_ == start || i_ - start > 12) fail("expected a rank (a whole number)");
    return std::stoll(s_.substr(start, i_ - start));
  }
  bool at_end() {
    skip_space();
    return i_ == s_.size();
  }

 private:
  // \uXXXX as UTF-8 (surrogate pairs joined).
  std::string unicode() {
    // Exactly four hex digits (std::stoul would take a sign or "0x" and throw its own
    // exception without the file's name on anything else).
    auto hex4 = [&]() {
      if (i_ + 4 > s_.size()) fail("short \\u escape");
      unsigned v = 0;
      for (int k = 0; k < 4; ++k, ++i_) {
        const char c = s_[i_];
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (d < 0) fail("bad \\u escape");
        v = v * 16 + unsigned(d);
      }
      return v;
    };
    unsigned cp = hex4();
    if (cp >= 0xD800 && cp < 0xDC00 && i_ + 6 <= s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
      i_ += 2;
      const unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("bad surrogate pair");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    std::string out;
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
    return out;
  }

  const std::string& s_;
  const std::string& path_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<std::string> read_word_index(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open word index");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  Parser p(text, path);
  std::vector<std::pair<std::size_t, std::string>> entries;  // (rank, word) in file order
  std::unordered_set<std::string> seen;
  std::unordered_set<std::size_t> ranks;
  std::size_t max_rank = 0;
  p.expect('{');
  if (!p.take('}')) {
    do {
      std::string word = p.string();
      p.expect(':');
      const long long rank = p.integer();
      if (rank < 1) p.fail("rank " + std::to_string(rank) + " < 1 for '" + word + "'");
      if (rank > kMaxRank)
        p.fail("rank " + std::to_string(rank) + " > " + std::to_string(kMaxRank) + " for '" + word +
               "'");
      if (!seen.insert(word).second) p.fail("duplicate word '" + word + "'");
      if (!ranks.insert(std::size_t(rank)).second) p.fail("duplicate rank " + std::to_string(rank));
      max_rank = std::max(max_rank, std::size_t(rank));
      entries.emplace_back(std::size_t(rank), std::move(word));
    } while (p.take(','));
    p.expect('}');
  }
  if (!p.at_end()) p.fail("text after the object");
  // No word: every review would score as the same run of unknown ids.
  if (entries.empty()) throw std::runtime_error(path + ": the word index is empty");
  // Missing ranks get placeholders, so the words vector is as long as the largest rank. A word
  // index lists (nearly) every rank - Keras's IMDB index has 88,584 words, ranks 1 to 88,584 -
  // so one that leaves most ranks out is refused rather than padded: a 20-byte file would
  // otherwise allocate a placeholder for each of up to 2^21 ranks (fuzz_word_index: 10 s each).
  if (max_rank > 2 * entries.size() + 1000)
    throw std::runtime_error(path + ": not a Keras word index (ranks up to " +
                             std::to_string(max_rank) + " for only " +
                             std::to_string(entries.size()) + " words)");
  std::vector<std::string> words(max_rank);
  for (auto& [rank, word] : entries) words[rank - 1] = std::move(word);
  for (std::size_t r = 0; r < words.size(); ++r)
    if (words[r].empty()) words[r] = "\x01" + std::to_string(r + 1);  // no token has \x01
  return words;
}

}  // namespace rnnsent
