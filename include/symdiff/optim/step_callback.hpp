#pragma once
// The step callback of train(): what it may be (on_step(const step_info<P>&), returning nothing
// or a step_action, each checked at compile time with a message that says how), and its call
// after a step, which with shared rows stops or fails every process when one process's does.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <vector>

#include "../eval/collective.hpp"
#include "options.hpp"
#include "trainer_shared.hpp"

namespace symdiff::detail {

/// Calls `on_step(info)`: whether it asked to stop. With shared rows (`c` not null), one
/// process's callback that stops stops them all, and one that throws raises its failure on all.
template <class P, class Callback>
bool call_step_callback(Callback& on_step, const step_info<P>& info, collective* c) {
    static_assert(std::is_invocable_v<Callback&, const step_info<P>&>,
                  "train / gradient_descent: the step callback is called as on_step(const "
                  "step_info<P>& s), one argument (s.step, s.epoch, s.loss, s.parameters, ...)");
    using result = std::invoke_result_t<Callback&, const step_info<P>&>;
    static_assert(std::is_void_v<result> || std::is_same_v<result, step_action>,
                  "train / gradient_descent: the step callback returns nothing or a step_action "
                  "(return step_action::stop to stop); a result of another type, such as a bool, "
                  "would be ignored");
    bool callback_stop = false;
    const auto call = [&] {
        if constexpr (std::is_same_v<decltype(on_step(info)), step_action>)
            callback_stop = on_step(info) == step_action::stop;
        else on_step(info);
    };
    if (c) {
        // one process's callback stops them all; one that throws stops them all too
        shared_failure failed;
        try {
            call();
        } catch (...) {
            failed = trainer_failures::of(std::current_exception(), c->rank());
        }
        const std::vector<std::uint64_t> says = c->gather(failed ? 2 : callback_stop ? 1 : 0);
        if (std::find(says.begin(), says.end(), 2u) != says.end())
            trainer_failures::raise(c->first_failure(failed), c->size());
        callback_stop = std::find(says.begin(), says.end(), 1u) != says.end();
    } else {
        call();
    }
    return callback_stop;
}

}  // namespace symdiff::detail
