// The labelled-text readers (io/labelled_text.hpp) on small files: RFC 4180 quoting, CRLF and a
// byte-order mark, TSV, JSON Lines labels, folders, label names, and what a bad row says.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "io/labelled_text.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

std::string write(const std::string& name, const std::string& content) {
  const std::string path = (testing_support::fresh_dir("labelled_text") / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

LabelledTextOptions as(TextFormat format) {
  LabelledTextOptions o;
  o.format = format;
  return o;
}

std::string error_of(const std::string& path, const LabelledTextOptions& o) {
  try {
    read_labelled_text(path, o);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(LabelledText, CsvQuotingCrlfAndByteOrderMark) {
  const std::string path = write(
      "q.csv",
      "\xEF\xBB\xBFlabel,text\r\n1,\"a, b\"\r\n0,\"say \"\"hi\"\"\nagain\"\r\n\r\n1,plain\r\n");
  const std::vector<RawReview> r = read_labelled_text(path, as(TextFormat::csv));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "a, b");
  EXPECT_EQ(r[1].text, "say \"hi\"\nagain");
  EXPECT_EQ(r[2].text, "plain");
  EXPECT_EQ(r[0].label, 1);
  EXPECT_EQ(r[1].label, 0);
  EXPECT_EQ(r[1].id, 3);  // the line the record starts on
  EXPECT_EQ(r[2].id, 6);  // after the two-line record and a blank line
}

TEST(LabelledText, BadRowsNameTheFileAndLine) {
  const std::string quote = write("open.csv", "text,label\ngood,1\n\"open,0\n");
  EXPECT_NE(error_of(quote, as(TextFormat::csv)).find("open.csv:3: a quoted field is not closed"),
            std::string::npos);
  const std::string after = write("after.csv", "text,label\n\"x\"y,1\n");
  EXPECT_NE(error_of(after, as(TextFormat::csv)).find("after.csv:2: text after the closing quote"),
            std::string::npos);
  const std::string fields = write("fields.csv", "text,label\na,1,extra\n");
  EXPECT_NE(
      error_of(fields, as(TextFormat::csv)).find("fields.csv:2: 3 field(s), the header has 2"),
      std::string::npos);
}

TEST(LabelledText, TsvWithLabelNames) {
  LabelledTextOptions o = as(TextFormat::tsv);
  o.labels = parse_label_names("neg,pos");
  const std::vector<RawReview> r =
      read_labelled_text(write("t.tsv", "text\tlabel\ngood, fine\tpos\nbad\tneg\n"), o);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].text, "good, fine");
  EXPECT_EQ(r[0].label, 1);
  EXPECT_EQ(r[1].label, 0);
  EXPECT_THROW(parse_label_names("neg"), std::invalid_argument);
  EXPECT_THROW(parse_label_names("pos,pos"), std::invalid_argument);
}

TEST(LabelledText, JsonLinesLabelsAndColumns) {
  LabelledTextOptions o = as(TextFormat::jsonl);
  o.text_column = "review";
  o.label_column = "y";
  const std::string path = write("j.jsonl",
                                 "{\"review\": \"caf\\u00e9\", \"y\": 1}\n\n"
                                 "{\"review\": \"meh\", \"y\": false}\n"
                                 "{\"review\": \"ok\", \"y\": \"1\"}\n");
  const std::vector<RawReview> r = read_labelled_text(path, o);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "café");
  EXPECT_EQ(r[1].label, 0);
  EXPECT_EQ(r[2].label, 1);
  EXPECT_EQ(r[2].id, 4);
  const std::string bad = write("b.jsonl", "{\"review\": \"x\", \"y\": [1]}\n");
  EXPECT_NE(error_of(bad, o).find("b.jsonl:1: the label is array"), std::string::npos);
}

TEST(LabelledText, FoldersSortedClassNamesFirstIsNegative) {
  const auto dir = testing_support::fresh_dir("labelled_folders");
  std::filesystem::create_directories(dir / "neg");
  std::filesystem::create_directories(dir / "pos");
  std::ofstream(dir / "pos" / "b.txt") << "second pos";
  std::ofstream(dir / "pos" / "a.txt") << "first pos";
  std::ofstream(dir / "neg" / "z.txt") << "a neg";
  std::ofstream(dir / "neg" / "notes.md") << "ignored";
  const std::vector<RawReview> r = read_labelled_text(dir.string(), as(TextFormat::folders));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "a neg");
  EXPECT_EQ(r[0].label, 0);
  EXPECT_EQ(r[1].text, "first pos");
  EXPECT_EQ(r[2].label, 1);
}

TEST(LabelledText, FormatFromThePath) {
  EXPECT_EQ(guess_text_format("x/Reviews.CSV"), TextFormat::csv);
  EXPECT_EQ(guess_text_format("x.tsv"), TextFormat::tsv);
  EXPECT_EQ(guess_text_format("x.ndjson"), TextFormat::jsonl);
  EXPECT_EQ(guess_text_format(testing_support::fresh_dir("labelled_guess").string()),
            TextFormat::folders);
  EXPECT_THROW(parse_text_format("xml"), std::invalid_argument);
}

}  // namespace
}  // namespace rnnsent
