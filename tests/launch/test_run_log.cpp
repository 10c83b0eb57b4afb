// The files a user reads (launch/lib/run_log, model_summary) and the progress mode: what
// steps.csv keeps on a resume, what history.csv holds, what the summary counts, and when the
// live bar is drawn.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "core/sentiment_model.hpp"
#include "launch/lib/model_summary.hpp"
#include "launch/lib/progress.hpp"
#include "launch/lib/run_log.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ProgressModeTest, AutoDrawsTheBarOnlyOnATerminalOutsideALauncher) {
  EXPECT_EQ(resolve_progress_mode("auto", true, false), ProgressMode::bar);
  EXPECT_EQ(resolve_progress_mode("auto", true, true), ProgressMode::lines);  // mpirun's pty
  EXPECT_EQ(resolve_progress_mode("auto", false, false), ProgressMode::lines);
  EXPECT_EQ(resolve_progress_mode("bar", false, true), ProgressMode::bar);  // asked for
  EXPECT_EQ(resolve_progress_mode("none", true, false), ProgressMode::none);
  EXPECT_THROW(resolve_progress_mode("fancy", true, false), std::invalid_argument);
}

TEST(RunLogTest, AResumeDropsTheStepRowsItTrainsAgain) {
  const std::string dir = testing_support::fresh_dir("run_log_resume").string();
  {
    RunLog log(dir, false, 0);
    for (int s = 10; s <= 40; s += 10) log.step({s, 1, 0.5, 0.6, 1e-3, 0.2, 100});
  }
  {
    RunLog log(dir, true, 20);  // resumed from the checkpoint of step 20
    log.step({30, 1, 0.4, 0.7, 1e-3, 0.2, 100});
  }
  const std::string csv = read_text(dir + "/steps.csv");
  EXPECT_EQ(csv.find("step,epoch,"), 0u) << csv;
  EXPECT_EQ(csv.find("step,", 1), std::string::npos) << "one header: " << csv;
  EXPECT_NE(csv.find("\n20,1,0.5,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n30,1,0.4,"), std::string::npos) << csv;  // the new row
  EXPECT_EQ(csv.find("\n30,1,0.5,"), std::string::npos) << csv;  // the old one is gone
  EXPECT_EQ(csv.find("\n40,"), std::string::npos) << csv;
  {
    RunLog log(dir, false, 0);  // a new run in the same directory (--overwrite)
    log.step({5, 1, 0.3, 0.9, 1e-3, 0.2, 100});
  }
  EXPECT_EQ(read_text(dir + "/steps.csv"),
            "step,epoch,loss,acc,learning_rate,grad_norm,samples_per_s\n"
            "5,1,0.3,0.9,0.001,0.2,100.0\n");
}

TEST(RunLogTest, PrintGoesToTrainLogAndAClosedLogWritesNothing) {
  const std::string dir = testing_support::fresh_dir("run_log_print").string();
  {
    RunLog log(dir, false, 0);
    ::testing::internal::CaptureStdout();
    log.print("Epoch %d/%d\n", 1, 3);
    EXPECT_EQ(::testing::internal::GetCapturedStdout(), "Epoch 1/3\n");
    log.note("config\n");
  }
  EXPECT_EQ(read_text(dir + "/train.log"), "Epoch 1/3\nconfig\n");
  RunLog closed;
  ::testing::internal::CaptureStdout();
  closed.print("rank 1\n");
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
}

TEST(RunLogTest, HistoryCsvHasAHeaderAndOneRowPerEpoch) {
  History h;
  h.loss = {0.6, 0.4};
  h.acc = {0.7, 0.8};
  h.val_loss = {0.5, 0.45};
  h.val_acc = {0.75, 0.8};
  h.seconds = {10, 9.5};
  h.learning_rate = {1e-3, 5e-4};
  h.grad_norm = {0.3, std::nan("")};
  EXPECT_EQ(history_csv(h),
            "epoch,loss,acc,val_loss,val_acc,seconds,learning_rate,grad_norm\n"
            "1,0.6,0.7,0.5,0.75,10,0.001,0.3\n"
            "2,0.4,0.8,0.45,0.8,9.5,0.0005,nan\n");
}

TEST(ModelSummaryTest, CountsEveryParameterOnceAndShowsThePooling) {
  ModelShape s;
  s.num_words = 50;
  s.embedding_dim = 8;
  s.units = 4;
  s.cell = parse_cell("lstm");
  s.bidirectional = true;
  s.layers = 2;
  s.pooling = parse_pooling("mean");
  const SentimentModel model(s);
  const std::string text = model_summary(s, model.layout(), 30);
  std::string digits;
  for (char c : text.substr(text.find("Total params: ") + 14))
    if (c >= '0' && c <= '9') digits += c;
  EXPECT_EQ(std::stoul(digits), model.layout().total()) << text;
  EXPECT_NE(text.find("(None, 30, 8)"), std::string::npos) << text;  // the embedding
  EXPECT_NE(text.find("global_mean_pooling"), std::string::npos) << text;
  EXPECT_NE(text.find("(None, 8)"), std::string::npos) << text;  // 2 directions x 4 units
}

}  // namespace
}  // namespace rnnsent
