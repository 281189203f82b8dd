// check.hpp: how the example programs check their own numbers.
//
// Every example is also a test (CTest runs it): it compares what it computed with the numbers
// the seed notebooks and the peer benchmark print, says what it expected and what it found, and
// returns non-zero from main() when something was not reproduced.
//
//   example::checker check;
//   check.near("loss after 100 steps", fit.final_loss(), 0.09276132063, 1e-9);
//   check.that("the gradient check rejects the hand-derived gradient", !report.passed);
//   return check.exit_code();
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace example {

class checker {
public:
    /// |found - expected| <= tolerance (NaN never passes).
    bool near(std::string_view what, double found, double expected, double tolerance) {
        const bool ok = std::abs(found - expected) <= tolerance;
        if (!ok) {
            std::printf("CHECK FAILED: %.*s: expected %.12g (within %.3g), found %.12g (off by %.3g)\n",
                        static_cast<int>(what.size()), what.data(), expected, tolerance, found,
                        std::abs(found - expected));
        }
        return record(ok);
    }

    /// The same text as printed: for numbers the seeds show with a fixed number of decimals.
    bool same_text(std::string_view what, const std::string& found, std::string_view expected) {
        const bool ok = found == expected;
        if (!ok) {
            std::printf("CHECK FAILED: %.*s: expected \"%.*s\", found \"%s\"\n", static_cast<int>(what.size()),
                        what.data(), static_cast<int>(expected.size()), expected.data(), found.c_str());
        }
        return record(ok);
    }

    /// A condition, with an explanation of what was found when it does not hold.
    bool that(std::string_view what, bool ok, const std::string& found = {}) {
        if (!ok) {
            std::printf("CHECK FAILED: %.*s%s%s\n", static_cast<int>(what.size()), what.data(),
                        found.empty() ? "" : "; found: ", found.c_str());
        }
        return record(ok);
    }

    int failures() const { return failures_; }

    /// Prints a one-line verdict; the value to return from main().
    int exit_code() const {
        if (failures_ == 0) {
            std::printf("\nall %d checks passed\n", checks_);
            return 0;
        }
        std::printf("\n%d of %d checks FAILED\n", failures_, checks_);
        return 1;
    }

private:
    bool record(bool ok) {
        ++checks_;
        if (!ok) ++failures_;
        return ok;
    }
    int checks_ = 0;
    int failures_ = 0;
};

/// printf into a std::string: `format("%.3f", w)`.
template <class... A>
std::string format(const char* fmt, A... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}

}  // namespace example
