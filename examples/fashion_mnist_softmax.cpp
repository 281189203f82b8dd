// fashion_mnist_softmax: softmax regression (multinomial logistic regression) on Fashion-MNIST.
//
//   scores = dot(x, W) + b            x: n x 784 pixels in [0, 1], W: 784 x 10, b: 10 (broadcast over rows)
//   loss   = mean(cross_entropy(log_softmax(scores), y))
//
// symdiff derives the gradient at compile time; printed, it is the textbook one,
//   dW = dot(transpose(x), (softmax(dot(x, W) + b) - one_hot(y)) / n),   db = sum((...) / n)
// (one matrix product; the shared (softmax - one_hot) / n is computed once per step). Training is
// minibatch SGD with a trainer (the learning rate decaying as 1 / (1 + epoch / 2): a lambda_lr
// schedule), after a gradient check on a small batch.
//
// Prints the training loss and the test accuracy after every epoch (the trainer's progress display:
// a bar when stdout is a terminal) and the confusion matrix; writes fashion_mnist_softmax_loss.png,
// fashion_mnist_softmax_weights.png (the 10 learned templates, when gnuplot is installed) and
// fashion_mnist_softmax_confusion.txt into the working directory.
//
//   fashion_mnist_softmax            the full run: 60,000 images, 15 epochs; checks test accuracy >= 0.84
//   fashion_mnist_softmax --quick    2,000 training images, 3 epochs (the CTest run): checks that the
//                                    loss falls and the accuracy is far above chance (0.1)
//   options: --epochs N, --lr X, --data DIR (default: $SYMDIFF_FASHION_MNIST_DIR or
//            /usr/share/datasets/fashion-mnist)
// Compiled with -DFASHION_MNIST_FLOAT, the model trains in single precision (the scalar type
// follows the data: float images give float parameters, gradients and losses).
//
// TEST-ARGS: --quick
// SANITIZER-FLAGS: -O1
#include <cstdio>
#include <string>
#include <vector>

#include <symdiff/plot/gnuplot.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>

#include "common/check.hpp"
#include "common/fashion_mnist_run.hpp"

using namespace symdiff;

namespace {

// [snippet:mnist_softmax_model]
constexpr auto x = symbol<"x">;  // n x 784 pixels
constexpr auto y = symbol<"y">;  // n labels, 0 to 9
constexpr auto W = symbol<"W">;  // 784 x 10
constexpr auto b = symbol<"b">;  // 10, broadcast over the rows

constexpr auto scores = dot(x, W) + b;
constexpr auto loss = mean(cross_entropy(log_softmax(scores), y));
// [/snippet:mnist_softmax_model]
// the share of rows whose largest score is at the label (the mean is over n x 10 entries)
constexpr auto accuracy = 10 * mean(argmax_mask(scores, axis<1>) * one_hot<10>(y));

template <class T>
int run(const example::mnist_options& opt) {
    example::checker check;
    const std::size_t n_train = opt.quick ? 2000 : 0, n_test = opt.quick ? 2000 : 0;
    const auto train = load_fashion_mnist<T>("train", opt.dir, n_train);
    const auto test = load_fashion_mnist<T>("t10k", opt.dir, n_test);
    const std::size_t epochs = opt.epochs ? opt.epochs : (opt.quick ? 3 : 15);
    const std::size_t batch = 128;
    const double learning_rate = opt.learning_rate > 0 ? opt.learning_rate : 0.5;  // at epoch 1
    constexpr double decay = 0.5;                                                  // lr / (1 + decay (epoch - 1))
    std::printf(
        "softmax regression on Fashion-MNIST (%s): %zu training images, %zu test images, %zu epochs, "
        "batch %zu, SGD lr %g / (1 + %g (epoch - 1))\n",
        sizeof(T) == 4 ? "float" : "double", train.labels.size(), test.labels.size(), epochs, batch, learning_rate,
        decay);
    xt::xtensor<T, 2> W0 = xt::zeros<T>({std::size_t{784}, std::size_t{10}});
    xt::xtensor<T, 1> b0 = xt::zeros<T>({std::size_t{10}});

    // with the values bound, the reduction onto b's shape says what it sums (the rows: axis 0)
    std::printf("loss:        %s\n", to_string(loss).c_str());
    std::printf("d loss / dW: %s\n", to_string(derivative(loss, W)).c_str());
    std::printf("d loss / db: %s\n\n",
                to_string(derivative(loss, b), x = train.images, y = train.labels, W = W0, b = b0).c_str());

    // Gradient check (in double, where finite differences are accurate) on 32 images, at a point
    // away from the symmetric start.
    {
        const auto small = example::head(load_fashion_mnist<double>("train", opt.dir, 32), 32);
        xt::xtensor<double, 2> Wc = xt::zeros<double>({std::size_t{784}, std::size_t{10}});
        splitmix64 rng(7);
        for (auto& v : Wc) v = (double(rng.below(2001)) - 1000.0) * 1e-5;
        // [snippet:mnist_softmax_check]
        const auto report = check_gradient(loss, params(W = Wc, b = xt::xtensor<double, 1>(xt::zeros<double>({10}))),
                                           data(x = small.images, y = small.labels));
        // [/snippet:mnist_softmax_check]
        std::printf("%s\n\n", report.summary().c_str());
        check.that("the gradient check passes", report.passed, report.summary());
    }

    // A decaying learning rate, 0.5 / (1 + 0.5 e) in epoch e (from 0): plain SGD with a constant
    // rate keeps jumping around the minimum (the test accuracy swings by several points between
    // epochs).
    const std::size_t batches = (train.labels.size() + batch - 1) / batch;
    // [snippet:mnist_softmax_train]
    trainer t(loss, params(W = W0, b = b0), data(x = train.images, y = train.labels),
              {.learning_rate = learning_rate,
               .schedule = lambda_lr{[](std::size_t e) { return 1.0 / (1.0 + decay * double(e)); }},
               .batch_size = batch,
               .shuffle_seed = 42,
               .progress = progress_mode::automatic});
    t.validate_on(data(x = test.images, y = test.labels), metric("test accuracy", accuracy));
    const auto& fit = t.train(epochs * batches);
    // [/snippet:mnist_softmax_train]
    check.that("training completed", fit.ok(), fit.message);
    const auto& p = fit.parameters;
    const auto& loss_history = fit.loss_history;
    double seconds = 0;
    std::vector<double> el;  // the mean minibatch loss of each epoch
    for (const auto& e : fit.epochs) {
        seconds += e.seconds;
        el.push_back(e.loss);
    }

    const auto pred = example::predictions(evaluate(scores, p, x = test.images));
    const double acc = example::accuracy(pred, test.labels);
    check.near("the trainer's accuracy metric counts what the predictions count", fit.epochs.back().metrics.at(0), acc,
               1e-9);
    const std::string confusion = example::confusion_matrix_text(pred, test.labels);
    std::printf("\n%s\n", confusion.c_str());
    std::printf("test accuracy %.4f after %zu epochs, %.1f s of training (%zu steps)\n", acc, epochs, seconds,
                loss_history.size());
    example::write_text_file("fashion_mnist_softmax_confusion.txt", confusion);

    const auto curve =
        plot_loss_curve("fashion_mnist_softmax_loss.png", loss_history, true, "softmax regression: minibatch loss");
    const xt::xtensor<double, 2> templates = xt::transpose(xt::xtensor<double, 2>(p[W]));
    const auto grid = plot_image_grid("fashion_mnist_softmax_weights.png", templates, 28, 28,
                                      {.title = "learned weight templates",
                                       .titles = fashion_mnist_class_names(),
                                       .cols = 5,
                                       .palette = image_palette::diverging});
    std::printf("wrote fashion_mnist_softmax_confusion.txt%s%s\n",
                curve.rendered ? ", fashion_mnist_softmax_loss.png" : "",
                grid.rendered ? ", fashion_mnist_softmax_weights.png" : "");

    check.that("the training loss falls", el.size() >= 2 && el.back() < el.front() && el.back() < loss_history.front(),
               example::format("first step %.4f, epoch means %.4f -> %.4f (the last must be below both)",
                               loss_history.front(), el.front(), el.back()));
    if (opt.quick) check.that("accuracy far above chance (0.1)", acc >= 0.65, example::format("%.4f", acc));
    else check.that("test accuracy >= 0.84", acc >= 0.84, example::format("%.4f", acc));
    return check.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
    const auto opt =
        example::parse_mnist_options(argc, argv, "fashion_mnist_softmax [--quick] [--epochs N] [--lr X] [--data DIR]");
    try {
#ifdef FASHION_MNIST_FLOAT
        return run<float>(opt);
#else
        return run<double>(opt);
#endif
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fashion_mnist_softmax: %s\n", e.what());
        return 1;
    }
}
