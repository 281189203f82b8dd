// fashion_mnist_mlp: a multilayer perceptron with one hidden layer of 128 relu units on Fashion-MNIST.
//
//   hidden = relu(dot(x, W1) + b1)        x: n x 784 pixels in [0, 1], W1: 784 x 128, b1: 128
//   scores = dot(hidden, W2) + b2         W2: 128 x 10, b2: 10
//   loss   = mean(cross_entropy(log_softmax(scores), y))
//
// symdiff derives the four gradients at compile time (backpropagation, written out as expressions:
// print them with to_string); the shared subexpressions (the hidden layer, the softmax residual)
// are computed once per step. Training is Adam through the generic driver, after a gradient check
// on a small batch.
//
// Prints the training loss and the test accuracy after every epoch (the trainer's progress display:
// a bar when stdout is a terminal) and the confusion matrix; writes fashion_mnist_mlp_loss.png,
// fashion_mnist_mlp_weights.png (the first 20 hidden units' input weights, when gnuplot is installed) and
// fashion_mnist_mlp_confusion.txt into the working directory.
//
//   fashion_mnist_mlp            the full run: 60,000 images, 15 epochs; checks test accuracy >= 0.87
//   fashion_mnist_mlp --quick    2,000 training images, 3 epochs (the CTest run): checks that the
//                                    loss falls and the accuracy is far above chance (0.1)
//   options: --epochs N, --lr X, --data DIR (default: $SYMDIFF_FASHION_MNIST_DIR or
//            /usr/share/datasets/fashion-mnist)
// Compiled with -DFASHION_MNIST_FLOAT, the model trains in single precision (the scalar type
// follows the data: float images give float parameters, gradients and losses).
//
// TEST-ARGS: --quick
// SANITIZER-FLAGS: -O1
#include <cmath>
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

constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto W1 = symbol<"W1">;
constexpr auto b1 = symbol<"b1">;
constexpr auto W2 = symbol<"W2">;
constexpr auto b2 = symbol<"b2">;

// [snippet:mnist_mlp_model]
constexpr auto hidden = relu(dot(x, W1) + b1);
constexpr auto scores = dot(hidden, W2) + b2;
constexpr auto loss = mean(cross_entropy(log_softmax(scores), y));
// [/snippet:mnist_mlp_model]
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
    const double learning_rate = opt.learning_rate > 0 ? opt.learning_rate : 1e-3;
    std::printf(
        "MLP 784-128(relu)-10 on Fashion-MNIST (%s): %zu training images, %zu test images, %zu epochs, "
        "batch %zu, Adam lr %g\n",
        sizeof(T) == 4 ? "float" : "double", train.labels.size(), test.labels.size(), epochs, batch, learning_rate);
    std::printf("loss:        %s\n", to_string(loss).c_str());
    std::printf("d loss / dW2: %s\n", to_string(derivative(loss, W2)).c_str());
    std::printf("d loss / dW1: %s\n\n", to_string(derivative(loss, W1)).c_str());

    // He initialisation for the relu layer, Glorot-like for the output layer; zero biases.
    splitmix64 rng(2024);
    const auto init = [&](std::size_t rows, std::size_t cols, double scale) {
        xt::xtensor<double, 2> w = xt::zeros<double>({rows, cols});
        for (auto& v : w) v = scale * example::standard_normal(rng);
        return w;
    };
    const xt::xtensor<double, 2> W1d = init(784, 128, std::sqrt(2.0 / 784)), W2d = init(128, 10, std::sqrt(1.0 / 128));
    const xt::xtensor<T, 2> W10 = xt::cast<T>(W1d), W20 = xt::cast<T>(W2d);
    const xt::xtensor<T, 1> b10 = xt::zeros<T>({std::size_t{128}}), b20 = xt::zeros<T>({std::size_t{10}});

    // Gradient check (in double, where finite differences are accurate) on 32 images, at the
    // initial parameters.
    {
        const auto small = example::head(load_fashion_mnist<double>("train", opt.dir, 32), 32);
        const auto report = check_gradient(loss,
                                           params(W1 = W1d, b1 = xt::xtensor<double, 1>(xt::zeros<double>({128})),
                                                  W2 = W2d, b2 = xt::xtensor<double, 1>(xt::zeros<double>({10}))),
                                           data(x = small.images, y = small.labels));
        std::printf("%s\n\n", report.summary().c_str());
        check.that("the gradient check passes", report.passed, report.summary());
    }

    const std::size_t batches = (train.labels.size() + batch - 1) / batch;
    // [snippet:mnist_mlp_train]
    trainer t(loss, params(W1 = W10, b1 = b10, W2 = W20, b2 = b20), data(x = train.images, y = train.labels),
              {.learning_rate = learning_rate,
               .method = adam{},
               .batch_size = batch,
               .shuffle_seed = 42,
               .progress = progress_mode::automatic});
    t.validate_on(data(x = test.images, y = test.labels), metric("test accuracy", accuracy));
    const auto& fit = t.train(epochs * batches);
    // [/snippet:mnist_mlp_train]
    check.that("training completed", fit.ok(), fit.message);
    double seconds = 0;
    std::vector<double> el;  // the mean minibatch loss of each epoch
    for (const auto& e : fit.epochs) {
        seconds += e.seconds;
        el.push_back(e.loss);
    }

    const auto pred = example::predictions(evaluate(scores, fit.parameters, x = test.images));
    const double acc = example::accuracy(pred, test.labels);
    check.near("the trainer's accuracy metric counts what the predictions count", fit.epochs.back().metrics.at(0), acc,
               1e-9);
    const std::string confusion = example::confusion_matrix_text(pred, test.labels);
    std::printf("\n%s\n", confusion.c_str());
    std::printf("test accuracy %.4f after %zu epochs, %.1f s of training (%zu steps)\n", acc, epochs, seconds,
                fit.steps_taken);
    example::write_text_file("fashion_mnist_mlp_confusion.txt", confusion);

    const auto curve = plot_loss_curve("fashion_mnist_mlp_loss.png", fit.loss_history, true, "MLP: minibatch loss");
    const xt::xtensor<double, 2> templates =
        xt::view(xt::transpose(xt::xtensor<double, 2>(fit[W1])), xt::range(0, 20), xt::all());
    const auto grid = plot_image_grid("fashion_mnist_mlp_weights.png", templates, 28, 28,
                                      {.title = "input weights of the first 20 hidden units",
                                       .titles = {},
                                       .cols = 5,
                                       .palette = image_palette::diverging});
    std::printf("wrote fashion_mnist_mlp_confusion.txt%s%s\n", curve.rendered ? ", fashion_mnist_mlp_loss.png" : "",
                grid.rendered ? ", fashion_mnist_mlp_weights.png" : "");

    check.that("the training loss falls",
               el.size() >= 2 && el.back() < el.front() && el.back() < fit.loss_history.front(),
               example::format("first step %.4f, epoch means %.4f -> %.4f (the last must be below both)",
                               fit.loss_history.front(), el.front(), el.back()));
    if (opt.quick) check.that("accuracy far above chance (0.1)", acc >= 0.65, example::format("%.4f", acc));
    else check.that("test accuracy >= 0.87", acc >= 0.87, example::format("%.4f", acc));
    return check.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
    const auto opt =
        example::parse_mnist_options(argc, argv, "fashion_mnist_mlp [--quick] [--epochs N] [--lr X] [--data DIR]");
    try {
#ifdef FASHION_MNIST_FLOAT
        return run<float>(opt);
#else
        return run<double>(opt);
#endif
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fashion_mnist_mlp: %s\n", e.what());
        return 1;
    }
}
